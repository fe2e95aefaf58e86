#pragma once
// The JSON file format for matrix functions (docs/formats.md).
#include <string>

#include "core/matfun/matrix_function.h"

namespace rankflow::matfun {

// Parses the format; every error is an InvalidArgument naming the JSON path.
MatrixFunction parseMatrixFunctionJson(const std::string& text);
MatrixFunction readMatrixFunctionJson(const std::string& path);
std::string toJson(const MatrixFunction& f);

}  // namespace rankflow::matfun
