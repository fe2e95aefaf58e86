#include "core/lowrank/randomized_svd.h"

#include <Eigen/QR>
#include <Eigen/SVD>
#include <algorithm>
#include <string>

#include "core/common/error.h"
#include "core/common/random.h"

namespace rankflow::lowrank {

void TruncatedSvd::addProductTo(Eigen::MatrixXf& into) const {
  if (s.size() == 0) return;
  into.noalias() += u * s.asDiagonal() * v.transpose();
}

namespace {

void requireTruncatable(const Eigen::MatrixXf& a, int rank) {
  const Eigen::Index smaller = std::min(a.rows(), a.cols());
  if (rank < 0 || rank > smaller) {
    throw InvalidArgument("rank " + std::to_string(rank) + " is outside 0.." + std::to_string(smaller) + " for a " +
                          std::to_string(a.rows()) + "x" + std::to_string(a.cols()) + " matrix");
  }
  if (!a.allFinite()) throw InvalidArgument("the matrix holds NaN or infinity");
}

// Orthonormal basis of y's column space, m×l (thin Householder Q).
Eigen::MatrixXf orthonormalColumns(const Eigen::MatrixXf& y) {
  const Eigen::HouseholderQR<Eigen::MatrixXf> qr(y);
  return qr.householderQ() * Eigen::MatrixXf::Identity(y.rows(), y.cols());
}

// The rank-r truncation of A = Q·B (Q m×l orthonormal, B = QᵀA l×n): B = Ũ Σ Vᵀ by a
// float64 SVD of the small matrix, then U = Q·Ũ.
TruncatedSvd truncateThroughBasis(const Eigen::MatrixXf& q, const Eigen::MatrixXf& b, int rank) {
  const Eigen::BDCSVD<Eigen::MatrixXd> svd(b.cast<double>(), Eigen::ComputeThinU | Eigen::ComputeThinV);
  TruncatedSvd out;
  out.s = svd.singularValues().head(rank).cast<float>();
  out.u = q * svd.matrixU().leftCols(rank).cast<float>();
  out.v = svd.matrixV().leftCols(rank).cast<float>();
  return out;
}

}  // namespace

TruncatedSvd fullTruncatedSvd(const Eigen::MatrixXf& a, int rank) {
  requireTruncatable(a, rank);
  const Eigen::BDCSVD<Eigen::MatrixXd> svd(a.cast<double>(), Eigen::ComputeThinU | Eigen::ComputeThinV);
  TruncatedSvd out;
  out.s = svd.singularValues().head(rank).cast<float>();
  out.u = svd.matrixU().leftCols(rank).cast<float>();
  out.v = svd.matrixV().leftCols(rank).cast<float>();
  return out;
}

TruncatedSvd randomizedSvd(const Eigen::MatrixXf& a, int rank, const RandomizedSvdOptions& options) {
  requireTruncatable(a, rank);
  if (options.oversampling < 0 || options.powerIterations < 0) {
    throw InvalidArgument("oversampling and power iterations must be 0 or more");
  }
  const Eigen::Index smaller = std::min(a.rows(), a.cols());
  const Eigen::Index sketch = std::min<Eigen::Index>(rank + options.oversampling, smaller);
  if (rank == 0) return TruncatedSvd{Eigen::MatrixXf(a.rows(), 0), Eigen::VectorXf(0), Eigen::MatrixXf(a.cols(), 0)};
  if (2 * sketch >= smaller) return fullTruncatedSvd(a, rank);

  SeededRandom random(options.seed);
  Eigen::MatrixXf omega(a.cols(), sketch);
  for (Eigen::Index j = 0; j < omega.cols(); ++j) {
    for (Eigen::Index i = 0; i < omega.rows(); ++i) omega(i, j) = static_cast<float>(random.normal());
  }
  Eigen::MatrixXf q = orthonormalColumns(a * omega);
  for (int pass = 0; pass < options.powerIterations; ++pass) {
    const Eigen::MatrixXf z = orthonormalColumns(a.transpose() * q);
    q = orthonormalColumns(a * z);
  }
  const Eigen::MatrixXf b = q.transpose() * a;
  return truncateThroughBasis(q, b, rank);
}

}  // namespace rankflow::lowrank
