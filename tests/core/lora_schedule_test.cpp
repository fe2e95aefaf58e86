// Rank schedules of a profiled adapter: every per-module criterion agrees with the core's
// rank functions, the budget's greedy allocation is the best one a brute force finds on small
// adapters, the reported error is the one a dense float64 truncation leaves, and values
// outside a criterion's range are refused with its name.
#include "core/learn/lora_schedule.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <cmath>
#include <functional>
#include <random>

#include "core/common/error.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using learn::ScheduleCriterion;
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

io::Tensor stored(const Eigen::MatrixXd& m) {
  const RowMajor rows = m;
  return io::Tensor::encode(io::Dtype::F64, {m.rows(), m.cols()}, std::span<const double>(rows.data(), rows.size()));
}

struct Adapter {
  io::SafeTensorsFile file;
  std::vector<Eigen::MatrixXd> updates;  // B·A per module, in the profile's (name) order
};

// `modules` PEFT modules of rank r with fresh Gaussian factors and different shapes.
Adapter randomAdapter(std::uint64_t seed, int modules, int r) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Adapter out;
  for (int i = 0; i < modules; ++i) {
    const Eigen::Index rows = 10 + 3 * i, cols = 12 + 2 * (i % 3);
    Eigen::MatrixXd a(r, cols), b(rows, r);
    for (Eigen::Index j = 0; j < a.size(); ++j) a.data()[j] = normal(rng);
    for (Eigen::Index j = 0; j < b.size(); ++j) b.data()[j] = normal(rng) * std::pow(0.6, j / rows);
    const std::string name = "model.layers." + std::to_string(i) + ".mlp.up_proj";
    out.file.tensors[name + ".lora_A.weight"] = stored(a);
    out.file.tensors[name + ".lora_B.weight"] = stored(b);
    out.updates.push_back(b * a);
  }
  return out;
}

double truncationError2(const Eigen::MatrixXd& m, int k) {
  const Eigen::VectorXd s = Eigen::JacobiSVD<Eigen::MatrixXd>(m).singularValues();
  return s.tail(s.size() - k).squaredNorm();
}

TEST(LoraSchedule, PerModuleCriteriaAgreeWithTheCoreRankFunctionsAndTheErrorWithADenseSvd) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const Adapter adapter = randomAdapter(seed, 5, 6);
  const learn::LoraProfile profile = learn::profileLoraAdapter(adapter.file);
  for (const auto& [criterion, value] :
       std::vector<std::pair<ScheduleCriterion, double>>{{ScheduleCriterion::Rank, 3},
                                                         {ScheduleCriterion::Energy, 0.8},
                                                         {ScheduleCriterion::Frobenius, 0.95},
                                                         {ScheduleCriterion::Ratio, 4},
                                                         {ScheduleCriterion::Cumulative, 0.7}}) {
    SCOPED_TRACE(learn::scheduleCriterionName(criterion));
    const learn::RankSchedule s = learn::scheduleRanks(profile, criterion, value);
    ASSERT_EQ(s.ranks.size(), 5u);
    double error2 = 0.0, total2 = 0.0;
    for (std::size_t i = 0; i < 5; ++i) {
      const auto& m = profile.modules[i];
      int expected = 0;
      if (criterion == ScheduleCriterion::Rank) expected = 3;
      if (criterion == ScheduleCriterion::Energy) {
        while (m.energy[static_cast<std::size_t>(expected)] < value) ++expected;
        ++expected;  // the smallest k with energy[k − 1] ≥ E
      }
      if (criterion == ScheduleCriterion::Frobenius) expected = learn::rankByFrobenius(m.singularValues, value);
      if (criterion == ScheduleCriterion::Ratio) expected = learn::rankByRatio(m.singularValues, value);
      if (criterion == ScheduleCriterion::Cumulative) expected = learn::rankByCumulative(m.singularValues, value);
      EXPECT_EQ(s.ranks[i], expected) << m.module;
      const double moduleError2 = truncationError2(adapter.updates[i], s.ranks[i]);
      EXPECT_NEAR(s.moduleErrors[i], std::sqrt(moduleError2) / adapter.updates[i].norm(), 1e-9) << m.module;
      error2 += moduleError2;
      total2 += adapter.updates[i].squaredNorm();
    }
    EXPECT_NEAR(s.error, std::sqrt(error2 / total2), 1e-9);
    EXPECT_EQ(s.parametersBefore, profile.parameters);
  }
}

TEST(LoraSchedule, BudgetSpendsParametersWhereTheyRemoveTheMostErrorAsABruteForceDoes) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const Adapter adapter = randomAdapter(seed, 3, 4);
  const learn::LoraProfile profile = learn::profileLoraAdapter(adapter.file);
  std::vector<std::int64_t> widths;
  for (const auto& m : profile.modules) widths.push_back(m.outFeatures + m.inFeatures);
  for (double budget : {0.4, 0.6, 0.8, 1.0}) {
    const auto spend = std::floor(budget * static_cast<double>(profile.parameters));
    const learn::RankSchedule s = learn::scheduleRanks(profile, ScheduleCriterion::Budget, spend);
    EXPECT_LE(static_cast<double>(s.parameters), spend);
    // Every allocation of ranks 1..4 per module within the budget: none leaves less error.
    double best = std::numeric_limits<double>::infinity();
    for (int r0 = 1; r0 <= 4; ++r0)
      for (int r1 = 1; r1 <= 4; ++r1)
        for (int r2 = 1; r2 <= 4; ++r2) {
          const int ranks[] = {r0, r1, r2};
          std::int64_t cost = 0;
          double error2 = 0.0;
          for (int i = 0; i < 3; ++i) {
            cost += ranks[i] * widths[static_cast<std::size_t>(i)];
            error2 += truncationError2(adapter.updates[static_cast<std::size_t>(i)], ranks[i]);
          }
          if (static_cast<double>(cost) <= spend) best = std::min(best, error2);
        }
    double total2 = 0.0;
    for (const auto& u : adapter.updates) total2 += u.squaredNorm();
    // Modules of different widths make this a knapsack. Each module's gains σ_k² fall with k,
    // so the greedy order by gain per parameter is the LP relaxation's order, and the optimum
    // removes at most one more increment than the greedy: the largest one it left out.
    double largestLeftOut2 = 0.0;
    for (std::size_t i = 0; i < profile.modules.size(); ++i) {
      const auto& sigma = profile.modules[i].singularValues;
      const auto k = static_cast<std::size_t>(s.ranks[i]);
      if (k < sigma.size()) largestLeftOut2 = std::max(largestLeftOut2, sigma[k] * sigma[k]);
    }
    EXPECT_LE(s.error * s.error * total2, best + largestLeftOut2 + 1e-9 * total2) << "budget " << budget;
  }
  EXPECT_EQ(learn::scheduleRanks(profile, ScheduleCriterion::Budget, static_cast<double>(profile.parameters)).ranks,
            (std::vector<int>{4, 4, 4}));
}

TEST(LoraSchedule, RefusesValuesOutsideTheCriterionsRangeNamingIt) {
  const learn::LoraProfile profile = learn::profileLoraAdapter(randomAdapter(7, 2, 3).file);
  const auto refusal = [&](ScheduleCriterion c, double v) -> std::string {
    try {
      learn::scheduleRanks(profile, c, v);
    } catch (const InvalidArgument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_NE(refusal(ScheduleCriterion::Rank, 0).find("rank:"), std::string::npos);
  EXPECT_NE(refusal(ScheduleCriterion::Rank, 2.5).find("rank:"), std::string::npos);
  EXPECT_NE(refusal(ScheduleCriterion::Energy, 1.5).find("energy: a share in (0, 1]"), std::string::npos);
  EXPECT_NE(refusal(ScheduleCriterion::Ratio, 0.5).find("ratio: 1 or more"), std::string::npos);
  EXPECT_NE(refusal(ScheduleCriterion::Budget, 10).find("below one rank per module"), std::string::npos);
  EXPECT_NE(refusal(ScheduleCriterion::Cumulative, std::nan("")).find("finite"), std::string::npos);
  EXPECT_EQ(learn::parseScheduleCriterion("fro"), ScheduleCriterion::Frobenius);
  EXPECT_FALSE(learn::parseScheduleCriterion("sv_fro"));
  // Rank above a module's r keeps its r.
  EXPECT_EQ(learn::scheduleRanks(profile, ScheduleCriterion::Rank, 50).ranks, (std::vector<int>{3, 3}));
}

}  // namespace
}  // namespace rankflow
