// The Ranks panel (docs/MATHEMATICS.md §6): its model gives the ranks the core functions and the CLI give,
// runs off the UI thread with newer requests superseding older ones and a working cancel,
// reports bad input as messages, and the window draws headlessly without ImGui asserting.

#include "app/models/ranks_model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/matfun/rank.h"
#include "core/theory/feasibility.h"
#include "core/theory/matrix_scenes.h"
#include "tests/support/job_wait.h"
#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using app::RanksModel;
using app::TaskState;
using namespace std::chrono_literals;

using testing::kJobWait;

// What the core functions give directly, with the CLI's sampling (8 random t in [−1, 1], seed 1).
void expectMatchesCore(const RanksModel& model, const std::map<std::string, std::string>& params) {
  const auto& p = model.profile();
  ASSERT_TRUE(p.error.empty()) << p.error;
  ASSERT_EQ(static_cast<int>(p.orders.size()), model.maxOrder() + 1);
  ASSERT_EQ(p.exactState, TaskState::Done);
  const theory::MatrixScene scene = theory::buildMatrixScene(model.scene(), params);
  EXPECT_EQ(p.rows, scene.b.rows());
  EXPECT_EQ(p.cols, scene.b.cols());
  matfun::MatrixFunction current = scene.b;
  int r0 = 0, previous = 0;
  for (const auto& o : p.orders) {
    const auto atT = matfun::numericalRank(current.evaluate(model.t()));
    const auto generic = matfun::numericalGenericRank(current, 8, 1, -1.0, 1.0);
    const auto exact = matfun::exactGenericRank(current);
    EXPECT_EQ(o.atT.rank, atT.rank) << "k = " << o.k;
    EXPECT_DOUBLE_EQ(o.atT.tolerance, atT.tolerance) << "k = " << o.k;
    EXPECT_TRUE(o.atT.singularValues.isApprox(atT.singularValues)) << "k = " << o.k;
    EXPECT_EQ(o.generic.rank, generic.rank) << "k = " << o.k;
    ASSERT_TRUE(o.exact.has_value()) << "k = " << o.k;
    EXPECT_EQ(o.exact->rank, exact.rank) << "k = " << o.k;
    EXPECT_LE(o.exact->failureBound, 1e-12);
    if (o.k == 0) r0 = exact.rank;
    EXPECT_EQ(o.ceilingFact17, (o.k + 1) * r0);
    if (o.k == 0) {
      EXPECT_FALSE(o.ceilingFact14.has_value());
    } else {
      ASSERT_TRUE(o.ceilingFact14.has_value());
      EXPECT_EQ(*o.ceilingFact14, 2 * previous);
    }
    previous = exact.rank;
    current = current.derivative();
  }
}

TEST(RanksModel, Lemma13ProfileMatchesTheCoreFunctions) {
  RanksModel model;
  model.setParameter("k", "3");
  model.setMaxOrder(5);
  model.setT(0.3);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  expectMatchesCore(model, {{"k", "3"}});
  // Lemma 1.3 itself: ranks 1, 2, ..., k+1 strictly increase.
  for (int k = 0; k <= 3; ++k) EXPECT_EQ(model.profile().orders[static_cast<std::size_t>(k)].exact->rank, k + 1);
}

TEST(RanksModel, Lemma15ProfileMatchesTheCoreFunctionsAndTheCli) {
  RanksModel model;
  model.setScene("lemma1.5");
  model.setParameter("ranks", "2,1,5");
  model.setMaxOrder(2);
  model.setT(0.0);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  expectMatchesCore(model, {{"ranks", "2,1,5"}});
  // At t = 0 the sequence is matched (Lemma 1.5), generically it is not: (2, 1, 5) is infeasible.
  const auto& orders = model.profile().orders;
  EXPECT_EQ(orders[0].atT.rank, 2);
  EXPECT_EQ(orders[1].atT.rank, 1);
  EXPECT_EQ(orders[2].atT.rank, 5);
  EXPECT_NE(orders[1].exact->rank, 1);

  // The sanitizer tree builds the models' tests without the application (tools/test).
  if (!std::filesystem::exists(RANKFLOW_EXE)) GTEST_SKIP() << "the rankflow executable is not built in this tree";
  const auto cli = testing::runCommand(testing::quoted(RANKFLOW_EXE) +
                                       " ranks --scene lemma1.5 --param ranks=2,1,5 --max-order 2 --exact --json");
  ASSERT_EQ(cli.exitCode, 0) << cli.output;
  const auto json = nlohmann::json::parse(cli.output);
  ASSERT_EQ(json["orders"].size(), orders.size());
  for (std::size_t k = 0; k < orders.size(); ++k) {
    const auto& order = json["orders"][k];
    EXPECT_EQ(order["numerical_rank"].get<int>(), orders[k].generic.rank);
    EXPECT_EQ(order["exact_rank"].get<int>(), orders[k].exact->rank);
    EXPECT_EQ(order["ceiling_fact_1_7"].get<int>(), orders[k].ceilingFact17);
    if (k > 0) {
      EXPECT_EQ(order["ceiling_fact_1_4"].get<int>(), *orders[k].ceilingFact14);
    }
  }
}

TEST(RanksModel, NewerRequestSupersedesOlderOne) {
  RanksModel model;
  // A heavy request, then at once a light one: only the light one may ever be shown.
  model.setScene("lemma1.6");
  model.setParameter("n", "64");
  model.setParameter("degree", "12");
  model.setMaxOrder(RanksModel::kMaxOrder);
  const std::uint64_t heavy = model.requestedGeneration();
  model.setScene("block");
  const std::uint64_t light = model.requestedGeneration();
  EXPECT_GT(light, heavy);
  std::set<std::string> seen;
  const auto deadline = std::chrono::steady_clock::now() + kJobWait;
  while (!model.waitForIdle(1ms) && std::chrono::steady_clock::now() < deadline)
    if (model.profile().generation != 0) seen.insert(model.profile().scene);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  seen.insert(model.profile().scene);
  EXPECT_EQ(seen, std::set<std::string>{"block"});
  EXPECT_EQ(model.profile().generation, light);
  EXPECT_EQ(model.profile().exactState, TaskState::Done);
  EXPECT_EQ(static_cast<int>(model.profile().orders.size()), RanksModel::kMaxOrder + 1);
  EXPECT_FALSE(model.computing());
}

TEST(RanksModel, CancelStopsTheExactStageAndKeepsTheNumericalRanks) {
  RanksModel model;
  model.setScene("lemma1.6");
  model.cancelExact();
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const auto& p = model.profile();
  ASSERT_TRUE(p.error.empty()) << p.error;
  EXPECT_EQ(p.exactState, TaskState::Cancelled);
  ASSERT_EQ(p.orders.size(), 5u);
  for (const auto& o : p.orders) {
    EXPECT_FALSE(o.exact.has_value()) << "k = " << o.k;
    EXPECT_GE(o.generic.rank, 0);
  }
  // Rank one (B = x yᵀ): the ceilings come from the numerical ranks when there is no exact one.
  EXPECT_EQ(p.orders[0].generic.rank, 1);
  EXPECT_EQ(p.orders[2].ceilingFact17, 3);
  EXPECT_FLOAT_EQ(model.exactProgress(), 1.0f);

  // Running again completes, and a cancel after completion changes nothing.
  model.recompute();
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_EQ(model.profile().exactState, TaskState::Done);
  model.cancelExact();
  model.poll();
  EXPECT_EQ(model.profile().exactState, TaskState::Done);
  for (const auto& o : model.profile().orders) EXPECT_TRUE(o.exact.has_value());
  EXPECT_LE(model.profile().orders[2].exact->rank, 3);  // Lemma 1.6: rank B'' <= 3

  model.setExactEnabled(false);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_EQ(model.profile().exactState, TaskState::Idle);
}

TEST(RanksModel, BadInputGivesMessagesNotExceptions) {
  RanksModel model;
  for (const std::string bad : {"", "1,,2", "a,b", "1,-2", "2;1;5", "1,2,3,4,5,6,7,8,9,10", "99999999999"}) {
    EXPECT_NO_THROW(model.checkFeasibility(bad)) << bad;
    EXPECT_EQ(model.feasibility().state, TaskState::Failed) << bad;
    EXPECT_FALSE(model.feasibility().error.empty()) << bad;
  }
  model.checkFeasibility("1,-2");
  EXPECT_NE(model.feasibility().error.find("ranks must be >= 0"), std::string::npos) << model.feasibility().error;

  EXPECT_NO_THROW(model.setParameter("k", "abc"));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_NE(model.profile().error.find("parameter k must be an integer"), std::string::npos) << model.profile().error;
  EXPECT_TRUE(model.profile().orders.empty());
  EXPECT_NO_THROW(model.setParameter("q", "1"));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_NE(model.profile().error.find("has no parameter 'q'"), std::string::npos) << model.profile().error;
  EXPECT_NO_THROW(model.setScene("nope"));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_NE(model.profile().error.find("unknown matrix scene 'nope'"), std::string::npos) << model.profile().error;
  EXPECT_FALSE(nlohmann::json::parse(model.exportJson()).is_discarded());
}

TEST(RanksModel, TwoOneFiveIsInfeasibleWithItsReason) {
  RanksModel model;
  model.checkFeasibility("2,1,5");
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  const auto& f = model.feasibility();
  ASSERT_EQ(f.state, TaskState::Done) << f.error;
  EXPECT_EQ(f.ranks, (std::vector<int>{2, 1, 5}));
  EXPECT_EQ(f.result.verdict, theory::Verdict::Infeasible);
  EXPECT_NE(f.result.reason.find("r_2 = 5 > 2 r_1 = 2"), std::string::npos) << f.result.reason;
  EXPECT_NE(f.result.reason.find("Fact 1.4"), std::string::npos) << f.result.reason;

  // A feasible one comes with its construction, whose exact ranks are the target.
  model.checkFeasibility("(1, 2, 3)");
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  ASSERT_EQ(model.feasibility().state, TaskState::Done);
  EXPECT_EQ(model.feasibility().result.verdict, theory::Verdict::Feasible);
  EXPECT_EQ(model.feasibility().result.realized, (std::vector<int>{1, 2, 3}));
  EXPECT_FALSE(model.feasibility().result.blocks.empty());
  const auto json = nlohmann::json::parse(model.exportJson());
  EXPECT_EQ(json["feasibility"]["verdict"], "feasible");
  EXPECT_EQ(json["feasibility"]["realized"], (std::vector<int>{1, 2, 3}));
}

TEST(RanksModel, ParameterInfoKeepsListValuesWhole) {
  const auto p = theory::parseSceneParameters("ranks=1,3,5,2");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].name, "ranks");
  EXPECT_EQ(p[0].value, "1,3,5,2");
  const auto q = theory::parseSceneParameters("n=4,degree=3,seed=1");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[1].name, "degree");
  EXPECT_EQ(q[1].value, "3");
  EXPECT_TRUE(theory::parseSceneParameters("").empty());
}

}  // namespace
}  // namespace rankflow
