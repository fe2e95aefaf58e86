// Starts the real window under Xvfb with validation on, lets it run 60 frames of the
// integrated scene, and checks the screenshot: not blank, control panel present.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "app/ui/panels/control_panel.h"
#include "core/lowrank/cascade.h"
#include "core/matfun/matrix_function.h"
#include "core/theory/matrix_scenes.h"
#include "render/image.h"
#include "tests/support/run_command.h"
#include "tests/support/xvfb.h"

namespace rankflow {
namespace {

using testing::quoted;
using testing::runCommand;
using testing::runUnderXvfb;

bool near(const uint8_t* p, int r, int g, int b, int tolerance) {
  return std::abs(p[0] - r) <= tolerance && std::abs(p[1] - g) <= tolerance && std::abs(p[2] - b) <= tolerance;
}

TEST(GuiUnderXvfb, RunsSixtyFramesAndShowsTheSceneAndTheControlPanel) {
  ASSERT_EQ(runCommand("command -v xvfb-run").exitCode, 0) << "xvfb-run is missing (apt-get install xvfb xauth)";
  const auto shot = std::filesystem::temp_directory_path() / "rankflow_gui_xvfb.png";
  std::filesystem::remove(shot);
  const auto result =
      runUnderXvfb(quoted(RANKFLOW_EXE) + " gui --frames 60 --validation --screenshot " + quoted(shot.string()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("validation: 0 message(s)"), std::string::npos) << result.output;
  ASSERT_TRUE(std::filesystem::exists(shot)) << result.output;

  const render::RgbaImage image = render::readPng(shot.string());
  EXPECT_EQ(image.width, 1600);
  EXPECT_EQ(image.height, 900);

  // Not blank: a real scene has thousands of distinct colours (particles, trails, text).
  std::set<uint32_t> colours;
  for (std::size_t i = 0; i < image.pixels.size(); i += 4)
    colours.insert(image.pixels[i] | (image.pixels[i + 1] << 8) | (image.pixels[i + 2] << 16));
  EXPECT_GT(colours.size(), 500u);

  // The control panel: its title bar (the accent colour) spans the top of the panel.
  const int x0 = static_cast<int>(app::kControlPanelX) + 8;
  const int x1 = static_cast<int>(app::kControlPanelX + app::kControlPanelWidth) - 8;
  const int y = static_cast<int>(app::kControlPanelY) + 6;
  int titlePixels = 0;
  for (int x = x0; x < x1; ++x) titlePixels += near(image.at(x, y), 46, 94, 170, 12);
  EXPECT_GT(titlePixels, (x1 - x0) * 6 / 10) << "control panel title bar not found";
  // …and its body (the window background) lies below the title.
  int bodyPixels = 0;
  for (int x = x0; x < x1; ++x) bodyPixels += near(image.at(x, y + 60), 28, 31, 38, 14);
  EXPECT_GT(bodyPixels, (x1 - x0) / 3) << "control panel body not found";
}

// A script drives the real window as a person would: keys open panels and lecture mode,
// settings move t, and the values the UI shows are asserted; validation stays silent.
TEST(GuiUnderXvfb, ScriptPressesKeysSetsControlsAndChecksWhatTheWindowShows) {
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_gui_script";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto script = dir / "script.txt";
  {
    std::ofstream out(script);
    out << "wait-idle 240\n"
           "set t 0.25\n"
           "expect t == 0.25\n"
           "key F2\n"
           "wait 2\n"
           "expect panel.ranks == 1\n"
           "wait-idle 240\n"
           "screenshot "
        << (dir / "ranks.png").string()
        << " ranks\n"
           "key Right\n"
           "wait 2\n"
           "expect t near 0.26 1e-6\n"
           "key F5\n"
           "wait 3\n"
           "expect lecture == 1\n"
           "screenshot "
        << (dir / "lecture.png").string()
        << "\n"
           "key Esc\n"
           "wait 2\n"
           "expect lecture == 0\n"
           "print straightness\n"
           // Draw data with the mouse and use it: the scene becomes the strokes' points.
           "set sketch on\n"
           "drag 700 300 1000 420 20\n"
           "drag 760 560 1040 520 20\n"
           "expect sketch.points > 20\n"
           "set sketch.apply 1\n"
           "wait 2\n"
           "wait-idle 240\n"
           "expect scene.custom == 1\n"
           "expect data.points > 20\n"
           "screenshot "
        << (dir / "sketch.png").string() << "\n";
  }
  const auto result = runUnderXvfb(quoted(RANKFLOW_EXE) + " gui --validation --script " + quoted(script.string()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("validation: 0 message(s)"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("script: expect lecture == 0: ok"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("straightness = "), std::string::npos) << result.output;
  const render::RgbaImage ranks = render::readPng((dir / "ranks.png").string());
  EXPECT_GT(ranks.width, 300);  // the Ranks window alone, not the whole screen
  EXPECT_LT(ranks.width, 1600);
  const render::RgbaImage lecture = render::readPng((dir / "lecture.png").string());
  EXPECT_EQ(lecture.width, 1600);
  // Lecture mode hides the control panel: its title-bar accent is gone from the top left.
  const int y = static_cast<int>(app::kControlPanelY) + 6;
  int titlePixels = 0;
  for (int x = 20; x < 340; ++x) titlePixels += near(lecture.at(x, y), 46, 94, 170, 12);
  EXPECT_LT(titlePixels, 20);
}

double printedValue(const std::string& output, const std::string& name, int occurrence) {
  std::size_t at = 0;
  for (int i = 0; i <= occurrence; ++i) {
    at = output.find(name + " = ", i == 0 ? 0 : at + 1);
    if (at == std::string::npos) return std::nan("");
  }
  return std::stod(output.substr(at + name.size() + 3));
}

// The issue's end-to-end check: lowering r_2 in the Cascade panel raises the order-2 error
// the panel shows, by exactly what the core's cascading fit computes for both schedules.
TEST(GuiUnderXvfb, LoweringR2RaisesTheShownOrder2ErrorByWhatTheCoreComputes) {
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_gui_cascade_script";
  std::filesystem::create_directories(dir);
  const auto script = dir / "script.txt";
  std::ofstream(script) << "set t 0.5\n"
                           "key F4\n"
                           "wait-idle 240\n"
                           "expect panel.cascade == 1\n"
                           "print fit.error.2\n"
                           "set fit.rank.2 1\n"
                           "wait-idle 240\n"
                           "print fit.error.2\n"
                           "screenshot "
                        << (dir / "cascade.png").string() << " cascade\n";
  const auto result = runUnderXvfb(quoted(RANKFLOW_EXE) + " gui --validation --script " + quoted(script.string()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("validation: 0 message(s)"), std::string::npos) << result.output;
  const double before = printedValue(result.output, "fit.error.2", 0);
  const double after = printedValue(result.output, "fit.error.2", 1);

  // The panel's default: lemma1.5 with these ranks, K = 4, r = (4, 4, 4, 4), at t = 0.5.
  const theory::MatrixScene scene = theory::buildMatrixScene("lemma1.5", {{"ranks", "4,8,12,16,20,24,28,32,32,32"}});
  std::vector<Eigen::MatrixXf> targets;
  matfun::MatrixFunction current = scene.b;
  for (int k = 0; k <= 4; ++k) {
    targets.push_back(current.evaluate(0.5).cast<float>());
    current = current.derivative();
  }
  const lowrank::CascadeFit core4(targets, {4, 4, 4, 4});
  const lowrank::CascadeFit core1(targets, {4, 1, 4, 4});
  EXPECT_NEAR(before, core4.orders()[1].cascadeError, 1e-9 + 1e-6 * before) << result.output;
  EXPECT_NEAR(after, core1.orders()[1].cascadeError, 1e-9 + 1e-6 * after) << result.output;
  EXPECT_GT(after, before);
  EXPECT_NEAR(after - before, core1.orders()[1].cascadeError - core4.orders()[1].cascadeError, 1e-6);
}

// A session carries the Cascade panel's choices: the fit's ranks come back as saved.
TEST(GuiUnderXvfb, SessionRestoresTheCascadeRanks) {
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_gui_session_cascade";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "s.json") << R"({"scene": {"particles": 512}, "panels": {"cascade": true},)"
                                << R"( "cascade": {"fit_ranks": [3, 2, 1, 0]}})";
  std::ofstream(dir / "script.txt") << "wait-idle 240\nexpect fit.rank.1 == 3\nexpect fit.rank.3 == 1\n"
                                       "expect fit.rank.4 == 0\n";
  const auto result = runUnderXvfb(quoted(RANKFLOW_EXE) + " gui --session " + quoted((dir / "s.json").string()) +
                                   " --script " + quoted((dir / "script.txt").string()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("script: expect fit.rank.4 == 0: ok"), std::string::npos) << result.output;
}

// A failing expectation fails the run with the file and line.
TEST(GuiUnderXvfb, FailingScriptExpectationExitsWithTheLine) {
  const auto script = std::filesystem::temp_directory_path() / "rankflow_gui_failing_script.txt";
  {
    std::ofstream out(script);
    out << "set t 0.5\nexpect t > 0.9\n";
  }
  const auto result = runUnderXvfb(quoted(RANKFLOW_EXE) + " gui --script " + quoted(script.string()));
  EXPECT_EQ(result.exitCode, 1) << result.output;
  EXPECT_NE(result.output.find(":2: expectation failed: t = 0.5"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace rankflow
