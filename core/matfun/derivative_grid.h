#pragma once
// The derivative matrices B^(k)(t) of a matrix function for a whole grid of times and
// orders, and their numerical ranks: the Timeline's rank strip (every order at N times)
// and the generic rank (the maximum over random t) in one batch.
//
// The derivatives are taken symbolically on the host (exact: the class c·t^p·{e^{λt},
// sin ωt, cos ωt} is closed under d/dt) and flattened into a term table that the CUDA
// kernel and the CPU evaluate with the same function (evaluateFlatEntry below), so the
// kernel's arithmetic is exercised by the CPU tests (core/matfun/flat_terms.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/matfun/flat_terms.h"
#include "core/matfun/matrix_function.h"

namespace rankflow::matfun {

// Terms of every entry of B^(k), k = 0..maxOrder: entry e of order k (row-major, e = i·cols + j)
// owns terms[entryStart[k·rows·cols + e] .. entryStart[k·rows·cols + e + 1]).
struct DerivativeTermTable {
  int rows = 0;
  int cols = 0;
  int maxOrder = 0;
  std::vector<int> entryStart;  // (maxOrder + 1)·rows·cols + 1 offsets
  std::vector<FlatTerm> terms;

  int orders() const { return maxOrder + 1; }
  long long entriesPerOrder() const { return static_cast<long long>(rows) * cols; }
};

DerivativeTermTable flattenDerivatives(const MatrixFunction& b, int maxOrder);

// The times at which numericalGenericRank(f, samples, seed, tMin, tMax) samples, so a batched
// generic rank reproduces it exactly.
std::vector<double> genericSampleTimes(int samples, std::uint64_t seed, double tMin, double tMax);
// count times evenly spaced on [lo, hi], both ends included (one time: lo).
std::vector<double> evenlySpacedTimes(double lo, double hi, int count);

// Ranks of B^(k)(t_i) for every time and order; spectra of each (optional, they are what the
// Ranks panel draws) and timings.
struct RankGrid {
  int rows = 0;
  int cols = 0;
  int maxOrder = 0;
  std::vector<double> times;
  std::vector<int> ranks;              // [time · (maxOrder + 1) + k]
  std::vector<double> tolerances;      // same index
  std::vector<double> singularValues;  // [(time · (maxOrder + 1) + k) · min(rows, cols) + i] when kept
  std::string backend;
  std::string method;
  std::string note;
  double kernelSeconds = 0.0;       // evaluation + SVDs on the device (CUDA events), or the CPU compute
  double endToEndSeconds = 0.0;     // including uploads of the term table and downloads of what comes back
  std::size_t bytesUploaded = 0;    // host → device in this call (0 on the CPU)
  std::size_t bytesDownloaded = 0;  // device → host in this call

  int orders() const { return maxOrder + 1; }
  int spectrumLength() const { return rows < cols ? rows : cols; }
  int rank(int time, int order) const { return ranks[static_cast<std::size_t>(time * orders() + order)]; }
};

// Limits that keep a request within memory: the batch is times × orders matrices of rows × cols doubles.
void validateRankGridRequest(const DerivativeTermTable& table, const std::vector<double>& times,
                             std::optional<double> tolerance);

// float64 Eigen JacobiSVD of every matrix, on every core: the reference and the CPU backend.
RankGrid cpuRankGrid(const DerivativeTermTable& table, const std::vector<double>& times,
                     std::optional<double> tolerance, bool keepSpectra);

// B^(k)(t) from the table (what the kernel writes for one matrix), row-major.
void evaluateFlatMatrix(const DerivativeTermTable& table, int order, double t, double* out);

}  // namespace rankflow::matfun
