#include "app/ui/panels/performance_panel.h"

#include <imgui.h>

#include "app/ui/imgui_style.h"

namespace rankflow::app {

// Compact (five lines at most) so it fits under the control panel at 1600 × 900; the reason
// there is no CUDA is one hover away.
void PerformancePanel::draw(const PerformanceReadout& r) {
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos({uiScaled(12.0f), display.y - uiScaled(12.0f)}, ImGuiCond_Always, {0.0f, 1.0f});
  ImGui::SetNextWindowSize({uiScaled(360.0f), 0.0f}, ImGuiCond_Always);
  ImGui::SetNextWindowBgAlpha(0.85f);
  ImGui::Begin("Performance", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoFocusOnAppearing);
  ImGui::Text("frame %.1f ms (%.0f fps)  field %.1f  draw %.1f ms", r.frameMs, r.frameMs > 0 ? 1000.0 / r.frameMs : 0.0,
              r.fieldMs, r.drawDataMs);
  if (r.imported) {
    ImGui::Text("imported %d trajectories in %.0f ms", r.particles, r.integrationMs);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("read, projected and their metrics derived, once");
  } else if (r.integrationMs > 0) {
    ImGui::Text("integration, %d particles: %.0f ms", r.particles, r.integrationMs);
  } else {
    ImGui::Text("integration of %d particles: running", r.particles);
  }
  if (r.densityMs > 0) ImGui::TextDisabled("density lattice: %.0f ms (in the background)", r.densityMs);
  ImGui::TextWrapped("compute: %s%s", r.computeBackend.c_str(), r.whyNotCuda.empty() ? "" : " (why no CUDA?)");
  if (!r.whyNotCuda.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("no CUDA: %s", r.whyNotCuda.c_str());
  ImGui::TextWrapped("Vulkan: %s", r.vulkanDevice.c_str());
  if (!r.lastScreenshot.empty()) ImGui::TextDisabled("saved %s", r.lastScreenshot.c_str());
  ImGui::End();
}

}  // namespace rankflow::app
