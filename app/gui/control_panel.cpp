#include "app/gui/control_panel.h"

#include <imgui.h>

#include <algorithm>

#include "app/scene_frame.h"

namespace rankflow::app {

ControlPanelActions ControlPanel::draw(ViewState& view, const flows::FlowScene& scene, float referenceSpeed,
                                       float maxSpeed, float integrationProgress) {
  ControlPanelActions actions;
  ImGui::SetNextWindowPos({kControlPanelX, kControlPanelY}, ImGuiCond_Always);
  ImGui::SetNextWindowSize({kControlPanelWidth, 0.0f}, ImGuiCond_Always);
  ImGui::Begin("Rankflow", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);

  ImGui::TextWrapped("%s", scene.description.c_str());
  ImGui::Spacing();
  ImGui::Separator();

  if (!scene.integrated()) {
    ImGui::Text("Integrating %zu particles (RK4)...", scene.start.size());
    ImGui::ProgressBar(integrationProgress, {-1.0f, 0.0f});
  }
  ImGui::Text("Time");
  const float step = scene.grid.stepSize();
  ImGui::SetNextItemWidth(-1.0f);
  ImGui::SliderFloat("##t", &view.t, 0.0f, 1.0f, "t = %.3f");
  if (ImGui::Button(view.playing ? "Pause" : "Play", {70, 0})) view.playing = !view.playing;
  ImGui::SameLine();
  if (ImGui::Button("<", {28, 0})) view.t = std::max(0.0f, view.t - step);
  ImGui::SameLine();
  if (ImGui::Button(">", {28, 0})) view.t = std::min(1.0f, view.t + step);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-1.0f);
  ImGui::SliderFloat("##speed", &view.playSpeed, 0.02f, 1.0f, "speed %.2f /s", ImGuiSliderFlags_Logarithmic);
  ImGui::TextDisabled("Space play/pause, arrows step, Home/End ends");

  ImGui::Spacing();
  ImGui::Separator();
  ImGui::Text("Show");
  ImGui::Checkbox("particles", &view.showParticles);
  ImGui::SameLine(120);
  ImGui::Checkbox("trails", &view.showTrails);
  ImGui::SameLine(220);
  ImGui::Checkbox("data", &view.showData);
  ImGui::Checkbox("velocity field", &view.showArrows);
  if (view.showTrails) {
    ImGui::SetNextItemWidth(-1.0f);
    ImGui::SliderFloat("##trail", &view.trailSpan, 0.01f, 0.3f, "trail length %.2f in t");
  }
  if (view.showArrows) ImGui::TextDisabled("a full-cell arrow is |v| >= %.2f (max %.1f)", referenceSpeed, maxSpeed);

  ImGui::Spacing();
  ImGui::Separator();
  ImGui::Text("Destination of each particle");
  for (int label = 0; label < scene.data.labelCount; ++label) {
    const render::PackedColor c = labelColor(label);
    const ImVec4 colour{(c & 0xFF) / 255.0f, ((c >> 8) & 0xFF) / 255.0f, ((c >> 16) & 0xFF) / 255.0f, 1.0f};
    if (label > 0) ImGui::SameLine();
    ImGui::ColorButton(("##c" + std::to_string(label)).c_str(), colour, ImGuiColorEditFlags_NoTooltip, {18, 18});
  }
  ImGui::Spacing();
  if (ImGui::Button("Screenshot (F12)")) actions.screenshot = true;
  ImGui::End();
  return actions;
}

}  // namespace rankflow::app
