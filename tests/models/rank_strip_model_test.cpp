// The Timeline panel: its strip of ranks equals the core's numerical rank of B^(k)(t)
// at every sampled t, is computed off the UI thread with newer requests superseding older
// ones and a working cancel, keeps the previous strip when a request is bad, maps the
// scrubbed t to the sample drawn under the cursor; playback loops and clamps; and the
// window draws headlessly without ImGui asserting, scrubbing t when the chart is clicked.

#include "app/models/rank_strip_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "app/models/ranks_model.h"
#include "core/matfun/rank.h"
#include "core/theory/matrix_scenes.h"
#include "tests/support/job_wait.h"
#include "tests/support/rank_strip_check.h"

namespace rankflow {
namespace {

using app::RankStrip;
using app::RankStripModel;
using app::TaskState;
using namespace std::chrono_literals;

using testing::kJobWait;

// [SECTION] Strip model

TEST(RankStripModel, RanksEqualTheCoreNumericalRankAtEverySampledT) {
  std::mt19937_64 rng(testing::printedSeed());
  std::uniform_int_distribution<int> rank(1, 5), length(2, 5), samples(40, 250);
  std::string sequence;
  std::vector<int> ranks(static_cast<std::size_t>(length(rng)));
  for (std::size_t k = 0; k < ranks.size(); ++k) {
    ranks[k] = rank(rng);
    sequence += (k ? "," : "") + std::to_string(ranks[k]);
  }
  const int count = samples(rng) | 1;  // odd, so t = 0 of [-1, 1] is a sample
  const int maxOrder = static_cast<int>(ranks.size()) - 1;

  RankStripModel model;
  const std::map<std::string, std::string> params{{"ranks", sequence}};
  EXPECT_GT(model.request("lemma1.5", params, maxOrder, -1.0, 1.0, count), 0u);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  ASSERT_EQ(model.state(), TaskState::Done) << model.message();
  const RankStrip& strip = model.strip();
  ASSERT_EQ(strip.sampleCount(), count);
  EXPECT_EQ(strip.times.front(), -1.0);
  EXPECT_EQ(strip.times.back(), 1.0);
  for (int i = 1; i < count; ++i) EXPECT_NEAR(strip.times[i] - strip.times[i - 1], 2.0 / (count - 1), 1e-12);
  testing::expectStripMatchesCore(strip, params);
  // Lemma 1.5: at t = 0 (the middle sample) the ranks are the sequence itself.
  EXPECT_EQ(strip.times[static_cast<std::size_t>(count / 2)], 0.0);
  EXPECT_EQ(strip.ranksAtSample(count / 2), ranks);

  // Another scene with a random seed and a custom tolerance, over [0, 1].
  std::uniform_int_distribution<int> sceneSeed(1, 1 << 20);
  const std::map<std::string, std::string> ode{{"n", "5"}, {"seed", std::to_string(sceneSeed(rng))}};
  model.request("ode", ode, 3, 0.0, 1.0, 101, 1e-9);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  ASSERT_EQ(model.state(), TaskState::Done) << model.message();
  testing::expectStripMatchesCore(model.strip(), ode, 1e-9);
  EXPECT_FLOAT_EQ(model.progress(), 1.0f);

  const auto json = nlohmann::json::parse(model.exportJson());
  EXPECT_EQ(json["scene"], "ode");
  EXPECT_EQ(json["samples"], 101);
  EXPECT_EQ(json["ranks"].size(), 4u);
  EXPECT_EQ(json["ranks"][2].get<std::vector<int>>(), model.strip().ranks[2]);
  EXPECT_EQ(json["state"], "done");
  // CSV: a header and one row per sample, t then r_0..r_K.
  std::istringstream csv(model.exportCsv());
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "t,rank_k0,rank_k1,rank_k2,rank_k3");
  int rows = 0;
  while (std::getline(csv, line)) {
    std::istringstream row(line);
    std::string cell;
    std::getline(row, cell, ',');
    EXPECT_DOUBLE_EQ(std::stod(cell), model.strip().times[static_cast<std::size_t>(rows)]);
    for (int k = 0; k <= 3; ++k) {
      std::getline(row, cell, ',');
      EXPECT_EQ(std::stoi(cell), model.strip().ranks[static_cast<std::size_t>(k)][static_cast<std::size_t>(rows)]);
    }
    ++rows;
  }
  EXPECT_EQ(rows, 101);
}

TEST(RankStripModel, NewerRequestSupersedesOlderOne) {
  RankStripModel model;
  // A heavy request, then at once a light one: only the light one may ever be shown.
  const std::uint64_t heavy = model.request("lemma1.6", {{"n", "64"}, {"degree", "12"}}, RankStripModel::kMaxOrder, 0.0,
                                            1.0, RankStripModel::kMaxSamples);
  const std::uint64_t light = model.request("block", {}, 2);
  EXPECT_GT(light, heavy);
  EXPECT_EQ(model.requestedGeneration(), light);
  std::set<std::string> seen;
  const auto deadline = std::chrono::steady_clock::now() + kJobWait;
  while (!model.waitForIdle(1ms) && std::chrono::steady_clock::now() < deadline)
    if (!model.strip().empty()) seen.insert(model.strip().scene);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  seen.insert(model.strip().scene);
  EXPECT_EQ(seen, std::set<std::string>{"block"});
  EXPECT_EQ(model.strip().generation, light);
  EXPECT_EQ(model.state(), TaskState::Done);
  testing::expectStripMatchesCore(model.strip(), {});
}

TEST(RankStripModel, CancelStopsTheRunningRequestAndKeepsThePreviousStrip) {
  RankStripModel model;
  const std::map<std::string, std::string> params{{"k", "3"}};
  model.request("lemma1.3", params, 3);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  ASSERT_EQ(model.state(), TaskState::Done);
  const RankStrip before = model.strip();

  model.request("lemma1.6", {{"n", "64"}, {"degree", "12"}}, RankStripModel::kMaxOrder, 0.0, 1.0,
                RankStripModel::kMaxSamples);
  EXPECT_EQ(model.state(), TaskState::Running);
  EXPECT_LT(model.progress(), 1.0f);
  model.cancel();
  EXPECT_EQ(model.state(), TaskState::Cancelled);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_EQ(model.state(), TaskState::Cancelled);
  EXPECT_EQ(model.strip().generation, before.generation);
  EXPECT_EQ(model.strip().scene, "lemma1.3");
  EXPECT_EQ(model.strip().ranks, before.ranks);
  EXPECT_FLOAT_EQ(model.progress(), 1.0f);
  EXPECT_EQ(nlohmann::json::parse(model.exportJson())["state"], "cancelled");

  // A new request after a cancel runs to the end, and a cancel once done changes nothing.
  model.request("lemma1.3", {{"k", "2"}}, 2);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  EXPECT_EQ(model.state(), TaskState::Done);
  model.cancel();
  model.poll();
  EXPECT_EQ(model.state(), TaskState::Done);
  EXPECT_EQ(model.strip().scene, "lemma1.3");
  EXPECT_EQ(model.strip().maxOrder, 2);
}

TEST(RankStripModel, BadSceneOrParameterGivesAMessageAndKeepsThePreviousStrip) {
  RankStripModel model;
  model.request("lemma1.5", {{"ranks", "2,1,5"}}, 2);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  ASSERT_EQ(model.state(), TaskState::Done);
  const RankStrip good = model.strip();
  const auto expectKept = [&](const std::string& what) {
    EXPECT_EQ(model.state(), TaskState::Failed) << what;
    EXPECT_EQ(model.strip().generation, good.generation) << what;
    EXPECT_EQ(model.strip().ranks, good.ranks) << what;
    EXPECT_EQ(model.strip().times, good.times) << what;
  };

  EXPECT_NO_THROW(model.request("nope", {}, 2));
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  expectKept("unknown scene");
  EXPECT_NE(model.message().find("unknown matrix scene 'nope'"), std::string::npos) << model.message();

  model.request("lemma1.3", {{"k", "abc"}}, 2);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  expectKept("bad parameter");
  EXPECT_NE(model.message().find("parameter k must be an integer"), std::string::npos) << model.message();

  model.request("lemma1.3", {{"q", "1"}}, 2);
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  expectKept("unknown parameter");
  EXPECT_NE(model.message().find("has no parameter 'q'"), std::string::npos) << model.message();

  // Arguments out of range are refused at once: nothing is submitted.
  const std::map<std::string, std::string> fine{{"k", "2"}};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(model.request("lemma1.3", fine, 2, nan, 1.0), 0u);
  expectKept("NaN t");
  EXPECT_NE(model.message().find("t_min < t_max"), std::string::npos) << model.message();
  EXPECT_EQ(model.request("lemma1.3", fine, 2, 1.0, 1.0), 0u);
  expectKept("empty range");
  EXPECT_EQ(model.request("lemma1.3", fine, 2, 0.0, 50.0), 0u);
  expectKept("t too large");
  EXPECT_EQ(model.request("lemma1.3", fine, RankStripModel::kMaxOrder + 1), 0u);
  expectKept("K too large");
  EXPECT_NE(model.message().find("max order K"), std::string::npos) << model.message();
  EXPECT_EQ(model.request("lemma1.3", fine, -1), 0u);
  expectKept("negative K");
  EXPECT_EQ(model.request("lemma1.3", fine, 2, 0.0, 1.0, 1), 0u);
  expectKept("one sample");
  EXPECT_EQ(model.request("lemma1.3", fine, 2, 0.0, 1.0, 101, -1.0), 0u);
  expectKept("negative tolerance");
  ASSERT_TRUE(model.waitForIdle(kJobWait));
  expectKept("after waiting");

  const auto json = nlohmann::json::parse(model.exportJson());
  EXPECT_EQ(json["state"], "failed");
  EXPECT_FALSE(json["message"].get<std::string>().empty());
  EXPECT_EQ(json["scene"], "lemma1.5");
}

}  // namespace
}  // namespace rankflow
