// Print-quality figures (docs/cli.md): `render --scale 2` is the same layout with twice the
// pixels per side — compared with its golden image — and `render --panel NAME --svg` writes
// the panel's charts as vector SVG, parsed back here (tests/cli/svg_summary.py).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "render/image.h"
#include "tests/support/cli_fixture.h"
#include "tests/support/golden_image.h"
#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using testing::quoted;
using testing::runCommand;

std::filesystem::path printDirectory() {
  return testing::scratchDirectory("rankflow_print_figures");
}

render::RgbaImage renderControl(int scale) {
  const auto out = printDirectory() / ("control-x" + std::to_string(scale) + ".png");
  std::filesystem::remove(out);
  const auto r =
      runCommand(quoted(RANKFLOW_EXE) + " render --session " + quoted(testing::goldenSessionFile(printDirectory())) +
                 " --panel control --width 800 --height 450 --validation --scale " + std::to_string(scale) + " --out " +
                 quoted(out.string()));
  EXPECT_EQ(r.exitCode, 0) << r.output;
  return render::readPng(out.string());
}

TEST(PrintFigure, ScaleTwoIsTheSameLayoutWithTwiceThePixelsAndMatchesItsGolden) {
  const render::RgbaImage one = renderControl(1);
  const render::RgbaImage two = renderControl(2);
  ASSERT_GT(one.width, 100);
  // The panel's rectangle is in layout points: at scale 2 it covers twice the pixels (±1 for
  // its fractional edges).
  EXPECT_NEAR(two.width, 2 * one.width, 2);
  EXPECT_NEAR(two.height, 2 * one.height, 2);

  testing::expectMatchesGolden(two, "panel-control-scale2", 48, 0.02, printDirectory());
}

TEST(PrintFigure, BadScalesAreRefusedWithOneLine) {
  for (const char* scale : {"3", "0", "8", "x"}) {
    const auto r = runCommand(quoted(RANKFLOW_EXE) + " render --scale " + scale + " --out " +
                              quoted((printDirectory() / "never.png").string()));
    EXPECT_EQ(r.exitCode, 2) << r.output;
    EXPECT_NE(r.output.find("--scale"), std::string::npos) << r.output;
  }
}

TEST(PrintFigure, TimelineChartsAreVectorSvgWithTheirPolylinesAndAxisLabels) {
  if (runCommand("command -v python3").exitCode != 0) GTEST_SKIP() << "python3 is not installed";
  const auto svg = printDirectory() / "timeline.svg";
  std::filesystem::remove(svg);
  const auto r =
      runCommand(quoted(RANKFLOW_EXE) + " render --session " + quoted(testing::goldenSessionFile(printDirectory())) +
                 " --panel timeline --svg " + quoted(svg.string()));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("1 chart as SVG"), std::string::npos) << r.output;
  const auto parsed = runCommand("python3 " + quoted(std::string(RANKFLOW_SOURCE_DIR) + "/tests/cli/svg_summary.py") +
                                 " " + quoted(svg.string()));
  ASSERT_EQ(parsed.exitCode, 0) << parsed.output;  // well-formed XML with an <svg> root
  const auto summary = nlohmann::json::parse(parsed.output);
  EXPECT_EQ(summary["images"], 0);  // nothing is a bitmap
  ASSERT_TRUE(summary["charts"].contains("timeline-ranks")) << parsed.output;
  const auto& chart = summary["charts"]["timeline-ranks"];
  // One step line per order k = 0..3 of the rank strip, each from t = 0 to t = 1.
  ASSERT_EQ(chart["polylines"].size(), 4u) << parsed.output;
  for (const auto& points : chart["polylines"]) EXPECT_GE(points.get<int>(), 2);
  // The t axis's labels 0.0 … 1.0 and the rank labels from 0 up.
  std::vector<std::string> texts;
  for (const auto& t : chart["texts"]) texts.push_back(t.get<std::string>());
  for (const char* label : {"0.0", "0.5", "1.0", "0", "1"})
    EXPECT_NE(std::find(texts.begin(), texts.end(), label), texts.end()) << label << " in " << parsed.output;
  EXPECT_GE(chart["lines"].get<int>(), 11);  // the t grid lines and the axis
}

TEST(PrintFigure, SvgNeedsAPanelWithCharts) {
  const auto r = runCommand(quoted(RANKFLOW_EXE) + " render --svg " + quoted((printDirectory() / "x.svg").string()));
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("name the panel with --panel"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace rankflow
