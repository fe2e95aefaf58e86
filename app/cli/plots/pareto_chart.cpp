#include "app/cli/plots/pareto_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/cli/plots/raster_canvas.h"

namespace rankflow::app {

render::RgbaImage renderParetoChart(const std::vector<lowrank::ScheduleResult>& results, const std::string& title,
                                    int width, int height) {
  const Rgb background{250, 250, 252}, axis{60, 64, 72}, grid{225, 228, 234}, dots{150, 160, 180}, front{214, 80, 40};
  RasterCanvas canvas(width, height, background);
  const float left = 110, right = static_cast<float>(width) - 40, top = 70, bottom = static_cast<float>(height) - 80;
  canvas.text(left, 14, title, axis, 2.5f);
  if (results.empty()) {
    canvas.text(left, top + 40, "no schedules", axis);
    return canvas.image();
  }
  double pMin = 1e300, pMax = -1e300, eMin = 1e300, eMax = -1e300;
  for (const auto& r : results) {
    pMin = std::min(pMin, r.parameters), pMax = std::max(pMax, r.parameters);
    const double e = std::max(r.meanError, 1e-12);
    eMin = std::min(eMin, e), eMax = std::max(eMax, e);
  }
  if (pMax <= pMin) pMax = pMin + 1;
  const double logMin = std::floor(std::log10(eMin)), logMax = std::max(std::ceil(std::log10(eMax)), logMin + 1);
  const auto px = [&](double p) { return left + static_cast<float>((p - pMin) / (pMax - pMin)) * (right - left); };
  const auto py = [&](double e) {
    const double l = std::log10(std::max(e, 1e-12));
    return bottom - static_cast<float>((l - logMin) / (logMax - logMin)) * (bottom - top);
  };
  char label[64];
  for (double l = logMin; l <= logMax; l += 1.0) {
    const float y = py(std::pow(10.0, l));
    canvas.line(left, y, right, y, grid);
    std::snprintf(label, sizeof label, "1e%d", static_cast<int>(l));
    canvas.text(left - 10 - canvas.textWidth(label), y - 7, label, axis);
  }
  for (int i = 0; i <= 4; ++i) {
    const double p = pMin + (pMax - pMin) * i / 4.0;
    const float x = px(p);
    canvas.line(x, top, x, bottom, grid);
    std::snprintf(label, sizeof label, "%.0f", p);
    canvas.text(x - canvas.textWidth(label) / 2, bottom + 12, label, axis);
  }
  canvas.line(left, bottom, right, bottom, axis, 1.5f);
  canvas.line(left, top, left, bottom, axis, 1.5f);
  canvas.text((left + right) / 2 - canvas.textWidth("parameters") / 2, bottom + 44, "parameters", axis);
  canvas.text(12, top - 22, "mean relative error", axis, 1.5f);

  for (const auto& r : results)
    if (!r.pareto) canvas.dot(px(r.parameters), py(r.meanError), 3.0f, dots);
  std::vector<const lowrank::ScheduleResult*> frontPoints;
  for (const auto& r : results)
    if (r.pareto) frontPoints.push_back(&r);
  std::sort(frontPoints.begin(), frontPoints.end(),
            [](const auto* a, const auto* b) { return a->parameters < b->parameters; });
  for (std::size_t i = 1; i < frontPoints.size(); ++i)
    canvas.line(px(frontPoints[i - 1]->parameters), py(frontPoints[i - 1]->meanError), px(frontPoints[i]->parameters),
                py(frontPoints[i]->meanError), front, 2.0f);
  for (std::size_t i = 0; i < frontPoints.size(); ++i) {
    const auto* r = frontPoints[i];
    canvas.dot(px(r->parameters), py(r->meanError), 4.5f, front);
    if (frontPoints.size() <= 12 || i % (frontPoints.size() / 12 + 1) == 0) {
      std::string s = "(";
      for (std::size_t k = 0; k < r->ranks.size(); ++k) s += (k ? "," : "") + std::to_string(r->ranks[k]);
      s += ")";
      canvas.text(px(r->parameters) + 8, py(r->meanError) - 18, s, front, 1.5f);
    }
  }
  return canvas.image();
}

}  // namespace rankflow::app
