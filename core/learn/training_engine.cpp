#include "core/learn/training_engine.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/common/error.h"
#include "core/common/progress.h"

namespace rankflow::learn {

void OrderTrainingJob::validate() const {
  if (network == nullptr || poolFeatures == nullptr || poolTargets == nullptr)
    throw InvalidArgument("training: the job lacks its network or pool");
  if (order < 1 || order > network->orders())
    throw InvalidArgument("training: order must be 1.." + std::to_string(network->orders()));
  if (poolFeatures->cols() == 0 || poolFeatures->cols() != poolTargets->cols() || poolTargets->rows() != 2 ||
      poolFeatures->rows() != network->config().inputDim())
    throw InvalidArgument("training: the pool's features and targets disagree in shape");
  if (poolFeatures->cols() > std::numeric_limits<std::int32_t>::max())
    throw InvalidArgument("training: the pool holds more than 2^31 − 1 samples");
  if (steps < 0 || batch < 1 || batch > poolFeatures->cols())
    throw InvalidArgument("training: batch must be 1..pool size and steps ≥ 0");
  if (!(learningRate > 0.0f) || !std::isfinite(learningRate))
    throw InvalidArgument("training: the learning rate must be positive");
}

BatchRows::BatchRows(std::uint64_t seed, int order, std::size_t poolSize)
    : rng_(seed * 7919u + static_cast<unsigned>(order)), poolSize_(poolSize) {}

void BatchRows::next(std::span<std::int32_t> rows) {
  for (auto& row : rows)
    row = static_cast<std::int32_t>(
        std::min(static_cast<std::size_t>(rng_.uniform() * static_cast<double>(poolSize_)), poolSize_ - 1));
}

AdamCorrections adamCorrections(int step) {
  return {1.0f - std::pow(kAdamBeta1, static_cast<float>(step)), 1.0f - std::pow(kAdamBeta2, static_cast<float>(step))};
}

namespace {

// Adam over a list of parameter blocks (Kingma & Ba).
class Adam {
 public:
  Adam(std::vector<ParameterBlock> blocks, float learningRate) : blocks_(std::move(blocks)), rate_(learningRate) {
    for (const auto& b : blocks_) {
      m_.push_back(Eigen::VectorXf::Zero(b.size()));
      v_.push_back(Eigen::VectorXf::Zero(b.size()));
    }
  }
  void step(const std::vector<Eigen::VectorXf>& gradients) {
    const AdamCorrections c = adamCorrections(++t_);
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      Eigen::Map<Eigen::VectorXf> p(blocks_[i].data, blocks_[i].size());
      m_[i] = kAdamBeta1 * m_[i] + kAdamGradientWeight1 * gradients[i];
      v_[i] = kAdamBeta2 * v_[i] + kAdamGradientWeight2 * gradients[i].cwiseAbs2();
      p.array() -= rate_ * (m_[i].array() / c.c1) / ((v_[i].array() / c.c2).sqrt() + kAdamEpsilon);
    }
  }

 private:
  std::vector<ParameterBlock> blocks_;
  float rate_;
  std::vector<Eigen::VectorXf> m_, v_;
  int t_ = 0;
};

class CpuTrainingEngine final : public TrainingEngine {
 public:
  std::string name() const override { return "CPU · Eigen, 2 threads"; }

  void train(const OrderTrainingJob& job, const TrainProgressFn& progress) override {
    job.validate();
    FlowNetwork& network = *job.network;
    Adam adam(network.trainableBlocks(job.order), job.learningRate);
    BatchRows draw(job.seed, job.order, static_cast<std::size_t>(job.poolFeatures->cols()));
    std::vector<std::int32_t> rows(static_cast<std::size_t>(job.batch));
    Eigen::MatrixXf features(job.poolFeatures->rows(), job.batch);
    Eigen::MatrixXf targets(2, job.batch);
    for (int step = 0; step < job.steps; ++step) {
      draw.next(rows);
      for (Eigen::Index i = 0; i < job.batch; ++i) {
        features.col(i) = job.poolFeatures->col(rows[static_cast<std::size_t>(i)]);
        targets.col(i) = job.poolTargets->col(rows[static_cast<std::size_t>(i)]);
      }
      const LossAndGradients lg = lossAndGradients(network, job.order, features, targets);
      adam.step(lg.gradients);
      if (progress && (step % 10 == 0 || step + 1 == job.steps) && !progress({job.order, step + 1, job.steps, lg.loss}))
        throw Cancelled();
    }
  }
};

}  // namespace

std::unique_ptr<TrainingEngine> makeCpuTrainingEngine() {
  return std::make_unique<CpuTrainingEngine>();
}

}  // namespace rankflow::learn
