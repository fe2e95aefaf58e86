#pragma once
// Launchers for batched singular values and the derivative grid; device pointers only,
// plain C++ (the host side includes this without CUDA headers).
#include "core/matfun/flat_terms.h"

namespace rankflow::kernels {

// Whether one thread block can hold a rows×cols matrix (and its σ) in shared memory on the
// current device (227 KiB on Hopper: 128×128 in float64); above it the caller falls back
// and says so.
bool jacobiFitsInShared(int rows, int cols, bool doublePrecision);

// Singular values (descending) and numerical ranks of `batch` row-major rows×cols matrices
// stored back to back at `a`, one thread block per matrix, one-sided Jacobi in shared
// memory (core/lowrank/jacobi.h). tolerance < 0: σ_max·max(m,n)·ε of T. sigma (batch ×
// min(m,n), may be null), ranks and tolerances (batch each) are device arrays. A matrix with
// a NaN or infinite entry (or whose σ overflows double) gets rank −1.
// `stream` is a cudaStream_t (0: the default stream).
void launchBatchedJacobi(const float* a, int batch, int rows, int cols, double tolerance, double* sigma, int* ranks,
                         double* tolerances, void* stream);
void launchBatchedJacobi(const double* a, int batch, int rows, int cols, double tolerance, double* sigma, int* ranks,
                         double* tolerances, void* stream);

// Whether the vectors kernel (one warp per float32 matrix, N = min(rows, cols) ≤ 64 and its
// columns, rotations and norms in shared memory) takes a rows×cols matrix.
bool svdFitsOneWarp(int rows, int cols);

// Thin SVDs of `batch` row-major rows×cols float32 matrices at `a` (finite: the caller
// checks): u (batch × rows × N), v (batch × cols × N), each matrix's vectors column-major
// and sorted with σ (batch × N) descending. Device arrays; `stream` as above.
void launchBatchedSvd(const float* a, int batch, int rows, int cols, float* u, float* sigma, float* v, void* stream);

// out[(time·orders + k)·rows·cols + e] = entry e of B^(k)(times[time]), from the flattened
// term table (terms, entryStart as in DerivativeTermTable), all device arrays.
void launchEvaluateDerivativeGrid(const matfun::FlatTerm* terms, const int* entryStart, long long entriesPerOrder,
                                  int orders, const double* times, int timeCount, double* out, void* stream);

}  // namespace rankflow::kernels
