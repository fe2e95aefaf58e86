// Batched singular values by one-sided Jacobi, and the evaluation of derivative matrices
// for a grid of times and orders.
//
// [SECTION] Jacobi: layout and schedule
// The narrow side of each matrix becomes the columns (N = min(rows, cols)), stored
// column-contiguous in shared memory (N × M, M = max(rows, cols)), scaled by the largest
// |entry| so squared norms neither overflow nor underflow. A round of the round-robin
// schedule holds N/2 disjoint column pairs; a sweep is N − 1 rounds, and a matrix is done
// after the first sweep without a rotation. The same arithmetic, sequentially, is
// oneSidedJacobi in core/lowrank/jacobi.h, which the CPU tests check. Two layouts:
// - N ≤ 64 (warpJacobiKernel): one warp per matrix, several matrices per block; lane i
//   owns slot i's pair and sums over the rows itself, so a pair costs no shuffles and the
//   warp needs no block barrier. Columns are stored with an odd stride (M | 1), so the
//   lanes, reading the same row of different columns, hit different banks.
// - larger N (blockJacobiKernel): one block per matrix, one warp per pair, the sums by
//   shuffles (every lane ends with them, so the rotate decision is warp-uniform).
// [SECTION] Jacobi with vectors (the cascading fit's SVDs): the warp layout, plus the
//   accumulated rotations, which give V (and U for a wide matrix)
// [SECTION] Derivative grid
// [SECTION] Launchers
#include <cuda_runtime.h>

#include <mutex>

#include "core/lowrank/jacobi.h"
#include "kernels/cuda_check.h"
#include "kernels/spectra_kernels.h"

namespace rankflow::kernels {
namespace {

constexpr int kWarp = 32;
constexpr int kMaxWarps = 32;
constexpr int kWarpKernelMaxNarrow = 64;  // one lane a pair: at most 32 pairs
constexpr int kMatricesPerWarpBlock = 4;  // the most warps (matrices) a block of the warp kernel holds
// Shared memory a warp-kernel block aims at: a few blocks per SM rather than one large one,
// so an SM holds as many matrices as its shared memory allows.
constexpr std::size_t kWarpBlockBytesTarget = 56 * 1024;

template <class T>
__device__ T warpSum(T v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

// The larger of two magnitudes, NaN winning (so a NaN entry is not scaled away).
template <class T>
__device__ T maxOrNaN(T a, T b) {
  return b > a || b != b ? b : a;
}

template <class T>
__device__ T warpMaxOrNaN(T v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) v = maxOrNaN(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

// A column stride that is odd (n itself, or n + 1): lanes reading the same row of different
// columns then fall in different shared-memory banks.
__host__ __device__ inline int oddStride(int n) {
  return n | 1;
}

// Where entry (i, j) of the row-major rows×cols matrix goes: column j (cols ≤ rows) or
// column i (cols > rows) of the narrow × tall working matrix, at `stride` per column.
__device__ long long workingIndex(int i, int j, int rows, int cols, int stride) {
  return cols <= rows ? static_cast<long long>(j) * stride + i : static_cast<long long>(i) * stride + j;
}

// The scale of a matrix whose largest |entry| is `top`: 1 for a zero matrix (and for NaN,
// which the rank check reports).
template <class T>
__device__ T scaleFor(T top) {
  return top > T(0) ? top : T(1);
}

// Sorts σ (narrow values, unsorted, in shared memory) descending into sigmaOut by counting
// (ties keep column order), threads `first`, `first + step`, …; then thread `first` ranks.
template <class T>
__device__ void finishSpectrum(const double* sigma, int narrow, int rows, int cols, double tolerance, int first,
                               int step, long long matrix, double* sigmaOut, int* ranks, double* tolerances,
                               int thread) {
  if (sigmaOut) {
    for (int j = thread; j < narrow; j += step) {
      const double v = sigma[j];
      int position = 0;
      for (int i = 0; i < narrow; ++i) position += sigma[i] > v || (sigma[i] == v && i < j);
      sigmaOut[matrix * narrow + position] = v;
    }
  }
  if (thread != first) return;
  double sigmaMax = 0.0;
  bool finite = true;
  for (int j = 0; j < narrow; ++j) {
    sigmaMax = sigma[j] > sigmaMax ? sigma[j] : sigmaMax;
    finite = finite && isfinite(sigma[j]);
  }
  const double tol = tolerance >= 0.0 ? tolerance : lowrank::defaultRankTolerance<T>(sigmaMax, rows, cols);
  int rank = 0;
  for (int j = 0; j < narrow; ++j) rank += sigma[j] > tol;
  ranks[matrix] = finite ? rank : -1;  // the host names the matrix that was not finite
  tolerances[matrix] = tol;
}

// [SECTION] Jacobi, one warp per matrix (N ≤ 64)

// Loads matrix `source` (row-major rows×cols) into the warp's working columns (narrow × tall
// at `stride`), scaled by its largest |entry|; returns that scale and sets *negligible.
template <class T>
__device__ T warpLoadScaled(const T* source, int rows, int cols, int stride, T* columns, T* negligible, int lane) {
  const int narrow = rows < cols ? rows : cols;
  const int tall = rows < cols ? cols : rows;
  const long long entries = static_cast<long long>(rows) * cols;
  T largest = 0;
  for (long long index = lane; index < entries; index += kWarp) {
    const T v = source[index];
    largest = maxOrNaN(largest, lowrank::jacobiAbs(v));
    columns[workingIndex(static_cast<int>(index / cols), static_cast<int>(index % cols), rows, cols, stride)] = v;
  }
  const T scale = scaleFor(warpMaxOrNaN(largest));
  __syncwarp();
  T frobenius = 0;
  for (int j = 0; j < narrow; ++j)
    for (int i = lane; i < tall; i += kWarp) {
      T& v = columns[static_cast<long long>(j) * stride + i];
      v /= scale;
      frobenius += v * v;
    }
  *negligible = lowrank::jacobiNegligible(warpSum(frobenius));
  __syncwarp();
  return scale;
}

// The sweeps, lane i owning slot i's pair; with `rotations` (narrow columns at
// rotationStride, the identity on entry) every rotation is accumulated there too.
template <class T>
__device__ void warpSweeps(T* columns, int narrow, int tall, int stride, T negligible, T* rotations, int rotationStride,
                           int lane) {
  const int players = narrow + (narrow & 1);
  const T threshold = lowrank::jacobiThreshold<T>(tall);
  for (int sweep = 0; sweep < lowrank::kMaxJacobiSweeps; ++sweep) {
    int rotated = 0;
    for (int round = 0; round < players - 1; ++round) {
      if (lane < players / 2) {
        int p = 0, q = 0;
        lowrank::roundRobinPair(players, round, lane, &p, &q);
        if (q < narrow) {  // not the phantom column of an odd count
          T* ap = columns + static_cast<long long>(p) * stride;
          T* aq = columns + static_cast<long long>(q) * stride;
          T alpha = 0, beta = 0, gamma = 0;
          for (int i = 0; i < tall; ++i) {
            const T x = ap[i], y = aq[i];
            alpha += x * x;
            beta += y * y;
            gamma += x * y;
          }
          T c, s;
          if (lowrank::jacobiRotation(alpha, beta, gamma, threshold, negligible, &c, &s)) {
            rotated = 1;
            for (int i = 0; i < tall; ++i) lowrank::applyJacobiRotation(c, s, ap + i, aq + i);
            if (rotations) {
              T* vp = rotations + static_cast<long long>(p) * rotationStride;
              T* vq = rotations + static_cast<long long>(q) * rotationStride;
              for (int i = 0; i < narrow; ++i) lowrank::applyJacobiRotation(c, s, vp + i, vq + i);
            }
          }
        }
      }
      __syncwarp();
    }
    if (!__any_sync(0xffffffffu, rotated)) break;
  }
}

template <class T>
__global__ void __launch_bounds__(kMatricesPerWarpBlock* kWarp)
    warpJacobiKernel(const T* __restrict__ a, int batch, int rows, int cols, double tolerance,
                     double* __restrict__ sigmaOut, int* __restrict__ ranks, double* __restrict__ tolerances) {
  extern __shared__ __align__(16) unsigned char shared[];
  const int narrow = rows < cols ? rows : cols;
  const int tall = rows < cols ? cols : rows;
  const int stride = oddStride(tall);
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
  const int perBlock = blockDim.x / kWarp;  // matrices in this block, one a warp
  const long long region = static_cast<long long>(narrow) * stride;
  T* columns = reinterpret_cast<T*>(shared) + region * warp;
  const long long columnBytes = region * perBlock * static_cast<long long>(sizeof(T));
  double* sigma = reinterpret_cast<double*>(shared + (columnBytes + 7) / 8 * 8) + static_cast<long long>(narrow) * warp;
  const long long matrix = static_cast<long long>(blockIdx.x) * perBlock + warp;
  if (matrix >= batch) return;  // the whole warp: this kernel has no block barrier

  T negligible = 0;
  const T scale =
      warpLoadScaled(a + static_cast<long long>(rows) * cols * matrix, rows, cols, stride, columns, &negligible, lane);
  warpSweeps<T>(columns, narrow, tall, stride, negligible, nullptr, 0, lane);

  for (int j = lane; j < narrow; j += kWarp) {
    const T* column = columns + static_cast<long long>(j) * stride;
    T norm = 0;
    for (int i = 0; i < tall; ++i) norm += column[i] * column[i];
    sigma[j] = static_cast<double>(lowrank::jacobiSqrt(norm)) * static_cast<double>(scale);
  }
  __syncwarp();
  finishSpectrum<T>(sigma, narrow, rows, cols, tolerance, 0, kWarp, matrix, sigmaOut, ranks, tolerances, lane);
}

// [SECTION] Jacobi with vectors, one warp per matrix (N ≤ 64)

// The entries (of T) one matrix of the vectors kernel holds in shared memory: its working
// columns at an odd stride ≥ tall, the accumulated rotations at an odd stride ≥ narrow, the norms.
__host__ __device__ long long svdWarpEntries(int rows, int cols) {
  const int narrow = rows < cols ? rows : cols, tall = rows < cols ? cols : rows;
  return static_cast<long long>(narrow) * (oddStride(tall) + oddStride(narrow) + 1);
}

// Thin SVDs A = U·diag(σ)·Vᵀ, written sorted descending: u (batch × rows × N), v (batch ×
// cols × N), each matrix's columns back to back (column-major, as Eigen stores them), σ
// (batch × N). The sequential twin is lowrank::thinSvdByJacobi. Inputs are finite (the
// host checks).
template <class T>
__global__ void __launch_bounds__(kMatricesPerWarpBlock* kWarp)
    warpJacobiSvdKernel(const T* __restrict__ a, int batch, int rows, int cols, T* __restrict__ uOut,
                        T* __restrict__ sigmaOut, T* __restrict__ vOut) {
  extern __shared__ __align__(16) unsigned char shared[];
  const bool wide = rows < cols;
  const int narrow = wide ? rows : cols, tall = wide ? cols : rows;
  const int stride = oddStride(tall), rotationStride = oddStride(narrow);
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
  const int perBlock = blockDim.x / kWarp;
  T* columns = reinterpret_cast<T*>(shared) + svdWarpEntries(rows, cols) * warp;
  T* rotations = columns + static_cast<long long>(narrow) * stride;
  T* norms = rotations + static_cast<long long>(narrow) * rotationStride;
  const long long matrix = static_cast<long long>(blockIdx.x) * perBlock + warp;
  if (matrix >= batch) return;  // the whole warp: no block barrier below

  for (int index = lane; index < narrow * rotationStride; index += kWarp)
    rotations[index] = index % rotationStride == index / rotationStride ? T(1) : T(0);
  T negligible = 0;
  const T scale =
      warpLoadScaled(a + static_cast<long long>(rows) * cols * matrix, rows, cols, stride, columns, &negligible, lane);
  warpSweeps<T>(columns, narrow, tall, stride, negligible, rotations, rotationStride, lane);

  for (int j = lane; j < narrow; j += kWarp) {
    const T* column = columns + static_cast<long long>(j) * stride;
    T norm = 0;
    for (int i = 0; i < tall; ++i) norm += column[i] * column[i];
    norms[j] = lowrank::jacobiSqrt(norm);
  }
  __syncwarp();
  // Working column j's directions are U's (V's for a wide matrix, which was transposed),
  // its rotations V's (U's); each goes to its place in the descending order.
  T* left = (wide ? vOut : uOut) + matrix * tall * narrow;
  T* right = (wide ? uOut : vOut) + matrix * narrow * narrow;
  for (int j = 0; j < narrow; ++j) {
    const int to = lowrank::descendingPosition(norms, narrow, j);
    if (lane == 0) sigmaOut[matrix * narrow + to] = norms[j] * scale;
    const T* column = columns + static_cast<long long>(j) * stride;
    for (int i = lane; i < tall; i += kWarp)
      left[static_cast<long long>(to) * tall + i] = lowrank::normalisedEntry(column[i], norms[j]);
    for (int i = lane; i < narrow; i += kWarp)
      right[static_cast<long long>(to) * narrow + i] = rotations[static_cast<long long>(j) * rotationStride + i];
  }
}

// [SECTION] Jacobi, one block per matrix (larger N)

// Up to 1024 threads a block (N = 128: 64 pairs over 32 warps), so at most 64 registers
// a thread: the bound makes the compiler keep to it rather than fail the launch.
template <class T>
__global__ void __launch_bounds__(kMaxWarps* kWarp)
    blockJacobiKernel(const T* __restrict__ a, int rows, int cols, double tolerance, double* __restrict__ sigmaOut,
                      int* __restrict__ ranks, double* __restrict__ tolerances) {
  extern __shared__ __align__(16) unsigned char shared[];
  __shared__ T partial[kMaxWarps];
  const int narrow = rows < cols ? rows : cols;
  const int tall = rows < cols ? cols : rows;
  T* columns = reinterpret_cast<T*>(shared);  // narrow × tall
  double* sigma = reinterpret_cast<double*>(columns + static_cast<long long>(narrow) * tall + (narrow * tall) % 2);
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp, warps = blockDim.x / kWarp;

  const long long entries = static_cast<long long>(rows) * cols;
  const T* source = a + entries * blockIdx.x;
  T largest = 0;
  for (long long index = threadIdx.x; index < entries; index += blockDim.x) {
    const T v = source[index];
    largest = maxOrNaN(largest, lowrank::jacobiAbs(v));
    columns[workingIndex(static_cast<int>(index / cols), static_cast<int>(index % cols), rows, cols, tall)] = v;
  }
  largest = warpMaxOrNaN(largest);
  if (lane == 0) partial[warp] = largest;
  __syncthreads();
  T top = 0;
  for (int w = 0; w < warps; ++w) top = maxOrNaN(top, partial[w]);
  const T scale = scaleFor(top);
  __syncthreads();  // everyone has read `partial` before it is reused below
  T frobenius = 0;
  for (long long index = threadIdx.x; index < static_cast<long long>(narrow) * tall; index += blockDim.x) {
    columns[index] /= scale;
    frobenius += columns[index] * columns[index];
  }
  frobenius = warpSum(frobenius);
  if (lane == 0) partial[warp] = frobenius;
  __syncthreads();
  T total = 0;
  for (int w = 0; w < warps; ++w) total += partial[w];
  const T negligible = lowrank::jacobiNegligible(total);

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
        if (!lowrank::jacobiRotation(alpha, beta, gamma, threshold, negligible, &c, &s)) continue;
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
  finishSpectrum<T>(sigma, narrow, rows, cols, tolerance, 0, blockDim.x, blockIdx.x, sigmaOut, ranks, tolerances,
                    threadIdx.x);
}

// [SECTION] Launch configuration

template <class T>
std::size_t blockJacobiBytes(int rows, int cols) {
  const long long narrow = rows < cols ? rows : cols;
  const long long entries = static_cast<long long>(rows) * cols;
  return static_cast<std::size_t>((entries + entries % 2) * sizeof(T) + narrow * sizeof(double));
}

// One warp-kernel matrix: its columns at an odd stride ≥ tall and its σ.
template <class T>
std::size_t warpJacobiBytes(int rows, int cols, int perBlock) {
  const long long narrow = rows < cols ? rows : cols, tall = rows < cols ? cols : rows;
  const long long columnBytes =
      narrow * oddStride(static_cast<int>(tall)) * perBlock * static_cast<long long>(sizeof(T));
  return static_cast<std::size_t>((columnBytes + 7) / 8 * 8 +
                                  narrow * perBlock * static_cast<long long>(sizeof(double)));
}

int deviceSharedLimit() {
  int device = 0, limit = 0;
  CUDA_CHECK(cudaGetDevice(&device));
  CUDA_CHECK(cudaDeviceGetAttribute(&limit, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
  return limit;
}

// Opts a kernel in to the device's shared memory less its static arrays; returns that.
template <class Kernel>
std::size_t optInDynamicShared(Kernel kernel) {
  cudaFuncAttributes attributes{};
  CUDA_CHECK(cudaFuncGetAttributes(&attributes, kernel));
  const int dynamic = deviceSharedLimit() - static_cast<int>(attributes.sharedSizeBytes);
  CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, dynamic));
  return static_cast<std::size_t>(dynamic);
}

// Each kernel's dynamic shared-memory limit; the first call opts it in (once per kernel).
template <auto Kernel>
std::size_t sharedLimit() {
  static std::once_flag once;
  static std::size_t limit = 0;
  std::call_once(once, [] { limit = optInDynamicShared(Kernel); });
  return limit;
}

template <class T>
std::size_t blockKernelLimit() {
  return sharedLimit<blockJacobiKernel<T>>();
}

// Matrices one block of a one-warp-per-matrix kernel holds when n of them need bytesFor(n)
// within `limit`: a few blocks per SM rather than one large one (0: none fits).
template <class BytesFor>
int matricesPerWarpBlock(int narrow, std::size_t limit, BytesFor bytesFor) {
  if (narrow > kWarpKernelMaxNarrow || bytesFor(1) > limit) return 0;
  int perBlock = static_cast<int>(kWarpBlockBytesTarget / bytesFor(1));
  perBlock = perBlock < 1 ? 1 : perBlock > kMatricesPerWarpBlock ? kMatricesPerWarpBlock : perBlock;
  while (perBlock > 1 && bytesFor(perBlock) > limit) --perBlock;
  return perBlock;
}

// Matrices a warp-kernel block holds (0: the warp kernel does not take this shape).
template <class T>
int warpKernelMatrices(int rows, int cols) {
  return matricesPerWarpBlock(rows < cols ? rows : cols, sharedLimit<warpJacobiKernel<T>>(),
                              [&](int perBlock) { return warpJacobiBytes<T>(rows, cols, perBlock); });
}

// Matrices a vectors-kernel block holds (0: the shape is beyond the kernel).
template <class T>
int svdKernelMatrices(int rows, int cols) {
  const std::size_t one = static_cast<std::size_t>(svdWarpEntries(rows, cols)) * sizeof(T);
  return matricesPerWarpBlock(rows < cols ? rows : cols, sharedLimit<warpJacobiSvdKernel<T>>(),
                              [&](int perBlock) { return one * static_cast<std::size_t>(perBlock); });
}

template <class T>
bool fitsInShared(int rows, int cols) {
  return warpKernelMatrices<T>(rows, cols) > 0 || blockJacobiBytes<T>(rows, cols) <= blockKernelLimit<T>();
}

template <class T>
void launchJacobi(const T* a, int batch, int rows, int cols, double tolerance, double* sigma, int* ranks,
                  double* tolerances, void* stream) {
  if (batch <= 0) return;
  const auto s = static_cast<cudaStream_t>(stream);
  if (const int perBlock = warpKernelMatrices<T>(rows, cols)) {
    const unsigned blocks = static_cast<unsigned>((static_cast<long long>(batch) + perBlock - 1) / perBlock);
    warpJacobiKernel<T><<<blocks, perBlock * kWarp, warpJacobiBytes<T>(rows, cols, perBlock), s>>>(
        a, batch, rows, cols, tolerance, sigma, ranks, tolerances);
  } else {
    const std::size_t bytes = blockJacobiBytes<T>(rows, cols);
    if (bytes > blockKernelLimit<T>()) throw CudaError("batched Jacobi: the matrix does not fit in shared memory");
    const int narrow = rows < cols ? rows : cols;
    const int pairs = (narrow + 1) / 2;
    const int warps = pairs < 1 ? 1 : pairs > kMaxWarps ? kMaxWarps : pairs;
    blockJacobiKernel<T><<<batch, warps * kWarp, bytes, s>>>(a, rows, cols, tolerance, sigma, ranks, tolerances);
  }
  CUDA_CHECK(cudaGetLastError());
}

template <class T>
void launchSvd(const T* a, int batch, int rows, int cols, T* u, T* sigma, T* v, void* stream) {
  if (batch <= 0) return;
  const int perBlock = svdKernelMatrices<T>(rows, cols);
  if (perBlock == 0) throw CudaError("batched SVD: the matrix is beyond the one-warp kernel");
  const unsigned blocks = static_cast<unsigned>((static_cast<long long>(batch) + perBlock - 1) / perBlock);
  const std::size_t bytes = static_cast<std::size_t>(svdWarpEntries(rows, cols)) * sizeof(T) * perBlock;
  warpJacobiSvdKernel<T>
      <<<blocks, perBlock * kWarp, bytes, static_cast<cudaStream_t>(stream)>>>(a, batch, rows, cols, u, sigma, v);
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
  return doublePrecision ? fitsInShared<double>(rows, cols) : fitsInShared<float>(rows, cols);
}
void launchBatchedJacobi(const float* a, int batch, int rows, int cols, double tolerance, double* sigma, int* ranks,
                         double* tolerances, void* stream) {
  launchJacobi(a, batch, rows, cols, tolerance, sigma, ranks, tolerances, stream);
}

void launchBatchedJacobi(const double* a, int batch, int rows, int cols, double tolerance, double* sigma, int* ranks,
                         double* tolerances, void* stream) {
  launchJacobi(a, batch, rows, cols, tolerance, sigma, ranks, tolerances, stream);
}

bool svdFitsOneWarp(int rows, int cols) {
  return svdKernelMatrices<float>(rows, cols) > 0;
}

void launchBatchedSvd(const float* a, int batch, int rows, int cols, float* u, float* sigma, float* v, void* stream) {
  launchSvd(a, batch, rows, cols, u, sigma, v, stream);
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
