// The Queries panel (docs/MATHEMATICS.md §3, §6): its model answers like the core range tree and a float64
// reference, every strategy agrees, the trace tiles the interval exactly, timing runs off
// the UI thread with newer requests superseding older ones and a working cancel, bad input
// gives messages, and the window draws headlessly with every Begin matched by an End.

#include "app/models/queries_model.h"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "core/lowrank/range_tree.h"
#include "tests/support/job_wait.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using app::QueriesModel;
using app::QueryJob;
using app::QuerySizes;
using app::TaskState;
using lowrank::Strategy;
using namespace std::chrono_literals;

using testing::kJobWait;
// float32 sums of up to m rank-r products against float64 (as the core's range tree test).
constexpr double kTolerance = 1e-5;
// Prefix sums subtract two large partial sums: cancellation costs digits for short intervals.
constexpr double kPrefixTolerance = 1e-3;

void settle(QueriesModel& model) {
  ASSERT_TRUE(model.waitIdle(kJobWait)) << "the model's worker did not finish in time";
  model.poll();
}

double relativeError(const Eigen::MatrixXf& y, const Eigen::MatrixXd& reference) {
  return (y.cast<double>() - reference).norm() / reference.norm();
}

QuerySizes freshSizes(int m, int d, int r, int n) {
  QuerySizes sizes;
  sizes.m = m;
  sizes.d = d;
  sizes.r = r;
  sizes.n = n;
  sizes.seed = testing::freshSeed();
  return sizes;
}

std::vector<std::pair<int, int>> someIntervals(int m, std::mt19937_64& rng) {
  std::vector<std::pair<int, int>> intervals = {{0, 0}, {0, m - 1}, {m - 1, m - 1}, {3, 4}};
  std::uniform_int_distribution<int> index(0, m - 1);
  for (int i = 0; i < 6; ++i) {
    const int a = index(rng), b = index(rng);
    intervals.emplace_back(std::min(a, b), std::max(a, b));
  }
  return intervals;
}

TEST(QueriesModel, QueryEqualsTheCoreAndTheFloat64ReferenceOnFreshRandomInputs) {
  const QuerySizes sizes = freshSizes(203, 24, 3, 5);  // m not a power of two: padding is exercised
  SCOPED_TRACE("seed " + std::to_string(sizes.seed));
  QueriesModel model(sizes);
  settle(model);
  ASSERT_TRUE(model.view().treeReady) << model.view().job(QueryJob::Build).message;

  const app::QueryInputs inputs = QueriesModel::makeInputs(sizes);
  const lowrank::LowRankRangeTree core(inputs.left, inputs.right);
  // The model has already timed every strategy, prefix included: its prefix sums are
  // current, and the router's prediction for prefix depends on that. Match the state.
  core.query(0, 0, inputs.x, Strategy::PrefixSums);
  std::mt19937_64 rng(sizes.seed);
  for (const auto& [l, h] : someIntervals(sizes.m, rng)) {
    SCOPED_TRACE("[" + std::to_string(l) + ", " + std::to_string(h) + "]");
    const app::Submission submitted = model.requestInterval(l, h);
    ASSERT_TRUE(submitted.accepted) << submitted.message;
    settle(model);
    const auto& q = model.view().query;
    ASSERT_TRUE(q);
    ASSERT_EQ(q->id, submitted.id);
    ASSERT_EQ(q->l, l);
    ASSERT_EQ(q->h, h);
    lowrank::QueryTrace trace;
    const Eigen::MatrixXf expected =
        core.query(l, h, inputs.x, std::nullopt, lowrank::CostModel::forThisMachine(), &trace);
    EXPECT_EQ(q->routerChoice, trace.used);
    ASSERT_EQ(q->routerResult.rows(), expected.rows());
    ASSERT_EQ(q->routerResult.cols(), expected.cols());
    EXPECT_LT((q->routerResult - expected).norm(), 1e-6 * expected.norm());
    const Eigen::MatrixXd reference = lowrank::referenceRangeQuery(inputs.left, inputs.right, l, h, inputs.x);
    EXPECT_LT(relativeError(q->routerResult, reference), kTolerance);
    EXPECT_NEAR(q->routerRelativeError, relativeError(q->routerResult, reference), 1e-9);
  }
}

TEST(QueriesModel, EveryStrategyGivesTheSameNumbersWithinTolerance) {
  const QuerySizes sizes = freshSizes(150, 32, 4, 7);
  SCOPED_TRACE("seed " + std::to_string(sizes.seed));
  QueriesModel model(sizes);
  settle(model);
  std::mt19937_64 rng(sizes.seed + 1);
  for (const auto& [l, h] : someIntervals(sizes.m, rng)) {
    SCOPED_TRACE("[" + std::to_string(l) + ", " + std::to_string(h) + "]");
    ASSERT_TRUE(model.requestInterval(l, h).accepted);
    settle(model);
    const auto& q = model.view().query;
    ASSERT_TRUE(q);
    ASSERT_EQ(model.view().job(QueryJob::Query).state, TaskState::Done);
    for (Strategy s : lowrank::kAllStrategies) {
      const auto i = static_cast<std::size_t>(s);
      EXPECT_LT(q->relativeError[i], s == Strategy::PrefixSums ? kPrefixTolerance : kTolerance)
          << lowrank::strategyName(s);
      EXPECT_GT(q->measuredSeconds[i], 0.0) << lowrank::strategyName(s);
      EXPECT_GT(q->predictedSeconds[i], 0.0) << lowrank::strategyName(s);
      EXPECT_GE(q->repetitions[i], 1);
    }
    EXPECT_LT(q->maxStrategyDifference, kPrefixTolerance);
    // The router picks the strategy its own predictions call cheapest.
    const auto& predicted = q->routerPlan.predictedSeconds;
    EXPECT_EQ(static_cast<std::size_t>(q->routerChoice),
              static_cast<std::size_t>(std::min_element(predicted.begin(), predicted.end()) - predicted.begin()));
  }
}

TEST(QueriesModel, TheTraceVisitsNodesThatCoverExactlyTheInterval) {
  const QuerySizes sizes = freshSizes(77, 8, 2, 3);
  SCOPED_TRACE("seed " + std::to_string(sizes.seed));
  QueriesModel model(sizes);
  settle(model);
  const app::QueryInputs inputs = QueriesModel::makeInputs(sizes);
  const lowrank::LowRankRangeTree core(inputs.left, inputs.right);
  std::mt19937_64 rng(sizes.seed + 2);
  for (const auto& [l, h] : someIntervals(sizes.m, rng)) {
    SCOPED_TRACE("[" + std::to_string(l) + ", " + std::to_string(h) + "]");
    ASSERT_TRUE(model.requestInterval(l, h).accepted);
    settle(model);
    const auto& plan = model.view().query->routerPlan;
    ASSERT_FALSE(plan.nodes.empty());
    ASSERT_EQ(plan.nodes.size(), plan.nodeRanges.size());
    EXPECT_LE(plan.nodes.size(), 2u * static_cast<std::size_t>(std::ceil(std::log2(sizes.m))));
    // Disjoint, in order, without gaps, from l to h: every leaf counted exactly once.
    int next = l;
    for (std::size_t i = 0; i < plan.nodes.size(); ++i) {
      EXPECT_EQ(plan.nodeRanges[i].first, next);
      EXPECT_GE(plan.nodeRanges[i].second, plan.nodeRanges[i].first);
      EXPECT_EQ(core.nodeRange(plan.nodes[i]), plan.nodeRanges[i]);
      next = plan.nodeRanges[i].second + 1;
    }
    EXPECT_EQ(next, h + 1);
    EXPECT_EQ(plan.nodes, core.plan(l, h, sizes.n, lowrank::CostModel::forThisMachine()).nodes);
  }
}

TEST(QueriesModel, ANewerRequestSupersedesAnOlderOne) {
  QuerySizes sizes = freshSizes(2048, 48, 8, 32);
  QueriesModel model(sizes);
  settle(model);
  const std::uint64_t before = model.view().supersededQueries;
  app::Submission last;
  // Far faster than any query runs: older ones are replaced while queued or stopped while running.
  for (int i = 0; i < 30; ++i) {
    last = model.requestInterval(i, sizes.m - 1 - i);
    ASSERT_TRUE(last.accepted);
    model.poll();
  }
  std::uint64_t seen = 0;
  while (model.busy()) {
    model.poll();
    if (const auto& q = model.view().query) {
      EXPECT_GE(q->id, seen) << "an older report replaced a newer one";
      seen = q->id;
    }
    std::this_thread::sleep_for(1ms);
  }
  settle(model);
  const auto& q = model.view().query;
  ASSERT_TRUE(q);
  EXPECT_EQ(q->id, last.id);
  EXPECT_EQ(q->l, 29);
  EXPECT_EQ(q->h, sizes.m - 30);
  EXPECT_GE(model.view().supersededQueries, before + 1);
  EXPECT_EQ(model.view().job(QueryJob::Query).state, TaskState::Done);

  // A rebuild supersedes a running sweep, and the interval follows the new, smaller tree.
  ASSERT_TRUE(model.requestSweep(32).accepted);
  QuerySizes smaller = sizes;
  smaller.m = 16;
  ASSERT_TRUE(model.requestBuild(smaller).accepted);
  settle(model);
  EXPECT_EQ(model.view().sizes, smaller);
  EXPECT_EQ(model.view().job(QueryJob::Sweep).state, TaskState::Cancelled);
  EXPECT_LE(model.view().h, 15);
  ASSERT_TRUE(model.view().query);
  EXPECT_LE(model.view().query->h, 15);
}

// Polls (as the UI does each frame) until `done` or the deadline.
template <class Done>
bool pollUntil(QueriesModel& model, Done&& done) {
  const auto deadline = std::chrono::steady_clock::now() + kJobWait;
  while (std::chrono::steady_clock::now() < deadline) {
    model.poll();
    if (done(model.view())) return true;
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

TEST(QueriesModel, ASweepYieldsToQueriesAndCancelStopsItAndABuild) {
  const QuerySizes sizes = freshSizes(4096, 64, 24, 64);
  QueriesModel model(sizes);
  settle(model);
  ASSERT_TRUE(model.view().treeReady);

  // Cancelled before it starts.
  ASSERT_TRUE(model.requestSweep(64).accepted);
  model.cancel(QueryJob::Sweep);
  settle(model);
  EXPECT_EQ(model.view().job(QueryJob::Sweep).state, TaskState::Cancelled);

  // Running: a query asked for meanwhile is answered before the sweep ends, then the sweep
  // is cancelled and keeps the points it has.
  // The predicate names the sweep: a cancelled sweep's report (possibly with points, if the
  // worker got far before the cancel on a loaded machine) stays on show until this one publishes.
  const app::Submission running = model.requestSweep(64);
  ASSERT_TRUE(running.accepted);
  ASSERT_TRUE(pollUntil(model, [&](const app::QueriesView& v) {
    return v.sweep && v.sweep->id == running.id && v.sweep->points.size() >= 2;
  }));
  const app::Submission query = model.requestInterval(100, 3000);
  ASSERT_TRUE(query.accepted);
  ASSERT_TRUE(pollUntil(model, [&](const app::QueriesView& v) { return v.query && v.query->id == query.id; }));
  EXPECT_EQ(model.view().job(QueryJob::Sweep).state, TaskState::Running);
  model.cancel(QueryJob::Sweep);
  settle(model);
  EXPECT_EQ(model.view().job(QueryJob::Sweep).state, TaskState::Cancelled);
  ASSERT_TRUE(model.view().sweep);
  EXPECT_FALSE(model.view().sweep->complete);
  EXPECT_GE(model.view().sweep->points.size(), 2u);
  EXPECT_LT(static_cast<int>(model.view().sweep->points.size()), model.view().sweep->plannedPoints);

  // Cancelling a build keeps the old tree, which still answers.
  QuerySizes other = sizes;
  other.m = 3000;
  ASSERT_TRUE(model.requestBuild(other).accepted);
  model.cancel(QueryJob::Build);
  settle(model);
  EXPECT_EQ(model.view().job(QueryJob::Build).state, TaskState::Cancelled);
  EXPECT_EQ(model.view().sizes, sizes);
  EXPECT_EQ(model.view().targetSizes, sizes);
  ASSERT_TRUE(model.requestInterval(10, 20).accepted);
  settle(model);
  ASSERT_TRUE(model.view().query);
  EXPECT_EQ(model.view().query->h, 20);

  // A sweep left alone completes, with a crossover for each node-based strategy.
  QuerySizes small = sizes;
  small.m = 256;
  small.d = 16;
  small.r = 2;
  small.n = 8;
  ASSERT_TRUE(model.requestBuild(small).accepted);
  ASSERT_TRUE(model.requestSweep(6).accepted);
  settle(model);
  const auto& sweep = model.view().sweep;
  ASSERT_TRUE(sweep);
  EXPECT_TRUE(sweep->complete);
  EXPECT_EQ(sweep->points.size(), 6u);
  EXPECT_EQ(sweep->points.front().length, 1);
  EXPECT_EQ(sweep->points.back().length, 256);
  EXPECT_EQ(sweep->crossovers.size(), 3u);
  for (const auto& p : sweep->points)
    for (Strategy s : lowrank::kAllStrategies) EXPECT_GT(p.measuredSeconds[static_cast<std::size_t>(s)], 0.0);
}

TEST(QueriesModel, BadSizesAndIntervalsGiveAMessageNotAnException) {
  QuerySizes sizes;
  sizes.m = 64;
  sizes.d = 8;
  sizes.r = 2;
  sizes.n = 4;
  QueriesModel model(sizes);
  settle(model);
  const auto refused = [](const app::Submission& s) { return !s.accepted && !s.message.empty(); };

  for (auto [m, d, r, n] : {std::array{0, 8, 2, 4}, std::array{-3, 8, 2, 4}, std::array{64, 0, 2, 4},
                            std::array{64, 8, 0, 4}, std::array{64, 8, 2, 0}, std::array{INT_MAX, 8, 2, 4},
                            std::array{65536, 1024, 8, 8}, std::array{1024, 64, 64, 1024}}) {
    QuerySizes bad = sizes;
    bad.m = m;
    bad.d = d;
    bad.r = r;
    bad.n = n;
    SCOPED_TRACE(std::to_string(m) + " " + std::to_string(d) + " " + std::to_string(r) + " " + std::to_string(n));
    EXPECT_FALSE(QueriesModel::validateSizes(bad).empty());
    app::Submission s;
    EXPECT_NO_THROW(s = model.requestBuild(bad));
    EXPECT_TRUE(refused(s));
  }
  EXPECT_NE(QueriesModel::validateSizes({0, 8, 2, 4, 1}).find("m must be"), std::string::npos);
  EXPECT_NE(QueriesModel::validateSizes({65536, 1024, 8, 8, 1}).find("MiB"), std::string::npos);
  EXPECT_NE(QueriesModel::validateSizes({1024, 64, 64, 1024, 1}).find("multiply-adds"), std::string::npos);

  EXPECT_TRUE(refused(model.requestInterval(5, 3)));  // l > r
  EXPECT_TRUE(refused(model.requestInterval(-1, 3)));
  EXPECT_TRUE(refused(model.requestInterval(0, 64)));
  EXPECT_TRUE(refused(model.requestSweep(1)));
  EXPECT_TRUE(refused(model.requestPointUpdate(64)));
  settle(model);
  EXPECT_EQ(model.view().sizes, sizes);  // nothing refused reached the worker

  // Bad sizes from the start: no tree, a message, and requests refused instead of thrown.
  QueriesModel empty(QuerySizes{0, 8, 2, 4, 1});
  settle(empty);
  EXPECT_FALSE(empty.view().treeReady);
  EXPECT_EQ(empty.view().job(QueryJob::Build).state, TaskState::Failed);
  EXPECT_FALSE(empty.view().job(QueryJob::Build).message.empty());
  EXPECT_TRUE(refused(empty.requestInterval(0, 0)));
  EXPECT_TRUE(refused(empty.requestSweep(8)));
  EXPECT_NO_THROW(empty.exportJson());
}

TEST(QueriesModel, PointUpdatesKeepTheTreeConsistentWithAFloat64Reference) {
  const QuerySizes sizes = freshSizes(120, 16, 3, 6);
  SCOPED_TRACE("seed " + std::to_string(sizes.seed));
  QueriesModel model(sizes);
  settle(model);
  ASSERT_TRUE(model.requestInterval(10, 90).accepted);
  settle(model);
  const Eigen::MatrixXf before = model.view().query->routerResult;
  const std::uint64_t version = model.view().treeVersion;

  ASSERT_TRUE(model.requestPointUpdate(42).accepted);
  settle(model);
  const auto& u = model.view().update;
  ASSERT_TRUE(u);
  EXPECT_EQ(u->index, 42);
  EXPECT_TRUE(u->insideInterval);
  EXPECT_EQ(u->updatesSinceBuild, 1);
  for (Strategy s : lowrank::kAllStrategies) {
    EXPECT_LT(u->relativeError[static_cast<std::size_t>(s)], s == Strategy::PrefixSums ? kPrefixTolerance : kTolerance)
        << lowrank::strategyName(s);
  }
  EXPECT_GT(u->prefixRebuildSeconds, 0.0);
  // The query was re-run on the updated tree: the numbers moved, and still agree.
  EXPECT_GT(model.view().treeVersion, version);
  const auto& q = model.view().query;
  ASSERT_TRUE(q);
  EXPECT_EQ(q->treeVersion, model.view().treeVersion);
  EXPECT_GT((q->routerResult - before).norm(), 1e-3 * before.norm());
  EXPECT_LT(q->routerRelativeError, kTolerance);

  for (int i = 0; i < 5; ++i) ASSERT_TRUE(model.requestPointUpdate(-1).accepted);  // random indices
  settle(model);
  EXPECT_EQ(model.view().update->updatesSinceBuild, 6);
  EXPECT_LT(model.view().update->maxRelativeError, kPrefixTolerance);
}

TEST(QueriesModel, ExportJsonCarriesTheDataBehindTheView) {
  QueriesModel model(QuerySizes{128, 16, 2, 4, 3});
  settle(model);
  ASSERT_TRUE(model.requestSweep(5).accepted);
  settle(model);
  const nlohmann::json json = nlohmann::json::parse(model.exportJson());
  EXPECT_EQ(json["sizes"]["m"], 128);
  EXPECT_EQ(json["interval"]["l"], model.view().l);
  EXPECT_FALSE(json["backend"]["cuda"].get<std::string>().empty());
  const auto& query = json["query"];
  EXPECT_EQ(query["router_choice"], lowrank::strategyName(model.view().query->routerChoice));
  EXPECT_EQ(query["nodes"].size(), model.view().query->routerPlan.nodes.size());
  for (const char* s : {"tree", "sum", "fly", "prefix"}) {
    EXPECT_GT(query["measured_seconds"][s].get<double>(), 0.0) << s;
    EXPECT_GT(query["predicted_seconds"][s].get<double>(), 0.0) << s;
  }
  EXPECT_EQ(json["sweep"]["points"].size(), 5u);
  EXPECT_EQ(json["sweep"]["crossovers"].size(), 3u);
}

TEST(QueriesModel, WithoutACudaDeviceTheBackendLineSaysWhy) {
  QueriesModel model(QuerySizes{32, 8, 2, 4, 1});
  settle(model);
  const auto& v = model.view();
  EXPECT_FALSE(v.cpuBackend.empty());
  if (!v.cudaAvailable) {
    EXPECT_EQ(v.cudaLine.rfind("CUDA: none (", 0), 0u) << v.cudaLine;
    EXPECT_GT(v.cudaLine.size(), std::string("CUDA: none ()").size());
    EXPECT_FALSE(v.query->cudaTimed);
  } else {
    ASSERT_TRUE(v.query->cudaTimed);
    for (double e : v.query->cudaRelativeError) EXPECT_LT(e, 1e-4);
  }
}

}  // namespace
}  // namespace rankflow
