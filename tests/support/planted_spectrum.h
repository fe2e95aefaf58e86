#pragma once
// Matrices with chosen singular values, for the spectra tests on every backend.
#include <Eigen/Core>
#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace rankflow::testing {

using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A rows×cols matrix whose singular values are `sigma` (the rest zero), with random
// orthogonal singular vectors (QR of Gaussian matrices).
inline RowMajorMatrix plantedSpectrum(int rows, int cols, const std::vector<double>& sigma, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  const Eigen::MatrixXd a = Eigen::MatrixXd::NullaryExpr(rows, rows, [&] { return normal(rng); });
  const Eigen::MatrixXd b = Eigen::MatrixXd::NullaryExpr(cols, cols, [&] { return normal(rng); });
  const Eigen::MatrixXd u = Eigen::HouseholderQR<Eigen::MatrixXd>(a).householderQ();
  const Eigen::MatrixXd v = Eigen::HouseholderQR<Eigen::MatrixXd>(b).householderQ();
  Eigen::MatrixXd s = Eigen::MatrixXd::Zero(rows, cols);
  for (std::size_t i = 0; i < sigma.size(); ++i)
    s(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i)) = sigma[i];
  return u * s * v.transpose();
}

// The singular values of matrix b of a test batch of `batch` (rank ≤ length): b = 0 rank 0,
// b = 1 full rank, the last one spread over `decades` (ill-conditioned), the others a random
// rank with values 1 + i (clear gaps).
inline std::vector<double> batchSpectrum(int b, int batch, int length, double decades, std::mt19937_64& rng) {
  const int rank = b == 0 ? 0 : b == 1 ? length : 1 + static_cast<int>(rng() % static_cast<unsigned>(length));
  std::vector<double> sigma;
  for (int i = 0; i < rank; ++i)
    sigma.push_back(b == batch - 1 ? std::pow(10.0, -decades * i / std::max(1, rank - 1)) : 1.0 + i);
  return sigma;
}

}  // namespace rankflow::testing
