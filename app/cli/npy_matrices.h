#pragma once
// Conversions between .npy arrays (C order) and Eigen matrices (column-major) for the CLI.
#include <Eigen/Core>
#include <string>
#include <vector>

#include "core/io/npy.h"

namespace rankflow::app {

// A 2-D array (rows, cols) as a matrix; throws InvalidArgument naming `what` otherwise.
Eigen::MatrixXf matrixFromNpy(const io::NpyArray& array, const std::string& what);
// A 3-D array (m, rows, cols) as m matrices.
std::vector<Eigen::MatrixXf> matricesFromNpy(const io::NpyArray& array, const std::string& what);
// Row-major values of a matrix, for writing (rows, cols) or, stacked, (k, rows, cols).
void appendRowMajor(const Eigen::MatrixXf& m, std::vector<double>& out);

}  // namespace rankflow::app
