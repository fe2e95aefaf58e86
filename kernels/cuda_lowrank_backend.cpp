// Host side of the CUDA low-rank backend. Matrices travel column-major, as Eigen keeps
// them, so uploads are plain copies.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cusolverDn.h>

#include <algorithm>
#include <string>

#include "core/common/error.h"
#include "kernels/cublas_check.h"
#include "kernels/cuda_backend.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_lowrank.h"
#include "kernels/lowrank_kernels.h"

#define CUSOLVER_CHECK(expr)                                                                                       \
  do {                                                                                                             \
    const cusolverStatus_t rf_status_ = (expr);                                                                    \
    if (rf_status_ != CUSOLVER_STATUS_SUCCESS)                                                                     \
      throw ::rankflow::kernels::CudaError(std::string(__FILE__) + ":" + std::to_string(__LINE__) + ": " + #expr + \
                                           " failed: cuSOLVER status " + std::to_string(rf_status_));              \
  } while (0)

namespace rankflow::kernels {
namespace {

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t count) { resize(count); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() {
    if (ptr_) cudaFree(ptr_);
  }
  void resize(std::size_t count) {
    if (count <= count_) return;
    if (ptr_) cudaFree(ptr_);
    ptr_ = nullptr;
    CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&ptr_), count * sizeof(T)));
    count_ = count;
  }
  void upload(const T* host, std::size_t count, std::size_t offset = 0) {
    CUDA_CHECK(cudaMemcpy(ptr_ + offset, host, count * sizeof(T), cudaMemcpyHostToDevice));
  }
  void download(T* host, std::size_t count, std::size_t offset = 0) const {
    CUDA_CHECK(cudaMemcpy(host, ptr_ + offset, count * sizeof(T), cudaMemcpyDeviceToHost));
  }
  T* get() const { return ptr_; }

 private:
  T* ptr_ = nullptr;
  std::size_t count_ = 0;
};

struct Handles {
  cublasHandle_t blas = nullptr;
  cusolverDnHandle_t solver = nullptr;
  Handles() {
    CUBLAS_CHECK(cublasCreate(&blas));
    if (cusolverDnCreate(&solver) != CUSOLVER_STATUS_SUCCESS) {
      cublasDestroy(blas);
      throw CudaError("cusolverDnCreate failed");
    }
  }
  ~Handles() {
    cusolverDnDestroy(solver);
    cublasDestroy(blas);
  }
  Handles(const Handles&) = delete;
  Handles& operator=(const Handles&) = delete;
};

// C (m×n) = A (m×k) · B (k×n), all column-major; beta 0 or 1 (accumulate).
void gemm(cublasHandle_t blas, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc,
          float beta = 0.0f, cublasOperation_t opA = CUBLAS_OP_N) {
  const float alpha = 1.0f;
  CUBLAS_CHECK(cublasSgemm(blas, opA, CUBLAS_OP_N, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc));
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
    if (l < 0 || h >= m_ || l > h || x.rows() != q_ || x.cols() == 0 || !x.allFinite())
      throw InvalidArgument("CUDA range query: need 0 <= l <= r < m and a finite X with " + std::to_string(q_) +
                            " rows");
    // The canonical nodes of [l, h], computed here: the prepared copy owns everything it
    // needs and may outlive the tree it was made from.
    std::vector<int> canonical;
    for (int lo = l + leaves_, hi = h + leaves_ + 1; lo < hi; lo /= 2, hi /= 2) {
      if (lo & 1) canonical.push_back(lo++);
      if (hi & 1) canonical.push_back(--hi);
    }
    const int n = static_cast<int>(x.cols());
    xDevice_.resize(static_cast<std::size_t>(q_) * n);
    xDevice_.upload(x.data(), static_cast<std::size_t>(q_) * n);
    yDevice_.resize(static_cast<std::size_t>(p_) * n);
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
        pointerDevice_.resize(pointers.size());
        pointerDevice_.upload(pointers.data(), pointers.size());
        sum_.resize(nodeSize);
        launchSumMatrices(pointerDevice_.get(), static_cast<int>(pointers.size()), static_cast<long long>(nodeSize),
                          sum_.get());
        gemm(handles_.blas, p_, n, q_, sum_.get(), p_, xDevice_.get(), q_, yDevice_.get(), p_);
        break;
      }
    }
    Eigen::MatrixXf y(p_, n);
    yDevice_.download(y.data(), static_cast<std::size_t>(p_) * n);
    return y;
  }

 private:
  Handles& handles_;
  int p_ = 0, q_ = 0, r_ = 0, m_ = 0, leaves_ = 1;
  DeviceBuffer<float> nodes_, left_, right_, xDevice_, yDevice_, projected_, sum_;
  DeviceBuffer<const float*> pointerDevice_;
};

class CudaLowRankBackend final : public lowrank::LowRankBackend {
 public:
  explicit CudaLowRankBackend(std::string device) : device_(std::move(device)) {}

  std::string description() const override { return "CUDA · " + device_; }

  void evaluateCascade(const lowrank::CascadeModel& model, const Eigen::MatrixXf& x, lowrank::Activation act,
                       std::vector<Eigen::MatrixXf>& y) override {
    model.validate();
    const int d = model.dim(), k = model.orders(), r = model.totalRank();
    if (x.rows() != d || x.cols() == 0 || !x.allFinite())
      throw InvalidArgument("CUDA cascade: X must be d×n and finite");
    const int n = static_cast<int>(x.cols());
    // [W; V_1ᵀ; …; V_Kᵀ] and [U_1 … U_K], column-major, and the rank offsets.
    Eigen::MatrixXf stacked(d + r, d), uAll(d, std::max(r, 1));
    stacked.topRows(d) = model.w;
    std::vector<int> offsets = {0};
    for (int j = 0; j < k; ++j) {
      const auto& v = model.v[static_cast<std::size_t>(j)];
      const auto& u = model.u[static_cast<std::size_t>(j)];
      stacked.middleRows(d + offsets.back(), v.cols()) = v.transpose();
      uAll.middleCols(offsets.back(), u.cols()) = u;
      offsets.push_back(offsets.back() + static_cast<int>(u.cols()));
    }
    stacked_.resize(stacked.size());
    stacked_.upload(stacked.data(), static_cast<std::size_t>(stacked.size()));
    u_.resize(uAll.size());
    u_.upload(uAll.data(), static_cast<std::size_t>(uAll.size()));
    offsets_.resize(offsets.size());
    offsets_.upload(offsets.data(), offsets.size());
    x_.resize(x.size());
    x_.upload(x.data(), static_cast<std::size_t>(x.size()));
    z_.resize(static_cast<std::size_t>(d + r) * n);
    gemm(handles_.blas, d + r, n, d, stacked_.get(), d + r, x_.get(), d, z_.get(), d + r);  // one stacked GEMM
    const std::size_t plane = static_cast<std::size_t>(d) * n;
    y_.resize(plane * static_cast<std::size_t>(k + 1));
    launchCascadeEpilogue(z_.get(), u_.get(), offsets_.get(), k, d, n, r, static_cast<int>(act), y_.get());
    y.resize(static_cast<std::size_t>(k + 1));
    for (int j = 0; j <= k; ++j) {
      y[static_cast<std::size_t>(j)].resize(d, n);
      y_.download(y[static_cast<std::size_t>(j)].data(), plane, plane * static_cast<std::size_t>(j));
    }
  }

  std::unique_ptr<lowrank::PreparedRangeTree> prepare(const lowrank::LowRankRangeTree& tree) override {
    return std::make_unique<CudaPreparedTree>(handles_, tree);
  }

  std::vector<Eigen::VectorXf> singularValuesBatched(const std::vector<Eigen::MatrixXf>& matrices) override {
    if (matrices.empty()) return {};
    // Singular values are transpose-invariant: make every matrix tall (m ≥ n).
    const bool transpose = matrices[0].rows() < matrices[0].cols();
    const int m = static_cast<int>(transpose ? matrices[0].cols() : matrices[0].rows());
    const int n = static_cast<int>(transpose ? matrices[0].rows() : matrices[0].cols());
    const int batch = static_cast<int>(matrices.size());
    const std::size_t stride = static_cast<std::size_t>(m) * n;
    DeviceBuffer<float> a(stride * static_cast<std::size_t>(batch)), s(static_cast<std::size_t>(n) * batch);
    for (int i = 0; i < batch; ++i) {
      const auto& mat = matrices[static_cast<std::size_t>(i)];
      if ((transpose ? mat.cols() : mat.rows()) != m || (transpose ? mat.rows() : mat.cols()) != n)
        throw InvalidArgument("batched singular values: all matrices must have one shape");
      if (!mat.allFinite()) throw InvalidArgument("batched singular values: NaN or infinite entry");
      const Eigen::MatrixXf tall = transpose ? Eigen::MatrixXf(mat.transpose()) : mat;
      a.upload(tall.data(), stride, stride * static_cast<std::size_t>(i));
    }
    DeviceBuffer<int> info(static_cast<std::size_t>(batch));
    DeviceBuffer<float> u(stride * static_cast<std::size_t>(batch)), v(static_cast<std::size_t>(n) * n * batch);
    int lwork = 0;
    if (m <= 32) {  // Jacobi, batched in one call, for small matrices
      gesvdjInfo_t params = nullptr;
      CUSOLVER_CHECK(cusolverDnCreateGesvdjInfo(&params));
      try {
        CUSOLVER_CHECK(cusolverDnSgesvdjBatched_bufferSize(handles_.solver, CUSOLVER_EIG_MODE_NOVECTOR, m, n, a.get(),
                                                           m, s.get(), u.get(), m, v.get(), n, &lwork, params, batch));
        DeviceBuffer<float> work(static_cast<std::size_t>(std::max(lwork, 1)));
        CUSOLVER_CHECK(cusolverDnSgesvdjBatched(handles_.solver, CUSOLVER_EIG_MODE_NOVECTOR, m, n, a.get(), m, s.get(),
                                                u.get(), m, v.get(), n, work.get(), lwork, info.get(), params, batch));
        CUDA_CHECK(cudaDeviceSynchronize());
      } catch (...) {
        cusolverDnDestroyGesvdjInfo(params);
        throw;
      }
      cusolverDnDestroyGesvdjInfo(params);
    } else {
      // One Jacobi SVD per matrix: accurate down to ε·σ₁ (the strided-batched gesvda works
      // from AᵀA and loses the small singular values a rank study needs).
      gesvdjInfo_t params = nullptr;
      CUSOLVER_CHECK(cusolverDnCreateGesvdjInfo(&params));
      try {
        CUSOLVER_CHECK(cusolverDnSgesvdj_bufferSize(handles_.solver, CUSOLVER_EIG_MODE_NOVECTOR, 1, m, n, a.get(), m,
                                                    s.get(), u.get(), m, v.get(), n, &lwork, params));
        DeviceBuffer<float> work(static_cast<std::size_t>(std::max(lwork, 1)));
        for (int i = 0; i < batch; ++i)
          CUSOLVER_CHECK(cusolverDnSgesvdj(handles_.solver, CUSOLVER_EIG_MODE_NOVECTOR, 1, m, n,
                                           a.get() + stride * static_cast<std::size_t>(i), m,
                                           s.get() + static_cast<std::size_t>(n) * i, u.get(), m, v.get(), n,
                                           work.get(), lwork, info.get() + i, params));
        CUDA_CHECK(cudaDeviceSynchronize());
      } catch (...) {
        cusolverDnDestroyGesvdjInfo(params);
        throw;
      }
      cusolverDnDestroyGesvdjInfo(params);
    }
    std::vector<int> hostInfo(static_cast<std::size_t>(batch));
    info.download(hostInfo.data(), hostInfo.size());
    for (int i = 0; i < batch; ++i)
      if (hostInfo[static_cast<std::size_t>(i)] != 0)
        throw CudaError("batched SVD: matrix " + std::to_string(i) + " did not converge (info " +
                        std::to_string(hostInfo[static_cast<std::size_t>(i)]) + ")");
    std::vector<Eigen::VectorXf> out(static_cast<std::size_t>(batch), Eigen::VectorXf(n));
    for (int i = 0; i < batch; ++i)
      s.download(out[static_cast<std::size_t>(i)].data(), static_cast<std::size_t>(n), static_cast<std::size_t>(n) * i);
    return out;
  }

 private:
  std::string device_;
  Handles handles_;
  DeviceBuffer<float> stacked_, u_, x_, z_, y_;
  DeviceBuffer<int> offsets_;
};

}  // namespace

std::unique_ptr<lowrank::LowRankBackend> makeCudaLowRankBackend() {
  const CudaProbe probe = probeCuda();
  if (!probe.available) return nullptr;
  return std::make_unique<CudaLowRankBackend>(probe.device);
}

}  // namespace rankflow::kernels
