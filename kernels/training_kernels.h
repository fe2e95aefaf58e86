#pragma once
// Launchers of the fused element-wise kernels of a training step (core/learn/training_plan.h
// says what each computes); device pointers only, every launch on `stream` so that a
// CUDA graph can capture it. C++17, no <span>: nvcc compiles training_kernels.cu.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace rankflow::kernels {

void launchFill(float* out, std::size_t count, float value, cudaStream_t stream);

// z (rows × cols) += bias per row; if out, out = SiLU(z).
void launchBiasActivation(float* z, const float* bias, float* out, int rows, int cols, cudaStream_t stream);

// out = in ⊙ SiLU'(z), count elements.
void launchSiluBackward(const float* in, const float* z, float* out, std::size_t count, cudaStream_t stream);

// out (rows × cols) column j = pool column indices[j].
void launchGatherColumns(const float* pool, const std::int32_t* indices, float* out, int rows, int cols,
                         cudaStream_t stream);

// r = z − targets[:, indices] (2 × cols); delta = r / cols; *loss = ½ Σ r² / cols, summed in
// double in a fixed order (deterministic). partials holds `partialCount` doubles.
void launchResidual(const float* z, const float* targets, const std::int32_t* indices, int cols, float* delta,
                    double* partials, int partialCount, float* loss, cudaStream_t stream);

// Adam on `count` parameters; corrections[0..1] = 1 − β1^t, 1 − β2^t (device memory, so a
// captured graph reads each run's values).
void launchAdam(float* params, const float* grads, float* m, float* v, std::size_t count, float learningRate,
                const float* corrections, cudaStream_t stream);

}  // namespace rankflow::kernels
