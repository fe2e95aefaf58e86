#pragma once
// Screenshots of one plot: a chart calls offerPlotCapture() with its rectangle after
// drawing; a small "PNG" button appears in its corner, and a click queues a capture of that
// rectangle, which the frame loop crops out of the next rendered frame.
#include <imgui.h>

#include <string>
#include <vector>

namespace rankflow::app {

struct PlotCapture {
  std::string name;  // the plot's id, used in the file name
  ImVec2 min;        // pixels, top-left origin
  ImVec2 max;
};

// Draws the button (hidden while the frame is itself being captured for a figure).
void offerPlotCapture(const char* name, ImVec2 min, ImVec2 max);

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
