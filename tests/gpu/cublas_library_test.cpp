// cuBLAS is opened on demand (kernels/cublas_library.h): the library must open and hold every
// function the backends call. dlopen needs no device, so this runs wherever nvcc built it.
#include <gtest/gtest.h>

#include "kernels/cublas_library.h"

namespace rankflow {
namespace {

TEST(CublasLibrary, OpensOnDemandAndResolvesEveryFunctionTheBackendsCall) {
  const kernels::CublasLibrary& library = kernels::cublas();
  EXPECT_NE(library.create, nullptr);
  EXPECT_NE(library.destroy, nullptr);
  EXPECT_NE(library.setStream, nullptr);
  EXPECT_NE(library.setMathMode, nullptr);
  EXPECT_NE(library.setWorkspace, nullptr);
  EXPECT_NE(library.sgemm, nullptr);
  ASSERT_NE(kernels::cublasLibraryName(), nullptr);
  EXPECT_NE(std::string(kernels::cublasLibraryName()).find("libcublas.so"), std::string::npos);
}

}  // namespace
}  // namespace rankflow
