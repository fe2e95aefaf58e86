#pragma once
// A small line chart for headless figures: several named series over shared axes, with
// log scales where asked (few-step sampling quality against steps, error curves).
#include <string>
#include <vector>

#include "app/cli/plots/raster_canvas.h"
#include "render/image.h"

namespace rankflow::app {

struct LineSeries {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
  Rgb color;
};

struct LineChartSpec {
  std::string title;
  std::string xLabel;
  std::string yLabel;
  bool logX = false;
  bool logY = false;
  int width = 1200;
  int height = 800;
};

// Points with a non-finite (or, on a log axis, non-positive) coordinate are skipped.
render::RgbaImage renderLineChart(const std::vector<LineSeries>& series, const LineChartSpec& spec);

}  // namespace rankflow::app
