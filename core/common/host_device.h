#pragma once
// Lets the same inline maths compile as plain C++ (g++, tests, CPU backend) and as CUDA
// device code (nvcc), so the kernels' per-particle logic is tested through the CPU path.
#if defined(__CUDACC__)
#define RF_HD __host__ __device__
#else
#define RF_HD
#endif

#include <cmath>

namespace rankflow {

RF_HD inline float rfExp(float v) {
#if defined(__CUDA_ARCH__)
  return expf(v);
#else
  return std::exp(v);
#endif
}

RF_HD inline double rfExp(double v) {
#if defined(__CUDA_ARCH__)
  return ::exp(v);
#else
  return std::exp(v);
#endif
}

template <class T>
RF_HD inline T rfMax(T a, T b) {
  return a > b ? a : b;
}

}  // namespace rankflow
