#pragma once
// The exact marginal velocity of an empirical data set {y_i} (uniform weights) under the
// linear path, SPEC §4:
//   w_i ∝ exp(−‖x − α y_i‖² / (2β²)),  m = Σ w_i y_i,  u_1 = α' m + β' (x − α m) / β.
// Everything here is host/device inline maths shared by the CPU reference, the CPU
// backend's tests and the CUDA kernels.
#include "core/common/host_device.h"
#include "core/common/vec2.h"
#include "core/flows/linear_path.h"

namespace rankflow::flows {

// Softmax-weighted mean computed in one pass (online softmax): when a larger logit
// arrives, the running sums are rescaled, so no exp ever overflows and the data can be
// streamed in tiles (the CUDA kernel feeds it from shared memory).
template <class T>
struct PosteriorMeanAccumulator {
  T maxLogit = T(0);
  T weightSum = T(0);
  Vec2<T> weighted{T(0), T(0)};

  RF_HD void add(T logit, Vec2<T> y) {
    if (weightSum == T(0)) {
      maxLogit = logit;
    } else if (logit > maxLogit) {
      const T rescale = rfExp(maxLogit - logit);
      weightSum *= rescale;
      weighted *= rescale;
      maxLogit = logit;
    }
    const T w = rfExp(logit - maxLogit);
    weightSum += w;
    weighted += w * y;
  }

  RF_HD Vec2<T> mean() const { return weighted * (T(1) / weightSum); }
};

// Logit of data point y for a query x at time t, given 1/(2β²).
template <class T>
RF_HD inline T posteriorLogit(Vec2<T> x, Vec2<T> y, T alpha, T halfInvBetaSq) {
  const Vec2<T> d = x - alpha * y;
  return -squaredNorm(d) * halfInvBetaSq;
}

template <class T>
RF_HD inline T halfInverseBetaSquared(T t) {
  const T b = LinearPath::clampedBeta(t);
  return T(0.5) / (b * b);
}

template <class T>
RF_HD inline Vec2<T> velocityFromPosteriorMean(Vec2<T> x, Vec2<T> m, T t) {
  const T a = LinearPath::alpha(t);
  const T b = LinearPath::clampedBeta(t);
  return LinearPath::alphaDot(t) * m + (LinearPath::betaDot(t) / b) * (x - a * m);
}

// The whole field at one point, scalar loop over the data. With T = double this is the
// float64 reference every fast path is checked against.
template <class T, class DataT>
RF_HD inline Vec2<T> marginalVelocity(const Vec2<DataT>* data, int dataCount, Vec2<T> x, T t) {
  PosteriorMeanAccumulator<T> acc;
  const T a = LinearPath::alpha(t);
  const T h = halfInverseBetaSquared(t);
  for (int i = 0; i < dataCount; ++i) {
    const Vec2<T> y = data[i].template cast<T>();
    acc.add(posteriorLogit(x, y, a, h), y);
  }
  return velocityFromPosteriorMean(x, acc.mean(), t);
}

}  // namespace rankflow::flows
