#pragma once
// Shared by the core test of the training plan (Eigen executor) and the gpu test (CUDA
// executor): fresh random networks and batches, a float64 reference of the loss and of
// every trainable block's gradient, and one plan step run on an executor.
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "core/common/random.h"
#include "core/learn/flow_network.h"
#include "core/learn/training_plan.h"

namespace rankflow::testing {

struct PlanCase {
  learn::Variant variant;
  int order;
  std::vector<int> ranks;
  std::string describe() const {
    std::string s = std::string(learn::variantName(variant)) + " order " + std::to_string(order) + " ranks";
    for (int r : ranks) s += " " + std::to_string(r);
    return s;
  }
};

inline std::vector<PlanCase> planCases() {
  using learn::Variant;
  return {{Variant::Cascade, 1, {6, 3}},     {Variant::Cascade, 2, {6, 3}},  {Variant::Cascade, 3, {6, 3}},
          {Variant::Independent, 3, {6, 3}}, {Variant::Separate, 2, {6, 3}}, {Variant::Cascade, 2, {0, 3}},
          {Variant::Cascade, 3, {0, 3}},     {Variant::Cascade, 3, {6, 0}}};
}

inline learn::ModelConfig smallModel(const PlanCase& c, std::uint64_t seed) {
  learn::ModelConfig config;
  config.hiddenLayers = 2;
  config.width = 24;
  config.frequencies = 3;
  config.variant = c.variant;
  config.ranks = c.ranks;
  config.seed = seed;
  return config;
}

// LoRA starts with U = 0, where dV vanishes: every adapter and bias gets fresh random
// values so each gradient block is exercised.
inline void randomizeAdapters(learn::FlowNetwork& network, std::uint64_t seed) {
  SeededRandom rng(seed);
  auto fill = [&](Eigen::MatrixXf& m, float scale) {
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = scale * static_cast<float>(rng.normal());
  };
  for (auto& layers : network.adapters)
    for (auto& a : layers) fill(a.u, 0.2f), fill(a.v, 0.2f);
  for (auto& layers : network.biases)
    for (auto& b : layers) {
      Eigen::MatrixXf m = b;
      fill(m, 0.1f);
      b = m;
    }
  for (auto& layer : network.base) {
    Eigen::MatrixXf m = layer.b;
    fill(m, 0.1f);
    layer.b = m;
  }
}

// Features of random points at random times, and random targets (2 × n).
struct Batch {
  Eigen::MatrixXf features;
  Eigen::MatrixXf targets;
};
inline Batch randomBatch(const learn::FlowNetwork& network, int n, std::uint64_t seed) {
  SeededRandom rng(seed);
  std::vector<Vec2f> x(static_cast<std::size_t>(n));
  std::vector<float> t(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = {static_cast<float>(1.5 * rng.normal()), static_cast<float>(1.5 * rng.normal())};
    t[i] = static_cast<float>(0.8 * rng.uniform());
  }
  Batch batch{network.features(x, t), Eigen::MatrixXf(2, n)};
  for (Eigen::Index i = 0; i < batch.targets.size(); ++i) batch.targets.data()[i] = static_cast<float>(rng.normal());
  return batch;
}

// The float64 loss ½·mean‖g − target‖² and its gradient for every block of
// trainableBlocks(order), each flattened column-major.
struct ReferenceGradients {
  double loss = 0.0;
  std::vector<Eigen::VectorXd> blocks;
};
inline ReferenceGradients referenceGradients(learn::FlowNetwork& network, int order, const Eigen::MatrixXf& features,
                                             const Eigen::MatrixXf& targets) {
  const auto layers = network.effectiveLayers(order);
  const std::size_t depth = layers.size();
  const Eigen::Index n = features.cols();
  std::vector<Eigen::MatrixXd> inputs(depth), pre(depth);
  Eigen::MatrixXd a = features.cast<double>();
  for (std::size_t l = 0; l < depth; ++l) {
    inputs[l] = a;
    pre[l] = layers[l].w.cast<double>() * a;
    pre[l].colwise() += layers[l].b.cast<double>();
    if (l + 1 < depth) a = (pre[l].array() / (1.0 + (-pre[l].array()).exp())).matrix();
  }
  Eigen::MatrixXd delta = pre[depth - 1] - targets.cast<double>();
  ReferenceGradients result;
  result.loss = 0.5 * delta.squaredNorm() / static_cast<double>(n);
  delta /= static_cast<double>(n);
  std::vector<Eigen::MatrixXd> dw(depth);
  std::vector<Eigen::VectorXd> db(depth);
  for (std::size_t l = depth; l-- > 0;) {
    dw[l] = delta * inputs[l].transpose();
    db[l] = delta.rowwise().sum();
    if (l == 0) break;
    const Eigen::MatrixXd back = layers[l].w.cast<double>().transpose() * delta;
    const Eigen::ArrayXXd s = 1.0 / (1.0 + (-pre[l - 1].array()).exp());
    delta = (back.array() * s * (1.0 + pre[l - 1].array() * (1.0 - s))).matrix();
  }
  auto flat = [](const Eigen::MatrixXd& m) {
    return Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(m.data(), m.size()));
  };
  const bool adapters = order >= 2 && network.config().variant != learn::Variant::Separate;
  for (std::size_t l = 0; l < depth; ++l) {
    if (adapters) {
      const auto& adapter = network.adapters[static_cast<std::size_t>(order - 2)][l];
      result.blocks.push_back(flat(dw[l] * adapter.v.cast<double>()));
      result.blocks.push_back(flat(dw[l].transpose() * adapter.u.cast<double>()));
    } else {
      result.blocks.push_back(flat(dw[l]));
    }
    result.blocks.push_back(db[l]);
  }
  return result;
}

// One plan step on `executor` with the batch as the whole pool (rows 0..n−1): the loss and
// the gradient of every block, read from the executor's arena.
struct PlanGradients {
  double loss = 0.0;
  std::vector<Eigen::VectorXf> blocks;
};
inline PlanGradients planGradients(learn::PlanExecutor& executor, learn::FlowNetwork& network, int order,
                                   const Batch& batch) {
  const int n = static_cast<int>(batch.features.cols());
  const learn::TrainingLayout layout = learn::layoutFor(network, order, n, n, 1);
  learn::OrderTrainingJob job;
  job.network = &network;
  job.order = order;
  job.poolFeatures = &batch.features;
  job.poolTargets = &batch.targets;
  job.steps = 1;
  job.batch = n;
  executor.allocate(layout.floats, layout.ints);
  learn::uploadJob(executor, layout, job);
  std::vector<std::int32_t> rows(static_cast<std::size_t>(n));
  std::iota(rows.begin(), rows.end(), 0);
  const learn::AdamCorrections c = learn::adamCorrections(1);
  const std::vector<float> scalars = {c.c1, c.c2};
  executor.prepare(0, learn::chunkOps(layout, 0, 1, 1e-3f), layout.losses[0], 1);
  executor.setChunkInputs(0, rows, layout.rows[0], scalars, layout.scalars[0]);
  executor.launch(0);
  executor.wait(0);
  PlanGradients result;
  result.loss = executor.hostLosses(0)[0];
  std::vector<float> grads(layout.parameterCount);
  executor.download(layout.grads, grads);
  const auto blocks = network.trainableBlocks(order);
  for (std::size_t i = 0; i < blocks.size(); ++i)
    result.blocks.push_back(Eigen::Map<const Eigen::VectorXf>(grads.data() + layout.blockOffsets[i], blocks[i].size()));
  return result;
}

// Relative L2 error of every block against the float64 reference (absolute when the
// reference block is zero, as a rank-0 adapter's empty blocks are).
inline void expectGradientsMatch(const PlanGradients& fast, const ReferenceGradients& ref, double tolerance) {
  ASSERT_EQ(fast.blocks.size(), ref.blocks.size());
  EXPECT_NEAR(fast.loss, ref.loss, 1e-5 * (1.0 + ref.loss));
  for (std::size_t i = 0; i < ref.blocks.size(); ++i) {
    SCOPED_TRACE("block " + std::to_string(i));
    ASSERT_EQ(fast.blocks[i].size(), ref.blocks[i].size());
    ASSERT_TRUE(fast.blocks[i].allFinite());
    const double norm = ref.blocks[i].norm();
    const double err = (fast.blocks[i].cast<double>() - ref.blocks[i]).norm();
    EXPECT_LE(err, tolerance * std::max(norm, 1e-12)) << "relative error " << err / std::max(norm, 1e-300);
  }
}

// ‖a − b‖ / ‖b − start‖ over every trainable block of `order`: how far two trainings of
// the same job ended apart, relative to how far they moved.
inline double relativeParameterGap(learn::FlowNetwork& a, learn::FlowNetwork& b, learn::FlowNetwork& start, int order) {
  const auto ba = a.trainableBlocks(order);
  const auto bb = b.trainableBlocks(order);
  const auto bs = start.trainableBlocks(order);
  double gap = 0.0, moved = 0.0;
  for (std::size_t i = 0; i < ba.size(); ++i) {
    for (Eigen::Index e = 0; e < ba[i].size(); ++e) {
      const double d = static_cast<double>(ba[i].data[e]) - bb[i].data[e];
      const double m = static_cast<double>(bb[i].data[e]) - bs[i].data[e];
      gap += d * d;
      moved += m * m;
    }
  }
  return std::sqrt(gap / std::max(moved, 1e-300));
}

}  // namespace rankflow::testing
