// The fused epilogue of the cascading evaluation (expand U_k Q_k, prefix sum, activation
// in one pass over the output) and the node sum of segment-tree queries.
#include <cuda_runtime.h>

#include "kernels/cuda_check.h"
#include "kernels/lowrank_kernels.h"

namespace rankflow::kernels {
namespace {

constexpr int kRowsPerBlock = 64;
constexpr int kColumnsPerBlock = 4;
constexpr int kMaxSharedRank = 512;  // Q columns staged in shared memory up to this rank

__device__ float activate(float z, int activation) {
  switch (activation) {
    case 1: return tanhf(z);
    case 2: return fmaxf(z, 0.0f);
    case 3: {
      const float k = 0.7978845608028654f;  // tanh-approximation GELU, as the CPU path
      return 0.5f * z * (1.0f + tanhf(k * (z + 0.044715f * z * z * z)));
    }
    default: return z;
  }
}

// One thread per (row, column); a block covers 64 rows × 4 columns, and stages those
// columns of Q in shared memory so every row reads them from there.
__global__ void cascadeEpilogueKernel(const float* __restrict__ z, const float* __restrict__ u,
                                      const int* __restrict__ offsets, int orders, int d, int n, int totalRank,
                                      int activation, float* __restrict__ y) {
  __shared__ float q[kColumnsPerBlock][kMaxSharedRank];
  // Columns on grid.x (up to 2^31 − 1 blocks), rows on grid.y (d ≤ 65535 · 64).
  const int row = blockIdx.y * kRowsPerBlock + threadIdx.x;
  const int column = blockIdx.x * kColumnsPerBlock + threadIdx.y;
  const long long ldz = d + totalRank;
  if (column < n) {
    for (int a = threadIdx.x; a < totalRank && a < kMaxSharedRank; a += kRowsPerBlock)
      q[threadIdx.y][a] = z[column * ldz + d + a];
  }
  __syncthreads();
  if (row >= d || column >= n) return;
  float c = z[column * ldz + row];
  const long long plane = static_cast<long long>(d) * n;
  y[column * static_cast<long long>(d) + row] = activate(c, activation);
  for (int k = 0; k < orders; ++k) {
    for (int a = offsets[k]; a < offsets[k + 1]; ++a) {
      const float qa = a < kMaxSharedRank ? q[threadIdx.y][a] : z[column * ldz + d + a];
      c = fmaf(u[static_cast<long long>(a) * d + row], qa, c);
    }
    y[(k + 1) * plane + column * static_cast<long long>(d) + row] = activate(c, activation);
  }
}

__global__ void sumMatricesKernel(const float* const* __restrict__ nodes, int count, long long size,
                                  float* __restrict__ out) {
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < size;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    float s = 0.0f;
    for (int k = 0; k < count; ++k) s += nodes[k][i];
    out[i] = s;
  }
}

}  // namespace

void launchCascadeEpilogue(const float* z, const float* u, const int* rankOffsets, int orders, int d, int n,
                           int totalRank, int activation, float* y) {
  const dim3 block(kRowsPerBlock, kColumnsPerBlock);
  const dim3 grid((n + kColumnsPerBlock - 1) / kColumnsPerBlock, (d + kRowsPerBlock - 1) / kRowsPerBlock);
  cascadeEpilogueKernel<<<grid, block>>>(z, u, rankOffsets, orders, d, n, totalRank, activation, y);
  CUDA_CHECK(cudaGetLastError());
}

void launchSumMatrices(const float* const* nodePointers, int count, long long size, float* out) {
  const int threads = 256;
  const long long blocks = (size + threads - 1) / threads;
  sumMatricesKernel<<<static_cast<unsigned>(blocks < 4096 ? blocks : 4096), threads>>>(nodePointers, count, size, out);
  CUDA_CHECK(cudaGetLastError());
}

}  // namespace rankflow::kernels
