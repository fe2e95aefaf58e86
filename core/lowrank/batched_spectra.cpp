#include "core/lowrank/batched_spectra.h"

#include <Eigen/SVD>
#include <chrono>
#include <cmath>
#include <type_traits>

#include "core/common/error.h"
#include "core/common/parallel_for.h"
#include "core/lowrank/jacobi.h"

namespace rankflow::lowrank {

const char* scalarTypeName(ScalarType type) {
  return type == ScalarType::Float32 ? "float32" : "float64";
}

void validateBatch(const MatrixBatchView& batch) {
  if (batch.batch < 0 || batch.rows < 0 || batch.cols < 0)
    throw InvalidArgument("singular values: negative batch or matrix size");
  if (batch.batch > 0 && (batch.rows == 0 || batch.cols == 0))
    throw InvalidArgument("singular values: matrices must have at least one row and one column");
  const long long count = static_cast<long long>(batch.batch) * batch.rows * batch.cols;
  if (count > 0 && !batch.f32 && !batch.f64) throw InvalidArgument("singular values: no data");
  if (batch.f32 && batch.f64) throw InvalidArgument("singular values: give float32 or float64 data, not both");
  for (long long i = 0; i < count; ++i) {
    if (!std::isfinite(batch.value(i))) {
      const long long perMatrix = static_cast<long long>(batch.rows) * batch.cols;
      const long long within = i % perMatrix;
      throw InvalidArgument("singular values: matrix " + std::to_string(i / perMatrix) +
                            " has a NaN or infinite entry at (" + std::to_string(within / batch.cols) + ", " +
                            std::to_string(within % batch.cols) + ")");
    }
  }
}

void rankFromSpectra(BatchedSpectra& spectra, std::optional<double> tolerance) {
  const int length = spectra.spectrumLength();
  spectra.ranks.assign(static_cast<std::size_t>(spectra.batch), 0);
  spectra.tolerances.assign(static_cast<std::size_t>(spectra.batch), 0.0);
  for (int b = 0; b < spectra.batch; ++b) {
    const double* sigma = spectra.spectrum(b);
    const double sigmaMax = length > 0 ? sigma[0] : 0.0;
    const double tol = tolerance.value_or(spectra.type == ScalarType::Float32
                                              ? defaultRankTolerance<float>(sigmaMax, spectra.rows, spectra.cols)
                                              : defaultRankTolerance<double>(sigmaMax, spectra.rows, spectra.cols));
    int rank = 0;
    for (int i = 0; i < length; ++i) rank += sigma[i] > tol;
    spectra.ranks[static_cast<std::size_t>(b)] = rank;
    spectra.tolerances[static_cast<std::size_t>(b)] = tol;
  }
}

namespace {

template <class Scalar>
void spectraOf(const MatrixBatchView& batch, BatchedSpectra& out) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Scalar* data = nullptr;
  if constexpr (std::is_same_v<Scalar, float>)
    data = batch.f32;
  else
    data = batch.f64;
  const long long stride = static_cast<long long>(batch.rows) * batch.cols;
  const int length = batch.spectrumLength();
  parallelFor(static_cast<std::size_t>(batch.batch), [&](std::size_t begin, std::size_t end) {
    for (std::size_t b = begin; b < end; ++b) {
      const Eigen::Map<const Matrix> matrix(data + stride * static_cast<long long>(b), batch.rows, batch.cols);
      // Jacobi, not BDCSVD: Debian's Eigen 3.4.0 BDCSVD segfaults on some low-rank inputs.
      const auto sigma = Eigen::JacobiSVD<Matrix>(matrix).singularValues();
      double* target = out.singularValues.data() + static_cast<long long>(b) * length;
      for (int i = 0; i < length; ++i) target[i] = static_cast<double>(sigma(i));
    }
  });
}

}  // namespace

BatchedSpectra cpuBatchedSpectra(const MatrixBatchView& batch, std::optional<double> tolerance) {
  const auto start = std::chrono::steady_clock::now();
  validateBatch(batch);
  if (tolerance && !(*tolerance >= 0.0)) throw InvalidArgument("singular values: the tolerance must be >= 0");
  BatchedSpectra out;
  out.batch = batch.batch;
  out.rows = batch.rows;
  out.cols = batch.cols;
  out.type = batch.type();
  out.backend = "CPU · Eigen · " + std::to_string(cpuWorkerCount()) + " threads";
  out.method = "Eigen JacobiSVD";
  out.singularValues.assign(static_cast<std::size_t>(batch.batch) * static_cast<std::size_t>(batch.spectrumLength()),
                            0.0);
  if (batch.type() == ScalarType::Float32)
    spectraOf<float>(batch, out);
  else
    spectraOf<double>(batch, out);
  rankFromSpectra(out, tolerance);
  out.endToEndSeconds = out.kernelSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace rankflow::lowrank
