#pragma once
// cuBLAS, opened with dlopen the first time a device backend needs it (docs/ARCHITECTURE.md,
// "cuBLAS on demand"). Linked at build time, its start-up alone made every rankflow process
// touch ~200 MiB — `--help`, every CPU-only command and every test — whether or not a device
// exists. The macros of cublas_v2.h (cublasCreate → cublasCreate_v2, …) still name the
// functions, so the call sites read as plain cuBLAS: `cublas().sgemm(...)`.
#include <cublas_v2.h>

namespace rankflow::kernels {

struct CublasLibrary {
  decltype(&cublasCreate) create = nullptr;
  decltype(&cublasDestroy) destroy = nullptr;
  decltype(&cublasSetStream) setStream = nullptr;
  decltype(&cublasSetMathMode) setMathMode = nullptr;
  decltype(&cublasSetWorkspace) setWorkspace = nullptr;
  decltype(&cublasSgemm) sgemm = nullptr;
};

// Loaded once (thread-safe); throws CudaError naming the library and dlerror()'s reason when
// it cannot be opened or lacks a function.
const CublasLibrary& cublas();

// Where it was opened from ("libcublas.so.13" or a path); nullptr when it could not be opened.
const char* cublasLibraryName();

}  // namespace rankflow::kernels
