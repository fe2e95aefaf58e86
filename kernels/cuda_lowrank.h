#pragma once
// Plain C++: the CUDA low-rank backend (cuBLAS GEMMs, the fused cascade epilogue,
// cuSOLVER batched SVDs), or nullptr when no device exists.
#include <cstddef>
#include <memory>

#include "core/lowrank/lowrank_backend.h"

namespace rankflow::kernels {

std::unique_ptr<lowrank::LowRankBackend> makeCudaLowRankBackend();

// Device-to-device copy rate (bytes read + bytes written per second) of cudaMemcpy on
// `bytes` bytes, the median of `repeats` event-timed runs after a warm-up; 0 without a
// device. The ceiling a memory-bound kernel (the cascade's epilogue) is measured against.
double measureCudaCopyRate(std::size_t bytes, int repeats);

}  // namespace rankflow::kernels
