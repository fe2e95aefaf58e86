#pragma once
#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace rankflow::kernels {

class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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
