// The arithmetic that panels and benchmarks share, checked in core on fresh random inputs:
// the sweep's lengths, errors and crossings (core/lowrank/crossover.h), best-of timing
// (core/common/timing.h), log-density at any points (core/flows/samplers.h) and scene
// parameter lists (core/theory/matrix_scenes.h).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/common/error.h"
#include "core/common/timing.h"
#include "core/flows/samplers.h"
#include "core/lowrank/crossover.h"
#include "core/theory/matrix_scenes.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

TEST(SweepLengths, RunFromOneToTheMaximumEvenlyInLogWithoutRepeats) {
  std::mt19937_64 rng(testing::freshSeed());
  for (int trial = 0; trial < 50; ++trial) {
    const int maximum = std::uniform_int_distribution<int>(1, 1 << 20)(rng);
    const int points = std::uniform_int_distribution<int>(2, 64)(rng);
    const std::vector<int> lengths = lowrank::logSpacedLengths(maximum, points);
    ASSERT_FALSE(lengths.empty());
    EXPECT_EQ(lengths.front(), 1);
    EXPECT_EQ(lengths.back(), maximum);
    EXPECT_LE(static_cast<int>(lengths.size()), points);
    for (std::size_t i = 1; i < lengths.size(); ++i) EXPECT_GT(lengths[i], lengths[i - 1]);
    // Every length is a rounded point of the float64 log grid.
    for (int length : lengths) {
      bool onGrid = false;
      for (int k = 0; k < points && !onGrid; ++k)
        onGrid = std::lround(std::pow(static_cast<double>(maximum), static_cast<double>(k) / (points - 1))) == length;
      EXPECT_TRUE(onGrid) << length << " of " << maximum;
    }
  }
  EXPECT_TRUE(lowrank::logSpacedLengths(0, 8).empty());
  EXPECT_EQ(lowrank::logSpacedLengths(1, 8), std::vector<int>{1});
}

TEST(SweepError, IsTheFrobeniusRelativeErrorInFloat64) {
  std::mt19937_64 rng(testing::freshSeed());
  std::normal_distribution<double> normal;
  const Eigen::MatrixXd reference = Eigen::MatrixXd::NullaryExpr(17, 5, [&] { return normal(rng); });
  const Eigen::MatrixXf y =
      (reference + 1e-3 * Eigen::MatrixXd::NullaryExpr(17, 5, [&] { return normal(rng); })).cast<float>();
  double diff = 0, norm = 0;
  for (int i = 0; i < 17; ++i)
    for (int j = 0; j < 5; ++j) {
      diff += std::pow(static_cast<double>(y(i, j)) - reference(i, j), 2);
      norm += reference(i, j) * reference(i, j);
    }
  EXPECT_NEAR(lowrank::relativeError(y, reference), std::sqrt(diff / norm), 1e-12);
  // A zero reference gives the plain difference.
  EXPECT_NEAR(lowrank::relativeError(y, Eigen::MatrixXd::Zero(17, 5)), y.cast<double>().norm(), 1e-9);
}

TEST(SweepCrossing, FindsThePowerLawCrossingExactlyAndNothingWhereThereIsNone) {
  std::mt19937_64 rng(testing::freshSeed());
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int trial = 0; trial < 20; ++trial) {
    // slow = x, fast = c·x^b with b < 1: equal at x* = c^(1/(1−b)); log(slow/fast) is linear in
    // log x, so interpolating between any two bracketing samples gives x* exactly.
    const double b = 0.2 + 0.6 * uniform(rng);
    const double crossing = std::exp(1.0 + 6.0 * uniform(rng));
    const double c = std::pow(crossing, 1.0 - b);
    std::vector<double> x, slow, fast;
    for (int length : lowrank::logSpacedLengths(1 << 16, 24)) {
      x.push_back(length);
      slow.push_back(length);
      fast.push_back(c * std::pow(length, b));
    }
    EXPECT_NEAR(lowrank::logCrossing(x, slow, fast) / crossing, 1.0, 1e-9);
    // Never dearer: no crossing. Swapped: it starts dearer and never becomes so.
    EXPECT_TRUE(std::isnan(lowrank::logCrossing(x, fast, fast)));
    EXPECT_TRUE(std::isnan(lowrank::logCrossing(x, fast, slow)));
  }
  // Unmeasured (zero, NaN) pairs are skipped, not taken for a crossing.
  EXPECT_TRUE(std::isnan(lowrank::logCrossing({1, 2, 4}, {0, 1, 1}, {1, 0, 2})));
  EXPECT_NEAR(lowrank::logCrossing({1, 2, 4, 8}, {1, std::nan(""), 1, 4}, {2, 2, 2, 2}), std::sqrt(32.0), 1e-9);
}

TEST(BestTiming, TakesTheLeastOfTheRunsAndStopsWhenAskedOrOverBudget) {
  int runs = 0;
  EXPECT_GE(bestSeconds(3, [&] { ++runs; }), 0.0);
  EXPECT_EQ(runs, 3);
  std::vector<double> times = {0.5, 0.2, 0.9, 0.1};
  std::size_t next = 0;
  const auto measured = [&] { return times[next++]; };
  // Budget 1.0 s of measured time: 0.5 + 0.2 + 0.9 passes it after the third run.
  const auto result = bestWithinBudget(
      measured, [] { return true; }, 10, 1.0);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->first, 0.2);
  EXPECT_EQ(result->second, 3);
  next = 0;
  EXPECT_EQ(bestWithinBudget(
                measured, [] { return true; }, 2, 100.0)
                ->second,
            2);
  next = 0;
  int asked = 0;
  EXPECT_FALSE(bestWithinBudget(
      measured, [&] { return ++asked < 3; }, 10, 100.0));
  EXPECT_EQ(next, 2u);
}

TEST(LogDensityAt, EqualsTheGridAtItsNodesAndReportsProgressEveryNPoints) {
  const std::uint64_t seed = testing::freshSeed();
  const auto data = flows::FlowData::empirical(testing::randomPoints(40, 1.5f, seed));
  const auto grid = flows::densityOnGrid(data, flows::Schedule::Linear, 0.7f, 7, 2.5f, 50);
  const auto nodes = flows::squareGrid(7, 2.5f);
  int calls = 0;
  const auto atNodes = flows::logDensityAt(
      data, flows::Schedule::Linear, 0.7f, nodes, 50,
      [&](double) {
        ++calls;
        return true;
      },
      10);
  ASSERT_EQ(atNodes.size(), grid.logDensity.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) EXPECT_EQ(atNodes[i], grid.logDensity[i]) << "seed " << seed;
  EXPECT_EQ(calls, 49 / 10 + 1);  // every 10th point, then the final 1.0
  EXPECT_THROW(flows::logDensityAt(data, flows::Schedule::Linear, 0.7f, nodes, 50, [](double) { return false; }),
               Cancelled);
  EXPECT_THROW(flows::logDensityAt(data, flows::Schedule::Linear, 0.7f, nodes, 50, {}, 0), InvalidArgument);
}

TEST(SceneParameters, ListsKeepTheirCommasAndBareTextIsIgnored) {
  const auto parameters = theory::parseSceneParameters("n=4,ranks=1,3,5,2,seed=7");
  ASSERT_EQ(parameters.size(), 3u);
  EXPECT_EQ(parameters[0].name, "n");
  EXPECT_EQ(parameters[1].value, "1,3,5,2");
  EXPECT_EQ(parameters[2].value, "7");
  EXPECT_TRUE(theory::parseSceneParameters("").empty());
  EXPECT_TRUE(theory::parseSceneParameters("nothing").empty());
  // Every scene's own parameter text parses into named values.
  for (const auto& scene : theory::matrixScenes())
    for (const auto& p : theory::parseSceneParameters(scene.parameters)) EXPECT_FALSE(p.name.empty()) << scene.name;
}

}  // namespace
}  // namespace rankflow
