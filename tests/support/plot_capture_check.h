// Nothing a chart draws lies under its "PNG" button (app/ui/widgets/plot_capture.h): the
// charts of one headless frame are recorded (app/ui/widgets/chart_svg.h), and every recorded
// line, rectangle, circle and text of a window is tested against the button of every chart
// frame of that window.
#pragma once

#include <gtest/gtest.h>
#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/ui/widgets/chart_svg.h"
#include "app/ui/widgets/plot_capture.h"

namespace rankflow::testing {

struct Box {
  ImVec2 min;
  ImVec2 max;
};

inline bool overlaps(const Box& a, const Box& b) {
  return a.min.x < b.max.x && b.min.x < a.max.x && a.min.y < b.max.y && b.min.y < a.max.y;
}

// The rectangle a primitive covers (a line's and a polyline's bounding box).
inline Box boxOf(const app::ChartPrimitive& p) {
  using Kind = app::ChartPrimitive::Kind;
  if (p.points.empty()) return {};
  if (p.kind == Kind::Text) {
    const ImVec2 size = ImGui::GetFont()->CalcTextSizeA(p.fontSize, 1e9f, 0.0f, p.text.c_str());
    return {p.points[0], {p.points[0].x + size.x, p.points[0].y + size.y}};
  }
  if (p.kind == Kind::Circle)
    return {{p.points[0].x - p.radius, p.points[0].y - p.radius}, {p.points[0].x + p.radius, p.points[0].y + p.radius}};
  Box box{p.points[0], p.points[0]};
  for (const ImVec2& q : p.points) {
    box.min = {std::min(box.min.x, q.x), std::min(box.min.y, q.y)};
    box.max = {std::max(box.max.x, q.x), std::max(box.max.y, q.y)};
  }
  // A horizontal or vertical line still covers its thickness.
  const float half = std::max(p.thickness * 0.5f, 0.5f);
  return {{box.min.x - half, box.min.y - half}, {box.max.x + half, box.max.y + half}};
}

// Every chart of `window` in `recording` offers the button; returns how many charts were
// checked, each primitive under a button failing the test with its text or kind.
inline int expectNothingUnderCaptureButtons(const app::ChartRecording& recording, const std::string& window) {
  int checked = 0;
  for (const app::RecordedChart& chart : recording.charts) {
    if (chart.window != window) continue;
    ++checked;
    const app::PlotCaptureButton button = app::plotCaptureButton(chart.min, chart.max);
    const Box buttonBox{button.min, button.max};
    for (const app::ChartPrimitive& p : recording.primitives) {
      if (p.window != window) continue;
      // The chart's own background (reserveChart fills the whole frame) is under everything.
      if (p.kind == app::ChartPrimitive::Kind::Rect && p.points.size() == 2 && p.points[0].x <= chart.min.x &&
          p.points[0].y <= chart.min.y && p.points[1].x >= chart.max.x && p.points[1].y >= chart.max.y)
        continue;
      EXPECT_FALSE(overlaps(boxOf(p), buttonBox))
          << "chart " << chart.name << ": a primitive of kind " << static_cast<int>(p.kind) << " '" << p.text
          << "' at (" << p.points[0].x << ", " << p.points[0].y << ") lies under the PNG button at (" << button.min.x
          << ", " << button.min.y << ")-(" << button.max.x << ", " << button.max.y << ")";
    }
  }
  return checked;
}

}  // namespace rankflow::testing
