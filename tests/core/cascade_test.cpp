#include "core/lowrank/cascade.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <random>

#include "core/common/error.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using lowrank::Activation;

Eigen::MatrixXf randomMatrix(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng, float scale = 1.0f) {
  std::normal_distribution<float> normal(0.0f, scale);
  return Eigen::MatrixXf::NullaryExpr(rows, cols, [&] { return normal(rng); });
}

lowrank::CascadeModel randomModel(int d, const std::vector<int>& ranks, std::mt19937_64& rng) {
  lowrank::CascadeModel model;
  model.w = randomMatrix(d, d, rng, 1.0f / std::sqrt(static_cast<float>(d)));
  for (int r : ranks) {
    model.u.push_back(randomMatrix(d, r, rng, 0.3f / std::sqrt(static_cast<float>(d))));
    model.v.push_back(randomMatrix(d, r, rng, 1.0f));
  }
  return model;
}

double relativeError(const Eigen::MatrixXf& fast, const Eigen::MatrixXd& reference) {
  return (fast.cast<double>() - reference).norm() / std::max(reference.norm(), 1e-300);
}

constexpr Activation kActivations[] = {Activation::Identity, Activation::Tanh, Activation::Relu, Activation::Gelu};

TEST(Cascade, CascadingAndNaiveMatchFloat64ReferenceForEveryActivation) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto model = randomModel(48, {5, 3, 2, 1}, rng);
  const Eigen::MatrixXf x = randomMatrix(48, 17, rng);
  for (Activation act : kActivations) {
    const auto reference = lowrank::evaluateReference(model, x, act);
    const auto cascade = lowrank::evaluateCascade(model, x, act);
    const auto naive = lowrank::evaluateNaive(model, x, act);
    ASSERT_EQ(cascade.size(), 5u);
    for (std::size_t k = 0; k < reference.size(); ++k) {
      EXPECT_LT(relativeError(cascade[k], reference[k]), 1e-5) << lowrank::activationName(act) << " order " << k;
      EXPECT_LT(relativeError(naive[k], reference[k]), 1e-5) << lowrank::activationName(act) << " order " << k;
    }
  }
}

TEST(Cascade, ColumnBlocksAndTheirRaggedTailMatchTheReference) {
  // 300 columns span several 128-column blocks and end in a partial one.
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto model = randomModel(40, {6, 2}, rng);
  const Eigen::MatrixXf x = randomMatrix(40, 300, rng);
  const auto reference = lowrank::evaluateReference(model, x, Activation::Identity);
  const auto cascade = lowrank::evaluateCascade(model, x, Activation::Identity);
  for (std::size_t k = 0; k < reference.size(); ++k) EXPECT_LT(relativeError(cascade[k], reference[k]), 1e-5);
  // The GEMM-only benchmark twin runs the same products: its checksum is the sum of the
  // last order's first row at each block start.
  double expected = 0.0;
  for (Eigen::Index start = 0; start < x.cols(); start += 128) expected += reference.back()(0, start);
  EXPECT_NEAR(lowrank::cascadeGemmsOnly(model, x), expected, 1e-4 * (1.0 + std::abs(expected)));
}

TEST(Cascade, IndependentLoraUsesOnlyItsOwnAdapter) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto model = randomModel(32, {4, 2, 3}, rng);
  const Eigen::MatrixXf x = randomMatrix(32, 9, rng);
  const auto independent = lowrank::evaluateIndependent(model, x, Activation::Tanh);
  for (int k = 1; k <= model.orders(); ++k) {
    lowrank::CascadeModel single;  // W + U_k V_kᵀ as a one-order cascade
    single.w = model.w;
    single.u = {model.u[static_cast<std::size_t>(k - 1)]};
    single.v = {model.v[static_cast<std::size_t>(k - 1)]};
    const auto reference = lowrank::evaluateReference(single, x, Activation::Tanh);
    EXPECT_LT(relativeError(independent[static_cast<std::size_t>(k)], reference[1]), 1e-5) << "order " << k;
  }
}

TEST(Cascade, ZeroRankOrderRepeatsThePreviousOrderExactly) {
  std::mt19937_64 rng(11);
  const auto model = randomModel(24, {3, 0, 2}, rng);
  const auto y = lowrank::evaluateCascade(model, randomMatrix(24, 5, rng), Activation::Gelu);
  EXPECT_EQ((y[2] - y[1]).cwiseAbs().maxCoeff(), 0.0f);
}

TEST(Cascade, FitIsEckartYoungOptimalPerOrder) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const int d = 40;
  std::vector<Eigen::MatrixXf> targets = {randomMatrix(d, d, rng)};
  for (int k = 1; k <= 3; ++k) targets.push_back(targets.back() + randomMatrix(d, d, rng, 0.5f));
  const std::vector<int> ranks = {6, 4, 2};
  const lowrank::CascadeFit fit(targets, ranks);
  Eigen::MatrixXd previous = targets[0].cast<double>();
  for (int k = 1; k <= 3; ++k) {
    // The residual after the best rank-r fit has exactly the tail singular values.
    const Eigen::MatrixXd residual = targets[static_cast<std::size_t>(k)].cast<double>() - previous;
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(residual);
    const double tail = svd.singularValues().tail(d - ranks[static_cast<std::size_t>(k - 1)]).norm();
    const double expected = tail / targets[static_cast<std::size_t>(k)].cast<double>().norm();
    EXPECT_NEAR(fit.orders()[static_cast<std::size_t>(k - 1)].cascadeError, expected, 1e-4 * expected + 1e-6);
    const auto& u = fit.model().u[static_cast<std::size_t>(k - 1)];
    const auto& v = fit.model().v[static_cast<std::size_t>(k - 1)];
    previous += (u * v.transpose()).cast<double>();
  }
}

TEST(Cascade, ExactWhenTheDifferencesHaveTheChosenRank) {
  std::mt19937_64 rng(3);
  const int d = 30;
  std::vector<Eigen::MatrixXf> targets = {randomMatrix(d, d, rng)};
  for (int r : {5, 3}) targets.push_back(targets.back() + randomMatrix(d, r, rng) * randomMatrix(r, d, rng));
  const lowrank::CascadeFit fit(targets, {5, 3});
  for (const auto& order : fit.orders()) EXPECT_LT(order.cascadeError, 1e-5);
  // Independent LoRA of rank 3 cannot reach T_2 − W, which has rank 8.
  EXPECT_GT(fit.orders()[1].independentError, 1e-2);
}

TEST(Cascade, ChangingOneRankReusesItsSvdAndKeepsEarlierOrders) {
  std::mt19937_64 rng(5);
  const int d = 24;
  std::vector<Eigen::MatrixXf> targets;
  for (int k = 0; k <= 4; ++k) targets.push_back(randomMatrix(d, d, rng));
  lowrank::CascadeFit fit(targets, {4, 4, 4, 4});
  const int initial = fit.svdCount();
  EXPECT_EQ(initial, 8);  // one cascading and one independent SVD per order
  const Eigen::MatrixXf u1 = fit.model().u[0];
  fit.setRank(2, 7);
  // Order 2 re-truncates its cached SVD; orders 3 and 4 see new residuals: two SVDs.
  EXPECT_EQ(fit.svdCount(), initial + 2);
  EXPECT_EQ(fit.model().u[0], u1);
  EXPECT_EQ(fit.model().u[1].cols(), 7);
  fit.setRank(4, 1);
  EXPECT_EQ(fit.svdCount(), initial + 2);  // the last order: nothing after it
}

TEST(Cascade, CostsMatchTheSpecsIdealSpeedup) {
  const auto c = lowrank::cascadeCosts(256, std::vector<int>(8, 8));  // K = 8, R = 64
  EXPECT_NEAR(c.idealSpeedup, 6.0, 1e-12);
  EXPECT_DOUBLE_EQ(c.cascadeParameters, 256.0 * 256 + 2.0 * 256 * 64);
  EXPECT_DOUBLE_EQ(c.naiveParameters, 9.0 * 256 * 256);
}

TEST(Cascade, RejectsImpossibleRanksAndBadInput) {
  std::mt19937_64 rng(1);
  std::vector<Eigen::MatrixXf> targets = {randomMatrix(4, 4, rng), randomMatrix(4, 4, rng)};
  EXPECT_THROW(lowrank::CascadeFit(targets, {5}), InvalidArgument);   // r > d
  EXPECT_THROW(lowrank::CascadeFit(targets, {-1}), InvalidArgument);  // negative
  EXPECT_THROW(lowrank::CascadeFit(targets, {1, 1}), InvalidArgument);
  EXPECT_THROW(lowrank::CascadeFit({targets[0]}, {}), InvalidArgument);
  lowrank::CascadeFit fit(targets, {2});
  EXPECT_THROW(fit.setRank(1, 9), InvalidArgument);
  EXPECT_THROW(fit.setRank(2, 1), InvalidArgument);
  auto model = randomModel(6, {2}, rng);
  EXPECT_THROW(lowrank::evaluateCascade(model, randomMatrix(5, 3, rng), Activation::Relu), InvalidArgument);
  model.u[0] = randomMatrix(6, 7, rng);
  model.v[0] = randomMatrix(6, 7, rng);
  EXPECT_THROW(lowrank::evaluateCascade(model, randomMatrix(6, 3, rng), Activation::Relu), InvalidArgument);
  model = randomModel(6, {2}, rng);
  model.w(0, 0) = std::nanf("");
  EXPECT_THROW(lowrank::evaluateNaive(model, randomMatrix(6, 3, rng), Activation::Relu), InvalidArgument);
  EXPECT_THROW(lowrank::parseActivation("sigmoid"), InvalidArgument);
}

}  // namespace
}  // namespace rankflow

#include "core/lowrank/sweep.h"

namespace rankflow {
namespace {

TEST(Sweep, CoversEverySchedulePicksTheParetoFrontAndMatchesFreshFits) {
  std::mt19937_64 rng(9);
  const int d = 10;
  std::vector<Eigen::MatrixXf> targets;
  for (int k = 0; k <= 3; ++k) targets.push_back(randomMatrix(d, d, rng));
  const auto results = lowrank::sweepSchedules(targets, 3);
  ASSERT_EQ(results.size(), 64u);
  for (const auto& r : results) {
    // Incremental refits give what a fresh fit of the same schedule gives.
    const lowrank::CascadeFit fresh(targets, r.ranks);
    for (std::size_t k = 0; k < r.errors.size(); ++k) EXPECT_NEAR(r.errors[k], fresh.orders()[k].cascadeError, 1e-5);
    // Pareto: no schedule with at most as many parameters has a lower mean error.
    bool dominated = false;
    for (const auto& other : results)
      dominated = dominated || (other.parameters <= r.parameters && other.meanError < r.meanError);
    EXPECT_EQ(r.pareto, !dominated) << "schedule " << r.ranks[0] << r.ranks[1] << r.ranks[2];
  }
  EXPECT_NE(lowrank::schedulesCsv(results).find("r_1,r_2,r_3,parameters,macs_per_column,err_1"), std::string::npos);
  EXPECT_THROW(lowrank::sweepSchedules(targets, 11), InvalidArgument);  // r_max > d
  EXPECT_THROW(lowrank::sweepSchedules(targets, 3, {{1, 2}}), InvalidArgument);
}

}  // namespace
}  // namespace rankflow
