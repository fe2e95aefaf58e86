#include "core/matfun/derivative_grid.h"

#include <Eigen/SVD>
#include <chrono>
#include <random>

#include "core/common/error.h"
#include "core/common/parallel_for.h"
#include "core/lowrank/jacobi.h"

namespace rankflow::matfun {

DerivativeTermTable flattenDerivatives(const MatrixFunction& b, int maxOrder) {
  if (maxOrder < 0 || maxOrder > 64) throw InvalidArgument("derivative grid: the highest order must lie in [0, 64]");
  DerivativeTermTable table;
  table.rows = b.rows();
  table.cols = b.cols();
  table.maxOrder = maxOrder;
  table.entryStart.reserve(static_cast<std::size_t>(table.orders() * table.entriesPerOrder() + 1));
  MatrixFunction current = b;
  for (int k = 0; k <= maxOrder; ++k) {
    for (int i = 0; i < b.rows(); ++i) {
      for (int j = 0; j < b.cols(); ++j) {
        table.entryStart.push_back(static_cast<int>(table.terms.size()));
        for (const Term& term : current.at(i, j)) {
          const int kind = term.kind == Oscillation::Exp ? 0 : term.kind == Oscillation::Sin ? 1 : 2;
          table.terms.push_back({term.coefficient, term.rate, term.power, kind});
        }
      }
    }
    if (k < maxOrder) current = current.derivative();
  }
  table.entryStart.push_back(static_cast<int>(table.terms.size()));
  return table;
}

std::vector<double> genericSampleTimes(int samples, std::uint64_t seed, double tMin, double tMax) {
  if (samples < 1) throw InvalidArgument("generic rank: need at least one sample");
  if (!(tMin < tMax)) throw InvalidArgument("generic rank: need tMin < tMax");
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> time(tMin, tMax);
  std::vector<double> times(static_cast<std::size_t>(samples));
  for (double& t : times) t = time(rng);
  return times;
}

std::vector<double> evenlySpacedTimes(double lo, double hi, int count) {
  if (count < 1) throw InvalidArgument("rank strip: need at least one time");
  if (!std::isfinite(lo) || !std::isfinite(hi) || hi < lo) throw InvalidArgument("rank strip: need finite lo <= hi");
  std::vector<double> times(static_cast<std::size_t>(count), lo);
  for (int i = 1; i < count; ++i) times[static_cast<std::size_t>(i)] = lo + (hi - lo) * i / (count - 1);
  if (count > 1) times.back() = hi;  // exactly, whatever the rounding of the last quotient
  return times;
}

void validateRankGridRequest(const DerivativeTermTable& table, const std::vector<double>& times,
                             std::optional<double> tolerance) {
  if (table.rows < 1 || table.cols < 1) throw InvalidArgument("rank grid: the matrix function is empty");
  if (times.empty()) throw InvalidArgument("rank grid: no times");
  for (double t : times)
    if (!std::isfinite(t)) throw InvalidArgument("rank grid: a time is NaN or infinite");
  if (tolerance && !(*tolerance >= 0.0 && std::isfinite(*tolerance)))
    throw InvalidArgument("rank grid: the tolerance must be finite and >= 0");
  // The batch (times × orders matrices of doubles) must stay far below a desktop's memory.
  const double bytes = static_cast<double>(times.size()) * table.orders() * table.entriesPerOrder() * 8.0;
  constexpr double kLimit = 2.0 * 1024 * 1024 * 1024;
  if (bytes > kLimit)
    throw InvalidArgument("rank grid: " + std::to_string(times.size()) + " times x " + std::to_string(table.orders()) +
                          " orders of " + std::to_string(table.rows) + "x" + std::to_string(table.cols) + " need " +
                          std::to_string(static_cast<long long>(bytes / (1024 * 1024))) + " MiB (limit 2048 MiB)");
}

void evaluateFlatMatrix(const DerivativeTermTable& table, int order, double t, double* out) {
  const long long base = order * table.entriesPerOrder();
  for (long long e = 0; e < table.entriesPerOrder(); ++e)
    out[e] = evaluateFlatEntry(table.terms.data(), table.entryStart[static_cast<std::size_t>(base + e)],
                               table.entryStart[static_cast<std::size_t>(base + e + 1)], t);
}

RankGrid cpuRankGrid(const DerivativeTermTable& table, const std::vector<double>& times,
                     std::optional<double> tolerance, bool keepSpectra) {
  const auto start = std::chrono::steady_clock::now();
  validateRankGridRequest(table, times, tolerance);
  RankGrid grid;
  grid.rows = table.rows;
  grid.cols = table.cols;
  grid.maxOrder = table.maxOrder;
  grid.times = times;
  grid.backend = "CPU · Eigen · " + std::to_string(cpuWorkerCount()) + " threads";
  grid.method = "Eigen JacobiSVD, float64";
  const std::size_t count = times.size() * static_cast<std::size_t>(table.orders());
  const int length = grid.spectrumLength();
  grid.ranks.assign(count, 0);
  grid.tolerances.assign(count, 0.0);
  if (keepSpectra) grid.singularValues.assign(count * static_cast<std::size_t>(length), 0.0);
  parallelFor(count, [&](std::size_t begin, std::size_t end) {
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    RowMajor matrix(table.rows, table.cols);
    for (std::size_t index = begin; index < end; ++index) {
      const int time = static_cast<int>(index / static_cast<std::size_t>(table.orders()));
      const int order = static_cast<int>(index % static_cast<std::size_t>(table.orders()));
      evaluateFlatMatrix(table, order, times[static_cast<std::size_t>(time)], matrix.data());
      if (!matrix.allFinite())
        throw InvalidArgument("rank grid: B^(" + std::to_string(order) + ")(" + std::to_string(times[time]) +
                              ") has a NaN or infinite entry");
      const Eigen::VectorXd sigma = Eigen::JacobiSVD<RowMajor>(matrix).singularValues();
      const double tol = tolerance.value_or(
          lowrank::defaultRankTolerance<double>(sigma.size() ? sigma(0) : 0.0, table.rows, table.cols));
      int rank = 0;
      for (Eigen::Index i = 0; i < sigma.size(); ++i) rank += sigma(i) > tol;
      grid.ranks[index] = rank;
      grid.tolerances[index] = tol;
      if (keepSpectra)
        for (int i = 0; i < length; ++i) grid.singularValues[index * static_cast<std::size_t>(length) + i] = sigma(i);
    }
  });
  grid.endToEndSeconds = grid.kernelSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return grid;
}

}  // namespace rankflow::matfun
