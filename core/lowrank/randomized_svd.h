#pragma once
// Truncated SVD of a large dense matrix by randomized range finding (docs/MATHEMATICS.md §7):
// the best rank-r approximation of a fine-tune's d×d weight delta costs a few d×d×(r + p)
// products instead of the O(d³) full decomposition. Exact whenever the matrix has rank ≤ r + p.
#include <Eigen/Core>
#include <cstdint>

namespace rankflow::lowrank {

// A ≈ U · diag(s) · Vᵀ with U (m×r) and V (n×r) orthonormal columns and s descending.
struct TruncatedSvd {
  Eigen::MatrixXf u;
  Eigen::VectorXf s;
  Eigen::MatrixXf v;

  int rank() const { return static_cast<int>(s.size()); }
  // U·diag(s)·Vᵀ added to `into` (m×n) in place.
  void addProductTo(Eigen::MatrixXf& into) const;
};

struct RandomizedSvdOptions {
  int oversampling = 10;    // p: the sketch has r + p columns
  int powerIterations = 2;  // q: passes of (A Aᵀ) that sharpen a slowly decaying spectrum
  std::uint64_t seed = 0;   // the Gaussian test matrix; the same seed gives the same factors
};

// The rank-r truncation by the randomized range finder with q power iterations, each
// re-orthonormalised (QR) so that float keeps the small directions. Falls back to the full
// SVD when r + p reaches half the smaller dimension, where the sketch saves nothing.
// InvalidArgument when r < 0 or r > min(m, n) or A holds NaN/inf.
TruncatedSvd randomizedSvd(const Eigen::MatrixXf& a, int rank, const RandomizedSvdOptions& options = {});

// The same truncation from the full SVD (float64 inside): the reference the tests compare with.
TruncatedSvd fullTruncatedSvd(const Eigen::MatrixXf& a, int rank);

}  // namespace rankflow::lowrank
