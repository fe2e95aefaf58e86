#pragma once
// One step of each ODE solver of docs/MATHEMATICS.md §4, header-only and usable from CUDA, so the CPU
// driver (samplers.cpp) and the kernels advance a particle with the same code. A field f
// is called as f(state, t) and returns the state's derivative; State needs +, and
// multiplication by a scalar on the left.
//
// [SECTION] Solvers and their names
// [SECTION] Augmented state (position + log-density)
// [SECTION] Fixed-step solvers
// [SECTION] Dormand–Prince 5(4)
#include "core/common/host_device.h"
#include "core/common/jet.h"
#include "core/common/vec2.h"
#include "core/flows/rk4.h"

namespace rankflow::flows {

// [SECTION] Solvers and their names

enum class Solver { Euler, Heun, Rk4, DormandPrince, Taylor3 };

// [SECTION] Augmented state (position + log-density)

// A particle with the log-density of the flow at its position: d/dt log p = −∇·v.
template <class T>
struct FlowState {
  Vec2<T> x;
  T logDensity;
};
template <class T>
RF_HD inline FlowState<T> operator+(const FlowState<T>& a, const FlowState<T>& b) {
  return {a.x + b.x, a.logDensity + b.logDensity};
}
template <class T>
RF_HD inline FlowState<T> operator*(T s, const FlowState<T>& a) {
  return {s * a.x, s * a.logDensity};
}

// The step-size controller's error measure: max over components of |err| / (atol + rtol·scale).
template <class T>
RF_HD inline T componentRatio(T err, T a, T b, T atol, T rtol) {
  const T scale = rfMax(a < T(0) ? -a : a, b < T(0) ? -b : b);
  const T e = err < T(0) ? -err : err;
  return e / (atol + rtol * scale);
}
template <class T>
RF_HD inline T errorRatio(const Vec2<T>& err, const Vec2<T>& a, const Vec2<T>& b, T atol, T rtol) {
  return rfMax(componentRatio(err.x, a.x, b.x, atol, rtol), componentRatio(err.y, a.y, b.y, atol, rtol));
}
template <class T>
RF_HD inline T errorRatio(const FlowState<T>& err, const FlowState<T>& a, const FlowState<T>& b, T atol, T rtol) {
  return rfMax(errorRatio(err.x, a.x, b.x, atol, rtol),
               componentRatio(err.logDensity, a.logDensity, b.logDensity, atol, rtol));
}

// [SECTION] Fixed-step solvers

#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
template <class State, class T, class Field>
RF_HD inline State eulerStep(const Field& f, const State& x, T t, T h, State* k1Out = nullptr) {
  const State k1 = f(x, t);
  if (k1Out) *k1Out = k1;
  return x + h * k1;
}

// Heun's method (explicit trapezoid), second order.
#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
template <class State, class T, class Field>
RF_HD inline State heunStep(const Field& f, const State& x, T t, T h, State* k1Out = nullptr) {
  const State k1 = f(x, t);
  const State k2 = f(x + h * k1, t + h);
  if (k1Out) *k1Out = k1;
  return x + (h * T(0.5)) * (k1 + k2);
}

template <class T, class Derivatives>
RF_HD inline Vec2<T> taylor3Polynomial(const Vec2<T>& x, const Derivatives& d, T h) {
  return x + h * d.velocity + (h * h * T(0.5)) * d.acceleration + (h * h * h / T(6)) * d.jerk;
}

// Third-order Taylor step x + h v + h²/2 a + h³/6 j from the Lagrangian derivatives
// (lagrangian(x, t) returns {velocity, acceleration, jerk}).
#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
template <class T, class Lagrangian>
RF_HD inline Vec2<T> taylor3Step(const Lagrangian& lagrangian, const Vec2<T>& x, T t, T h, Vec2<T>* vOut = nullptr) {
  const auto d = lagrangian(x, t);
  if (vOut) *vOut = d.velocity;
  return taylor3Polynomial(x, d, h);
}

// [SECTION] Dormand–Prince 5(4)

// The tableau of Dormand & Prince (1980), fifth-order solution with an embedded fourth-
// order one for the error; first-same-as-last, so an accepted step costs six evaluations.
template <class T>
struct DormandPrinceTableau {
  static constexpr T c2 = T(1) / T(5), c3 = T(3) / T(10), c4 = T(4) / T(5), c5 = T(8) / T(9);
  static constexpr T a21 = T(1) / T(5);
  static constexpr T a31 = T(3) / T(40), a32 = T(9) / T(40);
  static constexpr T a41 = T(44) / T(45), a42 = T(-56) / T(15), a43 = T(32) / T(9);
  static constexpr T a51 = T(19372) / T(6561), a52 = T(-25360) / T(2187), a53 = T(64448) / T(6561),
                     a54 = T(-212) / T(729);
  static constexpr T a61 = T(9017) / T(3168), a62 = T(-355) / T(33), a63 = T(46732) / T(5247), a64 = T(49) / T(176),
                     a65 = T(-5103) / T(18656);
  static constexpr T b1 = T(35) / T(384), b3 = T(500) / T(1113), b4 = T(125) / T(192), b5 = T(-2187) / T(6784),
                     b6 = T(11) / T(84);
  // b − b̂ (fifth minus fourth order weights), for the error estimate.
  static constexpr T e1 = T(71) / T(57600), e3 = T(-71) / T(16695), e4 = T(71) / T(1920), e5 = T(-17253) / T(339200),
                     e6 = T(22) / T(525), e7 = T(-1) / T(40);
};

// One trial step from (x, t) with k1 = f(x, t) known. Returns the fifth-order state, its
// derivative k7 (the next step's k1 when accepted) and the error ratio (accept when ≤ 1).
#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
template <class State, class T, class Field>
RF_HD inline State dormandPrinceStep(const Field& f, const State& x, T t, T h, const State& k1, State& k7,
                                     T& errorRatioOut, T atol, T rtol) {
  using C = DormandPrinceTableau<T>;
  const State k2 = f(x + (h * C::a21) * k1, t + C::c2 * h);
  const State k3 = f(x + h * (C::a31 * k1 + C::a32 * k2), t + C::c3 * h);
  const State k4 = f(x + h * (C::a41 * k1 + C::a42 * k2 + C::a43 * k3), t + C::c4 * h);
  const State k5 = f(x + h * (C::a51 * k1 + C::a52 * k2 + C::a53 * k3 + C::a54 * k4), t + C::c5 * h);
  const State k6 = f(x + h * (C::a61 * k1 + C::a62 * k2 + C::a63 * k3 + C::a64 * k4 + C::a65 * k5), t + h);
  const State next = x + h * (C::b1 * k1 + C::b3 * k3 + C::b4 * k4 + C::b5 * k5 + C::b6 * k6);
  k7 = f(next, t + h);
  const State err = h * (C::e1 * k1 + C::e3 * k3 + C::e4 * k4 + C::e5 * k5 + C::e6 * k6 + C::e7 * k7);
  errorRatioOut = errorRatio(err, x, next, atol, rtol);
  return next;
}

struct AdaptiveCounts {
  int accepted = 0;
  int rejected = 0;
  bool exhausted = false;  // hit the step limit before reaching the end of the interval
};

// Integrates from t0 to t1 with step-size control (standard controller: safety 0.9,
// growth clamped to [0.2, 5], exponent 1/5). hInOut carries the step size across calls;
// onAccept(t) is called after each accepted step.
#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
template <class State, class T, class Field, class OnAccept>
RF_HD inline State integrateAdaptive(const Field& f, State x, T t0, T t1, T atol, T rtol, int maxSteps, T& hInOut,
                                     AdaptiveCounts& counts, const OnAccept& onAccept) {
  T t = t0;
  State k1 = f(x, t);
  T h = hInOut;
  const T span = t1 - t0;
  const T minStep = span * T(1e-7);
  int attempts = 0;
  while (t1 - t > minStep) {
    if (attempts++ >= maxSteps) {
      counts.exhausted = true;
      break;
    }
    const bool last = h >= t1 - t;
    const T step = last ? t1 - t : h;
    State k7 = k1;
    T ratio = T(0);
    const State next = dormandPrinceStep(f, x, t, step, k1, k7, ratio, atol, rtol);
    // 0.9 · ratio^(−1/5), clamped: a NaN ratio (a step into a bad region) shrinks hard.
    T factor = ratio > T(0) ? T(0.9) * rfExp(-rfLog(ratio) / T(5)) : T(5);
    if (!(factor == factor)) factor = T(0.2);
    factor = factor < T(0.2) ? T(0.2) : (factor > T(5) ? T(5) : factor);
    if (ratio <= T(1)) {
      x = next;
      k1 = k7;
      t = last ? t1 : t + step;
      ++counts.accepted;
      onAccept(t);
      if (!last || factor < T(1)) h = step * factor;
    } else {
      ++counts.rejected;
      h = step * factor;
    }
  }
  hInOut = h;
  return x;
}

}  // namespace rankflow::flows
