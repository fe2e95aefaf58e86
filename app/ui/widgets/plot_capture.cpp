#include "app/ui/widgets/plot_capture.h"

#include <algorithm>

#include "app/ui/widgets/chart_svg.h"

namespace rankflow::app {
namespace {

// The UI is built on one thread, one frame at a time: a plain queue is enough.
std::vector<PlotCapture>& pending() {
  static std::vector<PlotCapture> captures;
  return captures;
}

bool& buttonsHidden() {
  static bool hidden = false;
  return hidden;
}

constexpr float kButtonInset = 4.0f;  // from the chart's top and right edges

}  // namespace

float plotCaptureStrip() {
  // The small button is one line of text high (no vertical frame padding), then a gap.
  return buttonsHidden() ? 0.0f : kButtonInset + ImGui::GetFontSize() + kButtonInset;
}

charts::ChartFrame reserveCaptureChart(const char* id, float height, float leftMargin, float bottomMargin) {
  charts::ChartFrame frame = charts::reserveChart(id, height, leftMargin, bottomMargin);
  frame.area.min.y = std::min(frame.area.min.y + plotCaptureStrip(), frame.area.max.y - 1.0f);
  return frame;
}

PlotCaptureButton plotCaptureButton(ImVec2 min, ImVec2 max) {
  // A small button: the label and the horizontal frame padding, no vertical padding.
  const ImVec2 size = ImGui::CalcTextSize("PNG");
  const float width = size.x + 2 * ImGui::GetStyle().FramePadding.x;
  return {{max.x - width - kButtonInset, min.y + kButtonInset}, {max.x - kButtonInset, min.y + kButtonInset + size.y}};
}

void offerPlotCapture(const char* name, ImVec2 min, ImVec2 max) {
  recordChartFrame(name, min, max);
  if (buttonsHidden()) return;
  const ImVec2 saved = ImGui::GetCursorScreenPos();
  ImGui::SetCursorScreenPos(plotCaptureButton(min, max).min);
  ImGui::PushID(name);
  ImGui::PushStyleVar(ImGuiStyleVar_Alpha, 0.75f);
  if (ImGui::SmallButton("PNG")) pending().push_back({name, min, max});
  ImGui::PopStyleVar();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("save this plot as a PNG");
  ImGui::PopID();
  ImGui::SetCursorScreenPos(saved);
}

std::vector<PlotCapture> takePlotCaptures() {
  std::vector<PlotCapture> out;
  out.swap(pending());
  return out;
}

void setPlotCaptureButtonsHidden(bool hidden) {
  buttonsHidden() = hidden;
}

}  // namespace rankflow::app
