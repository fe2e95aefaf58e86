#include "app/gui/performance_panel.h"

#include <imgui.h>

namespace rankflow::app {

void PerformancePanel::draw(const PerformanceReadout& r) {
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos({12.0f, display.y - 12.0f}, ImGuiCond_Always, {0.0f, 1.0f});
  ImGui::SetNextWindowSize({360.0f, 0.0f}, ImGuiCond_Always);
  ImGui::SetNextWindowBgAlpha(0.85f);
  ImGui::Begin("Performance", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoFocusOnAppearing);
  ImGui::Text("frame %.2f ms (%.0f fps)", r.frameMs, r.frameMs > 0 ? 1000.0 / r.frameMs : 0.0);
  ImGui::Text("field %.2f ms   draw data %.2f ms", r.fieldMs, r.drawDataMs);
  if (r.densityMs > 0) ImGui::Text("density lattice %.0f ms (background)", r.densityMs);
  if (r.integrationMs > 0) {
    ImGui::Text("RK4 of %d particles: %.0f ms (once)", r.particles, r.integrationMs);
  } else {
    ImGui::Text("RK4 of %d particles: running", r.particles);
  }
  ImGui::Separator();
  ImGui::TextWrapped("compute: %s", r.computeBackend.c_str());
  if (!r.whyNotCuda.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("no CUDA: %s", r.whyNotCuda.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::TextWrapped("Vulkan: %s", r.vulkanDevice.c_str());
  if (!r.lastScreenshot.empty()) ImGui::TextDisabled("saved %s", r.lastScreenshot.c_str());
  ImGui::End();
}

}  // namespace rankflow::app
