// The Cascade panel's "Matrix fit" tab (docs/MATHEMATICS.md §1): its model gives the errors the core fit and
// a float64 recomputation give, a move of r_k never touches orders < k, bad input is refused
// with a message and changes nothing, the sweep equals lowrank::sweepSchedules and cancels,
// the A/B table and the export hold the right numbers, and the tab draws headlessly.
#include "app/models/cascade_fit_model.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "core/lowrank/cascade.h"
#include "core/lowrank/sweep.h"
#include "core/theory/matrix_scenes.h"
#include "tests/support/job_wait.h"

namespace rankflow {
namespace {

using app::CascadeFitModel;
using app::OrderRefit;
using app::TaskState;
using namespace std::chrono_literals;

using testing::kJobWait;

std::mt19937_64 freshRng() {
  const auto seed = std::random_device{}();
  std::printf("seed %u\n", static_cast<unsigned>(seed));
  return std::mt19937_64(seed);
}

std::vector<Eigen::MatrixXd> derivativesAt(const std::string& scene, const std::map<std::string, std::string>& params,
                                           double t, int orders) {
  matfun::MatrixFunction b = theory::buildMatrixScene(scene, params).b;
  std::vector<Eigen::MatrixXd> out;
  for (int k = 0; k <= orders; ++k) {
    out.push_back(b.evaluate(t));
    b = b.derivative();
  }
  return out;
}

// Best rank-r approximation in float64.
Eigen::MatrixXd truncated(const Eigen::MatrixXd& m, int r) {
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(m, Eigen::ComputeThinU | Eigen::ComputeThinV);
  return svd.matrixU().leftCols(r) * svd.singularValues().head(r).asDiagonal() * svd.matrixV().leftCols(r).transpose();
}

// Errors per order of the cascading and the independent fit, all in float64.
void expectMatchesFloat64(const app::FitSnapshot& fit, const std::vector<Eigen::MatrixXd>& targets) {
  ASSERT_EQ(fit.orders.size() + 1, targets.size());
  Eigen::MatrixXd w = targets[0];
  for (std::size_t k = 1; k < targets.size(); ++k) {
    const int r = fit.ranks[k - 1];
    w += truncated(targets[k] - w, r);
    const double norm = targets[k].norm();
    const double cascade = (targets[k] - w).norm() / norm;
    const double independent = (targets[k] - targets[0] - truncated(targets[k] - targets[0], r)).norm() / norm;
    EXPECT_NEAR(fit.orders[k - 1].cascadeError, cascade, 2e-5 + 1e-3 * cascade) << "order " << k << ", r = " << r;
    EXPECT_NEAR(fit.orders[k - 1].independentError, independent, 2e-5 + 1e-3 * independent) << "order " << k;
  }
}

void expectMatchesCore(const app::FitSnapshot& fit) {
  ASSERT_TRUE(fit.targets);
  const lowrank::CascadeFit core(*fit.targets, fit.ranks);
  ASSERT_EQ(core.orders().size(), fit.orders.size());
  // The window's SVDs run on CUDA where a device exists: the same fit to float32 round-off
  // there (tests/gpu/spectra_parity_test.cpp checks them closely), Eigen's exactly here.
  const bool onDevice = fit.svdBackend.rfind("CUDA", 0) == 0;
  for (std::size_t i = 0; i < fit.orders.size(); ++i) {
    EXPECT_EQ(fit.orders[i].rank, fit.ranks[i]);
    const double cascade = core.orders()[i].cascadeError, independent = core.orders()[i].independentError;
    if (onDevice) {
      EXPECT_NEAR(fit.orders[i].cascadeError, cascade, 1e-4 + 1e-3 * cascade) << "order " << i + 1;
      EXPECT_NEAR(fit.orders[i].independentError, independent, 1e-4 + 1e-3 * independent) << "order " << i + 1;
    } else {
      EXPECT_DOUBLE_EQ(fit.orders[i].cascadeError, cascade) << "order " << i + 1;
      EXPECT_DOUBLE_EQ(fit.orders[i].independentError, independent) << "order " << i + 1;
    }
  }
  const auto costs = lowrank::cascadeCosts(fit.dim, fit.ranks);
  EXPECT_DOUBLE_EQ(fit.costs.cascadeParameters, costs.cascadeParameters);
  EXPECT_DOUBLE_EQ(fit.costs.naiveParameters, costs.naiveParameters);
  EXPECT_DOUBLE_EQ(fit.costs.cascadeMacs, costs.cascadeMacsPerColumn);
  EXPECT_DOUBLE_EQ(fit.costs.idealSpeedup, costs.idealSpeedup);
}

TEST(CascadeFitModel, ErrorsMatchTheCoreFitAndAFloat64Recomputation) {
  auto rng = freshRng();
  CascadeFitModel model;
  const double t = std::uniform_real_distribution<double>(0.2, 0.9)(rng);
  ASSERT_TRUE(model.setOrders(5));
  std::vector<int> ranks;
  for (int k = 0; k < 5; ++k) ranks.push_back(std::uniform_int_distribution<int>(1, model.dim() - 1)(rng));
  ASSERT_TRUE(model.setRanks(ranks));
  model.setTime(t);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const auto& fit = model.fit();
  ASSERT_TRUE(fit.error.empty()) << fit.error;
  EXPECT_EQ(fit.ranks, ranks);
  EXPECT_EQ(fit.dim, 32);
  EXPECT_EQ(fit.t, t);
  const auto targets = derivativesAt("lemma1.5", {{"ranks", "4,8,12,16,20,24,28,32,32,32"}}, t, 5);
  for (std::size_t k = 0; k < targets.size(); ++k)
    EXPECT_TRUE((*fit.targets)[k].isApprox(targets[k].cast<float>())) << "T_" << k;
  expectMatchesCore(fit);
  expectMatchesFloat64(fit, targets);

  // A dense scene (B = x yᵀ with polynomial entries), the same checks.
  ASSERT_TRUE(model.setScene("lemma1.6"));
  ASSERT_TRUE(model.setParameter("n", "24"));
  ASSERT_TRUE(model.setRanks({1, 2, 3}));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  ASSERT_TRUE(model.fit().error.empty()) << model.fit().error;
  EXPECT_EQ(model.fit().dim, 24);
  expectMatchesCore(model.fit());
  expectMatchesFloat64(model.fit(), derivativesAt("lemma1.6", {{"n", "24"}, {"degree", "3"}, {"seed", "1"}}, t, 3));
}

TEST(CascadeFitModel, MovingRkKeepsEarlierOrdersAndRecomputesOnlyLaterOnes) {
  auto rng = freshRng();
  CascadeFitModel model;
  model.setOrders(6);
  model.setTime(std::uniform_real_distribution<double>(0.2, 0.9)(rng));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const app::FitSnapshot before = model.fit();
  ASSERT_TRUE(before.targetsRebuilt);
  for (const auto& o : before.orders) EXPECT_EQ(o.refit, OrderRefit::Recomputed);

  const int k = std::uniform_int_distribution<int>(2, 5)(rng);
  const int rank = before.ranks[static_cast<std::size_t>(k - 1)] + std::uniform_int_distribution<int>(3, 10)(rng);
  ASSERT_TRUE(model.setRank(k, rank));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const app::FitSnapshot& after = model.fit();
  EXPECT_FALSE(after.targetsRebuilt);
  EXPECT_EQ(after.targets, before.targets);  // the same targets, not recomputed
  for (int i = 1; i < k; ++i) {
    const auto& o = after.orders[static_cast<std::size_t>(i - 1)];
    EXPECT_EQ(o.refit, OrderRefit::Kept) << "order " << i;
    EXPECT_EQ(o.svdSeconds, 0.0) << "order " << i;
    EXPECT_EQ(o.cascadeError, before.orders[static_cast<std::size_t>(i - 1)].cascadeError) << "order " << i;
    EXPECT_EQ(o.independentError, before.orders[static_cast<std::size_t>(i - 1)].independentError) << "order " << i;
  }
  const auto& moved = after.orders[static_cast<std::size_t>(k - 1)];
  EXPECT_EQ(moved.refit, OrderRefit::Retruncated);
  EXPECT_EQ(moved.svdSeconds, 0.0);
  EXPECT_LT(moved.cascadeError, before.orders[static_cast<std::size_t>(k - 1)].cascadeError);
  for (int i = k + 1; i <= 6; ++i)
    EXPECT_EQ(after.orders[static_cast<std::size_t>(i - 1)].refit, OrderRefit::Recomputed) << "order " << i;
  // One new SVD per later order (the residuals changed); the independent SVDs stay cached.
  EXPECT_EQ(after.svdCount - before.svdCount, 6 - k);
  expectMatchesCore(after);

  // The same t again is no refit; a new t rebuilds everything.
  EXPECT_FALSE(model.setTime(model.t()));
  EXPECT_FALSE(model.fitting());
  ASSERT_TRUE(model.setTime(model.t() + 0.125));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_TRUE(model.fit().targetsRebuilt);
  for (const auto& o : model.fit().orders) EXPECT_EQ(o.refit, OrderRefit::Recomputed);
}

TEST(CascadeFitModel, BadInputIsRefusedWithAMessageAndChangesNothing) {
  CascadeFitModel model;
  model.refit();
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const auto ranks = model.ranks();
  const auto generation = model.fit().generation;
  const int d = model.dim();
  const auto expectRefused = [&](bool accepted, const std::string& needle) {
    EXPECT_FALSE(accepted) << needle;
    EXPECT_NE(model.message().find(needle), std::string::npos) << model.message();
    EXPECT_EQ(model.ranks(), ranks);
    EXPECT_EQ(model.dim(), d);
    EXPECT_EQ(model.scene(), "lemma1.5");
    EXPECT_FALSE(model.fitting());
  };
  expectRefused(model.setRank(2, d + 1), "r_2 = 33 is impossible: ranks lie in 0..d = 32");
  expectRefused(model.setRank(1, -1), "impossible");
  expectRefused(model.setRank(9, 1), "order 9 is outside 1..4");
  expectRefused(model.setRanks({1, 2, 40}), "r_3 = 40 is impossible");
  expectRefused(model.setOrders(9), "K must lie in 1..8");
  expectRefused(model.setTime(std::nan("")), "t is NaN");
  expectRefused(model.setParameter("ranks", "1,x"), "'x' is not an integer rank");
  expectRefused(model.setParameter("q", "1"), "has no parameter 'q'");
  expectRefused(model.setScene("nope"), "unknown matrix scene 'nope'");
  expectRefused(model.measure(100), "n must lie in 256..8192");
  expectRefused(model.startSweep(d + 1), "r_max must lie in 0..d = 32");
  expectRefused(model.startSweep(20), "schedules (21^4) exceed the limit");
  expectRefused(model.adoptSchedule(0), "no schedule 0");
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_EQ(model.fit().generation, generation);
  EXPECT_EQ(model.sweep().state, TaskState::Idle);
  EXPECT_EQ(model.timing().state, TaskState::Idle);
  // The next accepted input clears the message.
  EXPECT_TRUE(model.setRank(2, d));
  EXPECT_TRUE(model.message().empty());
  // A smaller scene caps the ranks at its d.
  EXPECT_TRUE(model.setParameter("ranks", "3,2,1,1,1"));
  EXPECT_EQ(model.dim(), 3);
  for (int r : model.ranks()) EXPECT_LE(r, 3);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_TRUE(model.fit().error.empty()) << model.fit().error;
}

TEST(CascadeFitModel, SweepEqualsSweepSchedulesAndAdoptsAClickedSchedule) {
  auto rng = freshRng();
  CascadeFitModel model;
  model.setOrders(3);
  model.setTime(std::uniform_real_distribution<double>(0.2, 0.9)(rng));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const int rMax = std::uniform_int_distribution<int>(3, 6)(rng);
  ASSERT_TRUE(model.startSweep(rMax)) << model.message();
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const auto& sweep = model.sweep();
  ASSERT_EQ(sweep.state, TaskState::Done) << sweep.error;
  EXPECT_FLOAT_EQ(model.sweepProgress(), 1.0f);
  const auto expected = lowrank::sweepSchedules(*model.fit().targets, rMax);
  ASSERT_EQ(sweep.results.size(), expected.size());
  EXPECT_EQ(static_cast<double>(expected.size()), CascadeFitModel::scheduleCount(3, rMax));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(sweep.results[i].ranks, expected[i].ranks);
    EXPECT_EQ(sweep.results[i].errors, expected[i].errors);
    EXPECT_EQ(sweep.results[i].parameters, expected[i].parameters);
    EXPECT_EQ(sweep.results[i].pareto, expected[i].pareto);
  }
  EXPECT_EQ(model.exportSweepCsv(), lowrank::schedulesCsv(expected));

  // Adopting a Pareto schedule makes it the current one, with the sweep's errors.
  std::size_t pick = 0;
  while (!sweep.results[pick].pareto || sweep.results[pick].ranks == model.ranks()) ++pick;
  ASSERT_TRUE(model.adoptSchedule(pick)) << model.message();
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_EQ(model.fit().ranks, sweep.results[pick].ranks);
  for (std::size_t k = 0; k < 3; ++k)
    EXPECT_DOUBLE_EQ(model.fit().orders[k].cascadeError, sweep.results[pick].errors[k]);
  // After a scene change the sweep no longer applies.
  model.setParameter("ranks", "4,8,12,16,20,24");
  EXPECT_FALSE(model.adoptSchedule(pick));
  EXPECT_NE(model.message().find("sweep again"), std::string::npos) << model.message();
}

TEST(CascadeFitModel, SweepCancelStopsEarlyAndKeepsItsResults) {
  CascadeFitModel model;
  model.setOrders(8);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  ASSERT_TRUE(model.startSweep(3)) << model.message();  // 4^8 = 65536 schedules
  EXPECT_EQ(model.sweep().state, TaskState::Running);
  const auto deadline = std::chrono::steady_clock::now() + kJobWait;
  while (model.sweepProgress() == 0.0f && std::chrono::steady_clock::now() < deadline) {
    model.poll();
    std::this_thread::sleep_for(1ms);
  }
  model.cancelSweep();
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const auto& sweep = model.sweep();
  ASSERT_EQ(sweep.state, TaskState::Cancelled);
  EXPECT_EQ(sweep.total, 65536);
  EXPECT_LT(sweep.results.size(), 65536u);
  EXPECT_GT(sweep.results.size(), 0u);
  // What it kept is right: the last schedule swept against a fresh core fit.
  const auto& last = sweep.results.back();
  const lowrank::CascadeFit core(*model.fit().targets, last.ranks);
  for (std::size_t k = 0; k < last.errors.size(); ++k) EXPECT_DOUBLE_EQ(last.errors[k], core.orders()[k].cascadeError);
  const auto json = nlohmann::json::parse(model.exportJson());
  EXPECT_EQ(json["sweep"]["state"], "cancelled");
  EXPECT_EQ(json["sweep"]["schedules"].size(), sweep.results.size());
}

TEST(CascadeFitModel, MeasureTimesTheThreeWaysOfTheCurrentSchedule) {
  CascadeFitModel model;
  EXPECT_FALSE(model.measure(256));  // no fit yet
  model.refit();
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  ASSERT_TRUE(model.measure(256)) << model.message();
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const auto& t = model.timing();
  ASSERT_EQ(t.state, TaskState::Done) << t.error;
  EXPECT_EQ(t.columns, 256);
  EXPECT_EQ(t.ranks, model.fit().ranks);
  EXPECT_GT(t.naiveSeconds, 0.0);
  EXPECT_GT(t.independentSeconds, 0.0);
  EXPECT_GT(t.cascadeSeconds, 0.0);
  EXPECT_DOUBLE_EQ(t.measuredSpeedup(), t.naiveSeconds / t.cascadeSeconds);
  EXPECT_TRUE(model.timingIsCurrent());
  model.setRank(1, 7);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_FALSE(model.timingIsCurrent());  // measured for another schedule
}

TEST(CascadeFitModel, AbTableComparesThePinnedAndTheCurrentSchedule) {
  auto rng = freshRng();
  CascadeFitModel model;
  ASSERT_TRUE(model.setRanks({2, 3, 2, 5}));
  model.setTime(std::uniform_real_distribution<double>(0.2, 0.9)(rng));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  ASSERT_TRUE(model.measure(512));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  model.pinA();
  const std::vector<int> b{9, 3, 6, 5};
  ASSERT_TRUE(model.setRanks(b));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  ASSERT_TRUE(model.pinned().has_value());
  ASSERT_TRUE(model.pinned()->cascadeSeconds.has_value());
  EXPECT_EQ(*model.pinned()->cascadeSeconds, model.timing().cascadeSeconds);

  const auto rows = model.abRows();
  const auto find = [&](const std::string& label) {
    for (const auto& row : rows)
      if (row.label == label) return row;
    ADD_FAILURE() << "no row " << label;
    return app::AbRow{};
  };
  EXPECT_EQ(*find("r_1").a, 2.0);
  EXPECT_EQ(*find("r_1").b, 9.0);
  EXPECT_EQ(*find("r_1").difference(), 7.0);
  EXPECT_EQ(*find("r_2").difference(), 0.0);
  const auto& targets = *model.fit().targets;
  const lowrank::CascadeFit fitA(targets, {2, 3, 2, 5}), fitB(targets, b);
  for (int k = 1; k <= 4; ++k) {
    const auto row = find("cascade error, order " + std::to_string(k));
    EXPECT_DOUBLE_EQ(*row.a, fitA.orders()[static_cast<std::size_t>(k - 1)].cascadeError);
    EXPECT_DOUBLE_EQ(*row.b, fitB.orders()[static_cast<std::size_t>(k - 1)].cascadeError);
  }
  const double d = 32;
  EXPECT_DOUBLE_EQ(*find("parameters").a, d * d + 2 * d * 12);
  EXPECT_DOUBLE_EQ(*find("parameters").b, d * d + 2 * d * 23);
  EXPECT_DOUBLE_EQ(*find("parameters").difference(), 2 * d * 11);
  EXPECT_TRUE(find("measured cascade time (s)").a.has_value());
  EXPECT_FALSE(find("measured cascade time (s)").b.has_value());  // B is not measured

  // Both stay fitted to the same targets when t moves.
  model.setTime(model.t() + 0.1);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const lowrank::CascadeFit movedA(*model.fit().targets, {2, 3, 2, 5});
  EXPECT_DOUBLE_EQ(*model.abRows()[4].a, movedA.orders()[0].cascadeError);

  const auto json = nlohmann::json::parse(model.exportJson());
  EXPECT_EQ(json["ab"]["a_ranks"], (std::vector<int>{2, 3, 2, 5}));
  EXPECT_EQ(json["ab"]["b_ranks"], b);
  model.clearA();
  EXPECT_TRUE(model.abRows().empty());
}

TEST(CascadeFitModel, ExportJsonHoldsTheNumbersBehindTheTab) {
  CascadeFitModel model;
  model.setRanks({3, 5, 1});
  model.setTime(0.7);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  model.startSweep(2);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const auto& f = model.fit();
  const auto json = nlohmann::json::parse(model.exportJson());
  EXPECT_EQ(json["scene"], "lemma1.5");
  EXPECT_EQ(json["t"].get<double>(), 0.7);
  EXPECT_EQ(json["d"], 32);
  EXPECT_EQ(json["K"], 3);
  EXPECT_EQ(json["ranks"], (std::vector<int>{3, 5, 1}));
  ASSERT_EQ(json["orders"].size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(json["orders"][k]["cascade_error"].get<double>(), f.orders[k].cascadeError);
    EXPECT_EQ(json["orders"][k]["independent_error"].get<double>(), f.orders[k].independentError);
    EXPECT_EQ(json["orders"][k]["naive_error"].get<double>(), 0.0);
  }
  EXPECT_EQ(json["costs"]["naive_parameters"].get<double>(), 4.0 * 32 * 32);
  EXPECT_EQ(json["costs"]["cascade_parameters"].get<double>(), 32.0 * 32 + 2 * 32 * 9);
  EXPECT_EQ(json["costs"]["ideal_speedup"].get<double>(), f.costs.idealSpeedup);
  ASSERT_EQ(json["sweep"]["schedules"].size(), 27u);
  EXPECT_EQ(json["sweep"]["schedules"][26]["ranks"], (std::vector<int>{2, 2, 2}));
  EXPECT_EQ(json["sweep"]["schedules"][26]["mean_error"].get<double>(), model.sweep().results[26].meanError);
  EXPECT_FALSE(json.contains("ab"));
}

}  // namespace
}  // namespace rankflow
