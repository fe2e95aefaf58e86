// The fused epilogue of the cascading evaluation (expand U_k Q_k, prefix sum, activation
// in one pass over the output) and the node sum of segment-tree queries.
#include <cuda_runtime.h>

#include "kernels/cuda_check.h"
#include "kernels/lowrank_kernels.h"

namespace rankflow::kernels {
namespace {

constexpr int kRowsPerBlock = 128;
constexpr int kMaxSharedRank = 512;  // Q columns staged in shared memory up to this rank

__device__ float activate(float z, int activation) {
  switch (activation) {
    case 1:
      return tanhf(z);
    case 2:
      return fmaxf(z, 0.0f);
    case 3: {
      const float k = 0.7978845608028654f;  // tanh-approximation GELU, as the CPU path
      return 0.5f * z * (1.0f + tanhf(k * (z + 0.044715f * z * z * z)));
    }
    default:
      return z;
  }
}

// One thread per row and kColumns columns: each U entry loaded once serves kColumns
// multiply-adds, the kColumns prefix sums live in registers, and every store of a warp is
// 32 consecutive floats of one column (column-major output). A block covers 128 rows and
// stages its columns of Q (the stacked product's last R rows) in shared memory as
// q[a][column], so the inner loop reads them as broadcasts.
template <int kColumns>
__global__ void __launch_bounds__(kRowsPerBlock)
    cascadeEpilogueKernel(const float* __restrict__ z, const float* __restrict__ u, const int* __restrict__ offsets,
                          int orders, int d, int n, int totalRank, int activation, float* __restrict__ y) {
  extern __shared__ float q[];  // [min(R, kMaxSharedRank)][kColumns]
  const int row = blockIdx.y * kRowsPerBlock + threadIdx.x;
  const int column0 = blockIdx.x * kColumns;
  const long long ldz = d + totalRank;
  const int staged = totalRank < kMaxSharedRank ? totalRank : kMaxSharedRank;
  for (int index = threadIdx.x; index < staged * kColumns; index += blockDim.x) {
    const int c = index / staged, a = index % staged;  // consecutive threads read consecutive a of one column
    q[a * kColumns + c] = column0 + c < n ? z[(column0 + c) * ldz + d + a] : 0.0f;
  }
  __syncthreads();
  if (row >= d) return;
  const int columns = n - column0 < kColumns ? n - column0 : kColumns;
  const long long plane = static_cast<long long>(d) * n;
  float c[kColumns];
#pragma unroll
  for (int j = 0; j < kColumns; ++j) {
    c[j] = j < columns ? z[(column0 + j) * ldz + row] : 0.0f;
    if (j < columns) y[(column0 + j) * static_cast<long long>(d) + row] = activate(c[j], activation);
  }
  for (int k = 0; k < orders; ++k) {
    const int end = offsets[k + 1];
    for (int a = offsets[k]; a < end; ++a) {
      const float ua = u[static_cast<long long>(a) * d + row];
      if (a < kMaxSharedRank) {
#pragma unroll
        for (int j = 0; j < kColumns; ++j) c[j] = fmaf(ua, q[a * kColumns + j], c[j]);
      } else {
#pragma unroll
        for (int j = 0; j < kColumns; ++j)
          if (j < columns) c[j] = fmaf(ua, z[(column0 + j) * ldz + d + a], c[j]);
      }
    }
    float* out = y + (k + 1) * plane + column0 * static_cast<long long>(d) + row;
#pragma unroll
    for (int j = 0; j < kColumns; ++j)
      if (j < columns) out[j * static_cast<long long>(d)] = activate(c[j], activation);
  }
}

template <int kColumns>
void launchEpilogue(const float* z, const float* u, const int* rankOffsets, int orders, int d, int n, int totalRank,
                    int activation, float* y, cudaStream_t stream) {
  const dim3 grid((n + kColumns - 1) / kColumns, (d + kRowsPerBlock - 1) / kRowsPerBlock);
  const int staged = totalRank < kMaxSharedRank ? totalRank : kMaxSharedRank;
  const std::size_t bytes = static_cast<std::size_t>(staged > 0 ? staged : 1) * kColumns * sizeof(float);
  cascadeEpilogueKernel<kColumns>
      <<<grid, kRowsPerBlock, bytes, stream>>>(z, u, rankOffsets, orders, d, n, totalRank, activation, y);
  CUDA_CHECK(cudaGetLastError());
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
                           int totalRank, int activation, float* y, void* stream) {
  // 16 columns a thread when that still gives every SM several blocks; 4 otherwise
  // (d = 256, n = 4096 would leave 512 blocks of 128 threads for 132 SMs).
  const long long wideBlocks = static_cast<long long>((n + 15) / 16) * ((d + kRowsPerBlock - 1) / kRowsPerBlock);
  const auto s = static_cast<cudaStream_t>(stream);
  if (wideBlocks >= 2048)
    launchEpilogue<16>(z, u, rankOffsets, orders, d, n, totalRank, activation, y, s);
  else
    launchEpilogue<4>(z, u, rankOffsets, orders, d, n, totalRank, activation, y, s);
}

void launchSumMatrices(const float* const* nodePointers, int count, long long size, float* out) {
  const int threads = 256;
  const long long blocks = (size + threads - 1) / threads;
  sumMatricesKernel<<<static_cast<unsigned>(blocks < 4096 ? blocks : 4096), threads>>>(nodePointers, count, size, out);
  CUDA_CHECK(cudaGetLastError());
}

}  // namespace rankflow::kernels
