#include "app/cli/npy_matrices.h"

#include <cmath>

#include "core/common/error.h"
#include "core/common/shape_text.h"

namespace rankflow::app {
namespace {

void requireFiniteValues(const io::NpyArray& array, const std::string& what) {
  for (double v : array.values) {
    if (!std::isfinite(v)) throw InvalidArgument(what + ": contains NaN or infinity");
  }
}

std::string shapeText(const io::NpyArray& array) {
  return rankflow::shapeText(array.shape, ShapeNotation::NumpyTuple);
}

}  // namespace

Eigen::MatrixXf matrixFromNpy(const io::NpyArray& array, const std::string& what) {
  if (array.shape.size() != 2) throw InvalidArgument(what + ": expected a 2-D array, got shape " + shapeText(array));
  if (array.shape[0] < 1 || array.shape[1] < 1)
    throw InvalidArgument(what + ": every dimension must be at least 1, got shape " + shapeText(array));
  requireFiniteValues(array, what);
  const auto rows = static_cast<Eigen::Index>(array.shape[0]);
  const auto cols = static_cast<Eigen::Index>(array.shape[1]);
  Eigen::MatrixXf m(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j)
      m(i, j) = static_cast<float>(array.values[static_cast<std::size_t>(i * cols + j)]);
  return m;
}

std::vector<Eigen::MatrixXf> matricesFromNpy(const io::NpyArray& array, const std::string& what) {
  if (array.shape.size() != 3)
    throw InvalidArgument(what + ": expected a 3-D array (m, rows, cols), got shape " + shapeText(array));
  requireFiniteValues(array, what);
  if (array.shape[0] < 1 || array.shape[1] < 1 || array.shape[2] < 1)
    throw InvalidArgument(what + ": every dimension must be at least 1, got shape " + shapeText(array));
  const auto count = static_cast<std::size_t>(array.shape[0]);
  const auto rows = static_cast<Eigen::Index>(array.shape[1]);
  const auto cols = static_cast<Eigen::Index>(array.shape[2]);
  std::vector<Eigen::MatrixXf> out(count, Eigen::MatrixXf(rows, cols));
  std::size_t k = 0;
  for (auto& m : out)
    for (Eigen::Index i = 0; i < rows; ++i)
      for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = static_cast<float>(array.values[k++]);
  return out;
}

void appendRowMajor(const Eigen::MatrixXf& m, std::vector<double>& out) {
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) out.push_back(m(i, j));
}

}  // namespace rankflow::app
