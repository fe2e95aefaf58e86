// Every panel drawn offscreen (`rankflow render --panel NAME`, lavapipe, validation on) and
// compared with its golden image, with a tolerance: measured timings in a panel change a few
// digits from run to run, nothing else should move. RANKFLOW_UPDATE_GOLDEN=1 rewrites them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "render/image.h"
#include "tests/support/cli_fixture.h"
#include "tests/support/golden_image.h"
#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using testing::quoted;
using testing::runCommand;

constexpr int kChannelTolerance = 48;
// Digits of measured times and progress counters; a moved chart or a missing widget costs
// far more than this.
constexpr double kMaxDifferingFraction = 0.04;

std::filesystem::path figuresDirectory() {
  return testing::scratchDirectory("rankflow_panel_figures");
}

class PanelFigure : public ::testing::TestWithParam<const char*> {};

TEST_P(PanelFigure, MatchesItsGoldenImageWithValidationSilent) {
  const std::string panel = GetParam();
  const auto out = figuresDirectory() / (panel + ".png");
  std::filesystem::remove(out);
  const auto result =
      runCommand(quoted(RANKFLOW_EXE) + " render --session " + quoted(testing::goldenSessionFile(figuresDirectory())) +
                 " --panel " + panel + " --validation --out " + quoted(out.string()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const render::RgbaImage image = render::readPng(out.string());
  ASSERT_GT(image.width, 100);
  ASSERT_GT(image.height, 60);

  testing::expectMatchesGolden(image, "panel-" + panel, kChannelTolerance, kMaxDifferingFraction, figuresDirectory());
}

// A Theory scene with its symbols, at twice the pixels so that sub- and superscripts are
// legible: Lemma 1.2 (the first scene), whose statement writes D₁ = Σᵢ₌₁ʳ fᵢ(t) aᵢ bᵢᵀ and
// rank D₁ ≥ rank D₂ ≥ … in DejaVu's glyphs (app/ui/widgets/math_text.h), not '?' boxes.
TEST(TheoryFigure, Lemma12WithItsSymbolsAtScaleTwoMatchesItsGolden) {
  const auto out = figuresDirectory() / "theory-lemma-1-2-scale2.png";
  std::filesystem::remove(out);
  const auto result =
      runCommand(quoted(RANKFLOW_EXE) + " render --session " + quoted(testing::goldenSessionFile(figuresDirectory())) +
                 " --panel theory --width 840 --height 420 --scale 2 --validation --out " + quoted(out.string()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const render::RgbaImage image = render::readPng(out.string());
  ASSERT_GT(image.width, 1000);

  testing::expectMatchesGolden(image, "theory-lemma-1-2-scale2", kChannelTolerance, kMaxDifferingFraction,
                               figuresDirectory());
}

INSTANTIATE_TEST_SUITE_P(EveryPanel, PanelFigure,
                         ::testing::Values("flow", "control", "timeline", "ranks", "queries", "cascade", "theory",
                                           "adapters", "help"),
                         [](const ::testing::TestParamInfo<const char*>& param) { return std::string(param.param); });

}  // namespace
}  // namespace rankflow
