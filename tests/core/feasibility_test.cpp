// The feasibility checker's verdicts on the sequences docs/THEORY.md settles: (3, 2, 4) is
// realised by a Wronskian block plus a constant, (2, 1, 1, 2, 2, 1) is ruled out by "rank
// one persists", and the number of sequences left unknown has a floor.
#include "core/theory/feasibility.h"

#include <gtest/gtest.h>

#include <array>
#include <random>

#include "core/theory/constructions.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using matfun::MatrixFunction;
using matfun::Oscillation;
using theory::Verdict;

MatrixFunction constant(int n, int i, int j) {
  MatrixFunction c(n, n);
  c.add(i, j, {1.0, 0, Oscillation::Exp, 0.0});
  return c;
}

TEST(Feasibility, WronskianBlockKeepsRankTwoOnceThenDoublesIt) {
  // W = x x'^T - x' x^T with x = (1, t, t², t³): W' = x x''^T - x'' x^T (the cross terms
  // cancel), W'' = x x'''^T + x' x''^T - x'' x'^T - x''' x^T, and x, x', x'', x''' are independent.
  EXPECT_EQ(theory::rankProfile(theory::wronskianBlock(3, 3), 4), (std::vector<int>{2, 2, 4, 2, 2}));
  const MatrixFunction w = theory::wronskianBlock(3, 2);
  EXPECT_EQ(w.rows(), 4);
  EXPECT_EQ(w.cols(), 3);
  EXPECT_DOUBLE_EQ(w.evaluate(2.0)(1, 2), 1.0 * 4.0);   // (j − i) t^(i+j−1) = 1 · t²
  EXPECT_DOUBLE_EQ(w.evaluate(2.0)(3, 0), -3.0 * 4.0);  // −3 t²
}

TEST(Feasibility, ThreeTwoFourIsRealisedByAWronskianBlockPlusAConstant) {
  // Lemma 1.9 with π = (1, 0, 2) and '<<' asks for (3, 2, 4).
  const auto ranks = theory::lemma19Ranks({1, 0, 2}, "<<");
  ASSERT_EQ(ranks, (std::vector<int>{3, 2, 4}));
  // By hand: B = W_3,3 + e_1 e_1^T, 4×4. The constant adds one to rank B only.
  const MatrixFunction byHand = theory::wronskianBlock(3, 3).plus(constant(4, 0, 0));
  EXPECT_EQ(theory::rankProfile(byHand, 2), ranks);
  // The checker finds a construction and verifies it by exact rank.
  const auto verdict = theory::checkFeasibility(ranks);
  ASSERT_EQ(verdict.verdict, Verdict::Feasible) << verdict.reason;
  EXPECT_EQ(verdict.realized, ranks);
  EXPECT_EQ(theory::rankProfile(verdict.construction, 2), ranks);
  EXPECT_EQ(verdict.construction.rows(), 5) << "W_3,3 (4×4) and t^0 (1×1)";
}

TEST(Feasibility, TwoOneOneTwoTwoOneIsInfeasibleBecauseRankOnePersists) {
  const auto ranks = theory::lemma19Ranks({5, 3, 1, 0, 2, 4}, "<><><");
  ASSERT_EQ(ranks, (std::vector<int>{2, 1, 1, 2, 2, 1}));
  EXPECT_EQ(theory::pairwiseBoundViolation(ranks), "") << "every pairwise bound holds";
  const auto verdict = theory::checkFeasibility(ranks);
  EXPECT_EQ(verdict.verdict, Verdict::Infeasible);
  EXPECT_NE(verdict.reason.find("rank one persists"), std::string::npos) << verdict.reason;
  EXPECT_NE(verdict.reason.find("r_3 = 2 > 1 after r_1 = r_2 = 1"), std::string::npos) << verdict.reason;
}

TEST(Feasibility, RankOnePersistenceExcludesWhatItMust) {
  for (const std::vector<int>& r :
       {std::vector<int>{1, 1, 2}, std::vector<int>{3, 1, 1, 2}, std::vector<int>{1, 1, 1, 2},
        std::vector<int>{1, 1, 0, 2}, std::vector<int>{2, 2, 1, 1, 1, 2}}) {
    EXPECT_NE(theory::rankOnePersistenceViolation(r), "") << r.size();
    EXPECT_EQ(theory::checkFeasibility(r).verdict, Verdict::Infeasible);
  }
  // (1, 1, 2) and (1, 1, 1, 2) obey every pairwise bound: the new condition is what excludes them.
  EXPECT_EQ(theory::pairwiseBoundViolation({1, 1, 2}), "");
  EXPECT_EQ(theory::pairwiseBoundViolation({1, 1, 1, 2}), "");
}

TEST(Feasibility, PolynomialTailGrowthFloorAndLeibnizTightnessExcludeWhatTheyMust) {
  // (1, 2, 0): B = C_0 + t C_1 of rank 1 has a leading coefficient C_1 of rank <= 1.
  for (const std::vector<int>& r :
       {std::vector<int>{1, 2, 0}, std::vector<int>{2, 3, 0, 0}, std::vector<int>{1, 2, 2, 0}}) {
    EXPECT_EQ(theory::pairwiseBoundViolation(r), "");
    EXPECT_NE(theory::polynomialTailViolation(r), "") << r[1];
    EXPECT_EQ(theory::checkFeasibility(r).verdict, Verdict::Infeasible);
  }
  // (2, 4, 1): a doubling r_1 = 2 r_0 leaves r_2 >= r_0.
  for (const std::vector<int>& r :
       {std::vector<int>{2, 4, 1}, std::vector<int>{3, 2, 4, 1}, std::vector<int>{1, 2, 0, 0}}) {
    EXPECT_EQ(theory::pairwiseBoundViolation(r), "");
    EXPECT_NE(theory::growthFloorViolation(r), "") << r[1];
    EXPECT_EQ(theory::checkFeasibility(r).verdict, Verdict::Infeasible);
  }
  EXPECT_NE(theory::growthFloorViolation({2, 4, 1}).find("r_2 = 1 < 2 r_1 - 3 r_0 = 2"), std::string::npos);
  // (1, 2, 3, 1): the floor at j = 3 is 2 r_2 − 4 r_0 = 2. (1, 2, 2, 4): r_3 = 4 r_0 attains
  // Fact 1.7, which forces r_2 = 3 r_0.
  EXPECT_NE(theory::growthFloorViolation({1, 2, 3, 1}).find("r_3 = 1 < 2 r_2 - 4 r_0 = 2"), std::string::npos);
  EXPECT_NE(theory::leibnizTightnessViolation({1, 2, 2, 4}), "");
  EXPECT_EQ(theory::pairwiseBoundViolation({1, 2, 2, 4}), "");
  EXPECT_EQ(theory::checkFeasibility({1, 2, 2, 4}).verdict, Verdict::Infeasible);
  EXPECT_EQ(theory::checkFeasibility({1, 2, 3, 1}).verdict, Verdict::Infeasible);
  // Tight cases a construction reaches: x x^T with x = (1, t) is (1, 2, 1, 0); G_3 is (1, 2, 3, 4).
  for (const std::vector<int>& r : {std::vector<int>{1, 2, 1, 0}, std::vector<int>{1, 2, 3, 4}}) {
    EXPECT_EQ(theory::polynomialTailViolation(r), "");
    EXPECT_EQ(theory::growthFloorViolation(r), "");
    EXPECT_EQ(theory::leibnizTightnessViolation(r), "");
    EXPECT_EQ(theory::checkFeasibility(r).verdict, Verdict::Feasible);
  }
}

// The conditions must never exclude a profile that a construction realises: every base
// block (the sampled ones included), every sum of two of them (generic ranks add over
// diagonal blocks), and random x y^T and c z^T (c constant), profiles by exact rank.
TEST(Feasibility, NecessaryConditionsExcludeNoProfileAConstructionRealises) {
  const auto violated = [](const std::vector<int>& r) {
    return theory::pairwiseBoundViolation(r) + theory::rankOnePersistenceViolation(r) +
           theory::polynomialTailViolation(r) + theory::growthFloorViolation(r) + theory::leibnizTightnessViolation(r);
  };
  for (const std::vector<int>& r : {std::vector<int>{1, 1, 1, 1}, std::vector<int>{1, 1, 0, 0},
                                    std::vector<int>{2, 1, 1, 0}, std::vector<int>{1, 2, 1, 1}}) {
    EXPECT_EQ(violated(r), "");
    EXPECT_EQ(theory::checkFeasibility(r).verdict, Verdict::Feasible);
  }
  const auto library = theory::baseBlocks(3);
  for (std::size_t a = 0; a < library.size(); ++a) {
    EXPECT_EQ(violated(library[a].profile), "") << library[a].name;
    for (std::size_t b = a; b < library.size(); ++b) {
      std::vector<int> sum = library[a].profile;
      for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += library[b].profile[k];
      EXPECT_EQ(violated(sum), "") << library[a].name << " + " << library[b].name;
    }
  }
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> coefficient(-3, 3), degree(0, 3);
  const auto randomVector = [&](int n, int maxPower, double rate) {
    MatrixFunction v(n, 1);
    for (int i = 0; i < n; ++i)
      for (int p = 0; p <= maxPower; ++p)
        v.add(i, 0, {static_cast<double>(coefficient(rng)), p, Oscillation::Exp, rate});
    return v;
  };
  for (int trial = 0; trial < 6; ++trial) {
    const double rate = trial % 3 == 2 ? 1.0 : 0.0;
    const MatrixFunction moving =
        randomVector(4, degree(rng), rate).times(randomVector(4, degree(rng), 0.0).transpose());
    const MatrixFunction fixed = randomVector(4, 0, 0.0).times(randomVector(4, degree(rng), rate).transpose());
    for (const MatrixFunction& b : {moving, fixed}) EXPECT_EQ(violated(theory::rankProfile(b, 4)), "") << trial;
  }
}

// Every sequence of length ≤ 4 with entries ≤ 4 (780 of them): the verdicts docs/THEORY.md
// tabulates. Before Wronskian blocks, sampled blocks and the three new conditions, 81 were
// unknown; 20 are now, and the floor
// keeps the number from growing back.
TEST(Feasibility, UnknownSequencesUpToLengthFourStayAtTheirFloor) {
  std::array<int, 3> counts{};
  for (int length = 1; length <= 4; ++length) {
    int total = 1;
    for (int i = 0; i < length; ++i) total *= 5;
    for (int code = 0; code < total; ++code) {
      std::vector<int> r(static_cast<std::size_t>(length));
      for (int i = 0, c = code; i < length; ++i, c /= 5) r[static_cast<std::size_t>(i)] = c % 5;
      const auto verdict = theory::checkFeasibility(r);
      ++counts[static_cast<std::size_t>(verdict.verdict)];
      if (verdict.verdict == Verdict::Feasible) {
        EXPECT_EQ(verdict.realized, r);
      }
    }
  }
  EXPECT_EQ(counts[0] + counts[1] + counts[2], 780);
  EXPECT_LE(counts[static_cast<std::size_t>(Verdict::Unknown)], 16)
      << "feasible " << counts[0] << ", infeasible " << counts[1] << ", unknown " << counts[2];
}

}  // namespace
}  // namespace rankflow
