#pragma once
// Small ImDrawList chart pieces for panels that draw inside an ImGui window: a reserved
// plot frame that reports hover and clicks, legend entries, dashed reference lines and a
// decade (log) axis. Panels compose their own charts from these.
#include <imgui.h>

#include <vector>

#include "app/ui/widgets/chart_canvas.h"

namespace rankflow::app::charts {

// The plot rectangle inside a reserved frame, leaving room for axis labels.
struct PlotArea {
  ImVec2 min;
  ImVec2 max;
  float width() const { return max.x - min.x; }
  float height() const { return max.y - min.y; }
  bool contains(ImVec2 p) const { return p.x >= min.x && p.x <= max.x && p.y >= min.y && p.y <= max.y; }
};

struct ChartFrame {
  PlotArea area;
  bool hovered = false;
  bool clicked = false;
  ImVec2 mouse;
};

// Reserves a full-width frame of the given height (an invisible button, so the frame takes
// hover and clicks and the window does not drag) and fills its background.
ChartFrame reserveChart(const char* id, float height, float leftMargin = 56.0f, float bottomMargin = 24.0f);

// Dashes of `dash` px with 4 px gaps.
void dashedLine(Canvas* draw, ImVec2 a, ImVec2 b, ImU32 color, float thickness = 1.5f, float dash = 6.0f);

enum class Swatch { Bar, Dot, Line, Dashed };

// One legend entry on the current line, wrapping when the window is too narrow for it.
void legendItem(const char* label, ImU32 color, Swatch swatch, bool first);

// Whole decades enclosing every positive finite value; values at or below `floor` count as
// `floor`, so zeros and rounding noise sit on the bottom edge instead of at −∞.
struct LogScale {
  double lo = 1e-8;
  double hi = 1.0;

  static LogScale enclosing(const std::vector<double>& values, double floor);
  // The fraction 0 (bottom, lo or below) .. 1 (top, hi or above) of v.
  float fraction(double v) const;
  std::vector<int> decades() const;  // exponents from lo to hi
};

// Horizontal grid lines and "1e-3" labels left of the area, at most ~7 labelled decades.
void drawLogYAxis(Canvas* draw, const PlotArea& area, const LogScale& scale);
// Grid lines and labels for a linear x range, with `ticks` intervals.
void drawLinearXAxis(Canvas* draw, const PlotArea& area, double lo, double hi, int ticks, const char* format);

inline constexpr ImU32 kChartGrid = IM_COL32(255, 255, 255, 30);
inline constexpr ImU32 kChartAxis = IM_COL32(200, 200, 200, 160);
inline constexpr ImU32 kChartFrame = IM_COL32(20, 20, 24, 255);

}  // namespace rankflow::app::charts
