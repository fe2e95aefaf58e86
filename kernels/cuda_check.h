#pragma once
#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

#include "core/compute/device_fault.h"

namespace rankflow::kernels {

// A device fault: the window's models fall back to the CPU on it (core/compute/device_fault.h).
class CudaError : public compute::DeviceFault {
 public:
  using compute::DeviceFault::DeviceFault;
};

[[noreturn]] inline void throwCudaError(cudaError_t code, const char* expr, const char* file, int line) {
  throw CudaError(std::string(file) + ":" + std::to_string(line) + ": " + expr + " failed: " + cudaGetErrorName(code) +
                  " (" + cudaGetErrorString(code) + ")");
}

}  // namespace rankflow::kernels

// Throws with file and line; never exits, so a lost device becomes a message in the UI.
#define CUDA_CHECK(expr)                                                               \
  do {                                                                                 \
    const cudaError_t rf_cuda_status_ = (expr);                                        \
    if (rf_cuda_status_ != cudaSuccess)                                                \
      ::rankflow::kernels::throwCudaError(rf_cuda_status_, #expr, __FILE__, __LINE__); \
  } while (0)
