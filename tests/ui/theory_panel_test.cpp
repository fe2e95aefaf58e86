// The Theory panel (docs/THEORY.md, "The Theory panel"): every preset parses with all its fields, a malformed
// preset is refused naming the file and the field, each demonstration shows what its
// statement claims (checked against the core functions directly), navigation wraps, and
// every scene draws headlessly in normal and lecture mode without ImGui asserting or a chart
// drawing under its PNG button.
#include "app/ui/panels/theory_panel.h"

#include <gtest/gtest.h>
#include <imgui.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "app/models/theory_scenes.h"
#include "core/common/error.h"
#include "core/theory/constructions.h"
#include "core/theory/feasibility.h"
#include "tests/support/headless_imgui.h"
#include "tests/support/job_wait.h"
#include "tests/support/plot_capture_check.h"
#include "tests/support/theory_fixture.h"

namespace rankflow {
namespace {

using app::computeTheoryDemo;
using app::DemoParameter;
using app::TheoryDemoResult;
using app::TheoryPanel;
using namespace std::chrono_literals;

using testing::kJobWait;
const std::string kSourcePresets = std::string(RANKFLOW_SOURCE_DIR) + "/assets/presets/theory";

// [SECTION] Panel

// A directory with a bad preset beside a good one: the panel shows the good one and the
// bad file's message instead of failing (the loading itself: TheoryPresets.Malformed…).
TEST(TheoryPanel, ABadPresetFileIsShownAsAMessageBesideTheGoodOnes) {
  testing::TempDirectory dir;
  dir.write("01-good.json", testing::validPreset());
  dir.write("02-bad.json", testing::validPreset(R"({"scene": "lemma1.3", "params": {"K": 0}})"));
  TheoryPanel panel(dir.path.string());
  EXPECT_EQ(panel.count(), 1);
  EXPECT_EQ(panel.loadErrors().size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(panel.exportJson())["load_errors"].size(), 1u);
}

TEST(TheoryPanel, NextAndPreviousWrapSelectClampsAndResetRestoresThePreset) {
  TheoryPanel panel(kSourcePresets);
  ASSERT_EQ(panel.count(), static_cast<int>(app::theoryDemoNames().size()));
  EXPECT_EQ(panel.index(), 0);
  panel.previous();
  EXPECT_EQ(panel.index(), panel.count() - 1);
  panel.next();
  EXPECT_EQ(panel.index(), 0);
  panel.next();
  EXPECT_EQ(panel.index(), 1);
  EXPECT_EQ(panel.title(), "Lemma 1.3: Ranks can strictly increase");
  panel.select(1000);
  EXPECT_EQ(panel.index(), panel.count() - 1);
  panel.select(-3);
  EXPECT_EQ(panel.index(), 0);

  panel.select(1);
  EXPECT_EQ(panel.setParameter("K", "6"), "");
  EXPECT_NE(panel.setParameter("K", "99").find("K: must be an integer in [1, 8]"), std::string::npos);
  EXPECT_NE(panel.setParameter("Z", "1").find("no parameter 'Z'"), std::string::npos);
  EXPECT_EQ(panel.parameters().at(0).value, "6") << "a refused value changes nothing";
  ASSERT_TRUE(panel.waitForDemo(kJobWait));
  EXPECT_EQ(testing::seriesNamed(*panel.demo(), "rank D₁⁽ʲ⁾").values, (std::vector<int>{1, 2, 3, 4, 5, 6, 7}));
  panel.next();
  panel.previous();
  EXPECT_EQ(panel.parameters().at(0).value, "6") << "a scene keeps its edits while the lecture moves on";
  panel.reset();
  EXPECT_EQ(panel.parameters().at(0).value, "4");
  ASSERT_TRUE(panel.waitForDemo(kJobWait));
  EXPECT_EQ(testing::seriesNamed(*panel.demo(), "rank D₁⁽ʲ⁾").values, (std::vector<int>{1, 2, 3, 4, 5}));
  const auto json = nlohmann::json::parse(panel.exportJson());
  EXPECT_EQ(json["index"], 1);
  EXPECT_EQ(json["scene"]["parameters"]["K"], "4");
  EXPECT_EQ(json["demonstration"]["demo"], "lemma1.3");
}

TEST(TheoryPanel, NewerRequestSupersedesOlderOne) {
  app::TheoryDemoRunner runner;
  runner.submit("remark1.11", {});
  const std::uint64_t light = runner.submit("lemma1.3", {{"K", "2"}});
  ASSERT_TRUE(runner.waitForResult(kJobWait));
  EXPECT_EQ(runner.shownGeneration(), light);
  EXPECT_EQ(runner.result()->demo, "lemma1.3");
}

int drawFrame(TheoryPanel& panel, bool* open, ImVec2 mouse) {
  return testing::drawFrame(mouse, false, [&] { panel.draw(open); });
}

TEST(TheoryPanel, EverySceneDrawsHeadlesslyInNormalAndLectureMode) {
  testing::HeadlessImGui imgui;
  ASSERT_TRUE(imgui.fontsBuilt());
  {
    TheoryPanel panel(kSourcePresets);
    bool open = true;
    for (bool lecture : {false, true}) {
      panel.setLectureMode(lecture);
      for (int scene = 0; scene < panel.count(); ++scene) {
        panel.select(scene);
        SCOPED_TRACE(panel.title() + (lecture ? " (lecture)" : ""));
        EXPECT_GT(drawFrame(panel, &open, {-1, -1}), 0);  // before its result: "computing..."
        ASSERT_TRUE(panel.waitForDemo(kJobWait));
        ASSERT_NE(panel.demo(), nullptr);
        EXPECT_TRUE(panel.demo()->allChecksHold()) << testing::failedChecks(*panel.demo());
        // Sweep the mouse over the window so chart tooltips are drawn too.
        for (int y = 40; y < 900; y += 45) EXPECT_GT(drawFrame(panel, &open, {800.0f, float(y)}), 0);
        // Bars, curves and markers stay out of each chart's PNG button corner.
        app::startChartRecording();
        EXPECT_GT(drawFrame(panel, &open, {-1, -1}), 0);
        testing::expectNothingUnderCaptureButtons(app::stopChartRecording(), "Theory");
        const auto json = nlohmann::json::parse(panel.exportJson());
        EXPECT_EQ(json["lecture_mode"], lecture);
        EXPECT_EQ(json["demonstration"]["demo"], panel.presets()[static_cast<std::size_t>(scene)].demo);
      }
    }
    // A refused edit and a demonstration error both draw as messages.
    panel.setLectureMode(false);
    panel.select(4);  // Lemma 1.5: a rank list
    EXPECT_FALSE(panel.setParameter("ranks", "1,x").empty());
    EXPECT_GT(drawFrame(panel, &open, {800, 300}), 0);
    open = false;  // a closed window draws nothing
    drawFrame(panel, &open, {0, 0});

    TheoryPanel empty("/nonexistent/theory");
    open = true;
    EXPECT_EQ(empty.count(), 0);
    EXPECT_EQ(empty.title(), "");
    empty.next();
    empty.reset();
    EXPECT_GT(drawFrame(empty, &open, {800, 300}), 0);
    EXPECT_FALSE(nlohmann::json::parse(empty.exportJson(), nullptr, false).is_discarded());
  }
}

}  // namespace
}  // namespace rankflow
