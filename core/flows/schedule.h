#pragma once
// Interpolation schedules x_t = α(t) x_1 + β(t) x_0 (docs/MATHEMATICS.md §4) with exact derivatives
// α^(k), β^(k) for k ≤ 3, written over a generic scalar S so the same code runs on plain
// numbers, on AD jets (Lagrangian derivatives differentiate through α(t), β(t)) and on
// the GPU. Source x_0 ~ N(0, I) at t = 0, data x_1 at t = 1.
#include <string>
#include <vector>

#include "core/common/host_device.h"
#include "core/common/jet.h"

namespace rankflow::flows {

enum class Schedule {
  Linear,         // α = t, β = 1 − t (rectified flow)
  Trigonometric,  // α = sin(πt/2), β = cos(πt/2)
  VpCosine,       // variance preserving with the cosine ᾱ of Nichol & Dhariwal: α² + β² = 1
  Cubic,          // α = 1.5t − 1.5t² + t³, β = 1 − t: a constant third derivative
};

// Every field is evaluated at min(t, kTimeMax): β(t) → 0 at t = 1 and u_k has a 1/β factor
// (0/0 there, and VP-cosine's β' is unbounded). By kTimeMax the posterior is one-hot for
// any data set spread wider than β, so freezing the field there moves a particle by less
// than its distance to the datum it has reached; it is what keeps every field finite.
inline constexpr float kTimeMax = 1.0f - 1e-3f;
// VP-cosine's offset s: keeps α'(1) finite (Nichol & Dhariwal use 0.008).
inline constexpr double kVpCosineOffset = 0.008;

// Derivatives 0..3 of α and β at one time.
template <class S>
struct PathDerivatives {
  S alpha[4];
  S beta[4];
};

// Shifts t back to kTimeMax when beyond it, keeping its derivative parts: a jet in t then
// differentiates the field at kTimeMax, so the Lagrangian acceleration at t = 1 is the
// one at kTimeMax rather than that of a field frozen in time.
template <class S>
RF_HD inline S clampTime(const S& t) {
  using T = decltype(valueOf(t));
  const T v = valueOf(t);
  return v > T(kTimeMax) ? t + (T(kTimeMax) - v) : t;
}

// The closed forms, in the precision of S. VP-cosine's β^(k) come from differentiating
// α² + β² = 1, which cancels catastrophically near t = 1 (the third derivative of β at
// t = 0.95 loses three digits in float), so pathAt below always evaluates this in double.
template <class S>
RF_HD inline PathDerivatives<S> pathAtInPrecision(Schedule schedule, S tIn) {
  using T = decltype(valueOf(tIn));
  const S t = clampTime(tIn);
  PathDerivatives<S> p;
  const T halfPi = T(1.57079632679489661923);
  switch (schedule) {
    case Schedule::Linear:
      p.alpha[0] = t;
      p.alpha[1] = S(T(1));
      p.alpha[2] = p.alpha[3] = S(T(0));
      p.beta[0] = T(1) - t;
      p.beta[1] = S(T(-1));
      p.beta[2] = p.beta[3] = S(T(0));
      break;
    case Schedule::Trigonometric: {
      const S theta = halfPi * t;
      const S s = rfSin(theta);
      const S c = rfCos(theta);
      const T w = halfPi;
      p.alpha[0] = s;
      p.alpha[1] = w * c;
      p.alpha[2] = -(w * w) * s;
      p.alpha[3] = -(w * w * w) * c;
      p.beta[0] = c;
      p.beta[1] = -w * s;
      p.beta[2] = -(w * w) * c;
      p.beta[3] = (w * w * w) * s;
      break;
    }
    case Schedule::VpCosine: {
      // α = cos θ / cos θ_1 with θ = (π/2)(1 − t + s)/(1 + s), so α(0) = 0 and α(1) = 1;
      // β = √(1 − α²), and β's derivatives follow from differentiating α² + β² = 1.
      const T offset = T(kVpCosineOffset);
      const T w = -halfPi / (T(1) + offset);  // dθ/dt
      const T norm = T(1) / rfCos(halfPi * offset / (T(1) + offset));
      const S theta = halfPi * (T(1) + offset - t) / (T(1) + offset);
      const S s = rfSin(theta) * norm;
      const S c = rfCos(theta) * norm;
      p.alpha[0] = c;
      p.alpha[1] = -w * s;
      p.alpha[2] = -(w * w) * c;
      p.alpha[3] = (w * w * w) * s;
      const S& a0 = p.alpha[0];
      const S& a1 = p.alpha[1];
      const S& a2 = p.alpha[2];
      const S& a3 = p.alpha[3];
      const S b0 = rfSqrt(T(1) - a0 * a0);
      const S b1 = -(a0 * a1) / b0;
      const S b2 = -(a1 * a1 + a0 * a2 + b1 * b1) / b0;
      const S b3 = -(T(3) * (a1 * a2) + a0 * a3 + T(3) * (b1 * b2)) / b0;
      p.beta[0] = b0;
      p.beta[1] = b1;
      p.beta[2] = b2;
      p.beta[3] = b3;
      break;
    }
    case Schedule::Cubic: {
      const S t2 = t * t;
      p.alpha[0] = T(1.5) * t - T(1.5) * t2 + t2 * t;
      p.alpha[1] = T(1.5) - T(3) * t + T(3) * t2;
      p.alpha[2] = T(6) * t - T(3);
      p.alpha[3] = S(T(6));
      p.beta[0] = T(1) - t;
      p.beta[1] = S(T(-1));
      p.beta[2] = p.beta[3] = S(T(0));
      break;
    }
  }
  return p;
}

// Float scalars and their AD types widened to double, and back.
template <class S>
struct WidePrecision {
  using type = S;
};
template <>
struct WidePrecision<float> {
  using type = double;
};
template <int N>
struct WidePrecision<Jet<float, N>> {
  using type = Jet<double, N>;
};
template <int N>
struct WidePrecision<Dual<float, N>> {
  using type = Dual<double, N>;
};

template <class To, class From>
RF_HD inline To convertScalar(const From& v) {
  return static_cast<To>(v);
}
template <class To, class FromT, int N>
RF_HD inline To convertScalar(const Jet<FromT, N>& v) {
  To r;
  for (int k = 0; k <= N; ++k) r.c[k] = static_cast<decltype(valueOf(To()))>(v.c[k]);
  return r;
}
template <class To, class FromT, int N>
RF_HD inline To convertScalar(const Dual<FromT, N>& v) {
  To r;
  r.v = static_cast<decltype(valueOf(To()))>(v.v);
  for (int i = 0; i < N; ++i) r.d[i] = static_cast<decltype(valueOf(To()))>(v.d[i]);
  return r;
}

// α^(k), β^(k) for k ≤ 3 at t (clamped at kTimeMax), computed in double and returned in S.
template <class S>
RF_HD inline PathDerivatives<S> pathAt(Schedule schedule, S t) {
  using W = typename WidePrecision<S>::type;
  const PathDerivatives<W> wide = pathAtInPrecision(schedule, convertScalar<W>(t));
  PathDerivatives<S> p;
  for (int k = 0; k < 4; ++k) {
    p.alpha[k] = convertScalar<S>(wide.alpha[k]);
    p.beta[k] = convertScalar<S>(wide.beta[k]);
  }
  return p;
}

// Host-side names for the CLI, files and the GUI: "linear", "trig", "vp-cosine", "cubic".
const char* scheduleName(Schedule schedule);
// Throws InvalidArgument listing the valid names.
Schedule parseSchedule(const std::string& name);
std::vector<Schedule> allSchedules();

}  // namespace rankflow::flows
