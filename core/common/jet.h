#pragma once
// Forward-mode automatic differentiation, header-only and usable from CUDA:
//
//   Jet<T, N>   a truncated Taylor series in one variable, f(t0 + h) = Σ_{k≤N} c_k h^k.
//               Taylor-mode AD: evaluating a function on a Jet gives all its derivatives
//               up to order N at once (k-th derivative = k! c_k). The Lagrangian
//               acceleration and jerk along the flow ODE come from Jets of order 1 and 2.
//   Dual<T, N>  a value with a gradient over N independent variables (first order only),
//               for ∇v and the divergence in one evaluation.
//
// Field code is written once over a scalar S (float, double, Jet, Dual) using the rf*
// functions below; valueOf() reads the plain value, e.g. to pick a softmax shift, which
// must be a constant so that it cancels exactly.
#include "core/common/host_device.h"

namespace rankflow {

// [SECTION] Plain scalars

RF_HD inline float valueOf(float v) { return v; }
RF_HD inline double valueOf(double v) { return v; }

#if defined(__CUDA_ARCH__)
#define RF_SCALAR_FN(name, fn)                          \
  RF_HD inline float name(float v) { return fn##f(v); } \
  RF_HD inline double name(double v) { return ::fn(v); }
#else
#define RF_SCALAR_FN(name, fn)                             \
  RF_HD inline float name(float v) { return std::fn(v); } \
  RF_HD inline double name(double v) { return std::fn(v); }
#endif
RF_SCALAR_FN(rfSqrt, sqrt)
RF_SCALAR_FN(rfLog, log)
RF_SCALAR_FN(rfSin, sin)
RF_SCALAR_FN(rfCos, cos)
#undef RF_SCALAR_FN

// [SECTION] Jet: truncated Taylor series

template <class T, int N>
struct Jet {
  static_assert(N >= 0, "a Jet has at least the value");
  T c[N + 1];

  RF_HD static Jet constant(T value) {
    Jet j;
    j.c[0] = value;
    for (int k = 1; k <= N; ++k) j.c[k] = T(0);
    return j;
  }
  // The independent variable itself, at `value`: t0 + h.
  RF_HD static Jet variable(T value) {
    Jet j = constant(value);
    if (N >= 1) j.c[1] = T(1);
    return j;
  }
  RF_HD Jet() = default;
  // Implicit from a plain number, so `S(2)` and mixed expressions read like scalar code.
  RF_HD Jet(T value) : Jet(constant(value)) {}  // NOLINT(google-explicit-constructor)

  // d^k f / dh^k at h = 0.
  RF_HD T derivative(int k) const {
    T factorial = T(1);
    for (int i = 2; i <= k; ++i) factorial *= T(i);
    return c[k] * factorial;
  }

  RF_HD Jet& operator+=(const Jet& o) {
    for (int k = 0; k <= N; ++k) c[k] += o.c[k];
    return *this;
  }
  RF_HD Jet& operator-=(const Jet& o) {
    for (int k = 0; k <= N; ++k) c[k] -= o.c[k];
    return *this;
  }
  RF_HD Jet& operator*=(T s) {
    for (int k = 0; k <= N; ++k) c[k] *= s;
    return *this;
  }
  RF_HD Jet& operator*=(const Jet& o) { return *this = *this * o; }
};

template <class T, int N>
RF_HD inline T valueOf(const Jet<T, N>& j) {
  return j.c[0];
}

template <class T, int N>
RF_HD inline Jet<T, N> operator+(Jet<T, N> a, const Jet<T, N>& b) {
  return a += b;
}
template <class T, int N>
RF_HD inline Jet<T, N> operator-(Jet<T, N> a, const Jet<T, N>& b) {
  return a -= b;
}
template <class T, int N>
RF_HD inline Jet<T, N> operator-(Jet<T, N> a) {
  for (int k = 0; k <= N; ++k) a.c[k] = -a.c[k];
  return a;
}
template <class T, int N>
RF_HD inline Jet<T, N> operator+(Jet<T, N> a, T s) {
  a.c[0] += s;
  return a;
}
template <class T, int N>
RF_HD inline Jet<T, N> operator+(T s, Jet<T, N> a) {
  return a + s;
}
template <class T, int N>
RF_HD inline Jet<T, N> operator-(Jet<T, N> a, T s) {
  a.c[0] -= s;
  return a;
}
template <class T, int N>
RF_HD inline Jet<T, N> operator-(T s, const Jet<T, N>& a) {
  return -a + s;
}
template <class T, int N>
RF_HD inline Jet<T, N> operator*(Jet<T, N> a, T s) {
  return a *= s;
}
template <class T, int N>
RF_HD inline Jet<T, N> operator*(T s, Jet<T, N> a) {
  return a *= s;
}
// Cauchy product, truncated at order N.
template <class T, int N>
RF_HD inline Jet<T, N> operator*(const Jet<T, N>& a, const Jet<T, N>& b) {
  Jet<T, N> p;
  for (int k = 0; k <= N; ++k) {
    T sum = T(0);
    for (int j = 0; j <= k; ++j) sum += a.c[j] * b.c[k - j];
    p.c[k] = sum;
  }
  return p;
}
// q = a / b from a = q·b, solved order by order.
template <class T, int N>
RF_HD inline Jet<T, N> operator/(const Jet<T, N>& a, const Jet<T, N>& b) {
  Jet<T, N> q;
  const T inv = T(1) / b.c[0];
  for (int k = 0; k <= N; ++k) {
    T sum = a.c[k];
    for (int j = 1; j <= k; ++j) sum -= b.c[j] * q.c[k - j];
    q.c[k] = sum * inv;
  }
  return q;
}
template <class T, int N>
RF_HD inline Jet<T, N> operator/(const Jet<T, N>& a, T s) {
  return a * (T(1) / s);
}
template <class T, int N>
RF_HD inline Jet<T, N> operator/(T s, const Jet<T, N>& b) {
  return Jet<T, N>::constant(s) / b;
}

// e = exp(a) satisfies e' = a' e: e_k = (1/k) Σ_{j=1..k} j a_j e_{k−j}.
template <class T, int N>
RF_HD inline Jet<T, N> rfExp(const Jet<T, N>& a) {
  Jet<T, N> e;
  e.c[0] = rfExp(a.c[0]);
  for (int k = 1; k <= N; ++k) {
    T sum = T(0);
    for (int j = 1; j <= k; ++j) sum += T(j) * a.c[j] * e.c[k - j];
    e.c[k] = sum / T(k);
  }
  return e;
}
// l = log(a) satisfies a l' = a': l_k = (a_k − (1/k) Σ_{j=1..k−1} j l_j a_{k−j}) / a_0.
template <class T, int N>
RF_HD inline Jet<T, N> rfLog(const Jet<T, N>& a) {
  Jet<T, N> l;
  l.c[0] = rfLog(a.c[0]);
  for (int k = 1; k <= N; ++k) {
    T sum = T(0);
    for (int j = 1; j < k; ++j) sum += T(j) * l.c[j] * a.c[k - j];
    l.c[k] = (a.c[k] - sum / T(k)) / a.c[0];
  }
  return l;
}
// s = sqrt(a) satisfies s·s = a: s_k = (a_k − Σ_{j=1..k−1} s_j s_{k−j}) / (2 s_0).
template <class T, int N>
RF_HD inline Jet<T, N> rfSqrt(const Jet<T, N>& a) {
  Jet<T, N> s;
  s.c[0] = rfSqrt(a.c[0]);
  for (int k = 1; k <= N; ++k) {
    T sum = a.c[k];
    for (int j = 1; j < k; ++j) sum -= s.c[j] * s.c[k - j];
    s.c[k] = sum / (T(2) * s.c[0]);
  }
  return s;
}
// sin and cos together: s' = a' c, c' = −a' s.
template <class T, int N>
RF_HD inline void rfSinCos(const Jet<T, N>& a, Jet<T, N>& s, Jet<T, N>& c) {
  s.c[0] = rfSin(a.c[0]);
  c.c[0] = rfCos(a.c[0]);
  for (int k = 1; k <= N; ++k) {
    T ss = T(0);
    T cc = T(0);
    for (int j = 1; j <= k; ++j) {
      ss += T(j) * a.c[j] * c.c[k - j];
      cc += T(j) * a.c[j] * s.c[k - j];
    }
    s.c[k] = ss / T(k);
    c.c[k] = -cc / T(k);
  }
}
template <class T, int N>
RF_HD inline Jet<T, N> rfSin(const Jet<T, N>& a) {
  Jet<T, N> s, c;
  rfSinCos(a, s, c);
  return s;
}
template <class T, int N>
RF_HD inline Jet<T, N> rfCos(const Jet<T, N>& a) {
  Jet<T, N> s, c;
  rfSinCos(a, s, c);
  return c;
}

// [SECTION] Dual: value and gradient over N variables

template <class T, int N>
struct Dual {
  T v;
  T d[N];

  RF_HD static Dual constant(T value) {
    Dual x;
    x.v = value;
    for (int i = 0; i < N; ++i) x.d[i] = T(0);
    return x;
  }
  // The i-th independent variable at `value`.
  RF_HD static Dual variable(T value, int index) {
    Dual x = constant(value);
    x.d[index] = T(1);
    return x;
  }
  RF_HD Dual() = default;
  RF_HD Dual(T value) : Dual(constant(value)) {}  // NOLINT(google-explicit-constructor)

  RF_HD Dual& operator+=(const Dual& o) {
    v += o.v;
    for (int i = 0; i < N; ++i) d[i] += o.d[i];
    return *this;
  }
  RF_HD Dual& operator-=(const Dual& o) {
    v -= o.v;
    for (int i = 0; i < N; ++i) d[i] -= o.d[i];
    return *this;
  }
  RF_HD Dual& operator*=(T s) {
    v *= s;
    for (int i = 0; i < N; ++i) d[i] *= s;
    return *this;
  }
  RF_HD Dual& operator*=(const Dual& o) { return *this = *this * o; }
};

template <class T, int N>
RF_HD inline T valueOf(const Dual<T, N>& x) {
  return x.v;
}

// Applies f with f(v) = fv and f'(v) = slope by the chain rule.
template <class T, int N>
RF_HD inline Dual<T, N> chain(const Dual<T, N>& x, T fv, T slope) {
  Dual<T, N> r;
  r.v = fv;
  for (int i = 0; i < N; ++i) r.d[i] = slope * x.d[i];
  return r;
}

template <class T, int N>
RF_HD inline Dual<T, N> operator+(Dual<T, N> a, const Dual<T, N>& b) {
  return a += b;
}
template <class T, int N>
RF_HD inline Dual<T, N> operator-(Dual<T, N> a, const Dual<T, N>& b) {
  return a -= b;
}
template <class T, int N>
RF_HD inline Dual<T, N> operator-(const Dual<T, N>& a) {
  return chain(a, -a.v, T(-1));
}
template <class T, int N>
RF_HD inline Dual<T, N> operator+(Dual<T, N> a, T s) {
  a.v += s;
  return a;
}
template <class T, int N>
RF_HD inline Dual<T, N> operator+(T s, Dual<T, N> a) {
  return a + s;
}
template <class T, int N>
RF_HD inline Dual<T, N> operator-(Dual<T, N> a, T s) {
  a.v -= s;
  return a;
}
template <class T, int N>
RF_HD inline Dual<T, N> operator-(T s, const Dual<T, N>& a) {
  return -a + s;
}
template <class T, int N>
RF_HD inline Dual<T, N> operator*(Dual<T, N> a, T s) {
  return a *= s;
}
template <class T, int N>
RF_HD inline Dual<T, N> operator*(T s, Dual<T, N> a) {
  return a *= s;
}
template <class T, int N>
RF_HD inline Dual<T, N> operator*(const Dual<T, N>& a, const Dual<T, N>& b) {
  Dual<T, N> p;
  p.v = a.v * b.v;
  for (int i = 0; i < N; ++i) p.d[i] = a.d[i] * b.v + a.v * b.d[i];
  return p;
}
template <class T, int N>
RF_HD inline Dual<T, N> operator/(const Dual<T, N>& a, const Dual<T, N>& b) {
  Dual<T, N> q;
  const T inv = T(1) / b.v;
  q.v = a.v * inv;
  for (int i = 0; i < N; ++i) q.d[i] = (a.d[i] - q.v * b.d[i]) * inv;
  return q;
}
template <class T, int N>
RF_HD inline Dual<T, N> operator/(const Dual<T, N>& a, T s) {
  return a * (T(1) / s);
}
template <class T, int N>
RF_HD inline Dual<T, N> operator/(T s, const Dual<T, N>& b) {
  return Dual<T, N>::constant(s) / b;
}
template <class T, int N>
RF_HD inline Dual<T, N> rfExp(const Dual<T, N>& x) {
  const T e = rfExp(x.v);
  return chain(x, e, e);
}
template <class T, int N>
RF_HD inline Dual<T, N> rfLog(const Dual<T, N>& x) {
  return chain(x, rfLog(x.v), T(1) / x.v);
}
template <class T, int N>
RF_HD inline Dual<T, N> rfSqrt(const Dual<T, N>& x) {
  const T s = rfSqrt(x.v);
  return chain(x, s, T(0.5) / s);
}
template <class T, int N>
RF_HD inline Dual<T, N> rfSin(const Dual<T, N>& x) {
  return chain(x, rfSin(x.v), rfCos(x.v));
}
template <class T, int N>
RF_HD inline Dual<T, N> rfCos(const Dual<T, N>& x) {
  return chain(x, rfCos(x.v), -rfSin(x.v));
}

}  // namespace rankflow
