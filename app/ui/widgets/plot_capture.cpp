#include "app/ui/widgets/plot_capture.h"

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

}  // namespace

void offerPlotCapture(const char* name, ImVec2 min, ImVec2 max) {
  recordChartFrame(name, min, max);
  if (buttonsHidden()) return;
  const ImVec2 saved = ImGui::GetCursorScreenPos();
  const ImVec2 size = ImGui::CalcTextSize("PNG");
  const ImVec2 padding = ImGui::GetStyle().FramePadding;
  ImGui::SetCursorScreenPos({max.x - size.x - 2 * padding.x - 4.0f, min.y + 4.0f});
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
