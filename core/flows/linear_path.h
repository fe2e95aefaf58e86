#pragma once
#include "core/common/host_device.h"

namespace rankflow::flows {

// The linear (rectified-flow) path x_t = α(t) x_1 + β(t) x_0 with α = t, β = 1 − t
// (SPEC §4). Source x_0 ~ N(0, I) at t = 0, data x_1 at t = 1.
struct LinearPath {
  // β is clamped here in every division by β: the marginal field has a 1/β factor that
  // is 0/0 at t = 1. By then the softmax posterior is one-hot, x − α m is O(rounding)
  // and the clamp only bounds the last RK4 stage; 1e-3 keeps that stage's jump below
  // the float resolution of a point that has already reached its datum.
  static constexpr float kBetaMin = 1e-3f;

  template <class T>
  RF_HD static T alpha(T t) {
    return t;
  }
  template <class T>
  RF_HD static T beta(T t) {
    return T(1) - t;
  }
  template <class T>
  RF_HD static T alphaDot(T) {
    return T(1);
  }
  template <class T>
  RF_HD static T betaDot(T) {
    return T(-1);
  }
  template <class T>
  RF_HD static T clampedBeta(T t) {
    return rfMax(beta(t), T(kBetaMin));
  }
};

}  // namespace rankflow::flows
