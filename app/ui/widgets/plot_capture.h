#pragma once
// Screenshots of one plot: a chart calls offerPlotCapture() with its rectangle after
// drawing; a small "PNG" button appears in its top-right corner, and a click queues a capture
// of that rectangle, which the frame loop crops out of the next rendered frame. The chart keeps
// a strip at its top free for the button (plotCaptureStrip), so the button covers nothing.
#include <imgui.h>

#include <string>
#include <vector>

#include "app/ui/widgets/imgui_charts.h"

namespace rankflow::app {

struct PlotCapture {
  std::string name;  // the plot's id, used in the file name
  ImVec2 min;        // pixels, top-left origin
  ImVec2 max;
};

// Draws the button (hidden while the frame is itself being captured for a figure).
void offerPlotCapture(const char* name, ImVec2 min, ImVec2 max);

// Where the button of a chart framed by `min`..`max` lies: inset in its top-right corner,
// inside the plotCaptureStrip().
struct PlotCaptureButton {
  ImVec2 min;
  ImVec2 max;
};
PlotCaptureButton plotCaptureButton(ImVec2 min, ImVec2 max);

// The height at the top of a chart that is the button's: a chart that offers the capture draws
// nothing there (its rows, curves and labels start below). 0 while the buttons are hidden, so
// figures keep their layout.
float plotCaptureStrip();

// charts::reserveChart for a chart that offers the capture: the same frame, its plot area
// starting plotCaptureStrip() lower (under the button).
charts::ChartFrame reserveCaptureChart(const char* id, float height, float leftMargin = 56.0f,
                                       float bottomMargin = 24.0f);

// Offers the capture when the chart function returns, so the button is drawn over the chart
// on every return path.
class ScopedPlotCapture {
 public:
  ScopedPlotCapture(const char* name, ImVec2 min, ImVec2 max) : name_(name), min_(min), max_(max) {}
  ~ScopedPlotCapture() { offerPlotCapture(name_, min_, max_); }
  ScopedPlotCapture(const ScopedPlotCapture&) = delete;
  ScopedPlotCapture& operator=(const ScopedPlotCapture&) = delete;

 private:
  const char* name_;
  ImVec2 min_, max_;
};

// The captures asked for since the last call (UI thread only).
std::vector<PlotCapture> takePlotCaptures();

// While true (a headless figure is being rendered) the buttons are not drawn.
void setPlotCaptureButtonsHidden(bool hidden);

}  // namespace rankflow::app
