// Batched singular values by one-sided Jacobi, one thread block per matrix, and the
// evaluation of derivative matrices for a grid of times and orders.
//
// [SECTION] Jacobi: layout and schedule
// The narrow side of each matrix becomes the columns (N = min(rows, cols)), stored
// column-contiguous in shared memory (N × M, M = max(rows, cols)). A round of the
// round-robin schedule holds N/2 disjoint column pairs; each warp takes pairs, reduces
// ‖a_p‖², ‖a_q‖², a_pᵀa_q over its lanes (every lane ends with the sums, so the rotate
// decision is warp-uniform), then rotates both columns. A sweep is N − 1 rounds; the block
// stops after the first sweep without a rotation (__syncthreads_or). The same arithmetic,
// sequentially, is oneSidedJacobi in core/lowrank/jacobi.h, which the CPU tests check.
#include <cuda_runtime.h>

#include <mutex>

#include "core/lowrank/jacobi.h"
#include "kernels/cuda_check.h"
#include "kernels/spectra_kernels.h"

namespace rankflow::kernels {
namespace {

constexpr int kWarp = 32;
constexpr int kMaxWarps = 32;

template <class T>
__device__ T warpSum(T v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

// Up to 1024 threads a block (n = 128: 64 pairs over 32 warps), so at most 64 registers
// a thread: the bound makes the compiler keep to it rather than fail the launch.
template <class T>
__global__ void __launch_bounds__(kMaxWarps* kWarp)
    batchedJacobiKernel(const T* __restrict__ a, int rows, int cols, double tolerance, double* __restrict__ sigmaOut,
                        int* __restrict__ ranks, double* __restrict__ tolerances) {
  extern __shared__ __align__(16) unsigned char shared[];
  const int narrow = rows < cols ? rows : cols;
  const int tall = rows < cols ? cols : rows;
  T* columns = reinterpret_cast<T*>(shared);  // narrow × tall
  double* sigma = reinterpret_cast<double*>(columns + static_cast<long long>(narrow) * tall + (narrow * tall) % 2);
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp, warps = blockDim.x / kWarp;

  // Load: column j of the working matrix is column j of A (cols ≤ rows) or row j (cols > rows).
  // The matrix is scaled by its largest |entry| (as LAPACK scales), so the squared norms
  // neither overflow nor underflow; σ is scaled back at the end.
  __shared__ T warpMax[kMaxWarps];
  __shared__ T scale;
  const long long entries = static_cast<long long>(rows) * cols;
  const T* matrix = a + entries * blockIdx.x;
  T largest = 0;
  for (long long index = threadIdx.x; index < entries; index += blockDim.x) {
    const int i = static_cast<int>(index / cols), j = static_cast<int>(index % cols);
    const T v = matrix[index];
    largest = lowrank::jacobiAbs(v) > largest || v != v ? lowrank::jacobiAbs(v) : largest;  // NaN wins
    columns[cols <= rows ? static_cast<long long>(j) * tall + i : static_cast<long long>(i) * tall + j] = v;
  }
  for (int offset = kWarp / 2; offset > 0; offset /= 2) {
    const T other = __shfl_xor_sync(0xffffffffu, largest, offset);
    largest = other > largest || other != other ? other : largest;
  }
  if (lane == 0) warpMax[warp] = largest;
  __syncthreads();
  if (threadIdx.x == 0) {
    T top = 0;
    for (int w = 0; w < warps; ++w) top = warpMax[w] > top || warpMax[w] != warpMax[w] ? warpMax[w] : top;
    scale = top > T(0) ? top : T(1);  // a zero matrix stays as it is (and NaN stays NaN)
  }
  __syncthreads();
  const T inverse = T(1) / scale;
  for (long long index = threadIdx.x; index < static_cast<long long>(narrow) * tall; index += blockDim.x)
    columns[index] *= inverse;
  __syncthreads();

  const int players = narrow + (narrow & 1);
  const T threshold = lowrank::jacobiThreshold<T>(tall);
  for (int sweep = 0; sweep < lowrank::kMaxJacobiSweeps; ++sweep) {
    int rotated = 0;
    for (int round = 0; round < players - 1; ++round) {
      for (int slot = warp; slot < players / 2; slot += warps) {
        int p = 0, q = 0;
        lowrank::roundRobinPair(players, round, slot, &p, &q);
        if (q >= narrow) continue;  // the phantom column of an odd count
        T* ap = columns + static_cast<long long>(p) * tall;
        T* aq = columns + static_cast<long long>(q) * tall;
        T alpha = 0, beta = 0, gamma = 0;
        for (int i = lane; i < tall; i += kWarp) {
          const T x = ap[i], y = aq[i];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        alpha = warpSum(alpha);
        beta = warpSum(beta);
        gamma = warpSum(gamma);
        T c, s;
        if (!lowrank::jacobiRotation(alpha, beta, gamma, threshold, &c, &s)) continue;
        rotated = 1;
        for (int i = lane; i < tall; i += kWarp) lowrank::applyJacobiRotation(c, s, ap + i, aq + i);
      }
      __syncthreads();
    }
    if (!__syncthreads_or(rotated)) break;
  }

  // Column norms are the singular values.
  for (int j = warp; j < narrow; j += warps) {
    const T* column = columns + static_cast<long long>(j) * tall;
    T norm = 0;
    for (int i = lane; i < tall; i += kWarp) norm += column[i] * column[i];
    norm = warpSum(norm);
    if (lane == 0) sigma[j] = static_cast<double>(lowrank::jacobiSqrt(norm)) * static_cast<double>(scale);
  }
  __syncthreads();

  // Sort descending by counting (ties keep column order), then rank against the tolerance.
  if (sigmaOut) {
    for (int j = threadIdx.x; j < narrow; j += blockDim.x) {
      const double v = sigma[j];
      int position = 0;
      for (int i = 0; i < narrow; ++i) position += sigma[i] > v || (sigma[i] == v && i < j);
      sigmaOut[static_cast<long long>(blockIdx.x) * narrow + position] = v;
    }
  }
  if (threadIdx.x == 0) {
    double sigmaMax = 0.0;
    bool finite = true;
    for (int j = 0; j < narrow; ++j) {
      sigmaMax = sigma[j] > sigmaMax ? sigma[j] : sigmaMax;
      finite = finite && isfinite(sigma[j]);
    }
    const double tol = tolerance >= 0.0 ? tolerance : lowrank::defaultRankTolerance<T>(sigmaMax, rows, cols);
    int rank = 0;
    for (int j = 0; j < narrow; ++j) rank += sigma[j] > tol;
    ranks[blockIdx.x] = finite ? rank : -1;  // the host names the matrix that was not finite
    tolerances[blockIdx.x] = tol;
  }
}

template <class T>
std::size_t jacobiSharedBytes(int rows, int cols) {
  const long long narrow = rows < cols ? rows : cols;
  const long long entries = static_cast<long long>(rows) * cols;
  return static_cast<std::size_t>((entries + entries % 2) * sizeof(T) + narrow * sizeof(double));
}

int deviceSharedLimit() {
  int device = 0, limit = 0;
  CUDA_CHECK(cudaGetDevice(&device));
  CUDA_CHECK(cudaDeviceGetAttribute(&limit, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
  return limit;
}

// The dynamic shared memory one block of the kernel may use: the device's opt-in limit less
// the kernel's static arrays. The first call opts the kernel in (the attribute is per kernel).
template <class T>
std::size_t dynamicSharedLimit() {
  static std::once_flag optIn;
  static std::size_t limit = 0;
  std::call_once(optIn, [] {
    cudaFuncAttributes attributes{};
    CUDA_CHECK(cudaFuncGetAttributes(&attributes, batchedJacobiKernel<T>));
    const int dynamic = deviceSharedLimit() - static_cast<int>(attributes.sharedSizeBytes);
    CUDA_CHECK(cudaFuncSetAttribute(batchedJacobiKernel<T>, cudaFuncAttributeMaxDynamicSharedMemorySize, dynamic));
    limit = static_cast<std::size_t>(dynamic);
  });
  return limit;
}

template <class T>
void launchJacobi(const T* a, int batch, int rows, int cols, double tolerance, double* sigma, int* ranks,
                  double* tolerances, void* stream) {
  if (batch <= 0) return;
  const std::size_t bytes = jacobiSharedBytes<T>(rows, cols);
  if (bytes > dynamicSharedLimit<T>()) throw CudaError("batched Jacobi: the matrix does not fit in shared memory");
  const int narrow = rows < cols ? rows : cols;
  const int pairs = (narrow + 1) / 2;
  const int warps = pairs < 1 ? 1 : pairs > kMaxWarps ? kMaxWarps : pairs;
  batchedJacobiKernel<T><<<batch, warps * kWarp, bytes, static_cast<cudaStream_t>(stream)>>>(a, rows, cols, tolerance,
                                                                                             sigma, ranks, tolerances);
  CUDA_CHECK(cudaGetLastError());
}

// [SECTION] Derivative grid: one thread per (time, order, entry)

__global__ void derivativeGridKernel(const matfun::FlatTerm* __restrict__ terms, const int* __restrict__ entryStart,
                                     long long entriesPerOrder, int orders, const double* __restrict__ times,
                                     long long total, double* __restrict__ out) {
  for (long long index = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; index < total;
       index += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long perTime = entriesPerOrder * orders;
    const long long time = index / perTime;
    const long long within = index % perTime;  // = order · entriesPerOrder + entry: the table's own index
    out[index] = matfun::evaluateFlatEntry(terms, entryStart[within], entryStart[within + 1], times[time]);
  }
}

}  // namespace

bool jacobiFitsInShared(int rows, int cols, bool doublePrecision) {
  return doublePrecision ? jacobiSharedBytes<double>(rows, cols) <= dynamicSharedLimit<double>()
                         : jacobiSharedBytes<float>(rows, cols) <= dynamicSharedLimit<float>();
}
void launchBatchedJacobi(const float* a, int batch, int rows, int cols, double tolerance, double* sigma, int* ranks,
                         double* tolerances, void* stream) {
  launchJacobi(a, batch, rows, cols, tolerance, sigma, ranks, tolerances, stream);
}

void launchBatchedJacobi(const double* a, int batch, int rows, int cols, double tolerance, double* sigma, int* ranks,
                         double* tolerances, void* stream) {
  launchJacobi(a, batch, rows, cols, tolerance, sigma, ranks, tolerances, stream);
}

void launchEvaluateDerivativeGrid(const matfun::FlatTerm* terms, const int* entryStart, long long entriesPerOrder,
                                  int orders, const double* times, int timeCount, double* out, void* stream) {
  const long long total = entriesPerOrder * orders * timeCount;
  if (total <= 0) return;
  const int threads = 256;
  const long long blocks = (total + threads - 1) / threads;
  derivativeGridKernel<<<static_cast<unsigned>(blocks < 65536 ? blocks : 65536), threads, 0,
                         static_cast<cudaStream_t>(stream)>>>(terms, entryStart, entriesPerOrder, orders, times, total,
                                                              out);
  CUDA_CHECK(cudaGetLastError());
}

}  // namespace rankflow::kernels
