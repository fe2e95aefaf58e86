#pragma once
#include "core/common/host_device.h"

namespace rankflow::flows {

// One classical Runge–Kutta step for x' = f(x, t). State needs +, and scalar *.
// k1Out receives f(x, t), which the trajectory store keeps as the velocity at the step
// (it makes scrubbing a cubic Hermite interpolation at no extra cost).
#if defined(__CUDACC__)
// The field may be device-only (the CUDA kernels pass a functor that uses shared memory).
#pragma nv_exec_check_disable
#endif
template <class State, class T, class Field>
RF_HD inline State rk4Step(const Field& f, const State& x, T t, T h, State* k1Out = nullptr) {
  const T half = h * T(0.5);
  const State k1 = f(x, t);
  const State k2 = f(x + half * k1, t + half);
  const State k3 = f(x + half * k2, t + half);
  const State k4 = f(x + h * k3, t + h);
  if (k1Out) *k1Out = k1;
  return x + (h / T(6)) * (k1 + T(2) * k2 + T(2) * k3 + k4);
}

}  // namespace rankflow::flows
