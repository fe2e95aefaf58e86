#include "core/matfun/matrix_function.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/common/error.h"
#include "core/matfun/json_format.h"
#include "core/matfun/rank.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using matfun::MatrixFunction;
using matfun::Oscillation;
using matfun::Term;

MatrixFunction randomFunction(int rows, int cols, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> coefficient(-1.0, 1.0), rate(-1.5, 1.5);
  std::uniform_int_distribution<int> power(0, 3), kind(0, 2), count(0, 3);
  MatrixFunction f(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      for (int n = count(rng); n > 0; --n)
        f.add(i, j, {coefficient(rng), power(rng), static_cast<Oscillation>(kind(rng)), rate(rng)});
  return f;
}

// Eighth-order central differences: a test oracle only, never used by the product.
Eigen::MatrixXd finiteDifference(const MatrixFunction& f, double t) {
  const double h = 1e-2;
  const double w[] = {4.0 / 5, -1.0 / 5, 4.0 / 105, -1.0 / 280};
  Eigen::MatrixXd d = Eigen::MatrixXd::Zero(f.rows(), f.cols());
  for (int k = 1; k <= 4; ++k) d += w[k - 1] * (f.evaluate(t + k * h) - f.evaluate(t - k * h)) / h;
  return d;
}

TEST(MatrixFunction, ExactDerivativesAgreeWithHighOrderFiniteDifferences) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const MatrixFunction f = randomFunction(4, 3, rng);
  for (double t : {-0.7, 0.0, 0.4, 1.3}) {
    for (int k = 0; k < 3; ++k) {
      const MatrixFunction fk = f.derivative(k);
      const Eigen::MatrixXd exact = f.derivative(k + 1).evaluate(t);
      EXPECT_LT((exact - finiteDifference(fk, t)).norm(), 1e-7 * (1.0 + exact.norm())) << "t " << t << " k " << k;
    }
  }
}

TEST(MatrixFunction, ProductsObeyTheLeibnizRule) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  // Pure oscillations and pure exponentials multiply within the class.
  MatrixFunction a(2, 3), b(3, 2);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      a.add(i, j, {u(rng), 1, Oscillation::Sin, 1.0 + i});
      a.add(i, j, {u(rng), 0, Oscillation::Cos, 0.5 * j});
      b.add(j, i, {u(rng), 2, Oscillation::Cos, 2.0});
      b.add(j, i, {u(rng), 1, Oscillation::Exp, 0.0});
    }
  const MatrixFunction product = a.times(b);
  const MatrixFunction leibniz = a.derivative().times(b).plus(a.times(b.derivative()));
  for (double t : {-0.3, 0.8}) {
    EXPECT_LT((product.evaluate(t) - a.evaluate(t) * b.evaluate(t)).norm(), 1e-12);
    EXPECT_LT((product.derivative().evaluate(t) - leibniz.evaluate(t)).norm(), 1e-11);
  }
}

TEST(Rank, NumericalRankSeesTheGapInTheSpectrum) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  const Eigen::MatrixXd l = Eigen::MatrixXd::NullaryExpr(30, 7, [&] { return normal(rng); });
  const Eigen::MatrixXd r = Eigen::MatrixXd::NullaryExpr(7, 25, [&] { return normal(rng); });
  const auto result = matfun::numericalRank(l * r);
  EXPECT_EQ(result.rank, 7);
  EXPECT_GT(result.singularValues(6) / result.tolerance, 1e6);
  EXPECT_LT(result.singularValues(7), result.tolerance);
  EXPECT_EQ(matfun::numericalRankQr(l * r), 7);
  EXPECT_EQ(matfun::numericalRank(l * r, 1e30).rank, 0);
}

TEST(Rank, EarlyStoppingPivotedQrAgreesWithTheSvdOnFreshRandomMatrices) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int> size(1, 70);
  for (int trial = 0; trial < 60; ++trial) {
    const int rows = size(rng), cols = size(rng);
    const int rank = std::uniform_int_distribution<int>(0, std::min(rows, cols))(rng);
    // Scaled columns make the pivot order matter.
    const Eigen::MatrixXd l = Eigen::MatrixXd::NullaryExpr(rows, rank, [&] { return normal(rng); });
    Eigen::MatrixXd r = Eigen::MatrixXd::NullaryExpr(rank, cols, [&] { return normal(rng); });
    for (int c = 0; c < cols; ++c) r.col(c) *= std::pow(10.0, normal(rng));
    const Eigen::MatrixXd m = l * r;
    EXPECT_EQ(matfun::numericalRankQr(m), matfun::numericalRank(m).rank) << rows << "x" << cols << " rank " << rank;
  }
}

TEST(Rank, ExactAndNumericalGenericRanksAgreeOnExpPolynomials) {
  // [[e^t, e^{2t}], [e^{2t}, e^{3t}]] has rank 1 at every t (e^t e^{3t} = e^{2t} e^{2t});
  // [[1, t], [t, t^2 + e^{-t}]] has rank 2 generically.
  MatrixFunction rankOne(2, 2);
  rankOne.add(0, 0, {1, 0, Oscillation::Exp, 1});
  rankOne.add(0, 1, {1, 0, Oscillation::Exp, 2});
  rankOne.add(1, 0, {1, 0, Oscillation::Exp, 2});
  rankOne.add(1, 1, {1, 0, Oscillation::Exp, 3});
  MatrixFunction rankTwo(2, 2);
  rankTwo.add(0, 0, {1, 0, Oscillation::Exp, 0});
  rankTwo.add(0, 1, {1, 1, Oscillation::Exp, 0});
  rankTwo.add(1, 0, {1, 1, Oscillation::Exp, 0});
  rankTwo.add(1, 1, {1, 2, Oscillation::Exp, 0});
  rankTwo.add(1, 1, {0.5, 0, Oscillation::Exp, -1});
  for (const auto& [f, expected] : {std::pair{rankOne, 1}, std::pair{rankTwo, 2}}) {
    const auto exact = matfun::exactGenericRank(f);
    EXPECT_EQ(exact.rank, expected);
    EXPECT_LE(exact.failureBound, 1e-12);
    EXPECT_EQ(matfun::numericalGenericRank(f).rank, expected);
  }
}

TEST(Rank, ExactRankRefusesWhatItCannotDecide) {
  MatrixFunction oscillating(1, 1);
  oscillating.add(0, 0, {1, 0, Oscillation::Sin, 2});
  EXPECT_THROW(matfun::exactGenericRank(oscillating), InvalidArgument);
  MatrixFunction fractionalRate(1, 1);
  fractionalRate.add(0, 0, {1, 0, Oscillation::Exp, 0.5});
  EXPECT_THROW(matfun::exactGenericRank(fractionalRate), InvalidArgument);
  MatrixFunction irrational(1, 1);
  irrational.add(0, 0, {M_PI, 0, Oscillation::Exp, 1});
  EXPECT_THROW(matfun::exactGenericRank(irrational), InvalidArgument);
  EXPECT_THROW(MatrixFunction(0, 2), InvalidArgument);
  MatrixFunction f(2, 2);
  EXPECT_THROW(f.add(2, 0, {1, 0, Oscillation::Exp, 0}), InvalidArgument);
  EXPECT_THROW(f.add(0, 0, {std::nan(""), 0, Oscillation::Exp, 0}), InvalidArgument);
  EXPECT_THROW(f.add(0, 0, {1, -1, Oscillation::Exp, 0}), InvalidArgument);
  EXPECT_THROW(f.evaluate(std::nan("")), InvalidArgument);
}

}  // namespace
}  // namespace rankflow

namespace rankflow {
namespace {

TEST(MatrixFunctionJson, RoundTripsAndNamesThePathOfEveryError) {
  const std::string text = R"({"rows": 2, "cols": 2, "entries": [
      [[{"c": 1, "p": 2, "exp": -1}], 3.5],
      [[], [{"c": 0.5, "sin": 2}, {"p": 1, "cos": 1}]]]})";
  const matfun::MatrixFunction f = matfun::parseMatrixFunctionJson(text);
  const matfun::MatrixFunction back = matfun::parseMatrixFunctionJson(matfun::toJson(f));
  for (double t : {-0.4, 0.9}) EXPECT_LT((f.evaluate(t) - back.evaluate(t)).norm(), 1e-15);
  EXPECT_NEAR(f.evaluate(1.0)(0, 0), std::exp(-1.0), 1e-15);
  EXPECT_DOUBLE_EQ(f.evaluate(7.0)(0, 1), 3.5);
  auto expectBad = [](const std::string& json, const std::string& where) {
    try {
      matfun::parseMatrixFunctionJson(json);
      ADD_FAILURE() << "accepted " << json;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(where), std::string::npos) << e.what();
    }
  };
  expectBad("{", "not valid JSON");
  expectBad(R"({"rows": 1, "cols": 1})", "missing \"entries\"");
  expectBad(R"({"rows": 0, "cols": 1, "entries": []})", "rows and cols must lie");
  expectBad(R"({"rows": 1, "cols": 2, "entries": [[1]]})", "$.entries[0]");
  expectBad(R"({"rows": 1, "cols": 1, "entries": [[[{"c": 1, "q": 2}]]]})", "$.entries[0][0][0].q");
  expectBad(R"({"rows": 1, "cols": 1, "entries": [[[{"p": -1}]]]})", "$.entries[0][0][0].p");
  expectBad(R"({"rows": 1, "cols": 1, "entries": [[[{"sin": 1, "cos": 2}]]]})", "at most one");
  expectBad(R"({"rows": 1, "cols": 1, "entries": [["x"]]})", "$.entries[0][0]");
}

}  // namespace
}  // namespace rankflow
