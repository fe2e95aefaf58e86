#include "core/learn/trainer.h"

#include <Eigen/SVD>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/common/error.h"
#include "core/common/parallel_for.h"
#include "core/common/progress.h"
#include "core/common/random.h"
#include "core/flows/field_model.h"

namespace rankflow::learn {
namespace {

// The order's targets over the whole pool, divided by its output factor: what the
// network's raw output learns.
Eigen::MatrixXf scaledTargets(const FlowNetwork& network, const TargetSet& set, int order) {
  Eigen::MatrixXf m(2, static_cast<Eigen::Index>(set.size()));
  const auto& target = set.target[static_cast<std::size_t>(order - 1)];
  for (std::size_t i = 0; i < set.size(); ++i) {
    const float inv = 1.0f / network.outputFactor(order, set.t[i]);
    m(0, static_cast<Eigen::Index>(i)) = target[i].x * inv;
    m(1, static_cast<Eigen::Index>(i)) = target[i].y * inv;
  }
  return m;
}

}  // namespace

TargetSet makeTargets(const flows::FlowData& data, const TargetOptions& options) {
  data.validate();
  if (options.count < 1 || options.count > 50'000'000) throw InvalidArgument("targets: count must be 1..5e7");
  if (!(options.epsilon > 0.0f && options.epsilon < 1.0f)) throw InvalidArgument("targets: ε must lie in (0, 1)");
  // Each target is a Taylor-mode pass over every datum: sized before it starts (issue 16: 10⁷
  // data points ran for hours with nothing to show).
  const double pairs = static_cast<double>(options.count) * static_cast<double>(data.view().count);
  if (pairs > kMaxTargetPairs) {
    char text[96];
    std::snprintf(text, sizeof text, "%d samples × %d data points (%.2g target-datum pairs)", options.count,
                  data.view().count, pairs);
    throw InvalidArgument(std::string("training targets: ") + text +
                          " is over the limit of 4e9 pairs (about a minute on 2 cores): use fewer data points");
  }
  TargetSet set;
  const auto n = static_cast<std::size_t>(options.count);
  set.x.resize(n);
  set.t.resize(n);
  for (auto& target : set.target) target.resize(n);
  // Component i is drawn with probability ∝ exp(logWeights[i]) (uniform for samples).
  std::vector<double> cumulative(data.points.size());
  double total = 0.0;
  for (std::size_t i = 0; i < cumulative.size(); ++i) {
    total += data.logWeights.empty() ? 1.0 : std::exp(static_cast<double>(data.logWeights[i]));
    cumulative[i] = total;
  }
  // The draws are sequential (reproducible); the AD evaluations are parallel.
  SeededRandom rng(options.seed);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = rng.uniform() * total;
    const std::size_t c = std::min(
        static_cast<std::size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin()),
        data.points.size() - 1);
    Vec2f y = data.points[c];
    if (!data.variances.empty() && data.variances[c] > 0.0f) {
      const float sd = std::sqrt(data.variances[c]);
      y = {y.x + sd * static_cast<float>(rng.normal()), y.y + sd * static_cast<float>(rng.normal())};
    }
    const Vec2f z{static_cast<float>(rng.normal()), static_cast<float>(rng.normal())};
    const float t = static_cast<float>(rng.uniform()) * (1.0f - options.epsilon);
    const auto p = flows::pathAt(options.schedule, static_cast<double>(t));
    set.x[i] = {static_cast<float>(p.alpha[0] * y.x + p.beta[0] * z.x),
                static_cast<float>(p.alpha[0] * y.y + p.beta[0] * z.y)};
    set.t[i] = t;
  }
  const flows::DataView<float> view = data.view();
  parallelFor(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const auto d = flows::lagrangianDerivatives(view, options.schedule, set.x[i], set.t[i]);
      set.target[0][i] = d.velocity;
      set.target[1][i] = d.acceleration;
      set.target[2][i] = d.jerk;
    }
  });
  return set;
}

void TrainOptions::validate() const {
  if (baseSteps < 0 || adapterSteps < 0 || baseSteps > 10'000'000 || adapterSteps > 10'000'000)
    throw InvalidArgument("training: steps must be 0..1e7");
  if (baseBatch < 1 || adapterBatch < 1 || baseBatch > 1 << 20 || adapterBatch > 1 << 20)
    throw InvalidArgument("training: batch must be 1..1048576");
  if (!(baseLearningRate > 0.0f) || !(adapterLearningRate > 0.0f) || !std::isfinite(baseLearningRate) ||
      !std::isfinite(adapterLearningRate))
    throw InvalidArgument("training: learning rates must be positive");
}

Trainer::Trainer(FlowNetwork& network, TargetSet train, TargetSet heldOut, TrainOptions options,
                 std::shared_ptr<TrainingEngine> engine)
    : network_(network),
      train_(std::move(train)),
      heldOut_(std::move(heldOut)),
      options_(options),
      engine_(engine ? std::move(engine) : std::shared_ptr<TrainingEngine>(makeCpuTrainingEngine())) {
  options_.validate();
  if (train_.size() == 0 || heldOut_.size() == 0) throw InvalidArgument("training: empty target set");
  for (const TargetSet* set : {&train_, &heldOut_}) {
    const float latest = *std::max_element(set->t.begin(), set->t.end());
    if (latest > network_.config().timeMax)
      throw InvalidArgument("training: targets reach t = " + std::to_string(latest) +
                            ", beyond the model's time range (timeMax = " + std::to_string(network_.config().timeMax) +
                            "); set timeMax = 1 − ε");
  }
  for (int k = 1; k <= network_.orders(); ++k) {
    // outputFactor with s_k = 1 is 1/β^k: the RMS of target / that is s_k.
    network_.outputScales[static_cast<std::size_t>(k - 1)] = 1.0f;
    double sum = 0.0;
    const auto& target = train_.target[static_cast<std::size_t>(k - 1)];
    for (std::size_t i = 0; i < target.size(); ++i) {
      const double f = network_.outputFactor(k, train_.t[i]);
      sum += squaredNorm(target[i].cast<double>()) / (f * f);
    }
    const double rms = std::sqrt(sum / (2.0 * static_cast<double>(train_.size())));
    network_.outputScales[static_cast<std::size_t>(k - 1)] = rms > 0.0 ? static_cast<float>(rms) : 1.0f;
  }
  trainFeatures_ = network_.features(train_.x, train_.t);
  heldOutFeatures_ = network_.features(heldOut_.x, heldOut_.t);
}

OrderReport Trainer::trainOrder(int order, const TrainProgressFn& progress) {
  if (order < 1 || order > network_.orders())
    throw InvalidArgument("training: order must be 1.." + std::to_string(network_.orders()));
  const bool isBase = order == 1;
  const int steps = isBase ? options_.baseSteps : options_.adapterSteps;
  const int batch = std::min<int>(isBase ? options_.baseBatch : options_.adapterBatch, static_cast<int>(train_.size()));
  const auto begin = std::chrono::steady_clock::now();
  const Eigen::MatrixXf targets = scaledTargets(network_, train_, order);
  OrderTrainingJob job;
  job.network = &network_;
  job.order = order;
  job.poolFeatures = &trainFeatures_;
  job.poolTargets = &targets;
  job.steps = steps;
  job.batch = batch;
  job.learningRate = isBase ? options_.baseLearningRate : options_.adapterLearningRate;
  job.seed = options_.seed;
  engine_->train(job, progress);
  OrderReport report;
  report.order = order;
  report.steps = steps;
  report.trainSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  report.parameters = network_.parameterCount(order);
  report.heldOutRelativeError = heldOutRelativeError(order);
  return report;
}

std::vector<OrderReport> Trainer::trainAll(const TrainProgressFn& progress) {
  return retrainFrom(1, progress);
}

std::vector<OrderReport> Trainer::retrainFrom(int order, const TrainProgressFn& progress) {
  std::vector<OrderReport> reports;
  for (int k = order; k <= network_.orders(); ++k) reports.push_back(trainOrder(k, progress));
  return reports;
}

double Trainer::heldOutRelativeError(int order) const {
  const Eigen::MatrixXf prediction = network_.predict(order, heldOutFeatures_);
  const auto& target = heldOut_.target[static_cast<std::size_t>(order - 1)];
  double diff = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < target.size(); ++i) {
    const auto c = static_cast<Eigen::Index>(i);
    const double dx = prediction(0, c) - target[i].x;
    const double dy = prediction(1, c) - target[i].y;
    diff += dx * dx + dy * dy;
    norm += squaredNorm(target[i].cast<double>());
  }
  return norm > 0.0 ? std::sqrt(diff / norm) : std::sqrt(diff);
}

int rankForEnergy(const std::vector<float>& singularValues, double energy) {
  double total = 0.0;
  for (float s : singularValues) total += static_cast<double>(s) * s;
  if (total <= 0.0) return 0;
  double kept = 0.0;
  for (std::size_t i = 0; i < singularValues.size(); ++i) {
    kept += static_cast<double>(singularValues[i]) * singularValues[i];
    if (kept >= energy * total) return static_cast<int>(i) + 1;
  }
  return static_cast<int>(singularValues.size());
}

namespace {

LayerSpectrum spectrumOf(const Eigen::MatrixXf& m, int order, int layer) {
  const Eigen::JacobiSVD<Eigen::MatrixXf> svd(m);
  LayerSpectrum s;
  s.order = order;
  s.layer = layer;
  s.singularValues.assign(svd.singularValues().data(), svd.singularValues().data() + svd.singularValues().size());
  s.rankAt90 = rankForEnergy(s.singularValues, 0.90);
  s.rankAt99 = rankForEnergy(s.singularValues, 0.99);
  return s;
}

}  // namespace

std::vector<LayerSpectrum> adapterSpectra(const FlowNetwork& network) {
  std::vector<LayerSpectrum> spectra;
  if (network.config().variant == Variant::Separate) return spectra;
  for (int k = 2; k <= network.orders(); ++k) {
    const auto& layers = network.adapters[static_cast<std::size_t>(k - 2)];
    for (std::size_t l = 0; l < layers.size(); ++l)
      spectra.push_back(spectrumOf(layers[l].u * layers[l].v.transpose(), k, static_cast<int>(l)));
  }
  return spectra;
}

DenseDerivativeReport denseDerivativeSpectra(const FlowNetwork& trainedBase, const TargetSet& train,
                                             const TrainOptions& options, const TrainProgressFn& progress,
                                             std::shared_ptr<TrainingEngine> engine) {
  ModelConfig config = trainedBase.config();
  config.variant = Variant::Separate;
  FlowNetwork dense(config);
  dense.base = trainedBase.base;
  // Full-width dense copies, each order starting from the previous order's weights, so
  // W_k − W_{k−1} is what order k had to change.
  for (int k = 2; k <= dense.orders(); ++k) {
    dense.separateWidths[static_cast<std::size_t>(k - 2)] = config.width;
    dense.separate[static_cast<std::size_t>(k - 2)] = trainedBase.base;
  }
  // Held-out errors are not needed here: the training pool serves as both sets.
  Trainer trainer(dense, train, train, options, std::move(engine));
  DenseDerivativeReport report;
  for (int k = 2; k <= dense.orders(); ++k) {
    if (k > 2) dense.separate[static_cast<std::size_t>(k - 2)] = dense.separate[static_cast<std::size_t>(k - 3)];
    trainer.trainOrder(k, progress);
    const auto& now = dense.separate[static_cast<std::size_t>(k - 2)];
    const auto& before = k == 2 ? dense.base : dense.separate[static_cast<std::size_t>(k - 3)];
    int suggested = 0;
    for (std::size_t l = 0; l < now.size(); ++l) {
      report.spectra.push_back(spectrumOf(now[l].w - before[l].w, k, static_cast<int>(l)));
      suggested = std::max(suggested, report.spectra.back().rankAt90);
    }
    report.suggestedRanks.push_back(suggested);
  }
  return report;
}

}  // namespace rankflow::learn
