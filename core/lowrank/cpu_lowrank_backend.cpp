#include <Eigen/SVD>
#include <chrono>

#include "core/common/error.h"
#include "core/common/parallel_for.h"
#include "core/lowrank/lowrank_backend.h"

namespace rankflow::lowrank {
namespace {

class CpuPreparedTree final : public PreparedRangeTree {
 public:
  explicit CpuPreparedTree(const LowRankRangeTree& tree) : tree_(tree) {}
  Eigen::MatrixXf query(int l, int h, const Eigen::MatrixXf& x, Strategy strategy) override {
    return tree_.query(l, h, x, strategy);
  }
  void setInput(const Eigen::MatrixXf& x) override { x_ = x; }

  double timeQuery(int l, int h, Strategy strategy) override {
    if (x_.size() == 0) throw InvalidArgument("range query: no input (setInput first)");
    const auto start = std::chrono::steady_clock::now();
    y_ = tree_.query(l, h, x_, strategy);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

 private:
  const LowRankRangeTree& tree_;
  Eigen::MatrixXf x_, y_;
};

// The CPU keeps the model and the input by value; "resident" costs nothing here.
class CpuPreparedCascade final : public PreparedCascade {
 public:
  explicit CpuPreparedCascade(CascadeModel model) : model_(std::move(model)) { model_.validate(); }

  void setInput(const Eigen::MatrixXf& x) override {
    if (x.rows() != model_.dim() || x.cols() == 0 || !x.allFinite())
      throw InvalidArgument("cascade: X must be d×n with n >= 1 and finite");
    x_ = x;
  }

  CascadeTiming evaluate(Activation act) override {
    if (x_.size() == 0) throw InvalidArgument("cascade: no input (setInput first)");
    const auto start = std::chrono::steady_clock::now();
    evaluateCascadeInto(model_, x_, act, y_);
    CascadeTiming timing;
    timing.endToEndSeconds = timing.kernelSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return timing;
  }

  Eigen::MatrixXf output(int order) const override {
    if (order < 0 || order >= static_cast<int>(y_.size()))
      throw InvalidArgument("cascade: no output of order " + std::to_string(order) + " (evaluate first)");
    return y_[static_cast<std::size_t>(order)];
  }

 private:
  CascadeModel model_;
  Eigen::MatrixXf x_;
  std::vector<Eigen::MatrixXf> y_;
};

class CpuLowRankBackend final : public LowRankBackend {
 public:
  std::string description() const override { return "CPU · Eigen · " + std::to_string(cpuWorkerCount()) + " threads"; }

  void evaluateCascade(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act,
                       std::vector<Eigen::MatrixXf>& y) override {
    evaluateCascadeInto(model, x, act, y);
  }

  std::unique_ptr<PreparedRangeTree> prepare(const LowRankRangeTree& tree) override {
    return std::make_unique<CpuPreparedTree>(tree);
  }

  std::vector<Eigen::VectorXf> singularValuesBatched(const std::vector<Eigen::MatrixXf>& matrices) override {
    std::vector<Eigen::VectorXf> out(matrices.size());
    for (const auto& m : matrices)
      if (!m.allFinite()) throw InvalidArgument("singular values: a matrix has a NaN or infinite entry");
    parallelFor(matrices.size(), [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i)
        out[i] = Eigen::JacobiSVD<Eigen::MatrixXf>(matrices[i]).singularValues();
    });
    return out;
  }

  SvdBatch decompositions(const std::vector<Eigen::MatrixXf>& matrices) override {
    SvdBatch out = cpuSvdBatch(matrices);
    out.backend = description();
    return out;
  }

  std::unique_ptr<PreparedCascade> prepareCascade(const CascadeModel& model) override {
    return std::make_unique<CpuPreparedCascade>(model);
  }

  BatchedSpectra spectra(const MatrixBatchView& batch, std::optional<double> tolerance) override {
    return cpuBatchedSpectra(batch, tolerance);
  }

  matfun::RankGrid rankGrid(const matfun::DerivativeTermTable& table, const std::vector<double>& times,
                            std::optional<double> tolerance, bool keepSpectra) override {
    return matfun::cpuRankGrid(table, times, tolerance, keepSpectra);
  }
};

}  // namespace

std::unique_ptr<LowRankBackend> makeCpuLowRankBackend() {
  return std::make_unique<CpuLowRankBackend>();
}

}  // namespace rankflow::lowrank
