#pragma once
// Base fixture of the `gpu` tests: the CUDA backend, or SKIPPED with the runtime's reason.
#include <gtest/gtest.h>

#include <memory>

#include "core/compute/flow_backend.h"
#include "kernels/cuda_backend.h"

namespace rankflow::testing {

class CudaBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const kernels::CudaProbe probe = kernels::probeCuda();
    if (!probe.available) GTEST_SKIP() << "no CUDA device: " << probe.reason;
    cuda_ = kernels::makeCudaBackend();
    ASSERT_NE(cuda_, nullptr);
  }
  std::unique_ptr<compute::FlowBackend> cuda_;
};

}  // namespace rankflow::testing
