// The Theory panel (docs/THEORY.md, "The Theory panel"): every preset parses with all its fields, a malformed
// preset is refused naming the file and the field, each demonstration shows what its
// statement claims (checked against the core functions directly), navigation wraps, and
// every scene draws headlessly in normal and lecture mode without ImGui asserting.

#include "app/models/theory_scenes.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "core/common/error.h"
#include "core/lowrank/lowrank_backend.h"
#include "core/theory/constructions.h"
#include "core/theory/feasibility.h"
#include "tests/support/theory_fixture.h"

namespace rankflow {
namespace {

using app::computeTheoryDemo;
using app::DemoParameter;
using app::TheoryDemoResult;
using namespace std::chrono_literals;

const std::string kSourcePresets = std::string(RANKFLOW_SOURCE_DIR) + "/assets/presets/theory";

std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// [SECTION] Presets

TEST(TheoryPresets, EveryPresetParsesWithAllFieldsAndCoversEveryDemonstration) {
  const app::PresetLoad load = app::loadTheoryPresets(kSourcePresets);
  EXPECT_TRUE(load.errors.empty()) << load.errors.front();
  ASSERT_EQ(load.presets.size(), app::theoryDemoNames().size());
  std::set<std::string> demos;
  for (const app::TheoryPreset& p : load.presets) {
    SCOPED_TRACE(p.file);
    EXPECT_FALSE(p.reference.empty());
    EXPECT_FALSE(p.title.empty());
    EXPECT_GT(p.statement.size(), 80u) << "the statement is a paragraph";
    EXPECT_GT(p.notice.size(), 40u);
    demos.insert(p.demo);
    const auto& specs = app::demoParameterSpecs(p.demo);
    ASSERT_EQ(p.parameters.size(), specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
      EXPECT_EQ(p.parameters[i].name, specs[i].name);
      EXPECT_EQ(app::checkParameterValue(specs[i], p.parameters[i].value), "");
    }
  }
  EXPECT_EQ(demos.size(), app::theoryDemoNames().size()) << "one preset per statement";
  // The statements of docs/MATHEMATICS.md §2 and §3 the lecture walks through, in order.
  std::vector<std::string> references;
  for (const auto& p : load.presets) references.push_back(p.reference);
  EXPECT_EQ(references.front(), "Lemma 1.2");
  EXPECT_NE(std::find(references.begin(), references.end(), "Lemma 1.8"), references.end());
  EXPECT_EQ(references.back(), "Fact 1.12 / Theorem 1.13");
}

TEST(TheoryPresets, TheBuildCopiesThePresetsWhereTheAppLooks) {
  const std::filesystem::path built = app::theoryPresetDirectory();
  ASSERT_TRUE(std::filesystem::is_directory(built)) << built;
  for (const auto& entry : std::filesystem::directory_iterator(kSourcePresets)) {
    const auto copy = built / entry.path().filename();
    ASSERT_TRUE(std::filesystem::exists(copy)) << copy;
    EXPECT_EQ(readText(copy), readText(entry.path())) << copy;
  }
}

TEST(TheoryPresets, MalformedPresetIsRefusedNamingTheFileAndTheField) {
  const auto refusal = [](const std::string& text) {
    try {
      app::parseTheoryPreset(text, "bad-scene.json");
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const auto expectRefused = [&](const std::string& text, const std::string& field) {
    const std::string message = refusal(text);
    EXPECT_NE(message.find("bad-scene.json"), std::string::npos) << message;
    EXPECT_NE(message.find("'" + field + "'"), std::string::npos) << message;
  };
  EXPECT_EQ(refusal(testing::validPreset()), "accepted");
  expectRefused(R"({"reference": "x", "title": "t", "statement": "s", "demonstration": {"scene": "lemma1.3"}})",
                "notice");
  expectRefused(R"({"reference": "x", "title": 3, "statement": "s", "notice": "n", "demonstration": {}})", "title");
  expectRefused(R"({"reference": "x", "title": "t", "statement": "  ", "notice": "n", "demonstration": {}})",
                "statement");
  expectRefused(testing::validPreset(R"({"scene": "lemma9.9"})"), "demonstration.scene");
  expectRefused(testing::validPreset(R"({"params": {"K": 4}})"), "demonstration.scene");
  expectRefused(testing::validPreset(R"({"scene": "lemma1.3", "params": {"K": 40}})"), "demonstration.params.K");
  expectRefused(testing::validPreset(R"({"scene": "lemma1.3", "params": {"K": "four"}})"), "demonstration.params.K");
  expectRefused(testing::validPreset(R"({"scene": "lemma1.3", "params": {"k": 4}})"), "demonstration.params.k");
  expectRefused(testing::validPreset(R"({"scene": "lemma1.5", "params": {"ranks": "1,x"}})"),
                "demonstration.params.ranks");
  expectRefused(testing::validPreset(R"({"scene": "lemma1.3", "extra": 1})"), "demonstration.extra");
  // A syntax error names the JSON path and byte (core/common/json_input.h).
  EXPECT_NE(refusal(testing::validPreset() + ",").find("bad-scene.json: $: not valid JSON at byte"), std::string::npos)
      << refusal(testing::validPreset() + ",");
  expectRefused("[1, 2]", "(document)");
  // Lists may be given as arrays too.
  const app::TheoryPreset listed = app::parseTheoryPreset(
      testing::validPreset(R"({"scene": "lemma1.5", "params": {"ranks": [2, 1, 5]}})"), "ok.json");
  EXPECT_EQ(listed.parameters.at(0).value, "2,1,5");

  // In a directory, the bad file is skipped with its message; the good one still loads.
  testing::TempDirectory dir;
  dir.write("01-good.json", testing::validPreset());
  dir.write("02-bad.json", testing::validPreset(R"({"scene": "lemma1.3", "params": {"K": 0}})"));
  const app::PresetLoad load = app::loadTheoryPresets(dir.path.string());
  ASSERT_EQ(load.presets.size(), 1u);
  ASSERT_EQ(load.errors.size(), 1u);
  EXPECT_NE(load.errors[0].find("02-bad.json: field 'demonstration.params.K'"), std::string::npos) << load.errors[0];
  // The panel's side of this: TheoryPanel.ABadPresetFileIsShownAsAMessageBesideTheGoodOnes (tests/ui).

  const app::PresetLoad missing = app::loadTheoryPresets((dir.path / "nowhere").string());
  EXPECT_TRUE(missing.presets.empty());
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_NE(missing.errors[0].find("nowhere"), std::string::npos);
}

// [SECTION] Demonstrations

TEST(TheoryDemos, EveryPresetDemonstrationShowsWhatItsStatementClaims) {
  for (const app::TheoryPreset& p : app::loadTheoryPresets(kSourcePresets).presets) {
    SCOPED_TRACE(p.file);
    const TheoryDemoResult r = computeTheoryDemo(p.demo, p.parameters);
    EXPECT_TRUE(r.allChecksHold()) << testing::failedChecks(r);
    EXPECT_FALSE(r.lines.empty());
    EXPECT_FALSE(r.rankCharts.empty() && r.curveCharts.empty() && !r.tree) << "a demonstration has something to draw";
    EXPECT_FALSE(nlohmann::json::parse(app::theoryDemoJson(r)).is_discarded());
  }
}

// With a low-rank backend (the window's runner passes its own: CUDA when a device exists) the
// §2 demonstrations' rank profiles are also computed numerically there, and a line names the
// backend and says whether floating point agrees with the exact ranks; the exact numbers
// and the checks are the same as without it.
TEST(TheoryDemos, NumericalRanksOnTheBackendAreNamedBesideTheExactOnes) {
  const auto cpu = lowrank::makeCpuLowRankBackend();
  int numerical = 0;
  for (const app::TheoryPreset& p : app::loadTheoryPresets(kSourcePresets).presets) {
    SCOPED_TRACE(p.file);
    const TheoryDemoResult plain = computeTheoryDemo(p.demo, p.parameters);
    const TheoryDemoResult checked = computeTheoryDemo(p.demo, p.parameters, cpu.get());
    EXPECT_TRUE(checked.allChecksHold()) << testing::failedChecks(checked);
    ASSERT_EQ(checked.rankCharts.size(), plain.rankCharts.size());
    for (std::size_t c = 0; c < plain.rankCharts.size(); ++c)
      for (std::size_t i = 0; i < plain.rankCharts[c].series.size(); ++i)
        EXPECT_EQ(checked.rankCharts[c].series[i].values, plain.rankCharts[c].series[i].values);
    if (checked.numericalBackend.empty()) {
      EXPECT_EQ(checked.lines.size(), plain.lines.size()) << "no rank profile: no line added";
      continue;
    }
    ++numerical;
    EXPECT_EQ(checked.numericalBackend, cpu->description());
    ASSERT_EQ(checked.lines.size(), plain.lines.size() + 1);
    const std::string& line = checked.lines.back();
    EXPECT_EQ(line.rfind("numerical generic ranks on " + cpu->description(), 0), 0u) << line;
    // The presets' matrices are well scaled: float64 finds the exact ranks.
    EXPECT_NE(line.find("the exact ones at every order"), std::string::npos) << line;
  }
  EXPECT_GE(numerical, 6);
  // A note (the reason after a device fault) ends the line.
  const TheoryDemoResult noted = computeTheoryDemo("lemma1.3", {{"K", "3"}}, cpu.get(), "CUDA failed: lost");
  ASSERT_FALSE(noted.lines.empty());
  EXPECT_NE(noted.lines.back().find("— CUDA failed: lost"), std::string::npos) << noted.lines.back();
}

TEST(TheoryDemos, Lemma13RanksAreOneToKPlusOneForKFour) {
  const TheoryDemoResult r = computeTheoryDemo("lemma1.3", {{"K", "4"}});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(testing::seriesNamed(r, "rank D₁⁽ʲ⁾").values, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(testing::seriesNamed(r, "rank D₁⁽ʲ⁾").values, theory::rankProfile(theory::outerProductBlock(4), 4));
}

TEST(TheoryDemos, Lemma16VerdictIsInfeasibleAndRankOfBSecondIsAtMostThree) {
  const TheoryDemoResult r = computeTheoryDemo("lemma1.6", {{"n", "5"}, {"degree", "4"}});
  ASSERT_TRUE(r.allChecksHold()) << testing::failedChecks(r);
  EXPECT_EQ(theory::checkFeasibility({1, 2, 4}).verdict, theory::Verdict::Infeasible);
  const auto& ranks = testing::seriesNamed(r, "rank B⁽ᵏ⁾").values;
  EXPECT_EQ(ranks, theory::rankProfile(theory::rankOneProduct(5, 4, 1), 3));
  EXPECT_EQ(ranks[0], 1);
  EXPECT_LE(ranks[2], 3);
  bool shown = false;
  for (const auto& line : r.lines) shown = shown || line.find("infeasible") != std::string::npos;
  EXPECT_TRUE(shown);
}

// Fresh random parameters each run (the seed is printed on failure): the bounds of Facts 1.4
// and 1.7 hold on whatever the lecturer picks, and the demo's ranks are the core's.
TEST(TheoryDemos, FactBoundsHoldOnRandomParameters) {
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const auto pick = [&](int lo, int hi) { return std::to_string(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  for (int trial = 0; trial < 2; ++trial) {
    const TheoryDemoResult f14 = computeTheoryDemo("fact1.4", {{"terms", pick(1, 3)}, {"n", pick(6, 8)}});
    EXPECT_TRUE(f14.allChecksHold()) << testing::failedChecks(f14);
    const auto& r14 = testing::seriesNamed(f14, "rank B⁽ᵏ⁾").values;
    for (std::size_t k = 1; k < r14.size(); ++k) EXPECT_LE(r14[k], 2 * r14[k - 1]);

    const std::string copies = pick(1, 3), maxK = pick(1, 4);
    const TheoryDemoResult f17 = computeTheoryDemo("fact1.7", {{"copies", copies}, {"K", maxK}});
    EXPECT_TRUE(f17.allChecksHold()) << testing::failedChecks(f17);
    const auto& r17 = testing::seriesNamed(f17, "rank B⁽ᵏ⁾").values;
    const std::vector<theory::MatrixFunction> blocks(static_cast<std::size_t>(std::stoi(copies)),
                                                     theory::outerProductBlock(std::stoi(maxK)));
    EXPECT_EQ(r17, theory::rankProfile(theory::blockDiagonal(blocks), std::stoi(maxK) + 1));
    for (std::size_t k = 0; k < r17.size(); ++k) EXPECT_LE(r17[k], static_cast<int>(k + 1) * r17[0]);
  }
}

TEST(TheoryDemos, QueryDemonstrationsAgreeWithFloat64OnRandomIntervals) {
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const int m = std::uniform_int_distribution<int>(4, 64)(rng);
  const int l = std::uniform_int_distribution<int>(0, m - 1)(rng);
  const int h = std::uniform_int_distribution<int>(l, m - 1)(rng);
  const TheoryDemoResult tree =
      computeTheoryDemo("theorem1.10", {{"m", std::to_string(m)}, {"l", std::to_string(l)}, {"h", std::to_string(h)}});
  ASSERT_TRUE(tree.allChecksHold()) << testing::failedChecks(tree);
  ASSERT_TRUE(tree.tree.has_value());
  EXPECT_EQ(tree.tree->l, l);
  EXPECT_EQ(tree.tree->h, h);
  EXPECT_LE(static_cast<int>(tree.tree->nodes.size()), 2 * static_cast<int>(std::ceil(std::log2(m))));

  const TheoryDemoResult tensor = computeTheoryDemo(
      "theorem1.13",
      {{"d", std::to_string(std::uniform_int_distribution<int>(2, 8)(rng))}, {"m", std::to_string(m < 32 ? m : 32)}});
  EXPECT_TRUE(tensor.allChecksHold()) << testing::failedChecks(tensor);
}

TEST(TheoryDemos, FeasibilityScenesFollowTheChecker) {
  // Lemma 1.8: a feasible target is realised exactly; the (2, 1, 5) caution is always shown.
  const TheoryDemoResult feasible = computeTheoryDemo("lemma1.8", {{"ranks", "2,3,4"}});
  EXPECT_TRUE(feasible.allChecksHold()) << testing::failedChecks(feasible);
  EXPECT_EQ(testing::seriesNamed(feasible, "construction (exact)").values, (std::vector<int>{2, 3, 4}));
  // An infeasible target has no construction; the caution checks still hold.
  const TheoryDemoResult infeasible = computeTheoryDemo("lemma1.8", {{"ranks", "2,1,5"}});
  EXPECT_TRUE(infeasible.allChecksHold()) << testing::failedChecks(infeasible);
  EXPECT_THROW(testing::seriesNamed(infeasible, "construction (exact)"), std::runtime_error);
  // Lemma 1.9: the realised ranks, read in the order pi, follow the relations.
  const TheoryDemoResult ordering = computeTheoryDemo("lemma1.9", {{"permutation", "2,0,1"}, {"relations", "><"}});
  EXPECT_TRUE(ordering.allChecksHold()) << testing::failedChecks(ordering);
  const auto& inOrder = testing::seriesNamed(ordering, "construction (exact)").values;
  ASSERT_EQ(inOrder.size(), 3u);
  EXPECT_GT(inOrder[0], inOrder[1]);
  EXPECT_LT(inOrder[1], inOrder[2]);
}

// docs/MATHEMATICS.md §2's shift rule for Lemma 1.9 leaves min w = 1 when the weights differ by one, and
// can ask for ..., 1, 1, 2: once rank B^(k) = rank B^(k+1) = 1, B^(k) = x yᵀ with x or y of
// constant direction, so every later rank is ≤ 1 (docs/THEORY.md, "rank one persists"). The
// checker calls it infeasible and the scene shows the lemma failing instead of claiming it.
TEST(TheoryDemos, Lemma19ShiftRuleCanAskForAnInfeasibleSequenceAndTheSceneSaysSo) {
  const std::vector<int> ranks = theory::lemma19Ranks({5, 3, 1, 0, 2, 4}, "<><><");
  EXPECT_EQ(ranks, (std::vector<int>{2, 1, 1, 2, 2, 1}));
  EXPECT_EQ(theory::checkFeasibility(ranks).verdict, theory::Verdict::Infeasible);
  const TheoryDemoResult r = computeTheoryDemo("lemma1.9", {{"permutation", "5,3,1,0,2,4"}, {"relations", "<><><"}});
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_FALSE(r.allChecksHold()) << "the panel shows the gap instead of claiming success";
  bool refuted = false;
  for (const auto& line : r.lines)
    refuted = refuted || line.find("Lemma 1.9 fails for this ordering") != std::string::npos;
  EXPECT_TRUE(refuted);
  // (3, 2, 4) from pi = (1, 0, 2), '<<': realised, every check holds.
  const TheoryDemoResult ok = computeTheoryDemo("lemma1.9", {{"permutation", "1,0,2"}, {"relations", "<<"}});
  EXPECT_TRUE(ok.allChecksHold()) << testing::failedChecks(ok);
}

TEST(TheoryDemos, BadParametersGiveAMessageNotAnException) {
  EXPECT_NE(computeTheoryDemo("lemma1.3", {{"K", "40"}}).error.find("parameter K"), std::string::npos);
  EXPECT_NE(computeTheoryDemo("lemma1.3", {{"Q", "1"}}).error.find("no parameter 'Q'"), std::string::npos);
  EXPECT_NE(computeTheoryDemo("lemma1.9", {{"permutation", "0,0,1"}, {"relations", "<<"}}).error.find("permutation"),
            std::string::npos);
  EXPECT_NE(computeTheoryDemo("nope", {}).error.find("unknown demonstration 'nope'"), std::string::npos);
}

}  // namespace
}  // namespace rankflow
