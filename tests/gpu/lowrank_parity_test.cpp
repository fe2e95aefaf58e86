// Label `gpu`: the CUDA low-rank backend against the float64 reference on fresh random
// inputs; the CPU backend runs the same checks (its own test), so both meet one tolerance.
#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <random>

#include "core/lowrank/lowrank_backend.h"
#include "tests/support/lowrank_backends.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

Eigen::MatrixXf randomMatrix(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng, float scale = 1.0f) {
  std::normal_distribution<float> normal(0.0f, scale);
  return Eigen::MatrixXf::NullaryExpr(rows, cols, [&] { return normal(rng); });
}

double relativeError(const Eigen::MatrixXf& fast, const Eigen::MatrixXd& reference) {
  return (fast.cast<double>() - reference).norm() / reference.norm();
}

// Every backend meets the same checks; the parameter says which one.
class LowRankBackendParity : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::string skip;
    backend_ = testing::lowRankBackendNamed(GetParam(), &skip);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_NE(backend_, nullptr);
  }
  std::unique_ptr<lowrank::LowRankBackend> backend_;
};

TEST_P(LowRankBackendParity, CascadeMatchesFloat64Reference) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  lowrank::CascadeModel model;
  const int d = 96;
  model.w = randomMatrix(d, d, rng, 0.1f);
  for (int r : {8, 4, 0, 6}) {
    model.u.push_back(randomMatrix(d, r, rng, 0.05f));
    model.v.push_back(randomMatrix(d, r, rng));
  }
  const Eigen::MatrixXf x = randomMatrix(d, 131, rng);
  for (auto act : {lowrank::Activation::Identity, lowrank::Activation::Tanh, lowrank::Activation::Relu,
                   lowrank::Activation::Gelu}) {
    std::vector<Eigen::MatrixXf> y;
    backend_->evaluateCascade(model, x, act, y);
    const auto reference = lowrank::evaluateReference(model, x, act);
    ASSERT_EQ(y.size(), reference.size());
    for (std::size_t k = 0; k < y.size(); ++k)
      EXPECT_LT(relativeError(y[k], reference[k]), 1e-5) << lowrank::activationName(act) << " order " << k;
  }
}

TEST_P(LowRankBackendParity, RangeQueriesMatchFloat64Reference) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const int m = 45, d = 40, r = 4;
  std::vector<Eigen::MatrixXf> left, right;
  for (int i = 0; i < m; ++i) {
    left.push_back(randomMatrix(d, r, rng));
    right.push_back(randomMatrix(d, r, rng));
  }
  const lowrank::LowRankRangeTree tree(left, right);
  const auto prepared = backend_->prepare(tree);
  const Eigen::MatrixXf x = randomMatrix(d, 9, rng);
  for (const auto& [l, h] : std::vector<std::pair<int, int>>{{0, 44}, {3, 3}, {7, 30}, {12, 44}}) {
    const Eigen::MatrixXd reference = lowrank::referenceRangeQuery(left, right, l, h, x);
    for (auto s : lowrank::kAllStrategies)
      EXPECT_LT(relativeError(prepared->query(l, h, x, s), reference), 1e-5) << lowrank::strategyName(s);
  }
}

TEST_P(LowRankBackendParity, BatchedSingularValuesMatchFloat64Svd) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (const auto& [rows, cols] : std::vector<std::pair<int, int>>{{16, 12}, {12, 16}, {64, 40}}) {
    std::vector<Eigen::MatrixXf> batch;
    for (int i = 0; i < 5; ++i) batch.push_back(randomMatrix(rows, cols, rng));
    const auto values = backend_->singularValuesBatched(batch);
    ASSERT_EQ(values.size(), batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const Eigen::VectorXd reference = Eigen::JacobiSVD<Eigen::MatrixXd>(batch[i].cast<double>()).singularValues();
      ASSERT_EQ(values[i].size(), reference.size());
      EXPECT_LT((values[i].cast<double>() - reference).norm() / reference.norm(), 1e-5) << rows << "x" << cols;
    }
  }
  // Rank-deficient: the tail must fall to float round-off (a method working from AᵀA
  // would stop near 3e-4 σ₁ and hide the rank).
  std::vector<Eigen::MatrixXf> lowRank;
  for (int i = 0; i < 3; ++i) lowRank.push_back(randomMatrix(64, 5, rng) * randomMatrix(5, 40, rng));
  for (const auto& v : backend_->singularValuesBatched(lowRank)) {
    EXPECT_GT(v(4), 1e-2f * v(0));
    EXPECT_LT(v(5), 1e-5f * v(0));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LowRankBackendParity, ::testing::Values("cpu", "cuda"),
                         [](const auto& param) { return std::string(param.param); });

}  // namespace
}  // namespace rankflow
