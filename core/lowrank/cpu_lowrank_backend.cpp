#include <Eigen/SVD>

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

 private:
  const LowRankRangeTree& tree_;
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
      for (std::size_t i = begin; i < end; ++i) out[i] = Eigen::JacobiSVD<Eigen::MatrixXf>(matrices[i]).singularValues();
    });
    return out;
  }
};

}  // namespace

std::unique_ptr<LowRankBackend> makeCpuLowRankBackend() {
  return std::make_unique<CpuLowRankBackend>();
}

}  // namespace rankflow::lowrank
