#pragma once
// A matrix of independent standard normal entries, drawn in column-major order.
#include <Eigen/Dense>
#include <random>

namespace rankflow::testing {

inline Eigen::MatrixXd gaussianMatrix(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = normal(rng);
  return m;
}

}  // namespace rankflow::testing
