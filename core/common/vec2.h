#pragma once
#include "core/common/host_device.h"

namespace rankflow {

// A 2-D point or vector; plain aggregate so arrays of it can be copied to the GPU as-is.
template <class T>
struct Vec2 {
  T x;
  T y;

  RF_HD Vec2& operator+=(const Vec2& o) {
    x += o.x;
    y += o.y;
    return *this;
  }
  RF_HD Vec2& operator*=(T s) {
    x *= s;
    y *= s;
    return *this;
  }
  template <class U>
  RF_HD Vec2<U> cast() const {
    return {static_cast<U>(x), static_cast<U>(y)};
  }
};

template <class T>
RF_HD inline Vec2<T> operator+(Vec2<T> a, Vec2<T> b) {
  return {a.x + b.x, a.y + b.y};
}
template <class T>
RF_HD inline Vec2<T> operator-(Vec2<T> a, Vec2<T> b) {
  return {a.x - b.x, a.y - b.y};
}
template <class T>
RF_HD inline Vec2<T> operator*(T s, Vec2<T> a) {
  return {s * a.x, s * a.y};
}
template <class T>
RF_HD inline Vec2<T> operator*(Vec2<T> a, T s) {
  return {s * a.x, s * a.y};
}
template <class T>
RF_HD inline T dot(Vec2<T> a, Vec2<T> b) {
  return a.x * b.x + a.y * b.y;
}
template <class T>
RF_HD inline T squaredNorm(Vec2<T> a) {
  return dot(a, a);
}

using Vec2f = Vec2<float>;
using Vec2d = Vec2<double>;

}  // namespace rankflow
