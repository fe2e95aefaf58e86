#pragma once
// Exact high-order fields of a flow (docs/MATHEMATICS.md §4), written once over a generic scalar S and
// shared by the float64 references, the CPU backend, the AD derivatives and the CUDA
// kernels:
//
//   marginal fields   u_k(x, t) = E[x_t^(k) | x_t = x] = α^(k) m + β^(k) (x − α m)/β,
//                     m = E[x_1 | x_t = x], for the data as a set of isotropic Gaussian
//                     components (an empirical set is the zero-variance case);
//   Lagrangian        v = u_1, a = ∂_t v + (∇v)v, j = ∂_t a + (∇a)v along the ODE, by
//                     Taylor-mode AD (Jets of order 1 and 2 through v);
//   divergence        ∇·v by a Dual over (x, y).
//
// [SECTION] Data view
// [SECTION] Posterior mean
// [SECTION] Marginal fields u_k
// [SECTION] Lagrangian derivatives and divergence
#include "core/common/host_device.h"
#include "core/common/jet.h"
#include "core/common/vec2.h"
#include "core/flows/schedule.h"

namespace rankflow::flows {

// [SECTION] Data view

// Non-owning and trivially copyable, so a kernel can take it by value. Component i is
// N(points[i], variances[i]·I) with weight ∝ exp(logWeights[i]); null arrays mean zero
// variance (an empirical data set) and uniform weights.
template <class T>
struct DataView {
  const Vec2<T>* points = nullptr;
  int count = 0;
  const T* variances = nullptr;
  const T* logWeights = nullptr;
};

template <class S, class T>
RF_HD inline Vec2<S> promote(Vec2<T> v) {
  return {S(v.x), S(v.y)};
}

// [SECTION] Posterior mean

// Softmax-weighted mean in one pass (online softmax). The running shift is a plain
// number taken from the logits' values: shifting every logit by the same constant
// cancels exactly, so derivatives carried by S are untouched.
template <class S>
struct OnlineSoftmaxMean {
  decltype(valueOf(S())) shift{};
  S weightSum{};
  Vec2<S> weighted{};
  bool empty = true;

  RF_HD void add(const S& logit, const Vec2<S>& value) {
    using T = decltype(valueOf(S()));
    const T v = valueOf(logit);
    if (empty) {
      shift = v;
      weightSum = S(T(0));
      weighted = {S(T(0)), S(T(0))};
      empty = false;
    } else if (v > shift) {
      const T rescale = rfExp(shift - v);
      weightSum *= rescale;
      weighted.x *= rescale;
      weighted.y *= rescale;
      shift = v;
    }
    const S w = rfExp(logit - S(shift));
    weightSum += w;
    weighted.x += w * value.x;
    weighted.y += w * value.y;
  }

  // Folds in another accumulator over disjoint data (the CUDA field kernel splits the data
  // among blocks, then merges): the same sums as one pass, up to rounding.
  RF_HD void merge(const OnlineSoftmaxMean& other) {
    if (other.empty) return;
    if (empty) {
      *this = other;
      return;
    }
    using T = decltype(valueOf(S()));
    if (other.shift > shift) {
      const T rescale = rfExp(shift - other.shift);
      weightSum = weightSum * rescale + other.weightSum;
      weighted.x = weighted.x * rescale + other.weighted.x;
      weighted.y = weighted.y * rescale + other.weighted.y;
      shift = other.shift;
    } else {
      const T rescale = rfExp(other.shift - shift);
      weightSum += other.weightSum * rescale;
      weighted.x += other.weighted.x * rescale;
      weighted.y += other.weighted.y * rescale;
    }
  }

  RF_HD Vec2<S> mean() const {
    const S inv = decltype(valueOf(S()))(1) / weightSum;
    return {weighted.x * inv, weighted.y * inv};
  }
};

// One datum of an empirical set: logit −‖x − α y‖²/(2β²), value y. The CUDA kernels feed
// data tiles from shared memory through this.
template <class S, class T>
RF_HD inline void addEmpiricalDatum(OnlineSoftmaxMean<S>& acc, const Vec2<S>& x, const S& alpha, const S& halfInvBetaSq,
                                    Vec2<T> y) {
  const Vec2<S> mu = promote<S>(y);
  const S dx = x.x - alpha * mu.x;
  const S dy = x.y - alpha * mu.y;
  acc.add(-((dx * dx + dy * dy) * halfInvBetaSq), mu);
}

// m = E[x_1 | x_t = x] for the components of `data`, at path values α, β (β > 0).
// Component c contributes with logit log π_c − ‖x − α μ_c‖²/(2τ_c²) − log τ_c² and mean
// μ_c + (α s_c²/τ_c²)(x − α μ_c), τ_c² = α² s_c² + β² (the d = 2 Gaussian posterior);
// with s_c = 0 the log τ² term is common to all and dropped.
template <class S, class T>
RF_HD inline Vec2<S> posteriorMean(const DataView<T>& data, const Vec2<S>& x, const S& alpha, const S& beta) {
  using V = decltype(valueOf(S()));
  OnlineSoftmaxMean<S> acc;
  const S betaSq = beta * beta;
  const S halfInvBetaSq = V(0.5) / betaSq;
  for (int i = 0; i < data.count; ++i) {
    const Vec2<S> mu = promote<S>(data.points[i]);
    const S dx = x.x - alpha * mu.x;
    const S dy = x.y - alpha * mu.y;
    const S distSq = dx * dx + dy * dy;
    S logit;
    Vec2<S> mean;
    if (data.variances == nullptr || data.variances[i] == T(0)) {
      logit = -(distSq * halfInvBetaSq);
      if (data.variances != nullptr) logit = logit - rfLog(betaSq);
      mean = mu;
    } else {
      const V s2 = V(data.variances[i]);
      const S tauSq = alpha * alpha * s2 + betaSq;
      logit = -(distSq * (V(0.5) / tauSq)) - rfLog(tauSq);
      const S gain = alpha * s2 / tauSq;
      mean = {mu.x + gain * dx, mu.y + gain * dy};
    }
    if (data.logWeights != nullptr) logit = logit + V(data.logWeights[i]);
    acc.add(logit, mean);
  }
  return acc.mean();
}

// [SECTION] Marginal fields u_k

// u_k = α^(k) m + β^(k) (x − α m)/β for k = 0..maxOrder (≤ 3), given the posterior mean m.
template <class S>
RF_HD inline void fieldsFromPosteriorMean(const PathDerivatives<S>& p, const Vec2<S>& x, const Vec2<S>& m, int maxOrder,
                                          Vec2<S>* u) {
  // E[x_0 | x_t = x]: the noise the point came from.
  const S invBeta = decltype(valueOf(S()))(1) / p.beta[0];
  const Vec2<S> noise{(x.x - p.alpha[0] * m.x) * invBeta, (x.y - p.alpha[0] * m.y) * invBeta};
  for (int k = 0; k <= maxOrder; ++k) {
    u[k] = {p.alpha[k] * m.x + p.beta[k] * noise.x, p.alpha[k] * m.y + p.beta[k] * noise.y};
  }
}

// u_k for k = 0..maxOrder (≤ 3) into u[0..maxOrder]. u_0 = x; u_1 is the velocity.
template <class S, class T>
RF_HD inline void marginalFields(const DataView<T>& data, Schedule schedule, const Vec2<S>& x, const S& t, int maxOrder,
                                 Vec2<S>* u) {
  const PathDerivatives<S> p = pathAt(schedule, t);
  fieldsFromPosteriorMean(p, x, posteriorMean(data, x, p.alpha[0], p.beta[0]), maxOrder, u);
}

template <class S, class T>
RF_HD inline Vec2<S> velocityField(const DataView<T>& data, Schedule schedule, const Vec2<S>& x, const S& t) {
  Vec2<S> u[2];
  marginalFields(data, schedule, x, t, 1, u);
  return u[1];
}

// [SECTION] Lagrangian derivatives and divergence

template <class T>
struct LagrangianDerivatives {
  Vec2<T> velocity;
  Vec2<T> acceleration;
  Vec2<T> jerk;
};

// Taylor-mode AD along the ODE ẋ = v(x, t): with x(t + h) = Σ x_k h^k, x_{k+1} is the
// h^k coefficient of v(x(t + h), t + h) divided by k + 1. Three evaluations (plain, order-1
// Jet, order-2 Jet) give x_1..x_3, and v = x_1, a = 2 x_2, j = 6 x_3 exactly.
// `velocity` is any callable with a templated call operator (Vec2<S>, S) → Vec2<S> for
// S = T, Jet<T, 1>, Jet<T, 2>: the generic field below, or a CUDA kernel's tiled one.
// maxOrder 1 stops after v, 2 after a.
#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
template <class T, class Velocity>
RF_HD inline LagrangianDerivatives<T> lagrangianFromVelocity(const Velocity& velocity, const Vec2<T>& x, T t,
                                                             int maxOrder = 3) {
  LagrangianDerivatives<T> r{};
  r.velocity = velocity(x, t);
  if (maxOrder < 2) return r;
  using J1 = Jet<T, 1>;
  Vec2<J1> x1;
  x1.x.c[0] = x.x;
  x1.x.c[1] = r.velocity.x;
  x1.y.c[0] = x.y;
  x1.y.c[1] = r.velocity.y;
  const Vec2<J1> v1 = velocity(x1, J1::variable(t));
  r.acceleration = {v1.x.c[1], v1.y.c[1]};
  if (maxOrder < 3) return r;
  using J2 = Jet<T, 2>;
  Vec2<J2> x2;
  x2.x.c[0] = x.x;
  x2.x.c[1] = r.velocity.x;
  x2.x.c[2] = T(0.5) * r.acceleration.x;
  x2.y.c[0] = x.y;
  x2.y.c[1] = r.velocity.y;
  x2.y.c[2] = T(0.5) * r.acceleration.y;
  const Vec2<J2> v2 = velocity(x2, J2::variable(t));
  r.jerk = {T(2) * v2.x.c[2], T(2) * v2.y.c[2]};
  return r;
}

// The velocity of a data set as a generic callable, for lagrangianFromVelocity.
template <class DataT>
struct GenericVelocity {
  DataView<DataT> data;
  Schedule schedule;
  template <class S>
  RF_HD Vec2<S> operator()(const Vec2<S>& x, const S& t) const {
    return velocityField(data, schedule, x, t);
  }
};

template <class T, class DataT>
RF_HD inline LagrangianDerivatives<T> lagrangianDerivatives(const DataView<DataT>& data, Schedule schedule,
                                                            const Vec2<T>& x, T t, int maxOrder = 3) {
  return lagrangianFromVelocity(GenericVelocity<DataT>{data, schedule}, x, t, maxOrder);
}

template <class T>
struct VelocityWithJacobian {
  Vec2<T> velocity;
  T jacobian[2][2];  // ∂v_i/∂x_j
  RF_HD T divergence() const { return jacobian[0][0] + jacobian[1][1]; }
};

template <class T, class DataT>
RF_HD inline VelocityWithJacobian<T> velocityJacobian(const DataView<DataT>& data, Schedule schedule, const Vec2<T>& x,
                                                      T t) {
  using D = Dual<T, 2>;
  const Vec2<D> xd{D::variable(x.x, 0), D::variable(x.y, 1)};
  const Vec2<D> v = velocityField(data, schedule, xd, D(t));
  VelocityWithJacobian<T> r{};
  r.velocity = {v.x.v, v.y.v};
  r.jacobian[0][0] = v.x.d[0];
  r.jacobian[0][1] = v.x.d[1];
  r.jacobian[1][0] = v.y.d[0];
  r.jacobian[1][1] = v.y.d[1];
  return r;
}

}  // namespace rankflow::flows
