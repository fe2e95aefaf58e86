#include "kernels/cublas_library.h"

#include <dlfcn.h>

#include <string>

#include "kernels/cuda_check.h"

namespace rankflow::kernels {
namespace {

// The soname first (found through the executable's run path or the loader's cache), then
// the toolkit's own directory, as configured (kernels/CMakeLists.txt).
constexpr const char* kCandidates[] = {RANKFLOW_CUBLAS_SONAME, RANKFLOW_CUBLAS_DIR "/" RANKFLOW_CUBLAS_SONAME};

struct Loaded {
  CublasLibrary library;
  const char* name = nullptr;
  std::string error;
};

template <typename Function>
void resolve(void* handle, const char* symbol, Function& into, std::string& error) {
  into = reinterpret_cast<Function>(dlsym(handle, symbol));
  if (!into && error.empty()) error = std::string("it has no ") + symbol;
}

Loaded load() {
  Loaded loaded;
  void* handle = nullptr;
  std::string reasons;
  for (const char* candidate : kCandidates) {
    handle = dlopen(candidate, RTLD_NOW | RTLD_LOCAL);
    if (handle) {
      loaded.name = candidate;
      break;
    }
    const char* why = dlerror();
    reasons += (reasons.empty() ? "" : "; ") + std::string(why ? why : candidate);
  }
  if (!handle) {
    loaded.error = "cannot open cuBLAS (" + reasons + ")";
    return loaded;
  }
  CublasLibrary& l = loaded.library;
  std::string missing;
  resolve(handle, "cublasCreate_v2", l.create, missing);
  resolve(handle, "cublasDestroy_v2", l.destroy, missing);
  resolve(handle, "cublasSetStream_v2", l.setStream, missing);
  resolve(handle, "cublasSetMathMode", l.setMathMode, missing);
  resolve(handle, "cublasSetWorkspace_v2", l.setWorkspace, missing);
  resolve(handle, "cublasSgemm_v2", l.sgemm, missing);
  if (!missing.empty()) loaded.error = std::string(loaded.name) + ": " + missing;
  return loaded;  // the handle stays open for the process's life
}

const Loaded& loadedOnce() {
  static const Loaded loaded = load();
  return loaded;
}

}  // namespace

const CublasLibrary& cublas() {
  const Loaded& loaded = loadedOnce();
  if (!loaded.error.empty()) throw CudaError(loaded.error);
  return loaded.library;
}

const char* cublasLibraryName() {
  const Loaded& loaded = loadedOnce();
  return loaded.error.empty() ? loaded.name : nullptr;
}

}  // namespace rankflow::kernels
