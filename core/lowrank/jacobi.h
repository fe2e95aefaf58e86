#pragma once
// The arithmetic of one-sided (Hestenes) Jacobi singular values, shared by the CUDA
// kernel (kernels/spectra_kernels.cu: one thread block per matrix, columns in shared
// memory) and its sequential twin here, which the CPU tests run to check the kernel's
// ordering, rotations and stopping rule without a device (docs/ARCHITECTURE.md,
// "Batched singular values").
//
// One-sided Jacobi orthogonalises the columns of A by plane rotations A ← A·J(p, q);
// when every pair is orthogonal the column norms are the singular values. It is accurate
// to ε relative to each σ_i for well-scaled columns, which a rank study needs.
#include <cmath>

#include "core/common/host_device.h"

namespace rankflow::lowrank {

// Machine ε of float and double as constants device code may read (numeric_limits is
// host-only without nvcc's relaxed-constexpr flag).
template <class T>
struct MachineEpsilon;
template <>
struct MachineEpsilon<float> {
  static constexpr float value = 1.1920928955078125e-07f;  // 2^-23
};
template <>
struct MachineEpsilon<double> {
  static constexpr double value = 2.220446049250313e-16;  // 2^-52
};

template <class T>
RF_HD inline T jacobiSqrt(T v) {
#if defined(__CUDA_ARCH__)
  return ::sqrt(v);
#else
  return std::sqrt(v);
#endif
}

template <class T>
RF_HD inline T jacobiAbs(T v) {
  return v < T(0) ? -v : v;
}

// The most sweeps either implementation makes; n ≤ 128 converges in about 6–12
// (quadratically once the off-diagonal mass is small), so reaching it means non-finite input.
constexpr int kMaxJacobiSweeps = 40;

// Round-robin ("circle method") pairing of `players` (even) columns: in each of the
// players − 1 rounds, slots 0..players/2 − 1 hold disjoint pairs, and every pair of
// columns meets exactly once per sweep. Player 0 stays; the others rotate one seat a round.
RF_HD inline int roundRobinSeat(int players, int round, int position) {
  return position == 0 ? 0 : (position - 1 + round) % (players - 1) + 1;
}

RF_HD inline void roundRobinPair(int players, int round, int slot, int* p, int* q) {
  const int a = roundRobinSeat(players, round, slot), b = roundRobinSeat(players, round, players - 1 - slot);
  *p = a < b ? a : b;
  *q = a < b ? b : a;
}

// Columns p and q count as orthogonal when |a_pᵀa_q| ≤ rows·ε·‖a_p‖‖a_q‖: a stricter test
// would chase rounding noise in float32 (the sweeps would never stop), a looser one would
// cost digits of the small singular values.
template <class T>
RF_HD inline T jacobiThreshold(int rows) {
  return static_cast<T>(rows) * MachineEpsilon<T>::value;
}

// A column whose squared norm is at most (ε‖A‖_F)² is rounding noise: its singular value
// lies below every default tolerance (σ_max·max(m,n)·ε ≥ ε‖A‖_F), and rotating it against
// other noise columns only costs sweeps (a rank-20 64×64 matrix took 15–19 sweeps without
// this rule, 7–10 with it).
template <class T>
RF_HD inline T jacobiNegligible(T frobeniusSquared) {
  return MachineEpsilon<T>::value * MachineEpsilon<T>::value * frobeniusSquared;
}

// The rotation that makes columns p and q orthogonal, from α = ‖a_p‖², β = ‖a_q‖² and
// γ = a_pᵀa_q (Rutishauser's stable form: |t| ≤ 1, so the smaller angle). Returns false
// (and leaves c, s alone) when the pair is already orthogonal to the threshold, or either
// column is negligible.
template <class T>
RF_HD inline bool jacobiRotation(T alpha, T beta, T gamma, T threshold, T negligible, T* c, T* s) {
  if (!(alpha > negligible && beta > negligible)) return false;
  if (!(jacobiAbs(gamma) > threshold * jacobiSqrt(alpha) * jacobiSqrt(beta))) return false;
  const T zeta = (beta - alpha) / (T(2) * gamma);
  const T t = (zeta >= T(0) ? T(1) : T(-1)) / (jacobiAbs(zeta) + jacobiSqrt(T(1) + zeta * zeta));
  *c = T(1) / jacobiSqrt(T(1) + t * t);
  *s = *c * t;
  return true;
}

// a_p ← c·a_p − s·a_q, a_q ← s·a_p + c·a_q for one row's entries.
template <class T>
RF_HD inline void applyJacobiRotation(T c, T s, T* ap, T* aq) {
  const T x = *ap, y = *aq;
  *ap = c * x - s * y;
  *aq = s * x + c * y;
}

// Default rank tolerance: σ_max · max(m, n) · ε of the input's type (docs/MATHEMATICS.md §2).
template <class T>
RF_HD inline double defaultRankTolerance(double sigmaMax, int rows, int cols) {
  return sigmaMax * static_cast<double>(rows > cols ? rows : cols) * static_cast<double>(MachineEpsilon<T>::value);
}

// The sequential twin of the kernel: `columns` is rows × cols, column-major, rows ≥ cols;
// overwritten. Writes cols singular values to `sigma` in the order of the columns (not
// sorted) and returns the number of sweeps made. With `v` (cols × cols, column-major), the
// rotations are accumulated there from the identity, so on return columns = U·Σ and the
// input equals columns·vᵀ.
template <class T>
int oneSidedJacobi(T* columns, int rows, int cols, T* sigma, T* v = nullptr) {
  if (v)
    for (int j = 0; j < cols; ++j)
      for (int i = 0; i < cols; ++i) v[static_cast<long long>(j) * cols + i] = i == j ? T(1) : T(0);
  const int players = cols + (cols & 1);  // an odd count gets a phantom column that never rotates
  const T threshold = jacobiThreshold<T>(rows);
  T frobenius = 0;
  for (long long i = 0; i < static_cast<long long>(rows) * cols; ++i) frobenius += columns[i] * columns[i];
  const T negligible = jacobiNegligible(frobenius);
  int sweeps = 0;
  for (bool rotated = true; rotated && sweeps < kMaxJacobiSweeps; ++sweeps) {
    rotated = false;
    for (int round = 0; round < players - 1; ++round) {
      for (int slot = 0; slot < players / 2; ++slot) {
        int p = 0, q = 0;
        roundRobinPair(players, round, slot, &p, &q);
        if (q >= cols) continue;
        T* ap = columns + static_cast<long long>(p) * rows;
        T* aq = columns + static_cast<long long>(q) * rows;
        T alpha = 0, beta = 0, gamma = 0;
        for (int i = 0; i < rows; ++i) alpha += ap[i] * ap[i], beta += aq[i] * aq[i], gamma += ap[i] * aq[i];
        T c, s;
        if (!jacobiRotation(alpha, beta, gamma, threshold, negligible, &c, &s)) continue;
        rotated = true;
        for (int i = 0; i < rows; ++i) applyJacobiRotation(c, s, ap + i, aq + i);
        if (v)
          for (int i = 0; i < cols; ++i)
            applyJacobiRotation(c, s, v + static_cast<long long>(p) * cols + i,
                                v + static_cast<long long>(q) * cols + i);
      }
    }
  }
  for (int j = 0; j < cols; ++j) {
    T norm = 0;
    const T* column = columns + static_cast<long long>(j) * rows;
    for (int i = 0; i < rows; ++i) norm += column[i] * column[i];
    sigma[j] = jacobiSqrt(norm);
  }
  return sweeps;
}

// [SECTION] Thin SVD with vectors (the cascading fit's per-order SVDs on a device)

// Where value j of `sigma` goes when sorted descending (ties keep their order).
template <class S>
RF_HD inline int descendingPosition(const S* sigma, int count, int j) {
  int position = 0;
  for (int i = 0; i < count; ++i) position += sigma[i] > sigma[j] || (sigma[i] == sigma[j] && i < j);
  return position;
}

// Left vector entry i of converged working column j: a_j / ‖a_j‖, or 0 for a zero column
// (its σ is 0, so U·Σ, all a truncation uses, is the same either way).
template <class T>
RF_HD inline T normalisedEntry(T entry, T norm) {
  return norm > T(0) ? entry / norm : T(0);
}

// The sequential twin of the vectors kernel (kernels/spectra_kernels.cu), the same pairs in
// the same order; it agrees with the device to rounding, not bit for bit (nvcc fuses
// multiply-adds, and the warp adds up ‖A‖_F lane by lane). a (rows × cols,
// row-major) = U·diag(σ)·Vᵀ with N = min(rows, cols); u (rows × N) and v (cols × N) are
// written column-major, σ (N) descending. The narrow side becomes the columns, as in the
// kernel: for rows < cols it factors aᵀ = Ũ Σ Ṽᵀ and returns U = Ṽ, V = Ũ. `work` holds
// N·max(rows, cols) + N·N + N entries. Returns the sweeps made.
template <class T>
int thinSvdByJacobi(const T* a, int rows, int cols, T* u, T* sigma, T* v, T* work) {
  const bool wide = rows < cols;
  const int narrow = wide ? rows : cols, tall = wide ? cols : rows;
  T* columns = work;
  T* rotations = work + static_cast<long long>(narrow) * tall;
  T* norms = rotations + static_cast<long long>(narrow) * narrow;
  T largest = 0;
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      const T x = a[static_cast<long long>(i) * cols + j];
      largest = jacobiAbs(x) > largest ? jacobiAbs(x) : largest;
      columns[wide ? static_cast<long long>(i) * tall + j : static_cast<long long>(j) * tall + i] = x;
    }
  const T scale = largest > T(0) ? largest : T(1);
  for (long long e = 0; e < static_cast<long long>(narrow) * tall; ++e) columns[e] /= scale;
  const int sweeps = oneSidedJacobi(columns, tall, narrow, norms, rotations);
  T* left = wide ? v : u;   // the working columns' directions: U, or V for a wide matrix
  T* right = wide ? u : v;  // the accumulated rotations
  for (int j = 0; j < narrow; ++j) {
    const int to = descendingPosition(norms, narrow, j);
    sigma[to] = norms[j] * scale;
    for (int i = 0; i < tall; ++i)
      left[static_cast<long long>(to) * tall + i] =
          normalisedEntry(columns[static_cast<long long>(j) * tall + i], norms[j]);
    for (int i = 0; i < narrow; ++i)
      right[static_cast<long long>(to) * narrow + i] = rotations[static_cast<long long>(j) * narrow + i];
  }
  return sweeps;
}

}  // namespace rankflow::lowrank
