#pragma once
// Ranks of matrices and of matrix functions (docs/MATHEMATICS.md §2): numerical rank with its spectrum and
// tolerance, generic rank as the maximum over random t, and the exact generic rank over
// GF(p) for exp-polynomial entries (substituting s = e^t) with a Schwartz–Zippel bound.
#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/matfun/matrix_function.h"

namespace rankflow::matfun {

struct NumericalRank {
  int rank = 0;
  double tolerance = 0.0;          // singular values above it count
  Eigen::VectorXd singularValues;  // descending
};

// tol defaults to σ_max · max(m, n) · ε (double).
NumericalRank numericalRank(const Eigen::MatrixXd& m, std::optional<double> tolerance = std::nullopt);
// Rank only, by column-pivoted QR (faster than an SVD; same default tolerance rule on |R_ii|).
int numericalRankQr(const Eigen::MatrixXd& m, std::optional<double> tolerance = std::nullopt);

struct GenericRank {
  int rank = 0;
  std::vector<double> sampleTimes;
  std::vector<int> sampleRanks;
  NumericalRank best;  // the spectrum at the sample that reached the maximum
};

// The generic rank's sampling everywhere (rankflow ranks, the Ranks panel, the Theory
// demonstrations' numerical check): 8 random t in [−1, 1], seed 1, so they print the same ranks.
inline constexpr int kGenericSamples = 8;
inline constexpr std::uint64_t kGenericSeed = 1;

// Maximum numerical rank over `samples` times drawn uniformly from [tMin, tMax].
GenericRank numericalGenericRank(const MatrixFunction& f, int samples = kGenericSamples,
                                 std::uint64_t seed = kGenericSeed, double tMin = -1.0, double tMax = 1.0,
                                 std::optional<double> tolerance = std::nullopt);

struct ExactRank {
  int rank = 0;
  int draws = 0;
  std::uint64_t prime = 0;
  int degreeBound = 0;        // of any minor, as a polynomial in (t, s)
  double failureBound = 1.0;  // probability that the true generic rank is larger
};

// Exact generic rank for entries Σ c t^p e^{λt} with rational c (denominator ≤ 10^6) and
// integer λ: the entries become Laurent polynomials in (t, s = e^t), evaluated at random
// points of GF(2^61 − 1); draws repeat until the failure bound is ≤ targetBound. Throws
// InvalidArgument (with the reason) for sin/cos, non-integer λ or irrational-looking c.
ExactRank exactGenericRank(const MatrixFunction& f, std::uint64_t seed = 1, double targetBound = 1e-12);

}  // namespace rankflow::matfun
