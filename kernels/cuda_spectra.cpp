#include "kernels/cuda_spectra.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "core/common/error.h"
#include "kernels/spectra_kernels.h"

namespace rankflow::kernels {
namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool outOfMemory(const CudaError& e) {
  return std::strstr(e.what(), "cudaErrorMemoryAllocation") != nullptr;
}

}  // namespace

void CudaSpectra::releaseAll() {
  for (DeviceBuffer<float>* b : {&input32_, &svdU_, &svdSigma_, &svdV_}) b->release();
  for (DeviceBuffer<double>* b : {&input64_, &sigma_, &tolerances_, &times_, &grid_}) b->release();
  ranks_.release();
  entryStart_.release();
  terms_.release();
  ledger_.forgetAll();
  cudaGetLastError();  // clear the allocation error so later calls can try again
}

namespace {

// Row-major rows×cols matrices of ranks 0, `rank` and min(rows, cols) (σ_i = 1 + i): diagonal,
// then plane rotations of neighbouring rows and columns in a few passes, so the columns are
// far from orthogonal and the device must rotate.
std::vector<double> selfCheckBatch(int rows, int cols, int rank) {
  std::vector<double> data(static_cast<std::size_t>(3 * rows * cols), 0.0);
  const int ranks[3] = {0, rank, rows < cols ? rows : cols};
  for (int b = 0; b < 3; ++b) {
    double* m = data.data() + static_cast<std::ptrdiff_t>(b) * rows * cols;
    for (int i = 0; i < ranks[b]; ++i) m[i * cols + i] = 1.0 + i;
    const auto rotate = [](double& x, double& y) {
      const double u = x, v = y;
      x = 0.6 * u - 0.8 * v;
      y = 0.8 * u + 0.6 * v;
    };
    for (int pass = 0; pass < 4; ++pass) {
      for (int j = pass % 2; j + 1 < cols; j += 2)
        for (int i = 0; i < rows; ++i) rotate(m[i * cols + j], m[i * cols + j + 1]);
      for (int i = pass % 2; i + 1 < rows; i += 2)
        for (int j = 0; j < cols; ++j) rotate(m[i * cols + j], m[(i + 1) * cols + j]);
    }
  }
  return data;
}

}  // namespace

bool CudaSpectra::deviceAgrees(std::string* why) {
  if (selfCheck_ == SelfCheck::NotRun) {
    // Both kernels (one warp per matrix up to 64 columns, one block above) in both precisions.
    struct Shape {
      int rows, cols, rank;
    };
    try {
      for (const Shape shape : {Shape{24, 17, 5}, Shape{70, 66, 30}}) {
        const std::vector<double> data = selfCheckBatch(shape.rows, shape.cols, shape.rank);
        const std::vector<float> data32(data.begin(), data.end());
        lowrank::MatrixBatchView view;
        view.batch = 3, view.rows = shape.rows, view.cols = shape.cols;
        for (const bool f64 : {true, false}) {
          view.f64 = f64 ? data.data() : nullptr;
          view.f32 = f64 ? nullptr : data32.data();
          const lowrank::BatchedSpectra device = deviceSpectra(view, std::nullopt);
          const lowrank::BatchedSpectra cpu = lowrank::cpuBatchedSpectra(view, std::nullopt);
          double worst = 0.0;
          for (std::size_t i = 0; i < cpu.singularValues.size(); ++i)
            worst = std::max(worst, std::abs(device.singularValues[i] - cpu.singularValues[i]));
          if (device.ranks != cpu.ranks || worst > (f64 ? 1e-10 : 1e-3) * shape.cols)
            throw CudaError(std::string("the device's ") + (f64 ? "float64" : "float32") + " singular values of " +
                            std::to_string(shape.rows) + "x" + std::to_string(shape.cols) +
                            " matrices disagree with the CPU's (largest difference " + std::to_string(worst) + ")");
        }
      }
      // The vectors kernel, tall and wide: its factors must rebuild the matrix.
      for (const Shape shape : {Shape{24, 17, 5}, Shape{17, 24, 5}}) {
        const std::vector<double> data = selfCheckBatch(shape.rows, shape.cols, shape.rank);
        std::vector<Eigen::MatrixXf> matrices;
        for (int b = 0; b < 3; ++b)
          matrices.push_back(
              Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                  data.data() + static_cast<std::ptrdiff_t>(b) * shape.rows * shape.cols, shape.rows, shape.cols)
                  .cast<float>());
        const lowrank::SvdBatch device = deviceDecompositions(matrices);
        for (std::size_t b = 0; b < matrices.size(); ++b) {
          const lowrank::SvdFactors& f = device.factors[b];
          const double error = (f.u * f.sigma.asDiagonal() * f.v.transpose() - matrices[b]).norm();
          // The planted values are 1..rank: their vectors must be orthonormal, in descending order.
          const Eigen::Index planted = b == 0 ? 0 : b == 1 ? shape.rank : std::min(shape.rows, shape.cols);
          const Eigen::MatrixXf identity = Eigen::MatrixXf::Identity(planted, planted);
          const double drift = std::max((f.u.leftCols(planted).transpose() * f.u.leftCols(planted) - identity).norm(),
                                        (f.v.leftCols(planted).transpose() * f.v.leftCols(planted) - identity).norm());
          bool descending = true;
          for (Eigen::Index i = 1; i < f.sigma.size(); ++i) descending = descending && f.sigma(i) <= f.sigma(i - 1);
          if (!(error <= 1e-4 * (1.0 + matrices[b].norm())) || !(drift <= 1e-3) || !descending)
            throw CudaError("the device's SVD factors of a " + std::to_string(shape.rows) + "x" +
                            std::to_string(shape.cols) + " matrix are wrong (rebuild error " + std::to_string(error) +
                            ", orthonormality " + std::to_string(drift) +
                            (descending ? "" : ", singular values not descending") + ")");
        }
      }
      selfCheck_ = SelfCheck::Passed;
    } catch (const CudaError& e) {
      if (outOfMemory(e)) {  // not the device's fault: try again next time
        releaseAll();
        *why = std::string("the device ran out of memory (") + e.what() + "); computed on the CPU";
        return false;
      }
      selfCheck_ = SelfCheck::Failed;
      selfCheckFailure_ = std::string("the device failed its start-up check (") + e.what() + ")";
    } catch (const InvalidArgument& e) {
      selfCheck_ = SelfCheck::Failed;
      selfCheckFailure_ = std::string("the device failed its start-up check (") + e.what() + ")";
    }
  }
  if (selfCheck_ == SelfCheck::Failed) *why = selfCheckFailure_ + "; computed on the CPU";
  return selfCheck_ == SelfCheck::Passed;
}

lowrank::BatchedSpectra CudaSpectra::spectra(const lowrank::MatrixBatchView& batch, std::optional<double> tolerance) {
  lowrank::validateBatch(batch);
  if (tolerance && !(*tolerance >= 0.0)) throw InvalidArgument("singular values: the tolerance must be >= 0");
  const auto onCpu = [&](std::string note) {
    lowrank::BatchedSpectra out = lowrank::cpuBatchedSpectra(batch, tolerance);
    out.note = std::move(note);
    return out;
  };
  std::string why;
  if (!deviceAgrees(&why)) return onCpu(why);
  const bool f64 = batch.type() == lowrank::ScalarType::Float64;
  if (batch.batch > 0 && !jacobiFitsInShared(batch.rows, batch.cols, f64))
    return onCpu(std::to_string(batch.rows) + "x" + std::to_string(batch.cols) + " " +
                 lowrank::scalarTypeName(batch.type()) + " matrices exceed one thread block's shared memory on " +
                 backend_ + "; computed on the CPU");
  try {
    return deviceSpectra(batch, tolerance);
  } catch (const CudaError& e) {
    if (!outOfMemory(e)) throw;
    releaseAll();
    return onCpu(std::string("the device ran out of memory (") + e.what() + "); computed on the CPU");
  }
}

lowrank::BatchedSpectra CudaSpectra::deviceSpectra(const lowrank::MatrixBatchView& batch,
                                                   std::optional<double> tolerance) {
  const auto start = std::chrono::steady_clock::now();
  lowrank::BatchedSpectra out;
  out.batch = batch.batch;
  out.rows = batch.rows;
  out.cols = batch.cols;
  out.type = batch.type();
  out.backend = backend_;
  out.method =
      std::string("one-sided Jacobi, one block per matrix in shared memory, ") + lowrank::scalarTypeName(batch.type());
  const std::size_t length = static_cast<std::size_t>(batch.spectrumLength());
  const std::size_t count = static_cast<std::size_t>(batch.batch);
  out.singularValues.assign(count * length, 0.0);
  out.ranks.assign(count, 0);
  out.tolerances.assign(count, 0.0);
  if (count == 0) {
    out.endToEndSeconds = secondsSince(start);
    return out;
  }
  const std::size_t entries = count * static_cast<std::size_t>(batch.rows) * static_cast<std::size_t>(batch.cols);
  const std::size_t uploadedBefore = ledger_.bytesUploaded(), downloadedBefore = ledger_.bytesDownloaded();
  sigma_.resize(count * length);
  ranks_.resize(count);
  tolerances_.resize(count);
  const double tol = tolerance.value_or(-1.0);
  EventTimer timer;
  // A batch is new data each call (fingerprinting megabytes would cost more than the copy).
  const auto uploadAndLaunch = [&](auto& buffer, const auto* host) {
    buffer.resize(entries);
    buffer.upload(host, entries);
    ledger_.countUpload(entries * sizeof(*host));
    timer.start();
    launchBatchedJacobi(buffer.get(), batch.batch, batch.rows, batch.cols, tol, sigma_.get(), ranks_.get(),
                        tolerances_.get(), nullptr);
  };
  if (batch.f64)
    uploadAndLaunch(input64_, batch.f64);
  else
    uploadAndLaunch(input32_, batch.f32);
  timer.stop();
  out.kernelSeconds = timer.seconds();
  sigma_.download(out.singularValues.data(), out.singularValues.size());
  ranks_.download(out.ranks.data(), count);
  tolerances_.download(out.tolerances.data(), count);
  ledger_.countDownload(out.singularValues.size() * sizeof(double) + count * (sizeof(int) + sizeof(double)));
  for (std::size_t b = 0; b < count; ++b)
    if (out.ranks[b] < 0)
      throw InvalidArgument("singular values: matrix " + std::to_string(b) +
                            " has singular values beyond double's range");
  out.bytesUploaded = ledger_.bytesUploaded() - uploadedBefore;
  out.bytesDownloaded = ledger_.bytesDownloaded() - downloadedBefore;
  out.endToEndSeconds = secondsSince(start);
  return out;
}

matfun::RankGrid CudaSpectra::rankGrid(const matfun::DerivativeTermTable& table, const std::vector<double>& times,
                                       std::optional<double> tolerance, bool keepSpectra) {
  matfun::validateRankGridRequest(table, times, tolerance);
  const auto onCpu = [&](std::string note) {
    matfun::RankGrid out = matfun::cpuRankGrid(table, times, tolerance, keepSpectra);
    out.note = std::move(note);
    return out;
  };
  std::string why;
  if (!deviceAgrees(&why)) return onCpu(why);
  if (!jacobiFitsInShared(table.rows, table.cols, true))
    return onCpu(std::to_string(table.rows) + "x" + std::to_string(table.cols) +
                 " float64 matrices exceed one thread block's shared memory on " + backend_ + "; computed on the CPU");
  try {
    return deviceRankGrid(table, times, tolerance, keepSpectra);
  } catch (const CudaError& e) {
    if (!outOfMemory(e)) throw;
    releaseAll();
    return onCpu(std::string("the device ran out of memory (") + e.what() + "); computed on the CPU");
  }
}

matfun::RankGrid CudaSpectra::deviceRankGrid(const matfun::DerivativeTermTable& table, const std::vector<double>& times,
                                             std::optional<double> tolerance, bool keepSpectra) {
  const auto start = std::chrono::steady_clock::now();
  matfun::RankGrid out;
  out.rows = table.rows;
  out.cols = table.cols;
  out.maxOrder = table.maxOrder;
  out.times = times;
  out.backend = backend_;
  out.method = "terms evaluated on the device, one-sided Jacobi per matrix in shared memory, float64";
  const std::size_t uploadedBefore = ledger_.bytesUploaded(), downloadedBefore = ledger_.bytesDownloaded();
  const std::size_t count = times.size() * static_cast<std::size_t>(table.orders());
  const std::size_t length = static_cast<std::size_t>(out.spectrumLength());
  const std::size_t entries = count * static_cast<std::size_t>(table.entriesPerOrder());

  // The term table and the times: uploaded when they differ from what the device holds.
  if (terms_.resize(table.terms.size() + 1)) ledger_.forget("grid terms");
  if (entryStart_.resize(table.entryStart.size())) ledger_.forget("grid entry starts");
  if (times_.resize(times.size())) ledger_.forget("grid times");
  if (!table.terms.empty() &&
      ledger_.needsUpload("grid terms", table.terms.data(), table.terms.size() * sizeof(matfun::FlatTerm)))
    terms_.upload(table.terms.data(), table.terms.size());
  if (ledger_.needsUpload("grid entry starts", table.entryStart.data(), table.entryStart.size() * sizeof(int)))
    entryStart_.upload(table.entryStart.data(), table.entryStart.size());
  if (ledger_.needsUpload("grid times", times.data(), times.size() * sizeof(double)))
    times_.upload(times.data(), times.size());
  grid_.resize(entries);
  ranks_.resize(count);
  tolerances_.resize(count);
  if (keepSpectra) sigma_.resize(count * length);

  // One submission on one stream: evaluate every matrix, then every SVD.
  EventTimer timer;
  timer.start();
  launchEvaluateDerivativeGrid(terms_.get(), entryStart_.get(), table.entriesPerOrder(), table.orders(), times_.get(),
                               static_cast<int>(times.size()), grid_.get(), nullptr);
  launchBatchedJacobi(grid_.get(), static_cast<int>(count), table.rows, table.cols, tolerance.value_or(-1.0),
                      keepSpectra ? sigma_.get() : nullptr, ranks_.get(), tolerances_.get(), nullptr);
  timer.stop();
  out.kernelSeconds = timer.seconds();
  out.ranks.assign(count, 0);
  out.tolerances.assign(count, 0.0);
  ranks_.download(out.ranks.data(), count);
  tolerances_.download(out.tolerances.data(), count);
  for (std::size_t cell = 0; cell < count; ++cell)
    if (out.ranks[cell] < 0) {
      const int order = static_cast<int>(cell % static_cast<std::size_t>(table.orders()));
      throw InvalidArgument("rank grid: B^(" + std::to_string(order) + ")(" +
                            std::to_string(times[cell / static_cast<std::size_t>(table.orders())]) +
                            ") has a NaN or infinite entry");
    }
  std::size_t downloaded = count * (sizeof(int) + sizeof(double));
  if (keepSpectra) {
    out.singularValues.assign(count * length, 0.0);
    sigma_.download(out.singularValues.data(), out.singularValues.size());
    downloaded += out.singularValues.size() * sizeof(double);
  }
  ledger_.countDownload(downloaded);
  out.bytesUploaded = ledger_.bytesUploaded() - uploadedBefore;
  out.bytesDownloaded = ledger_.bytesDownloaded() - downloadedBefore;
  out.endToEndSeconds = secondsSince(start);
  return out;
}

lowrank::SvdBatch CudaSpectra::decompositions(const std::vector<Eigen::MatrixXf>& matrices) {
  lowrank::validateSvdBatch(matrices);
  const auto onCpu = [&](std::string note) {
    lowrank::SvdBatch out = lowrank::cpuSvdBatch(matrices);
    out.note = std::move(note);
    return out;
  };
  if (matrices.empty()) return onCpu("");
  std::string why;
  if (!deviceAgrees(&why)) return onCpu(why);
  const int rows = static_cast<int>(matrices.front().rows()), cols = static_cast<int>(matrices.front().cols());
  if (!svdFitsOneWarp(rows, cols))
    return onCpu(std::to_string(rows) + "x" + std::to_string(cols) +
                 " SVDs are beyond the device's one-warp kernel (min(m, n) <= 64); computed on the CPU");
  try {
    return deviceDecompositions(matrices);
  } catch (const CudaError& e) {
    if (!outOfMemory(e)) throw;
    releaseAll();
    return onCpu(std::string("the device ran out of memory (") + e.what() + "); computed on the CPU");
  }
}

lowrank::SvdBatch CudaSpectra::deviceDecompositions(const std::vector<Eigen::MatrixXf>& matrices) {
  const int rows = static_cast<int>(matrices.front().rows()), cols = static_cast<int>(matrices.front().cols());
  const int narrow = std::min(rows, cols);
  const std::size_t count = matrices.size();
  const std::size_t entries = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  // Row-major (B, rows, cols), as the kernels read a NumPy batch.
  std::vector<float> packed(count * entries);
  for (std::size_t b = 0; b < count; ++b)
    Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(packed.data() + b * entries, rows,
                                                                                      cols) = matrices[b];
  input32_.resize(packed.size());
  input32_.upload(packed.data(), packed.size());
  ledger_.countUpload(packed.size() * sizeof(float));
  const std::size_t uSize = static_cast<std::size_t>(rows) * narrow, vSize = static_cast<std::size_t>(cols) * narrow;
  svdU_.resize(count * uSize);
  svdSigma_.resize(count * static_cast<std::size_t>(narrow));
  svdV_.resize(count * vSize);
  EventTimer timer;
  timer.start();
  launchBatchedSvd(input32_.get(), static_cast<int>(count), rows, cols, svdU_.get(), svdSigma_.get(), svdV_.get(),
                   nullptr);
  timer.stop();
  lowrank::SvdBatch out;
  out.backend = backend_;
  out.kernelSeconds = timer.seconds();
  // Three copies back, whatever the batch: each matrix's vectors are column-major already.
  std::vector<float> u(count * uSize), sigma(count * static_cast<std::size_t>(narrow)), v(count * vSize);
  svdU_.download(u.data(), u.size());
  svdSigma_.download(sigma.data(), sigma.size());
  svdV_.download(v.data(), v.size());
  out.factors.resize(count);
  for (std::size_t b = 0; b < count; ++b) {
    lowrank::SvdFactors& f = out.factors[b];
    f.u = Eigen::Map<const Eigen::MatrixXf>(u.data() + b * uSize, rows, narrow);
    f.sigma = Eigen::Map<const Eigen::VectorXf>(sigma.data() + b * static_cast<std::size_t>(narrow), narrow);
    f.v = Eigen::Map<const Eigen::MatrixXf>(v.data() + b * vSize, cols, narrow);
  }
  ledger_.countDownload(count * (uSize + vSize + static_cast<std::size_t>(narrow)) * sizeof(float));
  return out;
}

}  // namespace rankflow::kernels
