#include "core/lowrank/range_tree.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/common/error.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using lowrank::LowRankRangeTree;
using lowrank::Strategy;

struct Factors {
  std::vector<Eigen::MatrixXf> left, right;
};

Factors randomFactors(int m, int p, int q, int r, std::mt19937_64& rng) {
  std::normal_distribution<float> normal;
  Factors f;
  for (int i = 0; i < m; ++i) {
    f.left.push_back(Eigen::MatrixXf::NullaryExpr(p, r, [&] { return normal(rng); }));
    f.right.push_back(Eigen::MatrixXf::NullaryExpr(q, r, [&] { return normal(rng); }));
  }
  return f;
}

Eigen::MatrixXf randomMatrix(int rows, int cols, std::mt19937_64& rng) {
  std::normal_distribution<float> normal;
  return Eigen::MatrixXf::NullaryExpr(rows, cols, [&] { return normal(rng); });
}

double relativeError(const Eigen::MatrixXf& fast, const Eigen::MatrixXd& reference) {
  return (fast.cast<double>() - reference).norm() / reference.norm();
}

// float32 sums of up to m rank-r products against float64: a few ulps per term.
constexpr double kTolerance = 1e-5;

TEST(RangeTree, EveryStrategyMatchesFloat64ReferenceOnFreshRandomInputs) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const int m = 37, d = 24, r = 3, n = 5;  // m not a power of two: padded leaves are exercised
  const Factors f = randomFactors(m, d, d, r, rng);
  const LowRankRangeTree tree(f.left, f.right);
  const Eigen::MatrixXf x = randomMatrix(d, n, rng);
  std::uniform_int_distribution<int> index(0, m - 1);
  std::vector<std::pair<int, int>> ranges = {{0, 0}, {0, m - 1}, {m - 1, m - 1}, {5, 6}};
  for (int i = 0; i < 30; ++i) {
    int a = index(rng), b = index(rng);
    ranges.emplace_back(std::min(a, b), std::max(a, b));
  }
  for (const auto& [l, h] : ranges) {
    const Eigen::MatrixXd reference = lowrank::referenceRangeQuery(f.left, f.right, l, h, x);
    for (Strategy s : lowrank::kAllStrategies)
      EXPECT_LT(relativeError(tree.query(l, h, x, s), reference), kTolerance)
          << lowrank::strategyName(s) << " [" << l << ", " << h << "]";
  }
}

TEST(RangeTree, TensorTreeMatchesTheContractedSumOfRankRTensors) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const int m = 11, d = 5, r = 2, n = 3;
  std::vector<Eigen::MatrixXf> a, b, c;
  for (int i = 0; i < m; ++i) {
    a.push_back(randomMatrix(d, r, rng));
    b.push_back(randomMatrix(d, r, rng));
    c.push_back(randomMatrix(d, r, rng));
  }
  const auto tree = lowrank::makeTensorRangeTree(a, b, c);
  const Eigen::MatrixXf x = randomMatrix(d, n, rng);
  const int l = 2, h = 9;
  // Σ_i Σ_a A(i1,a) B(i2,a) Σ_c C(c,a) X(c,k), written out index by index in float64.
  Eigen::MatrixXd expected = Eigen::MatrixXd::Zero(d * d, n);
  for (int i = l; i <= h; ++i)
    for (int i1 = 0; i1 < d; ++i1)
      for (int i2 = 0; i2 < d; ++i2)
        for (int k = 0; k < n; ++k)
          for (int q = 0; q < r; ++q)
            for (int cc = 0; cc < d; ++cc)
              expected(i1 * d + i2, k) += double(a[i](i1, q)) * b[i](i2, q) * c[i](cc, q) * x(cc, k);
  for (Strategy s : lowrank::kAllStrategies)
    EXPECT_LT(relativeError(tree.query(l, h, x, s), expected), kTolerance) << lowrank::strategyName(s);
}

TEST(RangeTree, PointUpdatesReachEveryStrategy) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const int m = 20, d = 12, r = 2;
  Factors f = randomFactors(m, d, d, r, rng);
  LowRankRangeTree tree(f.left, f.right);
  const Eigen::MatrixXf x = randomMatrix(d, 4, rng);
  tree.query(0, m - 1, x, Strategy::PrefixSums);  // prefix sums built before the updates
  for (int i : {0, 7, 19, 7}) {
    f.left[static_cast<std::size_t>(i)] = randomMatrix(d, r, rng);
    f.right[static_cast<std::size_t>(i)] = randomMatrix(d, r, rng);
    tree.update(i, f.left[static_cast<std::size_t>(i)], f.right[static_cast<std::size_t>(i)]);
  }
  for (const auto& [l, h] : std::vector<std::pair<int, int>>{{0, 19}, {3, 8}, {7, 7}, {15, 19}}) {
    const Eigen::MatrixXd reference = lowrank::referenceRangeQuery(f.left, f.right, l, h, x);
    for (Strategy s : lowrank::kAllStrategies)
      EXPECT_LT(relativeError(tree.query(l, h, x, s), reference), kTolerance) << lowrank::strategyName(s);
  }
}

TEST(RangeTree, PrefixSumsLoseAccuracyByCancellationWhereTheTreeDoesNot) {
  // One huge term before the range: P_h − P_{l−1} subtracts two numbers of size 1e8 to
  // recover entries of size ~10, and float32 keeps only ~7 digits of them.
  std::mt19937_64 rng(42);
  const int m = 16, d = 8, r = 2;
  Factors f = randomFactors(m, d, d, r, rng);
  f.left[0] *= 1e4f;
  f.right[0] *= 1e4f;
  const LowRankRangeTree tree(f.left, f.right);
  const Eigen::MatrixXf x = randomMatrix(d, 3, rng);
  const Eigen::MatrixXd reference = lowrank::referenceRangeQuery(f.left, f.right, 1, m - 1, x);
  const double prefixError = relativeError(tree.query(1, m - 1, x, Strategy::PrefixSums), reference);
  const double treeError = relativeError(tree.query(1, m - 1, x, Strategy::Tree), reference);
  EXPECT_GT(prefixError, 1e-2);
  EXPECT_LT(treeError, kTolerance);
  EXPECT_LT(relativeError(tree.query(1, m - 1, x, Strategy::SumThenMultiply), reference), kTolerance);
}

TEST(RangeTree, CanonicalNodesTileTheRangeWithAtMostTwoPerLevel) {
  std::mt19937_64 rng(3);
  const int m = 100;
  const Factors f = randomFactors(m, 3, 3, 1, rng);
  const LowRankRangeTree tree(f.left, f.right);
  for (int l = 0; l < m; l += 7) {
    for (int h = l; h < m; h += 5) {
      const auto plan = tree.plan(l, h, 1, lowrank::CostModel{});
      int next = l;
      for (const auto& [first, last] : plan.nodeRanges) {
        EXPECT_EQ(first, next);
        next = last + 1;
      }
      EXPECT_EQ(next, h + 1);
      EXPECT_LE(plan.nodes.size(), 2u * 7u);  // 2⌈log₂ 100⌉
    }
  }
}

TEST(RangeTree, RouterPicksTheCheapestPredictionAndTracesTheQuery) {
  std::mt19937_64 rng(5);
  const int m = 64, d = 32;
  const Factors lowRank = randomFactors(m, d, d, 1, rng);
  const LowRankRangeTree tree(lowRank.left, lowRank.right);
  const lowrank::CostModel costs;  // fixed constants: deterministic choices
  const Eigen::MatrixXf x = randomMatrix(d, 16, rng);
  lowrank::QueryTrace trace;
  tree.query(10, 10, x, std::nullopt, costs, &trace);
  // One rank-1 term: two thin products beat a d×d GEMM.
  EXPECT_EQ(trace.used, Strategy::OnTheFly);
  EXPECT_EQ(trace.plan.nodes.size(), 1u);
  EXPECT_GE(trace.measuredSeconds, 0.0);
  tree.query(0, m - 1, x, std::nullopt, costs, &trace);
  // The whole range is the root: one node, one GEMM.
  EXPECT_EQ(trace.plan.nodes, std::vector<int>{1});
  EXPECT_NE(trace.used, Strategy::OnTheFly);
  for (const auto& p : {trace.plan}) {
    const auto best = std::min_element(p.predictedSeconds.begin(), p.predictedSeconds.end());
    EXPECT_EQ(static_cast<int>(p.chosen), best - p.predictedSeconds.begin());
  }
}

TEST(RangeTree, RejectsBadInputWithAMessage) {
  std::mt19937_64 rng(1);
  const Factors f = randomFactors(4, 3, 3, 2, rng);
  EXPECT_THROW(LowRankRangeTree({}, {}), InvalidArgument);
  EXPECT_THROW(LowRankRangeTree(f.left, {f.right.begin(), f.right.begin() + 3}), InvalidArgument);
  auto wrongShape = f.right;
  wrongShape[2] = Eigen::MatrixXf::Ones(3, 1);
  EXPECT_THROW(LowRankRangeTree(f.left, wrongShape), InvalidArgument);
  auto withNan = f.left;
  withNan[1](0, 0) = std::nanf("");
  EXPECT_THROW(LowRankRangeTree(withNan, f.right), InvalidArgument);
  const LowRankRangeTree tree(f.left, f.right);
  const Eigen::MatrixXf x = Eigen::MatrixXf::Ones(3, 2);
  EXPECT_THROW(tree.query(2, 1, x, Strategy::Tree), InvalidArgument);
  EXPECT_THROW(tree.query(0, 4, x, Strategy::Tree), InvalidArgument);
  EXPECT_THROW(tree.query(-1, 1, x, Strategy::Tree), InvalidArgument);
  EXPECT_THROW(tree.query(0, 1, Eigen::MatrixXf::Ones(4, 2), Strategy::Tree), InvalidArgument);
  EXPECT_THROW(lowrank::parseStrategy("fastest"), InvalidArgument);
  EXPECT_EQ(lowrank::parseStrategy("auto"), std::nullopt);
}

}  // namespace
}  // namespace rankflow
