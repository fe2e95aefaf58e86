#pragma once
// Checks a thin SVD A = U·diag(σ)·Vᵀ (any backend's, or the kernel's sequential twin)
// against a float64 SVD of A: σ descending and equal to the reference's, the factors
// rebuilding A, and the singular vectors of the well-separated values orthonormal.
#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <string>

namespace rankflow::testing {

// `tolerance`: relative to σ_max (or ‖A‖_F); about 1e-13 for float64 work, 1e-5 for float32
// (inputs rounded to float32, then n·ε of work on a 64×64 matrix).
inline void expectThinSvdOf(const Eigen::MatrixXd& a, const Eigen::MatrixXd& u, const Eigen::VectorXd& sigma,
                            const Eigen::MatrixXd& v, double tolerance, const std::string& what) {
  SCOPED_TRACE(what);
  const Eigen::Index narrow = std::min(a.rows(), a.cols());
  ASSERT_EQ(u.rows(), a.rows());
  ASSERT_EQ(u.cols(), narrow);
  ASSERT_EQ(v.rows(), a.cols());
  ASSERT_EQ(v.cols(), narrow);
  ASSERT_EQ(sigma.size(), narrow);
  const Eigen::VectorXd reference = Eigen::JacobiSVD<Eigen::MatrixXd>(a).singularValues();
  const double top = reference.size() > 0 ? reference(0) : 0.0;
  for (Eigen::Index i = 0; i < narrow; ++i) {
    EXPECT_NEAR(sigma(i), reference(i), 4 * tolerance * top + 1e-300) << "sigma_" << i;
    if (i > 0) {
      EXPECT_LE(sigma(i), sigma(i - 1)) << "not descending at " << i;
    }
  }
  const double rebuilt = (u * sigma.asDiagonal() * v.transpose() - a).norm();
  EXPECT_LE(rebuilt, 10 * tolerance * a.norm() + 1e-300) << "U diag(sigma) V^T differs from A";
  // Vectors of values above 1e-3·σ_max: orthonormal to within the work's precision over the gap.
  Eigen::Index separated = 0;
  while (separated < narrow && sigma(separated) > 1e-3 * top) ++separated;
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(separated, separated);
  EXPECT_LE((u.leftCols(separated).transpose() * u.leftCols(separated) - identity).norm(), 1e3 * tolerance)
      << "U's first " << separated << " columns are not orthonormal";
  EXPECT_LE((v.leftCols(separated).transpose() * v.leftCols(separated) - identity).norm(), 1e3 * tolerance)
      << "V's first " << separated << " columns are not orthonormal";
}

}  // namespace rankflow::testing
