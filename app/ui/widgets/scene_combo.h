#pragma once
// The scene picker shared by the panels over theory::matrixScenes() (Ranks, Cascade's matrix
// fit), so both list the scenes alike and show a scene's statement on hover.
#include <imgui.h>

namespace rankflow::app {

// `Model` has scenes() (theory::MatrixSceneInfo), scene() and setScene(name).
template <class Model>
void sceneCombo(Model& model, float width) {
  ImGui::SetNextItemWidth(width);
  if (ImGui::BeginCombo("scene", model.scene().c_str())) {
    for (const auto& info : model.scenes()) {
      const bool selected = info.name == model.scene();
      if (ImGui::Selectable(info.name.c_str(), selected)) model.setScene(info.name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", info.statement.c_str());
      if (selected) ImGui::SetItemDefaultFocus();
    }
    ImGui::EndCombo();
  }
}

}  // namespace rankflow::app
