// Linked instead of the CUDA backend when configure found no nvcc: the app still asks,
// and is told why there is no CUDA.
#include "kernels/cuda_backend.h"

namespace rankflow::kernels {

CudaProbe probeCuda() {
  CudaProbe probe;
  probe.buildInfo = "built without CUDA";
  probe.reason = "this build has no CUDA kernels (nvcc was not found when it was configured)";
  return probe;
}

std::unique_ptr<compute::FlowBackend> makeCudaBackend() {
  return nullptr;
}

}  // namespace rankflow::kernels

#include "kernels/cuda_lowrank.h"

namespace rankflow::kernels {

std::unique_ptr<lowrank::LowRankBackend> makeCudaLowRankBackend() {
  return nullptr;
}

double measureCudaCopyRate(std::size_t, int) {
  return 0.0;
}

}  // namespace rankflow::kernels

#include "kernels/cuda_training.h"

namespace rankflow::kernels {

std::unique_ptr<learn::PlanExecutor> makeCudaPlanExecutor() {
  return nullptr;
}

std::unique_ptr<learn::TrainingEngine> makeCudaTrainingEngine() {
  return nullptr;
}

double measureCudaGemmRate(int, int, int, int) {
  return 0.0;
}

}  // namespace rankflow::kernels
