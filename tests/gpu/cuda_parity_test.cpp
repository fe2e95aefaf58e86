// Label `gpu`: CUDA against the float64 reference and the CPU backend on fresh random
// inputs. Without a device every test reports SKIPPED with the runtime's reason.
#include <gtest/gtest.h>

#include <cmath>

#include "core/compute/flow_backend.h"
#include "core/flows/empirical_data.h"
#include "kernels/cuda_backend.h"
#include "tests/support/cuda_backend_test.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using testing::freshSeed;

class CudaParity : public testing::CudaBackendTest {
 protected:
  std::unique_ptr<compute::FlowBackend> cpu_ = compute::makeCpuBackend();
};

TEST_F(CudaParity, VelocityMatchesFloat64Reference) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  // 1000 data points: not a multiple of the kernel's tile, so the ragged last tile runs.
  const auto data = testing::randomPoints(1000, 1.5f, seed);
  const auto queries = testing::randomPoints(1531, 2.0f, seed + 1);
  for (float t : {0.0f, 0.3f, 0.6f, 0.9f, 0.99f, 1.0f}) {
    std::vector<Vec2f> gpu(queries.size());
    cuda_->velocity(data, t, queries, gpu);
    EXPECT_LT(testing::relativeVelocityError(data, t, queries, gpu), testing::velocityTolerance(t)) << "t " << t;
  }
}

TEST_F(CudaParity, Rk4AdvectionMatchesCpuAndFloat64Reference) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto data = flows::sampleEightGaussians({512, 2.0f, 0.12f, seed}).points;
  const auto start = flows::sampleStandardNormal(4096, seed + 1);
  const flows::TimeGrid grid{0.0f, 1.0f, 100};
  const auto gpu = cuda_->integrateRk4(data, start, grid);
  const auto cpu = cpu_->integrateRk4(data, start, grid);
  {
    SCOPED_TRACE("CUDA vs CPU, 4096 particles");
    testing::expectTrajectoriesAgree(testing::compareTrajectories(gpu, cpu));
  }
  // The float64 reference costs seconds for 4096 particles; a subset checks the same kernel.
  const std::vector<Vec2f> subset(start.begin(), start.begin() + 256);
  const auto gpuSubset = cuda_->integrateRk4(data, subset, grid);
  SCOPED_TRACE("CUDA vs float64 reference, 256 particles");
  testing::expectTrajectoriesAgree(
      testing::compareTrajectories(gpuSubset, testing::referenceTrajectories(data, subset, grid)));
}

}  // namespace
}  // namespace rankflow
