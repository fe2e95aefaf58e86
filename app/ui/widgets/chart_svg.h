#pragma once
// Charts as SVG for papers (`render --panel NAME --svg OUT.svg`, docs/cli.md): while a
// recording runs, every chart::Canvas call (app/ui/widgets/chart_canvas.h) is kept as a
// vector primitive in window coordinates, and every chart frame (charts::reserveChart, a
// plot's capture button) as a named rectangle. The SVG has one <g> per chart of the window,
// with lines and polylines, rectangles, circles, polygons and <text> labels; nothing is a
// bitmap. UI thread only.
#include <imgui.h>

#include <string>
#include <vector>

namespace rankflow::app {

struct ChartPrimitive {
  enum class Kind { Line, Polyline, Polygon, Rect, Circle, Text };
  Kind kind = Kind::Line;
  std::vector<ImVec2> points{};  // Line: 2; Polyline/Polygon: all; Rect: min, max; Circle: centre
  bool filled = false;
  bool closed = false;  // a closed polyline
  ImU32 color = 0;
  float thickness = 1.0f;
  float radius = 0.0f;    // Circle
  float rounding = 0.0f;  // Rect
  std::string text{};
  float fontSize = 0.0f;  // Text: pixels (points of the layout)
  float ascent = 0.0f;    // Text: from its top to the baseline
  ImVec4 clip{};          // the draw list's clip rectangle (x0, y0, x1, y1)
  std::string window{};   // the root window's title
};

struct RecordedChart {
  std::string name;
  ImVec2 min{};
  ImVec2 max{};
  std::string window{};
};

struct ChartRecording {
  std::vector<ChartPrimitive> primitives{};
  std::vector<RecordedChart> charts{};
};

void startChartRecording();
ChartRecording stopChartRecording();
bool chartRecordingActive();
// Adds the clip rectangle and the current window; ignored unless a recording runs.
void recordChartPrimitive(ChartPrimitive primitive, const ImDrawList* list);
// A chart's frame in the current window (a repeat of a known frame renames it).
void recordChartFrame(const char* name, ImVec2 min, ImVec2 max);

// The SVG of the charts drawn in `windowTitle`'s window (each primitive goes to the smallest
// chart frame holding it; primitives outside every frame are left out). `charts` receives
// how many <g class="chart"> groups were written.
std::string chartsSvg(const ChartRecording& recording, const std::string& windowTitle, int* charts = nullptr);
// Writes chartsSvg atomically; returns the number of charts. Throws InvalidArgument when the
// window drew no chart (nothing to write).
int writeChartsSvg(const ChartRecording& recording, const std::string& windowTitle, const std::string& path);

}  // namespace rankflow::app
