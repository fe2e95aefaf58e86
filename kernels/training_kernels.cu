// The fused element-wise kernels of a training step. Each is one pass over its arrays, so
// the step's memory traffic is the GEMMs' plus one read and write per activation.
#include <cuda_runtime.h>

#include <algorithm>

#include "core/learn/adam_constants.h"
#include "kernels/cuda_check.h"
#include "kernels/training_kernels.h"

namespace rankflow::kernels {
namespace {

constexpr int kThreads = 256;

unsigned blocksFor(std::size_t count) {
  // Grid-stride loops below: a few waves of blocks are enough to fill the device.
  const std::size_t blocks = (count + kThreads - 1) / kThreads;
  return static_cast<unsigned>(blocks < 65535 ? (blocks > 0 ? blocks : 1) : 65535);
}

__device__ float sigmoid(float z) {
  return 1.0f / (1.0f + expf(-z));
}

__global__ void fillKernel(float* __restrict__ out, std::size_t count, float value) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    out[i] = value;
}

__global__ void biasActivationKernel(float* __restrict__ z, const float* __restrict__ bias, float* __restrict__ out,
                                     int rows, std::size_t count) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const float value = z[i] + bias[i % static_cast<std::size_t>(rows)];
    z[i] = value;
    if (out) out[i] = value * sigmoid(value);
  }
}

__global__ void siluBackwardKernel(const float* __restrict__ in, const float* __restrict__ z, float* __restrict__ out,
                                   std::size_t count) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const float s = sigmoid(z[i]);
    out[i] = in[i] * s * (1.0f + z[i] * (1.0f - s));
  }
}

__global__ void gatherColumnsKernel(const float* __restrict__ pool, const std::int32_t* __restrict__ indices,
                                    float* __restrict__ out, int rows, std::size_t count) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const std::size_t column = i / static_cast<std::size_t>(rows);
    const std::size_t row = i % static_cast<std::size_t>(rows);
    out[i] = pool[static_cast<std::size_t>(indices[column]) * static_cast<std::size_t>(rows) + row];
  }
}

// Each block sums its grid-stride share in a fixed tree; one block then sums the partials.
__global__ void residualKernel(const float* __restrict__ z, const float* __restrict__ targets,
                               const std::int32_t* __restrict__ indices, int cols, float* __restrict__ delta,
                               double* __restrict__ partials) {
  __shared__ double sums[kThreads];
  const std::size_t count = 2 * static_cast<std::size_t>(cols);
  double sum = 0.0;
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const std::size_t column = i / 2;
    const float r = z[i] - targets[static_cast<std::size_t>(indices[column]) * 2 + i % 2];
    delta[i] = r / static_cast<float>(cols);
    sum += static_cast<double>(r) * r;
  }
  sums[threadIdx.x] = sum;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) sums[threadIdx.x] += sums[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) partials[blockIdx.x] = sums[0];
}

__global__ void lossKernel(const double* __restrict__ partials, int partialCount, int cols, float* __restrict__ loss) {
  __shared__ double sums[kThreads];
  double sum = 0.0;
  for (int i = static_cast<int>(threadIdx.x); i < partialCount; i += kThreads) sum += partials[i];
  sums[threadIdx.x] = sum;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) sums[threadIdx.x] += sums[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) *loss = static_cast<float>(0.5 * sums[0] / cols);
}

__global__ void adamKernel(float* __restrict__ params, const float* __restrict__ grads, float* __restrict__ m,
                           float* __restrict__ v, std::size_t count, float learningRate,
                           const float* __restrict__ corrections) {
  const float c1 = corrections[0];
  const float c2 = corrections[1];
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const float g = grads[i];
    const float mi = learn::kAdamBeta1 * m[i] + learn::kAdamGradientWeight1 * g;
    const float vi = learn::kAdamBeta2 * v[i] + learn::kAdamGradientWeight2 * (g * g);
    m[i] = mi;
    v[i] = vi;
    params[i] -= learningRate * (mi / c1) / (sqrtf(vi / c2) + learn::kAdamEpsilon);
  }
}

}  // namespace

void launchFill(float* out, std::size_t count, float value, cudaStream_t stream) {
  if (count == 0) return;
  fillKernel<<<blocksFor(count), kThreads, 0, stream>>>(out, count, value);
  CUDA_CHECK(cudaGetLastError());
}

void launchBiasActivation(float* z, const float* bias, float* out, int rows, int cols, cudaStream_t stream) {
  const std::size_t count = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  if (count == 0) return;
  biasActivationKernel<<<blocksFor(count), kThreads, 0, stream>>>(z, bias, out, rows, count);
  CUDA_CHECK(cudaGetLastError());
}

void launchSiluBackward(const float* in, const float* z, float* out, std::size_t count, cudaStream_t stream) {
  if (count == 0) return;
  siluBackwardKernel<<<blocksFor(count), kThreads, 0, stream>>>(in, z, out, count);
  CUDA_CHECK(cudaGetLastError());
}

void launchGatherColumns(const float* pool, const std::int32_t* indices, float* out, int rows, int cols,
                         cudaStream_t stream) {
  const std::size_t count = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  if (count == 0) return;
  gatherColumnsKernel<<<blocksFor(count), kThreads, 0, stream>>>(pool, indices, out, rows, count);
  CUDA_CHECK(cudaGetLastError());
}

void launchResidual(const float* z, const float* targets, const std::int32_t* indices, int cols, float* delta,
                    double* partials, int partialCount, float* loss, cudaStream_t stream) {
  const std::size_t count = 2 * static_cast<std::size_t>(cols);
  const unsigned blocks = std::min<unsigned>(blocksFor(count), static_cast<unsigned>(partialCount));
  residualKernel<<<blocks, kThreads, 0, stream>>>(z, targets, indices, cols, delta, partials);
  CUDA_CHECK(cudaGetLastError());
  lossKernel<<<1, kThreads, 0, stream>>>(partials, static_cast<int>(blocks), cols, loss);
  CUDA_CHECK(cudaGetLastError());
}

void launchAdam(float* params, const float* grads, float* m, float* v, std::size_t count, float learningRate,
                const float* corrections, cudaStream_t stream) {
  if (count == 0) return;
  adamKernel<<<blocksFor(count), kThreads, 0, stream>>>(params, grads, m, v, count, learningRate, corrections);
  CUDA_CHECK(cudaGetLastError());
}

}  // namespace rankflow::kernels
