#pragma once
// The CUDA trainer of docs/MATHEMATICS.md §5: the training plan (core/learn/training_plan.h) executed with
// cuBLAS SGEMM (FP32, no TF32, so it agrees with the CPU within float rounding) and the
// fused kernels of training_kernels.cu, each chunk of steps replayed as one CUDA graph.
// Plain C++ header: the app includes it without CUDA headers.
#include <memory>

#include "core/learn/training_engine.h"
#include "core/learn/training_plan.h"

namespace rankflow::kernels {

// nullptr when this build has no CUDA or probeCuda() finds no device.
std::unique_ptr<learn::PlanExecutor> makeCudaPlanExecutor();
std::unique_ptr<learn::TrainingEngine> makeCudaTrainingEngine();

// FP32 GEMM rate (FLOP/s) of cuBLAS on C (m × n) = A (m × k) · B (k × n), the median of
// `repeats` timed runs after a warm-up; 0 without a device.
double measureCudaGemmRate(int m, int n, int k, int repeats);

}  // namespace rankflow::kernels
