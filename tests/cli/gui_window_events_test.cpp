// The real window under Xvfb through what a desk and a lecture hall do to it
// (docs/RELIABILITY.md, "Faults"): hidden and shown (what minimising does on X11), minimised
// and restored, and moved to a screen of another DPI (the UI scale changes, the fonts are
// rebuilt crisp at the new size). It keeps running, validation stays silent, and the title
// bars grow with the scale.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include "app/ui/panels/control_panel.h"
#include "render/image.h"
#include "tests/support/run_command.h"
#include "tests/support/xvfb.h"

namespace rankflow {
namespace {

using testing::quoted;
using testing::runUnderXvfb;

// The control panel's title bar height: rows of the accent colour from its top edge, the
// median over columns across the bar (the title's letters break some columns).
int titleBarHeight(const render::RgbaImage& image, int scale) {
  std::vector<int> runs;
  const int left = static_cast<int>(app::kControlPanelX) * scale, top = static_cast<int>(app::kControlPanelY) * scale;
  for (int x = left + 200; x < left + 340; x += 7) {
    int y = top + 1;
    int run = 0;
    for (; y < image.height; ++y) {
      const uint8_t* p = image.at(x, y);
      if (std::abs(p[0] - 46) > 12 || std::abs(p[1] - 94) > 12 || std::abs(p[2] - 170) > 12) break;
      ++run;
    }
    runs.push_back(run);
  }
  std::nth_element(runs.begin(), runs.begin() + static_cast<long>(runs.size() / 2), runs.end());
  return runs[runs.size() / 2];
}

TEST(GuiWindowEvents, SurvivesHidingMinimisingAndAChangeOfDpi) {
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_gui_window_events";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto one = dir / "scale1.png", two = dir / "scale2.png";
  std::ofstream(dir / "script.txt") << "wait-idle 240\n"
                                       "expect ui.scale == 1\n"
                                       "screenshot "
                                    << one.string()
                                    << "\n"
                                       "window hide\nwait 20\nwindow show\nwait 5\n"
                                       "window minimise\nwait 20\nwindow restore\nwait 5\n"
                                       "set ui.scale 2\nwait 5\n"
                                       "expect ui.scale == 2\n"
                                       "set lecture 1\nwait 3\nset lecture 0\nwait 10\n"
                                       "screenshot "
                                    << two.string()
                                    << "\n"
                                       "set ui.scale 1\nwait 3\nexpect ui.scale == 1\n"
                                       "set t 0.75\nwait 2\nexpect t == 0.75\n";
  const auto result =
      runUnderXvfb(quoted(RANKFLOW_EXE) + " gui --validation --script " + quoted((dir / "script.txt").string()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("validation: 0 message(s)"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("ui scale 2.00: fonts rebuilt"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("ui scale 1.00: fonts rebuilt"), std::string::npos) << result.output;
  const int h1 = titleBarHeight(render::readPng(one.string()), 1);
  const int h2 = titleBarHeight(render::readPng(two.string()), 2);
  EXPECT_GT(h1, 10);
  EXPECT_NEAR(static_cast<double>(h2) / h1, 2.0, 0.25) << h1 << " px at scale 1, " << h2 << " px at scale 2";
}

TEST(GuiWindowEvents, UiScaleOptionFixesTheScaleAndRefusesNonsense) {
  const auto script = std::filesystem::temp_directory_path() / "rankflow_gui_ui_scale.txt";
  std::ofstream(script) << "wait 3\nexpect ui.scale == 1.5\n";
  const auto result = runUnderXvfb(quoted(RANKFLOW_EXE) + " gui --ui-scale 1.5 --script " + quoted(script.string()));
  EXPECT_EQ(result.exitCode, 0) << result.output;
  const auto bad = testing::runCommand(quoted(RANKFLOW_EXE) + " gui --ui-scale 9 2>&1");
  EXPECT_EQ(bad.exitCode, 2) << bad.output;
  EXPECT_NE(bad.output.find("--ui-scale"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace rankflow
