// Host side of the CUDA low-rank backend. Matrices travel column-major, as Eigen keeps
// them, so uploads are plain copies; batched spectra and rank grids are kernels/cuda_spectra.cpp.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "kernels/cublas_check.h"
#include "kernels/cublas_library.h"
#include "kernels/cuda_backend.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_lowrank.h"
#include "kernels/cuda_spectra.h"
#include "kernels/device_buffer.h"
#include "kernels/lowrank_kernels.h"

namespace rankflow::kernels {
namespace {

struct Handles {
  cublasHandle_t blas = nullptr;
  Handles() { CUBLAS_CHECK(cublas().create(&blas)); }
  ~Handles() { cublas().destroy(blas); }
  Handles(const Handles&) = delete;
  Handles& operator=(const Handles&) = delete;
};

// C (m×n) = A (m×k) · B (k×n), all column-major; beta 0 or 1 (accumulate).
void gemm(cublasHandle_t blas, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc,
          float beta = 0.0f, cublasOperation_t opA = CUBLAS_OP_N) {
  const float alpha = 1.0f;
  CUBLAS_CHECK(cublas().sgemm(blas, opA, CUBLAS_OP_N, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc));
}

class CudaPreparedTree final : public lowrank::PreparedRangeTree {
 public:
  CudaPreparedTree(Handles& handles, const lowrank::LowRankRangeTree& tree) : handles_(handles) {
    p_ = tree.rows(), q_ = tree.cols(), r_ = tree.rank(), m_ = tree.count(), leaves_ = tree.leafCount();
    const std::size_t nodeSize = static_cast<std::size_t>(p_) * q_;
    const int nodeCount = 2 * tree.leafCount();
    nodes_.resize(nodeSize * static_cast<std::size_t>(nodeCount));
    for (int id = 1; id < nodeCount; ++id)
      nodes_.upload(tree.node(id).data(), nodeSize, nodeSize * static_cast<std::size_t>(id));
    left_.resize(static_cast<std::size_t>(p_) * r_ * m_);
    right_.resize(static_cast<std::size_t>(q_) * r_ * m_);
    for (int i = 0; i < m_; ++i) {
      left_.upload(tree.leftFactor(i).data(), static_cast<std::size_t>(p_) * r_, static_cast<std::size_t>(p_) * r_ * i);
      right_.upload(tree.rightFactor(i).data(), static_cast<std::size_t>(q_) * r_,
                    static_cast<std::size_t>(q_) * r_ * i);
    }
  }

  Eigen::MatrixXf query(int l, int h, const Eigen::MatrixXf& x, lowrank::Strategy strategy) override {
    setInput(x);
    run(l, h, strategy);
    Eigen::MatrixXf y(p_, n_);
    yDevice_.download(y.data(), static_cast<std::size_t>(p_) * n_);
    return y;
  }

  void setInput(const Eigen::MatrixXf& x) override {
    if (x.rows() != q_ || x.cols() == 0 || !x.allFinite())
      throw InvalidArgument("CUDA range query: need a finite X with " + std::to_string(q_) + " rows");
    n_ = static_cast<int>(x.cols());
    xDevice_.resize(static_cast<std::size_t>(q_) * n_);
    xDevice_.upload(x.data(), static_cast<std::size_t>(q_) * n_);
    yDevice_.resize(static_cast<std::size_t>(p_) * n_);
  }

  double timeQuery(int l, int h, lowrank::Strategy strategy) override {
    if (n_ == 0) throw InvalidArgument("CUDA range query: no input (setInput first)");
    // Untimed first: it grows the scratch buffers and uploads the node pointers, so the timed
    // run is the device work alone.
    run(l, h, strategy);
    timer_.start();
    run(l, h, strategy);
    timer_.stop();
    return timer_.seconds();
  }

 private:
  // The query on the resident X into the resident Y, queued on the default stream.
  void run(int l, int h, lowrank::Strategy strategy) {
    if (l < 0 || h >= m_ || l > h) throw InvalidArgument("CUDA range query: need 0 <= l <= r < " + std::to_string(m_));
    // The canonical nodes of [l, h], computed here: the prepared copy owns everything it
    // needs and may outlive the tree it was made from.
    std::vector<int> canonical;
    for (int lo = l + leaves_, hi = h + leaves_ + 1; lo < hi; lo /= 2, hi /= 2) {
      if (lo & 1) canonical.push_back(lo++);
      if (hi & 1) canonical.push_back(--hi);
    }
    const int n = n_;
    const std::size_t nodeSize = static_cast<std::size_t>(p_) * q_;
    switch (strategy) {
      case lowrank::Strategy::Tree:
        for (std::size_t i = 0; i < canonical.size(); ++i)
          gemm(handles_.blas, p_, n, q_, nodes_.get() + nodeSize * static_cast<std::size_t>(canonical[i]), p_,
               xDevice_.get(), q_, yDevice_.get(), p_, i == 0 ? 0.0f : 1.0f);
        break;
      case lowrank::Strategy::OnTheFly: {
        // The factors of consecutive pairs are adjacent in memory: [R_l … R_h] is one
        // q × (L·r) matrix and [L_l … L_h] one p × (L·r) matrix — two GEMMs in all.
        const int width = (h - l + 1) * r_;
        projected_.resize(static_cast<std::size_t>(width) * n);
        gemm(handles_.blas, width, n, q_, right_.get() + static_cast<std::size_t>(q_) * r_ * l, q_, xDevice_.get(), q_,
             projected_.get(), width, 0.0f, CUBLAS_OP_T);
        gemm(handles_.blas, p_, n, width, left_.get() + static_cast<std::size_t>(p_) * r_ * l, p_, projected_.get(),
             width, yDevice_.get(), p_);
        break;
      }
      case lowrank::Strategy::SumThenMultiply:
      case lowrank::Strategy::PrefixSums: {  // no prefix sums on the device: node sum then one GEMM
        std::vector<const float*> pointers;
        for (int id : canonical) pointers.push_back(nodes_.get() + nodeSize * static_cast<std::size_t>(id));
        if (pointers != uploadedPointers_) {  // the same interval needs no upload
          pointerDevice_.resize(pointers.size());
          pointerDevice_.upload(pointers.data(), pointers.size());
          uploadedPointers_ = pointers;
        }
        sum_.resize(nodeSize);
        launchSumMatrices(pointerDevice_.get(), static_cast<int>(pointers.size()), static_cast<long long>(nodeSize),
                          sum_.get());
        gemm(handles_.blas, p_, n, q_, sum_.get(), p_, xDevice_.get(), q_, yDevice_.get(), p_);
        break;
      }
    }
  }

  Handles& handles_;
  EventTimer timer_;
  std::vector<const float*> uploadedPointers_;  // what pointerDevice_ holds
  int p_ = 0, q_ = 0, r_ = 0, m_ = 0, leaves_ = 1, n_ = 0;
  DeviceBuffer<float> nodes_, left_, right_, xDevice_, yDevice_, projected_, sum_;
  DeviceBuffer<const float*> pointerDevice_;
};

// The model's stacked factors [W; V_1ᵀ; …; V_Kᵀ], [U_1 … U_K] and the rank offsets are
// uploaded once, X once per setInput; the K + 1 outputs stay on the device.
class CudaPreparedCascade final : public lowrank::PreparedCascade {
 public:
  CudaPreparedCascade(Handles& handles, const lowrank::CascadeModel& model) : handles_(handles) {
    model.validate();
    d_ = model.dim(), orders_ = model.orders(), rank_ = model.totalRank();
    Eigen::MatrixXf stacked(d_ + rank_, d_), uAll(d_, std::max(rank_, 1));
    uAll.setZero();
    stacked.topRows(d_) = model.w;
    std::vector<int> offsets = {0};
    for (int j = 0; j < orders_; ++j) {
      const auto& v = model.v[static_cast<std::size_t>(j)];
      const auto& u = model.u[static_cast<std::size_t>(j)];
      stacked.middleRows(d_ + offsets.back(), v.cols()) = v.transpose();
      uAll.middleCols(offsets.back(), u.cols()) = u;
      offsets.push_back(offsets.back() + static_cast<int>(u.cols()));
    }
    stacked_.resize(static_cast<std::size_t>(stacked.size()));
    stacked_.upload(stacked.data(), static_cast<std::size_t>(stacked.size()));
    u_.resize(static_cast<std::size_t>(uAll.size()));
    u_.upload(uAll.data(), static_cast<std::size_t>(uAll.size()));
    offsets_.resize(offsets.size());
    offsets_.upload(offsets.data(), offsets.size());
    uploaded_ += (static_cast<std::size_t>(stacked.size()) + static_cast<std::size_t>(uAll.size())) * sizeof(float) +
                 offsets.size() * sizeof(int);
  }

  void setInput(const Eigen::MatrixXf& x) override {
    if (x.rows() != d_ || x.cols() == 0 || !x.allFinite())
      throw InvalidArgument("cascade: X must be d×n with n >= 1 and finite");
    n_ = static_cast<int>(x.cols());
    x_.resize(static_cast<std::size_t>(x.size()));
    x_.upload(x.data(), static_cast<std::size_t>(x.size()));
    uploaded_ += static_cast<std::size_t>(x.size()) * sizeof(float);
    z_.resize(static_cast<std::size_t>(d_ + rank_) * n_);
    y_.resize(static_cast<std::size_t>(d_) * n_ * static_cast<std::size_t>(orders_ + 1));
    evaluated_ = false;
  }

  lowrank::CascadeTiming evaluate(lowrank::Activation act) override {
    if (n_ == 0) throw InvalidArgument("cascade: no input (setInput first)");
    const auto start = std::chrono::steady_clock::now();
    gemmTimer_.start();
    gemm(handles_.blas, d_ + rank_, n_, d_, stacked_.get(), d_ + rank_, x_.get(), d_, z_.get(), d_ + rank_);
    gemmTimer_.stop();
    epilogueTimer_.start();
    launchCascadeEpilogue(z_.get(), u_.get(), offsets_.get(), orders_, d_, n_, rank_, static_cast<int>(act), y_.get());
    epilogueTimer_.stop();
    lowrank::CascadeTiming timing;
    timing.gemmSeconds = gemmTimer_.seconds();
    timing.epilogueSeconds = epilogueTimer_.seconds();
    timing.kernelSeconds = timing.gemmSeconds + timing.epilogueSeconds;
    timing.endToEndSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    evaluated_ = true;
    return timing;
  }

  Eigen::MatrixXf output(int order) const override {
    if (!evaluated_ || order < 0 || order > orders_)
      throw InvalidArgument("cascade: no output of order " + std::to_string(order) + " (evaluate first)");
    Eigen::MatrixXf y(d_, n_);
    const std::size_t plane = static_cast<std::size_t>(d_) * n_;
    y_.download(y.data(), plane, plane * static_cast<std::size_t>(order));
    downloaded_ += plane * sizeof(float);
    return y;
  }

  std::size_t bytesUploaded() const override { return uploaded_; }
  std::size_t bytesDownloaded() const override { return downloaded_; }

 private:
  Handles& handles_;
  int d_ = 0, orders_ = 0, rank_ = 0, n_ = 0;
  bool evaluated_ = false;
  DeviceBuffer<float> stacked_, u_, x_, z_, y_;
  DeviceBuffer<int> offsets_;
  EventTimer gemmTimer_, epilogueTimer_;
  std::size_t uploaded_ = 0;
  mutable std::size_t downloaded_ = 0;
};

class CudaLowRankBackend final : public lowrank::LowRankBackend {
 public:
  explicit CudaLowRankBackend(std::string device) : device_(std::move(device)), spectra_("CUDA · " + device_) {}

  std::string description() const override { return "CUDA · " + device_; }

  // The copying path: the factors and X go up and every output comes back on each call.
  void evaluateCascade(const lowrank::CascadeModel& model, const Eigen::MatrixXf& x, lowrank::Activation act,
                       std::vector<Eigen::MatrixXf>& y) override {
    CudaPreparedCascade prepared(handles_, model);
    prepared.setInput(x);
    prepared.evaluate(act);
    y.resize(static_cast<std::size_t>(model.orders() + 1));
    for (int k = 0; k <= model.orders(); ++k) y[static_cast<std::size_t>(k)] = prepared.output(k);
  }

  std::unique_ptr<lowrank::PreparedRangeTree> prepare(const lowrank::LowRankRangeTree& tree) override {
    return std::make_unique<CudaPreparedTree>(handles_, tree);
  }

  std::vector<Eigen::VectorXf> singularValuesBatched(const std::vector<Eigen::MatrixXf>& matrices) override {
    if (matrices.empty()) return {};
    const int rows = static_cast<int>(matrices[0].rows()), cols = static_cast<int>(matrices[0].cols());
    // Row-major (B, rows, cols), as the batched kernel reads a NumPy batch.
    std::vector<float> packed(matrices.size() * static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
    for (std::size_t i = 0; i < matrices.size(); ++i) {
      const auto& m = matrices[i];
      if (m.rows() != rows || m.cols() != cols)
        throw InvalidArgument("batched singular values: all matrices must have one shape");
      Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          packed.data() + i * static_cast<std::size_t>(rows) * cols, rows, cols) = m;
    }
    lowrank::MatrixBatchView view;
    view.f32 = packed.data();
    view.batch = static_cast<int>(matrices.size());
    view.rows = rows;
    view.cols = cols;
    const lowrank::BatchedSpectra result = spectra_.spectra(view, std::nullopt);
    std::vector<Eigen::VectorXf> out(matrices.size(), Eigen::VectorXf(result.spectrumLength()));
    for (int b = 0; b < result.batch; ++b)
      for (int i = 0; i < result.spectrumLength(); ++i)
        out[static_cast<std::size_t>(b)](i) = static_cast<float>(result.spectrum(b)[i]);
    return out;
  }

  lowrank::SvdBatch decompositions(const std::vector<Eigen::MatrixXf>& matrices) override {
    return spectra_.decompositions(matrices);
  }

  std::unique_ptr<lowrank::PreparedCascade> prepareCascade(const lowrank::CascadeModel& model) override {
    return std::make_unique<CudaPreparedCascade>(handles_, model);
  }

  lowrank::BatchedSpectra spectra(const lowrank::MatrixBatchView& batch, std::optional<double> tolerance) override {
    return spectra_.spectra(batch, tolerance);
  }

  matfun::RankGrid rankGrid(const matfun::DerivativeTermTable& table, const std::vector<double>& times,
                            std::optional<double> tolerance, bool keepSpectra) override {
    return spectra_.rankGrid(table, times, tolerance, keepSpectra);
  }

 private:
  std::string device_;
  Handles handles_;
  CudaSpectra spectra_;
};

}  // namespace

std::unique_ptr<lowrank::LowRankBackend> makeCudaLowRankBackend() {
  const CudaProbe probe = probeCuda();
  if (!probe.available) return nullptr;
  return std::make_unique<CudaLowRankBackend>(probe.device);
}

double measureCudaCopyRate(std::size_t bytes, int repeats) {
  if (!probeCuda().available || bytes == 0) return 0.0;
  DeviceBuffer<unsigned char> from(bytes), to(bytes);
  CUDA_CHECK(cudaMemset(from.get(), 1, bytes));
  std::vector<double> seconds;
  EventTimer timer;
  for (int i = 0; i <= std::max(repeats, 1); ++i) {
    timer.start();
    CUDA_CHECK(cudaMemcpy(to.get(), from.get(), bytes, cudaMemcpyDeviceToDevice));
    timer.stop();
    if (i > 0)
      seconds.push_back(timer.seconds());  // the first is the warm-up
    else
      timer.seconds();
  }
  std::sort(seconds.begin(), seconds.end());
  return 2.0 * static_cast<double>(bytes) / seconds[seconds.size() / 2];
}

}  // namespace rankflow::kernels
