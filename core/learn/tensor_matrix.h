#pragma once
// Tensors of a checkpoint as Eigen matrices and back. A C-order rows × cols tensor's data is
// the column-major storage of its transpose, so decoding straight into a cols × rows matrix
// needs no copy and no reordering (the profile, the resize and the cascade fit all work on
// those transposes).
#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

#include "core/io/safetensors.h"

namespace rankflow::learn {

// `into` becomes the cols × rows transpose of the C-order rows × cols tensor (resized only
// when its shape differs, so a caller can reuse it).
template <class Scalar>
void decodeTransposeInto(const io::Tensor& t, std::int64_t rows, std::int64_t cols,
                         Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& into) {
  into.resize(cols, rows);
  t.decodeInto(std::span<Scalar>(into.data(), static_cast<std::size_t>(into.size())));
}

inline Eigen::MatrixXd decodeTranspose(const io::Tensor& t, std::int64_t rows, std::int64_t cols) {
  Eigen::MatrixXd m;
  decodeTransposeInto(t, rows, cols, m);
  return m;
}

// `m` rounded to `dtype` (io::Tensor::encode) in C order, with `shape` (default: m's own,
// rows × cols; a conv factor keeps its 4-D shape).
template <class Scalar>
io::Tensor encodeMatrix(io::Dtype dtype, const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& m,
                        std::vector<std::int64_t> shape = {}) {
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows = m.template cast<double>();
  if (shape.empty()) shape = {m.rows(), m.cols()};
  return io::Tensor::encode(dtype, std::move(shape), std::span<const double>(rows.data(), rows.size()));
}

}  // namespace rankflow::learn
