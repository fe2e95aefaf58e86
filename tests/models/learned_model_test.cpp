// The Cascade window's "Learned flow" tab (docs/MATHEMATICS.md §5, §6): the model reports what the core
// trainer computes on the very network it publishes, a move of r_3 leaves orders 1 and 2
// bit-identical, newer requests supersede older ones and cancel works, the flow-view queries
// equal the network and a float64 reference, bad ranks are refused with a message, the
// comparison and few-step samples match the core functions, and the tab draws headlessly.

#include "app/models/learned_model.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/common/random.h"
#include "core/flows/field_model.h"
#include "core/learn/learned_sampling.h"
#include "tests/support/job_wait.h"
#include "tests/support/learned_fixture.h"

namespace rankflow {
namespace {

using testing::sceneNamed;
using testing::tinySettings;

using app::LearnedModel;
using app::LearnedSettings;
using app::TaskState;
using namespace std::chrono_literals;

using testing::kJobWait;

std::vector<Vec2f> randomPoints(int n, std::uint64_t seed, float spread) {
  SeededRandom rng(seed);
  std::vector<Vec2f> x(static_cast<std::size_t>(n));
  for (auto& p : x) p = {spread * static_cast<float>(rng.normal()), spread * static_cast<float>(rng.normal())};
  return x;
}

bool samePoints(const std::vector<Vec2f>& a, const std::vector<Vec2f>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(Vec2f) * a.size()) == 0;
}

bool sameBits(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0;
}

bool sameWeights(const std::vector<learn::DenseLayer>& a, const std::vector<learn::DenseLayer>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t l = 0; l < a.size(); ++l)
    if (!sameBits(a[l].w, b[l].w) || !sameBits(a[l].b, b[l].b)) return false;
  return true;
}

bool sameAdapter(const learn::FlowNetwork& a, const learn::FlowNetwork& b, int order) {
  const auto i = static_cast<std::size_t>(order - 2);
  for (std::size_t l = 0; l < a.adapters[i].size(); ++l) {
    if (!sameBits(a.adapters[i][l].u, b.adapters[i][l].u) || !sameBits(a.adapters[i][l].v, b.adapters[i][l].v) ||
        !sameBits(a.biases[i][l], b.biases[i][l]))
      return false;
  }
  return true;
}

// A model trained on `scene` and waited for.
void trainOn(LearnedModel& model, const flows::FlowScene& scene) {
  model.setScene(scene);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  ASSERT_TRUE(model.hasModel()) << model.progress().error;
  ASSERT_EQ(model.progress().state, TaskState::Done);
}

TEST(LearnedModel, ReportedErrorsAreTheTrainersOnThePublishedNetwork) {
  LearnedModel model(tinySettings());
  const auto scene = sceneNamed("default");
  trainOn(model, scene);
  const auto& s = model.snapshot();
  ASSERT_EQ(s.orders.size(), 3u);
  learn::FlowNetwork copy = *s.network;
  learn::Trainer trainer(copy, *s.train, *s.heldOut, model.settings().train);
  for (const auto& o : s.orders) {
    EXPECT_DOUBLE_EQ(o.heldOutRelativeError, trainer.heldOutRelativeError(o.order)) << "order " << o.order;
    EXPECT_EQ(o.parameters, s.network->parameterCount(o.order));
    EXPECT_GT(o.steps, 0);
  }
  // Order 1: 2·Σ out·in of the base; order 3 adds both adapters, factored.
  std::int64_t baseMacs = 0, adapterMacs2 = 0, adapterMacs3 = 0;
  for (const auto& l : s.network->base) {
    baseMacs += l.w.size();
    adapterMacs2 += 4 * (l.w.rows() + l.w.cols());
    adapterMacs3 += 3 * (l.w.rows() + l.w.cols());
  }
  EXPECT_EQ(s.orders[0].flopsPerEvaluation, 2 * baseMacs);
  EXPECT_EQ(s.orders[2].flopsPerEvaluation, 2 * (baseMacs + adapterMacs2 + adapterMacs3));

  // The same training straight from the core functions gives the same network, bit for bit.
  const LearnedSettings& settings = model.settings();
  const auto data = flows::FlowData::empirical(scene.data.points);
  learn::TargetOptions targets;
  targets.epsilon = settings.epsilon;
  targets.count = settings.targetCount;
  targets.seed = settings.seed;
  auto train = learn::makeTargets(data, targets);
  targets.count = settings.heldOutCount;
  targets.seed = settings.seed + 0x5eed;
  auto heldOut = learn::makeTargets(data, targets);
  learn::ModelConfig config;
  config.hiddenLayers = settings.hiddenLayers;
  config.width = settings.width;
  config.frequencies = settings.frequencies;
  config.ranks = settings.ranks;
  config.timeMax = 1.0f - settings.epsilon;
  learn::FlowNetwork direct(config);
  learn::Trainer directTrainer(direct, train, heldOut, settings.train);
  const auto reports = directTrainer.trainAll();
  EXPECT_TRUE(sameWeights(direct.base, s.network->base));
  for (int k = 2; k <= 3; ++k) EXPECT_TRUE(sameAdapter(direct, *s.network, k)) << "order " << k;
  for (const auto& r : reports) EXPECT_DOUBLE_EQ(r.heldOutRelativeError, s.orders[r.order - 1].heldOutRelativeError);
}

TEST(LearnedModel, RankMoveOnR3LeavesOrdersOneAndTwoBitIdentical) {
  LearnedModel model(tinySettings());
  trainOn(model, sceneNamed("default"));
  const auto before = model.network();
  ASSERT_TRUE(model.setRank(3, 1));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const auto after = model.network();
  ASSERT_NE(before, after);
  EXPECT_EQ(after->config().ranks, (std::vector<int>{4, 1}));
  EXPECT_TRUE(sameWeights(before->base, after->base));
  EXPECT_TRUE(sameAdapter(*before, *after, 2));
  EXPECT_EQ(after->adapters[1][0].u.cols(), 1);
  // What the core does with the same move: setRank (warm start) then retrainFrom(3).
  learn::FlowNetwork expected = *before;
  expected.setRank(3, 1);
  learn::Trainer trainer(expected, *model.snapshot().train, *model.snapshot().heldOut, model.settings().train);
  const auto reports = trainer.retrainFrom(3);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(sameAdapter(expected, *after, 3));
  EXPECT_DOUBLE_EQ(model.snapshot().orders[2].heldOutRelativeError, reports[0].heldOutRelativeError);
  EXPECT_EQ(model.snapshot().orders[2].rank, 1);
  EXPECT_EQ(model.snapshot().orders[2].parameters, after->parameterCount(3));
}

// The output layer has 2 rows: truncating r_2 from 4 to 3 keeps more columns than it has
// singular values. The model must end where the core's own setRank + retrainFrom(2) ends,
// with sound weights (core/learn's test checks the truncation itself).
TEST(LearnedModel, RankDecreaseAboveTheOutputWidthKeepsTheModelSound) {
  LearnedModel model(tinySettings());
  trainOn(model, sceneNamed("default"));
  const auto before = model.network();
  ASSERT_TRUE(model.setRank(2, 3));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const auto after = model.network();
  EXPECT_TRUE(sameWeights(before->base, after->base));
  for (const auto& a : after->adapters[0]) {
    EXPECT_EQ(a.u.cols(), 3);
    EXPECT_TRUE(a.u.allFinite() && a.v.allFinite());
    EXPECT_LT(a.u.cwiseAbs().maxCoeff(), 100.0f);
    EXPECT_LT(a.v.cwiseAbs().maxCoeff(), 100.0f);
  }
  learn::FlowNetwork expected = *before;
  expected.setRank(2, 3);
  learn::Trainer trainer(expected, *model.snapshot().train, *model.snapshot().heldOut, model.settings().train);
  const auto reports = trainer.retrainFrom(2);
  EXPECT_TRUE(sameAdapter(expected, *after, 2));
  EXPECT_TRUE(sameAdapter(expected, *after, 3));
  EXPECT_DOUBLE_EQ(model.snapshot().orders[1].heldOutRelativeError, reports[0].heldOutRelativeError);
  EXPECT_TRUE(std::isfinite(model.snapshot().orders[1].heldOutRelativeError));
}

TEST(LearnedModel, BadRanksAreRefusedWithAMessageAndChangeNothing) {
  LearnedModel model(tinySettings());
  EXPECT_EQ(model.maxRank(), 7);  // min(width 16, 3 + 2·2 input features)
  trainOn(model, sceneNamed("default"));
  const auto network = model.network();
  const std::uint64_t generation = model.snapshot().generation;
  for (const auto& [order, rank] : std::vector<std::pair<int, int>>{{2, -1}, {2, 8}, {3, 1000}, {1, 2}, {4, 2}}) {
    EXPECT_FALSE(model.setRank(order, rank)) << order << " " << rank;
    EXPECT_FALSE(model.message().empty());
    EXPECT_FALSE(model.training());
  }
  EXPECT_NE(model.message().find("r_4"), std::string::npos);
  model.setRank(2, 8);
  EXPECT_NE(model.message().find("0..7"), std::string::npos) << model.message();
  EXPECT_EQ(model.rank(2), 4);
  EXPECT_EQ(model.rank(3), 3);
  EXPECT_FALSE(model.requestSamples(3));
  EXPECT_NE(model.message().find("1, 2, 4, 8 or 16"), std::string::npos);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_EQ(model.network(), network);
  EXPECT_EQ(model.snapshot().generation, generation);
  // A good rank clears the message.
  EXPECT_TRUE(model.setRank(2, 0));
  EXPECT_TRUE(model.message().empty());
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_EQ(model.network()->config().ranks[0], 0);
}

TEST(LearnedModel, NewerRequestsSupersedeOlderOnesAndCancelKeepsTheLastModel) {
  LearnedSettings settings = tinySettings();
  settings.train.baseSteps = 400;  // long enough to be caught running
  LearnedModel model(settings);
  const auto linear = sceneNamed("default");
  const auto trig = sceneNamed("default", flows::Schedule::Trigonometric);
  model.setScene(linear);
  model.setScene(trig);
  model.setScene(trig);  // the same scene again: nothing new
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  ASSERT_TRUE(model.hasModel());
  EXPECT_EQ(model.snapshot().sceneKey, LearnedModel::sceneKey(trig));
  EXPECT_EQ(model.snapshot().schedule, flows::Schedule::Trigonometric);
  EXPECT_EQ(model.network()->config().schedule, flows::Schedule::Trigonometric);

  // Superseded retrains: only the last rank counts, and orders 1 and 2 stay put.
  const auto trained = model.network();
  for (int r : {1, 5, 2}) ASSERT_TRUE(model.setRank(3, r));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_EQ(model.network()->config().ranks, (std::vector<int>{4, 2}));
  EXPECT_TRUE(sameWeights(trained->base, model.network()->base));
  EXPECT_TRUE(sameAdapter(*trained, *model.network(), 2));

  // Cancel a new scene's training: the trig model stays, the state says cancelled.
  const auto moons = sceneNamed("moons");
  const auto kept = model.network();
  model.setScene(moons);
  EXPECT_TRUE(model.training());
  model.cancelTraining();
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_EQ(model.progress().state, TaskState::Cancelled);
  EXPECT_FALSE(model.training());
  EXPECT_EQ(model.network(), kept);
  EXPECT_FALSE(model.requestSamples(1));  // the model is not the scene's
  // Resuming trains the moons model.
  model.train();
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_EQ(model.progress().state, TaskState::Done);
  EXPECT_EQ(model.snapshot().sceneKey, LearnedModel::sceneKey(moons));

  // "Train longer" continues with twice the steps.
  const int baseSteps = model.snapshot().orders[0].steps;
  model.trainLonger();
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_EQ(model.snapshot().rounds, 1);
  EXPECT_EQ(model.snapshot().orders[0].steps, baseSteps + 2 * settings.train.baseSteps);
}

TEST(LearnedModel, LearnedFieldEqualsTheNetworksPrediction) {
  LearnedModel model(tinySettings());
  std::vector<Vec2f> out;
  const auto x = randomPoints(300, 91, 1.5f);
  EXPECT_FALSE(model.learnedField(1, x, 0.3f, out));  // no model yet
  trainOn(model, sceneNamed("default"));
  const auto& network = *model.network();
  for (int order = 1; order <= 3; ++order) {
    for (float t : {0.05f, 0.37f, 0.95f}) {
      ASSERT_TRUE(model.learnedField(order, x, t, out));
      ASSERT_EQ(out.size(), x.size());
      const std::vector<float> times(x.size(), t);
      const Eigen::MatrixXf features = network.features(x, times);
      const Eigen::MatrixXf expected = network.predict(order, features);
      const Eigen::MatrixXf raw = network.forward(
          order, network.features(x, std::vector<float>(x.size(), std::min(t, network.config().timeMax))));
      const float factor = network.outputFactor(order, std::min(t, network.config().timeMax));
      for (std::size_t i = 0; i < x.size(); ++i) {
        const auto c = static_cast<Eigen::Index>(i);
        EXPECT_EQ(out[i].x, expected(0, c));
        EXPECT_EQ(out[i].y, expected(1, c));
        EXPECT_NEAR(out[i].x, raw(0, c) * factor, 1e-5f * (1.0f + std::abs(out[i].x)));
      }
      // A cached answer is the same answer.
      std::vector<Vec2f> again;
      ASSERT_TRUE(model.learnedField(order, x, t, again));
      EXPECT_TRUE(samePoints(again, out));
    }
  }
  EXPECT_FALSE(model.learnedField(0, x, 0.3f, out));
  EXPECT_FALSE(model.learnedField(4, x, 0.3f, out));
}

TEST(LearnedModel, PerParticleErrorEqualsAFloat64Computation) {
  LearnedModel model(tinySettings());
  const auto scene = sceneNamed("default");
  std::vector<float> err;
  const auto x = randomPoints(200, 7, 1.2f);
  EXPECT_FALSE(model.perParticleError(1, x, 0.5f, scene, err));
  trainOn(model, scene);
  const auto data = flows::FlowData::empirical(scene.data.points);
  const auto view = data.view();
  for (int order = 1; order <= 3; ++order) {
    const float t = 0.3f + 0.15f * static_cast<float>(order);
    ASSERT_TRUE(model.perParticleError(order, x, t, scene, err));
    ASSERT_EQ(err.size(), x.size());
    std::vector<Vec2f> learned;
    ASSERT_TRUE(model.learnedField(order, x, t, learned));
    for (std::size_t i = 0; i < x.size(); ++i) {
      const auto d = flows::lagrangianDerivatives<double>(view, scene.schedule, x[i].cast<double>(), double(t));
      const Vec2d e = order == 1 ? d.velocity : order == 2 ? d.acceleration : d.jerk;
      const Vec2d l = learned[i].cast<double>();
      const double expected = std::sqrt(squaredNorm(Vec2d{l.x - e.x, l.y - e.y})) /
                              (std::sqrt(squaredNorm(e)) + model.settings().errorFloor);
      EXPECT_NEAR(err[i], expected, 2e-4 * (1.0 + expected)) << "order " << order << " point " << i;
    }
  }
  EXPECT_FALSE(model.perParticleError(2, x, 1.5f, scene, err));
}

TEST(LearnedModel, ComparisonAndFewStepSamplesMatchTheCore) {
  LearnedModel model(tinySettings());
  const auto scene = sceneNamed("default");
  trainOn(model, scene);
  model.compareVariants();
  ASSERT_TRUE(model.requestSamples(2));
  ASSERT_TRUE(model.waitForIdle(kJobWait));

  const auto& c = model.comparison();
  ASSERT_EQ(c.state, TaskState::Done) << c.error;
  ASSERT_EQ(c.rows.size(), 9u);  // 3 variants × orders 1..3
  const auto& snapshot = model.snapshot();
  for (const auto& r : c.rows) {
    if (r.order == 1) {
      EXPECT_DOUBLE_EQ(r.heldOutRelativeError, snapshot.orders[0].heldOutRelativeError);
    }
    EXPECT_GT(r.heldOutRelativeError, 0.0);
  }
  // Equal budget: a separate network of order k has no more parameters than the adapter.
  for (int k = 2; k <= 3; ++k) {
    const auto& cascade = c.rows[static_cast<std::size_t>(k - 1)];
    const auto& separate = c.rows[static_cast<std::size_t>(6 + k - 1)];
    EXPECT_EQ(cascade.variant, learn::Variant::Cascade);
    EXPECT_EQ(separate.variant, learn::Variant::Separate);
    EXPECT_LE(separate.parameters, cascade.parameters);
    EXPECT_GT(separate.parameters, cascade.parameters / 2);
  }

  const auto& s = model.samples();
  ASSERT_EQ(s.state, TaskState::Done) << s.error;
  ASSERT_EQ(s.runs.size(), 4u);
  const std::vector<std::pair<flows::Solver, int>> expectedSteps = {
      {flows::Solver::Taylor3, 2}, {flows::Solver::Rk4, 2}, {flows::Solver::Heun, 3}, {flows::Solver::Euler, 6}};
  const auto start = flows::sampleStandardNormal(model.settings().sampleCount, model.settings().seed + 17);
  for (std::size_t i = 0; i < s.runs.size(); ++i) {
    const auto& r = s.runs[i];
    EXPECT_EQ(r.solver, expectedSteps[i].first);
    EXPECT_EQ(r.steps, expectedSteps[i].second);
    EXPECT_EQ(r.networkEvaluations, r.steps * learn::networkEvaluationsPerStep(r.solver));
    const auto samples = learn::sampleLearned(*snapshot.network, r.solver, r.steps, start);
    EXPECT_TRUE(samePoints(r.samples, samples));
    EXPECT_DOUBLE_EQ(r.swdToData, learn::slicedWasserstein(samples, scene.data.points));
    EXPECT_DOUBLE_EQ(r.swdToExact, learn::slicedWasserstein(samples, s.exactSamples));
  }
  EXPECT_EQ(s.exactSamples.size(), start.size());
  EXPECT_DOUBLE_EQ(s.exactSwdToData, learn::slicedWasserstein(s.exactSamples, scene.data.points));
  EXPECT_LT(s.exactSwdToData, 0.2);  // the exact flow reaches the data
}

}  // namespace
}  // namespace rankflow
