#pragma once
// Adam's constants (Kingma & Ba), shared by the CPU trainer, the training plan and the
// CUDA kernels (this header is plain C++17, so nvcc includes it too).
namespace rankflow::learn {

inline constexpr float kAdamBeta1 = 0.9f;
inline constexpr float kAdamBeta2 = 0.999f;
inline constexpr float kAdamEpsilon = 1e-8f;
// 1 − β as written literals: 1.0f − 0.9f is not 0.1f in float.
inline constexpr float kAdamGradientWeight1 = 0.1f;
inline constexpr float kAdamGradientWeight2 = 0.001f;

}  // namespace rankflow::learn
