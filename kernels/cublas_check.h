#pragma once
#include <cublas_v2.h>

#include <string>

#include "kernels/cuda_check.h"

// Throws CudaError with file and line, as CUDA_CHECK does.
#define CUBLAS_CHECK(expr)                                                                                         \
  do {                                                                                                             \
    const cublasStatus_t rf_status_ = (expr);                                                                      \
    if (rf_status_ != CUBLAS_STATUS_SUCCESS)                                                                       \
      throw ::rankflow::kernels::CudaError(std::string(__FILE__) + ":" + std::to_string(__LINE__) + ": " + #expr + \
                                           " failed: cuBLAS status " + std::to_string(rf_status_));                \
  } while (0)
