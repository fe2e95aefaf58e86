// Every statement of docs/MATHEMATICS.md §2 as a named test that reproduces it by computing ranks.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "core/common/error.h"
#include "core/matfun/rank.h"
#include "core/theory/constructions.h"
#include "core/theory/feasibility.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using matfun::MatrixFunction;
using matfun::Oscillation;
using theory::Verdict;

MatrixFunction randomPolynomialMatrix(int rows, int cols, int degree, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> c(-4, 4);
  MatrixFunction m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      for (int p = 0; p <= degree; ++p) m.add(i, j, {static_cast<double>(c(rng)), p, Oscillation::Exp, 0.0});
  return m;
}

TEST(Theory, Lemma12_RankOfDkCountsTheNonVanishingDerivatives) {
  // f = (t³, t, 1, e^t): polynomial f_i of degree d_i give a staircase, e^t never drops.
  const std::vector<matfun::Entry> f = {{{1, 3, Oscillation::Exp, 0}},
                                        {{1, 1, Oscillation::Exp, 0}},
                                        {{1, 0, Oscillation::Exp, 0}},
                                        {{1, 0, Oscillation::Exp, 1}}};
  const MatrixFunction d1 = theory::lemma12(f, 5);
  const std::vector<int> profile = theory::rankProfile(d1, 4);  // rank D_k = rank D_1^(k−1)
  EXPECT_EQ(profile, theory::lemma12Prediction(f, 5));
  EXPECT_EQ(profile, (std::vector<int>{4, 3, 2, 2, 1}));
  EXPECT_TRUE(std::is_sorted(profile.rbegin(), profile.rend()));  // non-increasing
}

TEST(Theory, Lemma13_RanksOfDerivativesStrictlyIncrease) {
  for (int k : {1, 3, 5}) {
    std::vector<int> expected(static_cast<std::size_t>(k + 1));
    for (int j = 0; j <= k; ++j) expected[static_cast<std::size_t>(j)] = j + 1;
    EXPECT_EQ(theory::rankProfile(theory::outerProductBlock(k), k), expected) << "K = " << k;
  }
}

TEST(Theory, OdeConstructions_SatisfyAPrimeMinusAEqualsD1) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const int n = 4;
  std::normal_distribution<double> normal;
  const Eigen::MatrixXd c = Eigen::MatrixXd::NullaryExpr(n, n, [&] { return normal(rng); });
  // Constant low rank L, t·u vᵀ, and a general polynomial D_1.
  const MatrixFunction lowRank = randomPolynomialMatrix(n, 1, 0, rng).times(randomPolynomialMatrix(1, n, 0, rng));
  MatrixFunction tuv = randomPolynomialMatrix(n, 1, 0, rng).times(randomPolynomialMatrix(1, n, 0, rng));
  tuv = tuv.times(MatrixFunction::constantTimes(Eigen::MatrixXd::Identity(n, n), {1, 1, Oscillation::Exp, 0}));
  const MatrixFunction general = randomPolynomialMatrix(n, n, 3, rng);
  for (const MatrixFunction& d1 : {lowRank, tuv, general}) {
    const MatrixFunction a = theory::solveFirstOrder(d1, c);
    for (double t : {-0.6, 0.3, 1.1}) {
      const Eigen::MatrixXd residual = a.derivative().evaluate(t) - a.evaluate(t) - d1.evaluate(t);
      EXPECT_LT(residual.norm(), 1e-9 * (1 + d1.evaluate(t).norm())) << "t " << t;
    }
    EXPECT_EQ(matfun::numericalGenericRank(a).rank, n);  // A itself is not low rank
  }
  // The closed forms: A = e^t C − L and A = e^t C − (t + 1) u vᵀ.
  const MatrixFunction expC = MatrixFunction::constantTimes(c, {1, 0, Oscillation::Exp, 1});
  EXPECT_LT((theory::solveFirstOrder(lowRank, c).evaluate(0.7) - expC.plus(lowRank, -1).evaluate(0.7)).norm(), 1e-12);
}

TEST(Theory, Fact14_TheDerivativeAtMostDoublesTheRank) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int r : {1, 2, 3}) {
    const MatrixFunction b = randomPolynomialMatrix(8, r, 2, rng).times(randomPolynomialMatrix(r, 8, 2, rng));
    const auto profile = theory::rankProfile(b, 1);
    EXPECT_LE(profile[1], 2 * profile[0]);
    EXPECT_EQ(profile[1], 2 * r);  // generic factors reach the bound
  }
}

TEST(Theory, Lemma15_AnySequenceIsMatchedAtTZeroButNotGenerically) {
  for (const std::vector<int>& ranks :
       {std::vector<int>{1, 3, 5, 2}, std::vector<int>{4, 0, 2}, std::vector<int>{2, 1, 5}}) {
    const MatrixFunction b = theory::lemma15(ranks);
    for (std::size_t k = 0; k < ranks.size(); ++k)
      EXPECT_EQ(matfun::numericalRank(b.derivative(static_cast<int>(k)).evaluate(0.0)).rank, ranks[k]) << "k " << k;
  }
  // (2, 1, 5) holds at t = 0 only: generically B'' has rank ≤ 2 rank B' (Fact 1.4).
  const auto generic = theory::rankProfile(theory::lemma15({2, 1, 5}), 2);
  EXPECT_NE(generic, (std::vector<int>{2, 1, 5}));
}

TEST(Theory, Lemma16_OneTwoFourIsImpossibleForRankOne) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (int trial = 0; trial < 5; ++trial) {
    const MatrixFunction b = theory::rankOneProduct(5, 3, static_cast<unsigned>(seed + trial));
    const auto profile = theory::rankProfile(b, 2);
    EXPECT_EQ(profile[0], 1);
    EXPECT_LE(profile[2], 3);  // B'' = x''yᵀ + 2x'y'ᵀ + xy''ᵀ
  }
  const auto verdict = theory::checkFeasibility({1, 2, 4});
  EXPECT_EQ(verdict.verdict, Verdict::Infeasible);
  EXPECT_NE(verdict.reason.find("Fact 1.7"), std::string::npos) << verdict.reason;
}

TEST(Theory, Fact17_LeibnizBoundsEveryDerivative) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const MatrixFunction b = randomPolynomialMatrix(10, 2, 3, rng).times(randomPolynomialMatrix(2, 10, 3, rng));
  const auto profile = theory::rankProfile(b, 4);
  for (std::size_t k = 0; k < profile.size(); ++k) EXPECT_LE(profile[k], static_cast<int>(k + 1) * profile[0]);
}

TEST(Theory, Lemma18_GlobalBoundIsNotSufficient_TwoOneFiveIsInfeasible) {
  const std::vector<int> r = {2, 1, 5};
  for (std::size_t k = 0; k < r.size(); ++k) EXPECT_LE(r[k], static_cast<int>(k + 1) * r[0]);  // the global bound holds
  const auto verdict = theory::checkFeasibility(r);
  EXPECT_EQ(verdict.verdict, Verdict::Infeasible);
  EXPECT_NE(verdict.reason.find("r_2 = 5 > 2 r_1 = 2"), std::string::npos) << verdict.reason;
}

TEST(Theory, Lemma18_BlockDiagonalConstructionsAreVerifiedByExactRank) {
  for (const std::vector<int>& r :
       {std::vector<int>{2, 1, 2}, std::vector<int>{1, 2, 3}, std::vector<int>{3, 5, 4, 2, 1},
        std::vector<int>{3, 3, 3}, std::vector<int>{2, 3, 1}}) {
    const auto verdict = theory::checkFeasibility(r);
    ASSERT_EQ(verdict.verdict, Verdict::Feasible) << verdict.reason;
    EXPECT_EQ(verdict.realized, r);
    EXPECT_EQ(theory::rankProfile(verdict.construction, static_cast<int>(r.size()) - 1), r);
  }
}

TEST(Theory, Lemma19_OrderingsMeetTheNecessaryConditionsAndAreRealisedWhenFound) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const char relations[] = {'<', '>', '='};
  for (int trial = 0; trial < 8; ++trial) {
    const int n = 3 + trial % 2;
    std::vector<int> permutation(static_cast<std::size_t>(n));
    std::iota(permutation.begin(), permutation.end(), 0);
    std::shuffle(permutation.begin(), permutation.end(), rng);
    std::string rel;
    for (int i = 0; i + 1 < n; ++i) rel += relations[rng() % 3];
    const auto ranks = theory::lemma19Ranks(permutation, rel);
    for (int i = 0; i + 1 < n; ++i) {  // the ranks follow the chosen order and relations
      const int a = ranks[static_cast<std::size_t>(permutation[static_cast<std::size_t>(i)])];
      const int b = ranks[static_cast<std::size_t>(permutation[static_cast<std::size_t>(i + 1)])];
      const char r = rel[static_cast<std::size_t>(i)];
      EXPECT_TRUE(r == '<' ? a < b : r == '>' ? a > b : a == b);
    }
    // Every pairwise bound holds; an infeasible verdict can only come from a condition
    // beyond them (docs/THEORY.md: the lemma fails there, e.g. (1, 1, 2) from '=<').
    EXPECT_EQ(theory::pairwiseBoundViolation(ranks), "") << rel;
    const auto verdict = theory::checkFeasibility(ranks);
    if (verdict.verdict == Verdict::Infeasible) {
      EXPECT_EQ(verdict.reason.find("Fact 1."), std::string::npos) << rel << ": " << verdict.reason;
    }
    if (verdict.verdict == Verdict::Feasible) {
      EXPECT_EQ(verdict.realized, ranks);
    }
  }
  // Orderings the construction confirms: increasing, decreasing, and both kinds of peak.
  for (const auto& [perm, rel] : {std::pair{std::vector<int>{0, 1, 2}, std::string("<<")},
                                  std::pair{std::vector<int>{0, 1, 2}, std::string(">>")},
                                  std::pair{std::vector<int>{0, 1, 2}, std::string("<>")},
                                  std::pair{std::vector<int>{0, 1, 2}, std::string("><")},
                                  std::pair{std::vector<int>{1, 2, 0}, std::string("<<")}}) {
    const auto verdict = theory::checkFeasibility(theory::lemma19Ranks(perm, rel));
    EXPECT_EQ(verdict.verdict, Verdict::Feasible) << rel << ": " << verdict.reason;
  }
}

TEST(Theory, Lemma19_ThreeTwoFourIsRealisedAndTwoOneOneTwoTwoOneRefutesTheLemma) {
  // π = (1, 0, 2) with '<<' gives (3, 2, 4): r_2 = 2 r_1 exactly, realised by a Wronskian
  // block plus a constant (docs/THEORY.md).
  const auto ranks = theory::lemma19Ranks({1, 0, 2}, "<<");
  ASSERT_EQ(ranks, (std::vector<int>{3, 2, 4}));
  const auto found = theory::checkFeasibility(ranks);
  ASSERT_EQ(found.verdict, Verdict::Feasible) << found.reason;
  EXPECT_EQ(theory::rankProfile(found.construction, 2), ranks);
  // π = (0, 1, 2) with '=<' gives (1, 1, 2), which rank one persisting rules out: Lemma 1.9
  // does not hold as stated.
  const auto refuted = theory::checkFeasibility(theory::lemma19Ranks({0, 1, 2}, "=<"));
  EXPECT_EQ(refuted.verdict, Verdict::Infeasible);
  EXPECT_NE(refuted.reason.find("rank one persists"), std::string::npos) << refuted.reason;
}

TEST(Theory, FeasibilityRejectsBadSequences) {
  EXPECT_THROW(theory::checkFeasibility({}), InvalidArgument);
  EXPECT_THROW(theory::checkFeasibility({1, -2}), InvalidArgument);
  EXPECT_EQ(theory::checkFeasibility({0, 1}).verdict, Verdict::Infeasible);
  EXPECT_EQ(theory::checkFeasibility({0, 0}).verdict, Verdict::Feasible);
  EXPECT_THROW(theory::lemma19Ranks({0, 0, 1}, "<<"), InvalidArgument);
  EXPECT_THROW(theory::lemma19Ranks({0, 1}, "x"), InvalidArgument);
}

}  // namespace
}  // namespace rankflow
