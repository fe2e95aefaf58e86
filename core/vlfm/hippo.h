#pragma once
// HiPPO-LegS (seed 001, docs/MATHEMATICS.md §4 "Video latent flow"): the online Legendre projection of a
// keyframe sequence ũ_1..ũ_N ∈ R^d onto s polynomials, H_N ∈ R^{d×s}, and its
// reconstruction μ_t = H_N g(t) with exact time derivatives, inside [0, T] and beyond.
//
// Time convention: keyframe τ sits at t_τ = τ T / N (τ = 1..N), where the seed's σ_t
// reaches σ_min; t = 0 is the start of the LegS window.
//
// Normalisation, checked by reconstruction error (tests/core/vlfm_test.cpp):
//  * The basis must be g_n(t) = √(2n+1) P_n(x) — orthonormal for the uniform probability
//    measure of the LegS window, which is what A and B project onto. The seed's
//    √((2n+1)/2) P_n (orthonormal for dx on [−1, 1]) reconstructs u/√2: the error stays at
//    29% of the signal whatever s is.
//  * x = 2t/W − 1 runs forwards (x = 1 is the newest keyframe); a reversed argument gives
//    an O(1) error.
//  * The window length W depends on the discretisation. The forward-Euler recurrence
//    reproduces a linearly moving signal exactly only when W = T (N + 1)/N (its state after
//    N keyframes is the projection over one frame spacing past the last keyframe); with
//    W = T it is off by O(1/N) already for a straight line. The bilinear variant below is
//    exact for quadratic motion with W = T.
#include <Eigen/Dense>
#include <string>
#include <vector>

namespace rankflow::vlfm {

enum class Discretization {
  // The seed's recurrence H_τ = H_{τ−1}(I − A/τ)ᵀ + (1/τ) ũ_τ Bᵀ, τ = 1..N, H_0 = 0 (the
  // main text's H_{τ+1} = H_τ(…) with H_1 = H_0 is the same state, indexed one later).
  // First order in 1/N. Needs s ≤ N: mode n (eigenvalue n + 1 of A) is amplified by
  // |1 − (n+1)/τ| > 1 for small τ and is only reset by the exact zero of that factor at
  // τ = n + 1, so an order above N blows up.
  ForwardEuler,
  // The trapezoidal (Tustin, bilinear) rule for the LegS ODE c' = (B u − A c)/t on the
  // keyframe grid, with A/t and B/t taken at both ends of each step; second order, stable
  // for every s. The ODE is singular at t = 0, so the state at the first keyframe is the
  // exact LegS projection over [0, t_1] of the quadratic through the first three keyframes
  // (a line for N = 2) instead of a step from H = 0. (The frozen-coefficient bilinear step
  // of the HiPPO code, with A/τ at the new end only and a start from 0, is first order and
  // keeps a start-up transient that decays only like 1/N.)
  Bilinear,
};

const char* discretizationName(Discretization d);  // "euler" or "bilinear"
Discretization parseDiscretization(const std::string& name);

inline constexpr int kMaxLegsOrder = 1024;

// HiPPO-LegS matrices, 0-based: A_ij = √((2i+1)(2j+1)) for i > j, i + 1 for i = j, 0 above;
// B_i = √(2i+1).
Eigen::MatrixXd legsA(int order);
Eigen::VectorXd legsB(int order);

// Row k, column n: the k-th derivative P_n^{(k)}(x) of the Legendre polynomial P_n, for
// n < count and k ≤ maxDerivative, from the differentiated three-term recurrence
// (n+1) P_{n+1}^{(k)} = (2n+1)(x P_n^{(k)} + k P_n^{(k−1)}) − n P_{n−1}^{(k)}. Valid for any
// real x (outside [−1, 1] too: that is extrapolation).
Eigen::MatrixXd legendreDerivatives(int count, double x, int maxDerivative);

// H_N ∈ R^{d×s} for the keyframes given as the columns of a d×N matrix. InvalidArgument for
// s < 1 or s > kMaxLegsOrder, N < 2, d < 1, a non-finite entry, or (forward Euler) s > N.
Eigen::MatrixXd legsCoefficients(const Eigen::MatrixXd& keyframes, int order, Discretization discretization);

// The length W of the Legendre window [0, W] that H_N describes, for keyframes spanning T.
double legsWindow(double duration, int keyframeCount, Discretization discretization);

// μ_t = H_N g(t) with g_n(t) = √(2n+1) P_n(2t/W − 1), and its exact time derivatives.
class LegsReconstruction {
 public:
  LegsReconstruction(const Eigen::MatrixXd& keyframes, double duration, int order, Discretization discretization);

  int order() const { return static_cast<int>(h_.cols()); }
  int dimension() const { return static_cast<int>(h_.rows()); }
  int keyframeCount() const { return keyframeCount_; }
  double duration() const { return duration_; }
  double window() const { return window_; }
  Discretization discretization() const { return discretization_; }
  const Eigen::MatrixXd& coefficients() const { return h_; }

  // t_τ = τ T / N for τ = 1..N.
  double keyframeTime(int tau) const;
  // d^k g / dt^k at t, k = 0..3 (any t: beyond [0, T] the polynomial is extrapolated).
  Eigen::VectorXd basis(double t, int derivative = 0) const;
  // d^k μ / dt^k = H_N d^k g / dt^k.
  Eigen::VectorXd mean(double t, int derivative = 0) const;
  // μ, μ', μ'', μ''' at t as the columns of a d×4 matrix (one Legendre evaluation).
  Eigen::MatrixXd meanDerivatives(double t) const;

 private:
  Eigen::MatrixXd h_;
  int keyframeCount_ = 0;
  double duration_ = 0.0;
  double window_ = 0.0;
  Discretization discretization_ = Discretization::ForwardEuler;
};

}  // namespace rankflow::vlfm
