#pragma once
// Plain C++: the CUDA low-rank backend (cuBLAS GEMMs, the fused cascade epilogue,
// cuSOLVER batched SVDs), or nullptr when no device exists.
#include <memory>

#include "core/lowrank/lowrank_backend.h"

namespace rankflow::kernels {

std::unique_ptr<lowrank::LowRankBackend> makeCudaLowRankBackend();

}  // namespace rankflow::kernels
