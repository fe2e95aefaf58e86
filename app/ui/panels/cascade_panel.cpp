#include "app/ui/panels/cascade_panel.h"

#include <imgui.h>

#include <algorithm>

namespace rankflow::app {

void CascadePanel::draw(bool* open, const flows::FlowScene& scene, float t, int* tab) {
  // Training needs the scene's data only; the particles may still be integrating.
  if (learnedStarted_) {
    learned_.model().setScene(scene);
    learned_.model().poll();
  }
  if (open && !*open) return;
  fit_.setTime(t);
  // The matrix fit takes its results here too, not only when its tab draws: with the
  // Learned tab in front its fit (requested by setTime) would stay "running" for ever, and
  // everything that waits for idle (figures, scripts) would wait for it.
  fit_.model().poll();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos({std::max(390.0f, display.x - 12.0f - 820.0f), 12.0f}, ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize({820.0f, std::max(300.0f, display.y - 24.0f)}, ImGuiCond_FirstUseEver);
  if (ImGui::Begin("Cascade", open)) {
    if (*tab != requestedTab_) {  // a session or a script chose a tab
      requestedTab_ = *tab;
      selectPending_ = true;
    }
    if (ImGui::BeginTabBar("##cascade tabs")) {
      const auto flags = [&](int index) {
        return selectPending_ && requestedTab_ == index ? ImGuiTabItemFlags_SetSelected : ImGuiTabItemFlags_None;
      };
      if (ImGui::BeginTabItem("Matrix fit", nullptr, flags(0))) {
        shownTab_ = 0;
        fit_.draw();
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("Learned flow", nullptr, flags(1))) {
        shownTab_ = 1;
        learnedStarted_ = true;
        learned_.draw(scene, t);
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
    // ImGui selects a tab a frame after it is asked to; until then the request stands, and
    // afterwards a click on a tab is what the view (and a saved session) records.
    if (selectPending_ && shownTab_ == requestedTab_) selectPending_ = false;
    if (!selectPending_) *tab = requestedTab_ = shownTab_;
  }
  ImGui::End();
}

bool CascadePanel::busy() const {
  const CascadeFitModel& m = fit_.model();
  return m.fitting() || m.timing().state == TaskState::Running || m.sweep().state == TaskState::Running ||
         (learnedStarted_ &&
          (learned_.model().training() || learned_.model().comparison().state == TrainingState::Running ||
           learned_.model().samples().state == TrainingState::Running));
}

std::string CascadePanel::exportJson() const {
  return "{\"matrix_fit\": " + fit_.exportJson() + ", \"learned_flow\": " + learned_.exportJson() + "}";
}

}  // namespace rankflow::app
