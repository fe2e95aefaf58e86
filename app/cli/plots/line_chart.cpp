#include "app/cli/plots/line_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace rankflow::app {
namespace {

bool usable(double v, bool log) {
  return std::isfinite(v) && (!log || v > 0.0);
}

double axis(double v, bool log) {
  return log ? std::log10(v) : v;
}

std::string tickLabel(double v, bool log) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", log ? std::pow(10.0, v) : v);
  return text;
}

}  // namespace

render::RgbaImage renderLineChart(const std::vector<LineSeries>& series, const LineChartSpec& spec) {
  RasterCanvas canvas(spec.width, spec.height, {252, 252, 253});
  const float left = 110, right = static_cast<float>(spec.width) - 220, top = 70,
              bottom = static_cast<float>(spec.height) - 80;
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const auto& s : series) {
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!usable(s.x[i], spec.logX) || !usable(s.y[i], spec.logY)) continue;
      x0 = std::min(x0, axis(s.x[i], spec.logX));
      x1 = std::max(x1, axis(s.x[i], spec.logX));
      y0 = std::min(y0, axis(s.y[i], spec.logY));
      y1 = std::max(y1, axis(s.y[i], spec.logY));
    }
  }
  if (x0 > x1) x0 = 0, x1 = 1;
  if (y0 > y1) y0 = 0, y1 = 1;
  if (x1 - x0 < 1e-12) x0 -= 0.5, x1 += 0.5;
  if (y1 - y0 < 1e-12) y0 -= 0.5, y1 += 0.5;
  const double padY = 0.06 * (y1 - y0);
  y0 -= padY;
  y1 += padY;
  auto px = [&](double v) { return left + static_cast<float>((v - x0) / (x1 - x0)) * (right - left); };
  auto py = [&](double v) { return bottom - static_cast<float>((v - y0) / (y1 - y0)) * (bottom - top); };

  const Rgb ink{40, 42, 52}, grid{225, 227, 232};
  for (int i = 0; i <= 5; ++i) {
    const double gx = x0 + (x1 - x0) * i / 5.0;
    const double gy = y0 + (y1 - y0) * i / 5.0;
    canvas.line(px(gx), top, px(gx), bottom, grid);
    canvas.line(left, py(gy), right, py(gy), grid);
    const std::string xl = tickLabel(gx, spec.logX);
    canvas.text(px(gx) - canvas.textWidth(xl, 1.6f) / 2, bottom + 10, xl, ink, 1.6f);
    const std::string yl = tickLabel(gy, spec.logY);
    canvas.text(left - 12 - canvas.textWidth(yl, 1.6f), py(gy) - 6, yl, ink, 1.6f);
  }
  canvas.line(left, bottom, right, bottom, ink, 1.5f);
  canvas.line(left, top, left, bottom, ink, 1.5f);
  canvas.text(left, 10, spec.title, ink, 2.4f);
  canvas.text((left + right) / 2 - canvas.textWidth(spec.xLabel, 1.8f) / 2, bottom + 40, spec.xLabel, ink, 1.8f);
  canvas.text(12, top - 24, spec.yLabel, ink, 1.8f);

  float legendY = top;
  for (const auto& s : series) {
    bool havePrevious = false;
    float lastX = 0, lastY = 0;
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!usable(s.x[i], spec.logX) || !usable(s.y[i], spec.logY)) {
        havePrevious = false;
        continue;
      }
      const float cx = px(axis(s.x[i], spec.logX));
      const float cy = py(axis(s.y[i], spec.logY));
      if (havePrevious) canvas.line(lastX, lastY, cx, cy, s.color, 2.5f);
      canvas.dot(cx, cy, 4.0f, s.color);
      lastX = cx;
      lastY = cy;
      havePrevious = true;
    }
    canvas.line(right + 20, legendY + 7, right + 50, legendY + 7, s.color, 3.0f);
    canvas.text(right + 58, legendY, s.name, ink, 1.6f);
    legendY += 26;
  }
  return canvas.image();
}

}  // namespace rankflow::app
