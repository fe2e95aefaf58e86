// Starts the real window under Xvfb with validation on, lets it run 60 frames of the
// integrated scene, and checks the screenshot: not blank, control panel present.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "app/gui/control_panel.h"
#include "render/image.h"
#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using testing::quoted;
using testing::runCommand;

bool near(const uint8_t* p, int r, int g, int b, int tolerance) {
  return std::abs(p[0] - r) <= tolerance && std::abs(p[1] - g) <= tolerance && std::abs(p[2] - b) <= tolerance;
}

TEST(GuiUnderXvfb, RunsSixtyFramesAndShowsTheSceneAndTheControlPanel) {
  ASSERT_EQ(runCommand("command -v xvfb-run").exitCode, 0) << "xvfb-run is missing (apt-get install xvfb xauth)";
  const auto shot = std::filesystem::temp_directory_path() / "rankflow_gui_xvfb.png";
  std::filesystem::remove(shot);
  const auto result = runCommand("xvfb-run -a -s '-screen 0 1600x900x24' " + quoted(RANKFLOW_EXE) +
                                 " gui --frames 60 --validation --screenshot " + quoted(shot.string()));
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

}  // namespace
}  // namespace rankflow
