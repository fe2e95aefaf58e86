#include "app/ui/widgets/imgui_charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/ui/widgets/chart_svg.h"

namespace rankflow::app::charts {

ChartFrame reserveChart(const char* id, float height, float leftMargin, float bottomMargin) {
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = std::max(ImGui::GetContentRegionAvail().x, 200.0f);
  ImGui::InvisibleButton(id, {width, height});
  ChartFrame frame;
  frame.hovered = ImGui::IsItemHovered();
  frame.clicked = ImGui::IsItemClicked();
  frame.mouse = ImGui::GetIO().MousePos;
  Canvas(ImGui::GetWindowDrawList()).AddRectFilled(origin, {origin.x + width, origin.y + height}, kChartFrame, 4.0f);
  recordChartFrame(id, origin, {origin.x + width, origin.y + height});
  frame.area = {{origin.x + leftMargin, origin.y + 10.0f},
                {origin.x + width - 12.0f, origin.y + height - bottomMargin}};
  return frame;
}

// ImDrawList has no dashed stroke; dashes tell reference lines from data.
void dashedLine(Canvas* draw, ImVec2 a, ImVec2 b, ImU32 color, float thickness, float dash) {
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float length = std::sqrt(dx * dx + dy * dy);
  if (length <= 1e-3f) return;
  constexpr float kGap = 4.0f;
  const int dashes = static_cast<int>(std::ceil(length / (dash + kGap)));
  for (int i = 0; i < dashes; ++i) {
    const float s = static_cast<float>(i) * (dash + kGap);
    const float e = std::min(s + dash, length);
    draw->AddLine({a.x + dx * s / length, a.y + dy * s / length}, {a.x + dx * e / length, a.y + dy * e / length}, color,
                  thickness);
  }
}

void legendItem(const char* label, ImU32 color, Swatch swatch, bool first) {
  const float itemWidth = 22.0f + ImGui::CalcTextSize(label).x + ImGui::GetStyle().ItemSpacing.x * 2.0f;
  if (!first) {
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x < itemWidth) ImGui::NewLine();
  }
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float h = ImGui::GetTextLineHeight();
  Canvas chartCanvas(ImGui::GetWindowDrawList());
  Canvas* draw = &chartCanvas;
  const ImVec2 mid{p.x + 9.0f, p.y + h * 0.5f};
  switch (swatch) {
    case Swatch::Bar:
      draw->AddRectFilled({p.x + 3.0f, p.y + 2.0f}, {p.x + 15.0f, p.y + h - 2.0f}, color);
      break;
    case Swatch::Dot:
      draw->AddCircleFilled(mid, 4.0f, color);
      break;
    case Swatch::Line:
      draw->AddLine({p.x, mid.y}, {p.x + 18.0f, mid.y}, color, 2.0f);
      break;
    case Swatch::Dashed:
      dashedLine(draw, {p.x, mid.y}, {p.x + 18.0f, mid.y}, color);
      break;
  }
  ImGui::Dummy({20.0f, h});
  ImGui::SameLine();
  ImGui::TextUnformatted(label);
}

LogScale LogScale::enclosing(const std::vector<double>& values, double floor) {
  double lo = INFINITY, hi = 0.0;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    const double clamped = std::max(v, floor);
    lo = std::min(lo, clamped);
    hi = std::max(hi, clamped);
  }
  LogScale scale;
  if (!(hi > 0.0)) return scale;
  scale.lo = std::pow(10.0, std::floor(std::log10(lo) + 1e-9));
  scale.hi = std::pow(10.0, std::ceil(std::log10(hi) - 1e-9));
  if (scale.hi <= scale.lo) scale.hi = scale.lo * 10.0;
  return scale;
}

float LogScale::fraction(double v) const {
  if (!(v > lo)) return 0.0f;
  if (!(v < hi)) return 1.0f;
  return static_cast<float>((std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)));
}

std::vector<int> LogScale::decades() const {
  std::vector<int> out;
  const int first = static_cast<int>(std::lround(std::log10(lo)));
  const int last = static_cast<int>(std::lround(std::log10(hi)));
  for (int e = first; e <= last; ++e) out.push_back(e);
  return out;
}

void drawLogYAxis(Canvas* draw, const PlotArea& area, const LogScale& scale) {
  const std::vector<int> decades = scale.decades();
  const int step = std::max(1, static_cast<int>(std::ceil(static_cast<double>(decades.size()) / 7.0)));
  for (int e : decades) {
    const float y = area.max.y - area.height() * scale.fraction(std::pow(10.0, e) * (1.0 + 1e-12));
    draw->AddLine({area.min.x, y}, {area.max.x, y}, kChartGrid);
    if ((decades.back() - e) % step != 0) continue;  // the top decade always has its label
    char label[16];
    std::snprintf(label, sizeof label, "1e%d", e);
    draw->AddText({area.min.x - 6.0f - ImGui::CalcTextSize(label).x, y - 7.0f}, kChartAxis, label);
  }
  draw->AddLine({area.min.x, area.min.y}, {area.min.x, area.max.y}, kChartAxis);
  draw->AddLine({area.min.x, area.max.y}, {area.max.x, area.max.y}, kChartAxis);
}

void drawLinearXAxis(Canvas* draw, const PlotArea& area, double lo, double hi, int ticks, const char* format) {
  ticks = std::max(ticks, 1);
  for (int i = 0; i <= ticks; ++i) {
    const float x = area.min.x + area.width() * static_cast<float>(i) / static_cast<float>(ticks);
    draw->AddLine({x, area.min.y}, {x, area.max.y}, kChartGrid);
    char label[32];
    std::snprintf(label, sizeof label, format, lo + (hi - lo) * i / ticks);
    const float w = ImGui::CalcTextSize(label).x;
    draw->AddText({std::clamp(x - w * 0.5f, area.min.x - 20.0f, area.max.x - w), area.max.y + 4.0f}, kChartAxis, label);
  }
}

}  // namespace rankflow::app::charts
