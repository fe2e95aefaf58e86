#pragma once
// The low-rank backend a parameterised gpu test names: "cpu" always, "cuda" or nothing
// (with the runtime's reason) when no device exists.
#include <memory>
#include <string>

#include "core/lowrank/lowrank_backend.h"
#include "kernels/cuda_backend.h"
#include "kernels/cuda_lowrank.h"

namespace rankflow::testing {

inline std::unique_ptr<lowrank::LowRankBackend> lowRankBackendNamed(const std::string& name, std::string* skipReason) {
  if (name != "cuda") return lowrank::makeCpuLowRankBackend();
  const auto probe = kernels::probeCuda();
  if (!probe.available) {
    *skipReason = "no CUDA device: " + probe.reason;
    return nullptr;
  }
  return kernels::makeCudaLowRankBackend();
}

}  // namespace rankflow::testing
