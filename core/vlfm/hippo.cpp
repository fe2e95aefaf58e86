#include "core/vlfm/hippo.h"

#include <cmath>

#include "core/common/error.h"

namespace rankflow::vlfm {
namespace {

void requireOrder(int order) {
  if (order < 1 || order > kMaxLegsOrder)
    throw InvalidArgument("HiPPO-LegS order s = " + std::to_string(order) + " must lie in [1, " +
                          std::to_string(kMaxLegsOrder) + "]");
}

void requireKeyframes(const Eigen::MatrixXd& keyframes) {
  if (keyframes.rows() < 1) throw InvalidArgument("keyframes have dimension 0");
  if (keyframes.cols() < 2) throw InvalidArgument("need at least 2 keyframes, got " + std::to_string(keyframes.cols()));
  for (Eigen::Index tau = 0; tau < keyframes.cols(); ++tau)
    if (!keyframes.col(tau).allFinite())
      throw InvalidArgument("keyframe " + std::to_string(tau + 1) + " has a non-finite coordinate");
}

Eigen::MatrixXd eulerCoefficients(const Eigen::MatrixXd& u, const Eigen::MatrixXd& a, const Eigen::VectorXd& b) {
  const Eigen::Index s = a.rows();
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(s, s);
  Eigen::MatrixXd h = Eigen::MatrixXd::Zero(u.rows(), s);
  for (Eigen::Index tau = 1; tau <= u.cols(); ++tau) {
    const double inv = 1.0 / static_cast<double>(tau);
    h = h * (identity - inv * a).transpose() + inv * u.col(tau - 1) * b.transpose();
  }
  return h;
}

// The LegS state at t_1 (one frame spacing, the unit of the recurrence) of the polynomial
// through the first keyframes: with q(t) = a0 + a1 t + a2 t² on [0, 1], c_n = ∫₀¹ q(t) √(2n+1)
// P_n(2t − 1) dt, which is a0 + a1/2 + a2/3, √3 (a1 + a2)/6 and √5 a2/30 for n = 0, 1, 2 and 0
// above (P_n is orthogonal to every polynomial of lower degree).
Eigen::MatrixXd bilinearStart(const Eigen::MatrixXd& u, Eigen::Index s) {
  const Eigen::VectorXd d1 = u.col(1) - u.col(0);
  const Eigen::VectorXd d2 =
      u.cols() >= 3 ? Eigen::VectorXd(u.col(2) - 2.0 * u.col(1) + u.col(0)) : Eigen::VectorXd::Zero(u.rows());
  // q(t) = u1 + (t − 1) d1 + (t − 1)(t − 2) d2 / 2, expanded in powers of t.
  const Eigen::VectorXd a0 = u.col(0) - d1 + d2;
  const Eigen::VectorXd a1 = d1 - 1.5 * d2;
  const Eigen::VectorXd a2 = 0.5 * d2;
  Eigen::MatrixXd h = Eigen::MatrixXd::Zero(u.rows(), s);
  h.col(0) = a0 + a1 / 2.0 + a2 / 3.0;
  if (s > 1) h.col(1) = std::sqrt(3.0) * (a1 + a2) / 6.0;
  if (s > 2) h.col(2) = std::sqrt(5.0) * a2 / 30.0;
  return h;
}

Eigen::MatrixXd bilinearCoefficients(const Eigen::MatrixXd& u, const Eigen::MatrixXd& a, const Eigen::VectorXd& b) {
  const Eigen::Index s = a.rows();
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(s, s);
  Eigen::MatrixXd h = bilinearStart(u, s);
  for (Eigen::Index k = 2; k <= u.cols(); ++k) {
    const double now = static_cast<double>(k), before = static_cast<double>(k - 1);
    // (I + A/(2k)) c_k = (I − A/(2(k−1))) c_{k−1} + (B/2)(u_k/k + u_{k−1}/(k−1)), for every row of H at once.
    const Eigen::MatrixXd rhs = h * (identity - a / (2.0 * before)).transpose() +
                                0.5 * (u.col(k - 1) / now + u.col(k - 2) / before) * b.transpose();
    const Eigen::MatrixXd lhs = identity + a / (2.0 * now);
    h = lhs.triangularView<Eigen::Lower>().solve(rhs.transpose()).transpose();
  }
  return h;
}

}  // namespace

const char* discretizationName(Discretization d) {
  return d == Discretization::Bilinear ? "bilinear" : "euler";
}

Discretization parseDiscretization(const std::string& name) {
  if (name == "euler") return Discretization::ForwardEuler;
  if (name == "bilinear") return Discretization::Bilinear;
  throw InvalidArgument("unknown discretisation '" + name + "' (euler or bilinear)");
}

Eigen::MatrixXd legsA(int order) {
  requireOrder(order);
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(order, order);
  for (int i = 0; i < order; ++i) {
    for (int j = 0; j < i; ++j) a(i, j) = std::sqrt((2.0 * i + 1.0) * (2.0 * j + 1.0));
    a(i, i) = i + 1.0;
  }
  return a;
}

Eigen::VectorXd legsB(int order) {
  requireOrder(order);
  Eigen::VectorXd b(order);
  for (int i = 0; i < order; ++i) b(i) = std::sqrt(2.0 * i + 1.0);
  return b;
}

Eigen::MatrixXd legendreDerivatives(int count, double x, int maxDerivative) {
  if (count < 1) throw InvalidArgument("Legendre basis size must be at least 1");
  if (maxDerivative < 0) throw InvalidArgument("derivative order must be at least 0");
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(maxDerivative + 1, count);
  p(0, 0) = 1.0;
  if (count > 1) {
    p(0, 1) = x;
    if (maxDerivative >= 1) p(1, 1) = 1.0;
  }
  for (int n = 1; n + 1 < count; ++n)
    for (int k = 0; k <= maxDerivative; ++k) {
      const double lower = k > 0 ? p(k - 1, n) : 0.0;
      p(k, n + 1) = ((2.0 * n + 1.0) * (x * p(k, n) + k * lower) - n * p(k, n - 1)) / (n + 1.0);
    }
  return p;
}

Eigen::MatrixXd legsCoefficients(const Eigen::MatrixXd& keyframes, int order, Discretization discretization) {
  requireOrder(order);
  requireKeyframes(keyframes);
  if (discretization == Discretization::ForwardEuler && order > keyframes.cols())
    throw InvalidArgument("order s = " + std::to_string(order) + " exceeds the " + std::to_string(keyframes.cols()) +
                          " keyframes: the forward-Euler LegS recurrence is unstable for s > N (use the bilinear "
                          "variant or a lower order)");
  const Eigen::MatrixXd a = legsA(order);
  const Eigen::VectorXd b = legsB(order);
  return discretization == Discretization::Bilinear ? bilinearCoefficients(keyframes, a, b)
                                                    : eulerCoefficients(keyframes, a, b);
}

double legsWindow(double duration, int keyframeCount, Discretization discretization) {
  if (!(duration > 0.0) || !std::isfinite(duration))
    throw InvalidArgument("duration T must be a positive finite number");
  if (keyframeCount < 2) throw InvalidArgument("need at least 2 keyframes, got " + std::to_string(keyframeCount));
  if (discretization == Discretization::Bilinear) return duration;
  return duration * (keyframeCount + 1.0) / keyframeCount;
}

LegsReconstruction::LegsReconstruction(const Eigen::MatrixXd& keyframes, double duration, int order,
                                       Discretization discretization)
    : h_(legsCoefficients(keyframes, order, discretization)),
      keyframeCount_(static_cast<int>(keyframes.cols())),
      duration_(duration),
      window_(legsWindow(duration, static_cast<int>(keyframes.cols()), discretization)),
      discretization_(discretization) {}

double LegsReconstruction::keyframeTime(int tau) const {
  if (tau < 1 || tau > keyframeCount_)
    throw InvalidArgument("keyframe index " + std::to_string(tau) + " outside 1.." + std::to_string(keyframeCount_));
  return duration_ * tau / keyframeCount_;
}

Eigen::VectorXd LegsReconstruction::basis(double t, int derivative) const {
  if (derivative < 0 || derivative > 3) throw InvalidArgument("derivative order must lie in 0..3");
  if (!std::isfinite(t)) throw InvalidArgument("time t must be finite");
  const Eigen::MatrixXd p = legendreDerivatives(order(), 2.0 * t / window_ - 1.0, derivative);
  // Chain rule: x = 2t/W − 1, so each t-derivative brings a factor 2/W.
  const double scale = std::pow(2.0 / window_, derivative);
  Eigen::VectorXd g(order());
  for (int n = 0; n < order(); ++n) g(n) = std::sqrt(2.0 * n + 1.0) * scale * p(derivative, n);
  return g;
}

Eigen::VectorXd LegsReconstruction::mean(double t, int derivative) const {
  return h_ * basis(t, derivative);
}

Eigen::MatrixXd LegsReconstruction::meanDerivatives(double t) const {
  if (!std::isfinite(t)) throw InvalidArgument("time t must be finite");
  const Eigen::MatrixXd p = legendreDerivatives(order(), 2.0 * t / window_ - 1.0, 3);
  Eigen::MatrixXd g(order(), 4);
  for (int k = 0; k <= 3; ++k) {
    const double scale = std::pow(2.0 / window_, k);
    for (int n = 0; n < order(); ++n) g(n, k) = std::sqrt(2.0 * n + 1.0) * scale * p(k, n);
  }
  return h_ * g;
}

}  // namespace rankflow::vlfm
