// The learned cascade of docs/MATHEMATICS.md §5: gradients against finite differences (as an oracle),
// the cascade's merged weights, zero ranks, warm starts, and training itself.
#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include "core/common/error.h"
#include "core/flows/datasets.h"
#include "core/io/safetensors.h"
#include "core/learn/checkpoint.h"
#include "core/learn/flow_network.h"
#include "core/learn/learned_sampling.h"
#include "core/learn/trainer.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using learn::FlowNetwork;
using learn::ModelConfig;
using learn::Variant;

ModelConfig smallConfig(Variant variant, std::uint64_t seed) {
  ModelConfig c;
  c.hiddenLayers = 2;
  c.width = 8;
  c.frequencies = 2;
  c.ranks = {3, 2};
  c.variant = variant;
  c.seed = seed;
  return c;
}

// Nonzero adapters everywhere (a fresh adapter has U = 0, which hides bugs in dV).
void randomize(FlowNetwork& net, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.3f);
  for (auto& block : net.allBlocks())
    for (Eigen::Index i = 0; i < block.size(); ++i) block.data[i] = normal(rng);
}

double lossOf(const FlowNetwork& net, int order, const Eigen::MatrixXf& f, const Eigen::MatrixXf& target) {
  const Eigen::MatrixXd diff = (net.forward(order, f) - target).cast<double>();
  return 0.5 * diff.squaredNorm() / static_cast<double>(f.cols());
}

TEST(LearnedCascade, GradientsMatchFiniteDifferencesForEveryParameterBlock) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  for (Variant variant : {Variant::Cascade, Variant::Independent, Variant::Separate}) {
    FlowNetwork net(smallConfig(variant, seed));
    randomize(net, seed + 1);
    const int n = 16;
    std::vector<Vec2f> x(n);
    std::vector<float> t(n);
    for (int i = 0; i < n; ++i) {
      x[static_cast<std::size_t>(i)] = {normal(rng), normal(rng)};
      t[static_cast<std::size_t>(i)] = std::abs(normal(rng)) * 0.3f;
    }
    const Eigen::MatrixXf f = net.features(x, t);
    const Eigen::MatrixXf target = Eigen::MatrixXf::NullaryExpr(2, n, [&] { return normal(rng); });
    for (int order = 1; order <= 3; ++order) {
      const auto lg = learn::lossAndGradients(net, order, f, target);
      EXPECT_NEAR(lg.loss, lossOf(net, order, f, target), 1e-5 * (1 + lg.loss));
      auto blocks = net.trainableBlocks(order);
      ASSERT_EQ(blocks.size(), lg.gradients.size());
      for (std::size_t b = 0; b < blocks.size(); ++b) {
        // Central differences on a few entries of each block, float network, double loss.
        for (Eigen::Index i = 0; i < blocks[b].size(); i += std::max<Eigen::Index>(1, blocks[b].size() / 5)) {
          float& p = blocks[b].data[i];
          const float saved = p;
          const float h = 1e-2f * std::max(1.0f, std::abs(saved));
          p = saved + h;
          const double up = lossOf(net, order, f, target);
          p = saved - h;
          const double down = lossOf(net, order, f, target);
          p = saved;
          const double fd = (up - down) / (2.0 * h);
          EXPECT_NEAR(lg.gradients[b][i], fd, 2e-3 + 2e-2 * std::abs(fd))
              << learn::variantName(variant) << " order " << order << " " << blocks[b].name << "[" << i << "]";
        }
      }
    }
  }
}

TEST(LearnedCascade, CascadeForwardEqualsTheDenseForwardWithSummedWeights) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  FlowNetwork net(smallConfig(Variant::Cascade, seed));
  randomize(net, seed);
  const auto layers = net.effectiveLayers(3);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const Eigen::MatrixXf summed = net.base[l].w + net.adapters[0][l].u * net.adapters[0][l].v.transpose() +
                                   net.adapters[1][l].u * net.adapters[1][l].v.transpose();
    EXPECT_LT((layers[l].w - summed).norm(), 1e-5f * summed.norm());
    EXPECT_EQ(layers[l].b, net.biases[1][l]);
  }
  // The independent variant uses only its own adapter.
  FlowNetwork independent(smallConfig(Variant::Independent, seed));
  randomize(independent, seed);
  const auto own = independent.effectiveLayers(3);
  for (std::size_t l = 0; l < own.size(); ++l) {
    const Eigen::MatrixXf expected =
        independent.base[l].w + independent.adapters[1][l].u * independent.adapters[1][l].v.transpose();
    EXPECT_LT((own[l].w - expected).norm(), 1e-5f * expected.norm());
  }
}

TEST(LearnedCascade, ZeroRankOrderHasExactlyThePreviousOrdersWeights) {
  ModelConfig c = smallConfig(Variant::Cascade, 3);
  c.ranks = {3, 0};
  FlowNetwork net(c);
  randomize(net, 5);
  const auto two = net.effectiveLayers(2);
  const auto three = net.effectiveLayers(3);
  for (std::size_t l = 0; l < two.size(); ++l) EXPECT_TRUE(two[l].w == three[l].w) << "layer " << l;
}

TEST(LearnedCascade, SetRankTruncatesBySvdAndPadsWithoutChangingTheProduct) {
  FlowNetwork net(smallConfig(Variant::Cascade, 9));
  randomize(net, 9);
  const Eigen::MatrixXf before = net.adapters[0][1].u * net.adapters[0][1].v.transpose();
  net.setRank(2, 5);  // pad 3 → 5
  EXPECT_EQ(net.adapters[0][1].u.cols(), 5);
  EXPECT_LT((net.adapters[0][1].u * net.adapters[0][1].v.transpose() - before).norm(), 1e-5f * before.norm());
  net.setRank(2, 1);  // truncate to the best rank-1 approximation
  const Eigen::JacobiSVD<Eigen::MatrixXf> svd(before);
  const Eigen::MatrixXf after = net.adapters[0][1].u * net.adapters[0][1].v.transpose();
  EXPECT_NEAR((after - before).norm(), svd.singularValues().tail(svd.singularValues().size() - 1).norm(), 1e-4);
  EXPECT_THROW(net.setRank(2, 100), InvalidArgument);
  EXPECT_THROW(net.setRank(1, 2), InvalidArgument);
}

// The output layer has 2 rows, so its adapter has at most 2 singular values: lowering a rank
// that stays above 2 (16 → 8, the GUI's slider) keeps that layer's product exactly.
TEST(LearnedCascade, LoweringARankAboveAThinLayersWidthKeepsItsProduct) {
  ModelConfig c = smallConfig(Variant::Cascade, 11);
  c.ranks = {6, 2};
  FlowNetwork net(c);
  randomize(net, 11);
  std::vector<Eigen::MatrixXf> before;
  for (const auto& a : net.adapters[0]) before.push_back(a.u * a.v.transpose());
  net.setRank(2, 4);
  for (std::size_t l = 0; l < before.size(); ++l) {
    const auto& a = net.adapters[0][l];
    ASSERT_EQ(a.u.cols(), 4) << "layer " << l;
    ASSERT_TRUE(a.u.allFinite() && a.v.allFinite()) << "layer " << l;
    const Eigen::MatrixXf after = a.u * a.v.transpose();
    const Eigen::JacobiSVD<Eigen::MatrixXf> svd(before[l]);
    const auto& sigma = svd.singularValues();
    const double dropped = sigma.size() > 4 ? sigma.tail(sigma.size() - 4).norm() : 0.0;
    EXPECT_NEAR((after - before[l]).norm(), dropped, 1e-4 + 1e-4 * before[l].norm()) << "layer " << l;
  }
}

TEST(LearnedCascade, TrainingReducesEachOrdersErrorWellBelowItsInitialValue) {
  // 8 gaussians as the exact mixture: the targets of 64 samples would be spiky at every
  // basin boundary (the posterior jumps between data), the mixture's are smooth.
  const auto data = flows::FlowData::fromMixture(*flows::analyticMixture(flows::DatasetSpec{}));
  learn::TargetOptions targets;
  targets.count = 4096;
  targets.epsilon = 0.5f;  // up to t = 0.5; towards t = 1 the jerk sharpens like 1/β³ (docs/PERFORMANCE.md)
  const auto train = learn::makeTargets(data, targets);
  targets.seed = 2;
  targets.count = 1024;
  const auto heldOut = learn::makeTargets(data, targets);
  ModelConfig c;
  c.hiddenLayers = 2;
  c.width = 48;
  c.frequencies = 4;
  c.ranks = {8, 4};
  c.schedule = targets.schedule;
  FlowNetwork net(c);
  learn::TrainOptions options;
  options.baseSteps = 800;
  options.baseBatch = 512;
  options.adapterSteps = 800;
  options.adapterBatch = 512;
  learn::Trainer trainer(net, train, heldOut, options);
  double initial[3];
  for (int k = 1; k <= 3; ++k) initial[k - 1] = trainer.heldOutRelativeError(k);
  const auto reports = trainer.trainAll();
  ASSERT_EQ(reports.size(), 3u);
  for (const auto& r : reports) {
    EXPECT_LT(r.heldOutRelativeError, 0.4 * initial[r.order - 1])
        << "order " << r.order << " from " << initial[r.order - 1];
    EXPECT_GT(r.parameters, 0);
  }
  EXPECT_LT(reports[0].heldOutRelativeError, 0.35);  // the velocity is the easiest target
}

TEST(LearnedCascade, BadConfigurationsAreRejected) {
  ModelConfig c;
  c.ranks = {200};
  EXPECT_THROW(FlowNetwork{c}, InvalidArgument);
  c.ranks = {4, 4, 4};
  EXPECT_THROW(FlowNetwork{c}, InvalidArgument);
  c.ranks = {-1};
  EXPECT_THROW(FlowNetwork{c}, InvalidArgument);
  c.ranks = {4};
  c.width = 1;
  EXPECT_THROW(FlowNetwork{c}, InvalidArgument);
  EXPECT_THROW(learn::parseVariant("dense"), InvalidArgument);
  learn::TrainOptions bad;
  bad.baseBatch = 0;
  EXPECT_THROW(bad.validate(), InvalidArgument);
}

}  // namespace
}  // namespace rankflow

namespace rankflow {
namespace {

TEST(LearnedCheckpoint, RoundTripsBitForBitForEveryVariant) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto path = std::filesystem::temp_directory_path() / ("rankflow_ckpt_" + std::to_string(seed) + ".safetensors");
  for (Variant variant : {Variant::Cascade, Variant::Independent, Variant::Separate}) {
    ModelConfig c = smallConfig(variant, seed);
    c.schedule = flows::Schedule::Trigonometric;
    FlowNetwork net(c);
    randomize(net, seed + 3);
    net.outputScales = {1.5f, 20.0f, 300.0f};
    learn::saveCheckpoint(path.string(), net, {{"data", "test"}});
    std::map<std::string, std::string> metadata;
    FlowNetwork loaded = learn::loadCheckpoint(path.string(), &metadata);
    EXPECT_EQ(metadata.at("data"), "test");
    EXPECT_EQ(loaded.config().variant, variant);
    EXPECT_EQ(loaded.config().schedule, flows::Schedule::Trigonometric);
    EXPECT_EQ(loaded.outputScales, net.outputScales);
    auto a = net.allBlocks();
    auto b = loaded.allBlocks();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(a[i].size(), b[i].size()) << a[i].name;
      EXPECT_EQ(std::memcmp(a[i].data, b[i].data, static_cast<std::size_t>(a[i].size()) * sizeof(float)), 0)
          << a[i].name;
    }
  }
  std::filesystem::remove(path);
}

TEST(LearnedCheckpoint, AdaptersAreStoredUnderPeftNamesWithPeftShapes) {
  const auto path = std::filesystem::temp_directory_path() / "rankflow_ckpt_peft_names.safetensors";
  FlowNetwork net(smallConfig(Variant::Cascade, 4));
  randomize(net, 4);
  learn::saveCheckpoint(path.string(), net);
  const io::SafeTensorsFile file = io::readSafeTensors(path.string());
  const io::Tensor& a = file.tensors.at("order2.layers.1.lora_A.weight");
  const io::Tensor& b = file.tensors.at("order2.layers.1.lora_B.weight");
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{3, 8}));  // r × in
  EXPECT_EQ(b.shape, (std::vector<std::int64_t>{8, 3}));  // out × r
  // B·A is the adapter's U Vᵀ.
  const auto av = a.toFloat();
  const auto bv = b.toFloat();
  const Eigen::MatrixXf delta = net.adapters[0][1].u * net.adapters[0][1].v.transpose();
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 8; ++j) {
      float sum = 0.0f;
      for (int k = 0; k < 3; ++k)
        sum += bv[static_cast<std::size_t>(i * 3 + k)] * av[static_cast<std::size_t>(k * 8 + j)];
      EXPECT_NEAR(sum, delta(i, j), 1e-5f);
    }
  }
  std::filesystem::remove(path);
}

TEST(LearnedCheckpoint, ForeignOrDamagedFilesAreRejected) {
  const auto path = std::filesystem::temp_directory_path() / "rankflow_ckpt_foreign.safetensors";
  io::SafeTensorsFile foreign;
  foreign.tensors["x"] = io::Tensor::fromFloat({2}, std::vector<float>{1.0f, 2.0f});
  io::writeSafeTensors(path.string(), foreign);
  EXPECT_THROW(learn::loadCheckpoint(path.string()), InvalidArgument);
  FlowNetwork net(smallConfig(Variant::Cascade, 4));
  learn::saveCheckpoint(path.string(), net);
  io::SafeTensorsFile file = io::readSafeTensors(path.string());
  file.tensors.erase("order3.layers.0.lora_B.weight");
  io::writeSafeTensors(path.string(), file);
  EXPECT_THROW(learn::loadCheckpoint(path.string()), InvalidArgument);
  EXPECT_THROW(learn::loadCheckpoint("/nonexistent/model.safetensors"), InvalidArgument);
  std::filesystem::remove(path);
}

// Found by fuzzing (issue 16): a NaN weight was accepted (and sampled NaN particles), and
// metadata claiming a huge network allocated it before any tensor was checked.
TEST(LearnedCheckpoint, NonFiniteWeightsAndOversizedMetadataAreRefusedBeforeUse) {
  const auto path = std::filesystem::temp_directory_path() / "rankflow_ckpt_hostile.safetensors";
  FlowNetwork net(smallConfig(Variant::Cascade, 4));
  learn::saveCheckpoint(path.string(), net);
  io::SafeTensorsFile file = io::readSafeTensors(path.string());
  io::Tensor& weight = file.tensors.at("base.layers.1.weight");
  std::vector<float> values = weight.toFloat();
  values[3] = std::nanf("");
  weight = io::Tensor::fromFloat(weight.shape, values);
  io::writeSafeTensors(path.string(), file);
  try {
    learn::loadCheckpoint(path.string());
    ADD_FAILURE() << "a NaN weight was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("tensor 'base.layers.1.weight' holds a non-finite value (entry 3)"),
              std::string::npos)
        << e.what();
  }
  learn::saveCheckpoint(path.string(), net);
  file = io::readSafeTensors(path.string());
  file.metadata["width"] = "4096";
  file.metadata["hidden_layers"] = "16";
  io::writeSafeTensors(path.string(), file);
  try {
    learn::loadCheckpoint(path.string());
    ADD_FAILURE() << "oversized metadata was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("metadata says width 4096 × 16 layers"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(LearnedSampling, SlicedWassersteinIsZeroForEqualSetsAndSeesAShift) {
  const auto a = testing::randomPoints(500, 1.0f, 3);
  EXPECT_NEAR(learn::slicedWasserstein(a, a), 0.0, 1e-12);
  std::vector<Vec2f> shifted = a;
  for (auto& p : shifted) p = p + Vec2f{0.5f, 0.0f};
  // A shift by s projects to s·cos θ: the root mean of s² cos² θ over directions is s/√2.
  EXPECT_NEAR(learn::slicedWasserstein(a, shifted, 2000), 0.5 / std::sqrt(2.0), 0.02);
  const auto b = testing::randomPoints(300, 1.0f, 4);  // unequal sizes, same distribution
  EXPECT_LT(learn::slicedWasserstein(a, b), 0.25);     // sampling noise only, mostly from the tails
  EXPECT_THROW(learn::slicedWasserstein({}, b), InvalidArgument);
}

TEST(LearnedSampling, FewStepSolversRunAndRejectWhatTheyCannotDo) {
  ModelConfig c = smallConfig(Variant::Cascade, 8);
  FlowNetwork net(c);
  randomize(net, 8);
  const auto start = testing::randomPoints(64, 1.0f, 8);
  for (auto solver : {flows::Solver::Euler, flows::Solver::Heun, flows::Solver::Rk4, flows::Solver::Taylor3}) {
    const auto out = learn::sampleLearned(net, solver, 4, start);
    ASSERT_EQ(out.size(), start.size());
    for (const auto& p : out) EXPECT_TRUE(std::isfinite(p.x) && std::isfinite(p.y));
  }
  // One Euler step is x + v(x, 0): the network's own prediction.
  const auto euler = learn::sampleLearned(net, flows::Solver::Euler, 1, start);
  const Eigen::MatrixXf v = net.predict(1, net.features(start, std::vector<float>(start.size(), 0.0f)));
  EXPECT_NEAR(euler[5].x, start[5].x + v(0, 5), 1e-5f);
  EXPECT_THROW(learn::sampleLearned(net, flows::Solver::DormandPrince, 4, start), InvalidArgument);
  c.ranks = {3};
  FlowNetwork twoOrders(c);
  EXPECT_THROW(learn::sampleLearned(twoOrders, flows::Solver::Taylor3, 4, start), InvalidArgument);
  EXPECT_THROW(learn::sampleLearned(net, flows::Solver::Euler, 0, start), InvalidArgument);
}

}  // namespace
}  // namespace rankflow
