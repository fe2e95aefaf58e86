#include "app/ui/panels/control_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "app/ui/imgui_style.h"
#include "app/ui/panel.h"
#include "app/ui/widgets/chart_canvas.h"
#include "app/ui/widgets/math_text.h"
#include "app/viewer/imported_view.h"
#include "app/viewer/scene_frame.h"
#include "core/flows/trajectory_import.h"

namespace rankflow::app {

namespace {

const char* const kFieldNames[] = {"velocity", "acceleration", "jerk"};

// A horizontal colour bar with its two end values.
void drawLegend(float low, float high, const char* scale) {
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x;
  constexpr int kSteps = 32;
  for (int i = 0; i < kSteps; ++i) {
    const render::PackedColor c = heatColor((static_cast<float>(i) + 0.5f) / kSteps);
    draw->AddRectFilled({origin.x + width * i / kSteps, origin.y}, {origin.x + width * (i + 1) / kSteps, origin.y + 12},
                        IM_COL32(c & 0xFF, (c >> 8) & 0xFF, (c >> 16) & 0xFF, 255));
  }
  ImGui::Dummy({width, 14});
  ImGui::Text("%.3g", low);
  ImGui::SameLine();
  char high_text[32];
  std::snprintf(high_text, sizeof high_text, "%.3g %s", high, scale);
  ImGui::SetCursorPosX(ImGui::GetWindowContentRegionMax().x - ImGui::CalcTextSize(high_text).x);
  ImGui::Text("%s", high_text);
}

}  // namespace

void ControlPanel::syncChoice(const flows::FlowScene& scene) {
  choice_.name = scene.name;
  choice_.schedule = scene.schedule;
  choice_.solver = scene.solver;
  choice_.particles = static_cast<int>(scene.start.size());
  choice_.seed = scene.noiseSeed;
}

namespace {
// "Show", particles and trails: every scene has them.
void drawShowHeader(ViewState& view) {
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::Text("Show");
  ImGui::Checkbox("particles", &view.showParticles);
  ImGui::SameLine(uiScaled(120));
  ImGui::Checkbox("trails", &view.showTrails);
}
}  // namespace

void ControlPanel::drawFlowLayers(ViewState& view, float referenceSpeed, float maxSpeed,
                                  const ControlPanelLegends& legends) {
  drawShowHeader(view);
  ImGui::SameLine(uiScaled(220));
  ImGui::Checkbox("data", &view.showData);
  ImGui::Checkbox("field arrows", &view.showArrows);
  ImGui::SameLine(uiScaled(120));
  ImGui::Checkbox("|field| heatmap", &view.showHeatmap);
  int order = view.fieldOrder - 1;
  ImGui::SetNextItemWidth(uiScaled(150.0f));
  if (ImGui::Combo("##order", &order, kFieldNames, 3)) view.fieldOrder = order + 1;
  ImGui::SameLine();
  bool lagrangian = view.fieldKind == flows::FieldKind::Lagrangian;
  if (ImGui::Checkbox("along the ODE", &lagrangian))
    view.fieldKind = lagrangian ? flows::FieldKind::Lagrangian : flows::FieldKind::Marginal;
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s", mathText("off: the marginal field uₖ = E[xₜ⁽ᵏ⁾ | xₜ = x]\n"
                                     "on: the Lagrangian derivative along the flow (a = ∂v/∂t + (∇v) v)\n"
                                     "they differ by a posterior-covariance term (docs/THEORY.md)")
                                .c_str());
  ImGui::Checkbox("density log p_t", &view.showDensity);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s",
                      mathText("log pₜ(x) of the flow at t on a lattice (backward RK4 from every point, with the\n"
                               "divergence); computed in the background, drawn instead of the |field| heatmap")
                          .c_str());
  ImGui::SameLine(uiScaled(180));
  ImGui::Checkbox("draw data", &view.sketchOpen);
  if (view.showDensity) {
    if (legends.densityComputing) ImGui::ProgressBar(legends.densityProgress, {-1.0f, 0.0f}, "density lattice...");
    if (!legends.densityError.empty())
      ImGui::TextColored({1.0f, 0.45f, 0.4f, 1.0f}, "%s", legends.densityError.c_str());
    if (legends.densityHigh > legends.densityLow) drawLegend(legends.densityLow, legends.densityHigh, "(log p)");
  } else if (view.showHeatmap && legends.heatmapHigh > 0.0f) {
    drawLegend(legends.heatmapLow, legends.heatmapHigh, "(log scale)");
  }
  if (view.showTrails) {
    ImGui::SetNextItemWidth(-1.0f);
    ImGui::SliderFloat("##trail", &view.trailSpan, 0.01f, 1.0f, "trail length %.2f in t", ImGuiSliderFlags_Logarithmic);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("1.00: the whole trajectory from the noise to t");
  }
  if (view.showArrows)
    ImGui::TextDisabled("%s", mathFormat("a full-cell arrow is |%s| ≥ %.2f (max %.3g)",
                                         kFieldNames[view.fieldOrder - 1], referenceSpeed, maxSpeed)
                                  .c_str());
}

// Imported trajectories have no field: what they are, how they were derived, and the colouring.
void ControlPanel::drawImported(ViewState& view, const flows::ImportedTrajectories& imported) {
  ImGui::Text("t = %.3f  (time %.4g)%s", view.t, imported.timeAt(view.t), view.playing ? "  (playing)" : "");
  ImGui::Text("straightness %.3g (mean of %d)", imported.meanStraightness, imported.particles);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s", mathFormat("∫₀¹ |dx/ds − (x(1) − x(0))|² ds, s the time rescaled to [0, 1],\n"
                                       "in all %d dimensions: 0 for straight paths at constant speed",
                                       imported.dims)
                                .c_str());
  ImGui::TextDisabled("v, a, j: %s", imported.velocitiesGiven ? "given v" : "from the positions");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s (docs/MATHEMATICS.md, section 8)", imported.derivativeSource().c_str());
  if (!imported.projection.identity) {
    ImGui::TextDisabled("drawn: PCA plane, %.1f%% + %.1f%% of the variance",
                        100.0 * imported.projection.explainedShare(0), 100.0 * imported.projection.explainedShare(1));
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "the two leading principal components of every position (mean removed);\n"
          "Export view writes them to PREFIX-projection.json. Metrics use all %d dimensions.",
          imported.dims);
  }
  drawShowHeader(view);
  int colour = static_cast<int>(view.particleColour);
  const char* const names[] = {"label", "|v| speed", "|a| acceleration", "|j| jerk", "deviation from straight"};
  ImGui::SetNextItemWidth(uiScaled(220.0f));
  if (ImGui::Combo("colour", &colour, names, 5)) view.particleColour = static_cast<ParticleColour>(colour);
  if (view.particleColour != ParticleColour::Label) {
    const auto range = imported.metricRange[static_cast<std::size_t>(metricOf(view.particleColour))];
    drawLegend(range[0], range[1], "(2nd-98th pct.)");
  }
  if (view.showTrails) {
    ImGui::SetNextItemWidth(-1.0f);
    ImGui::SliderFloat("##trail", &view.trailSpan, 0.01f, 1.0f, "trail length %.2f in t", ImGuiSliderFlags_Logarithmic);
  }
}

ControlPanelActions ControlPanel::draw(ViewState& view, const flows::FlowScene& scene, float referenceSpeed,
                                       float maxSpeed, float integrationProgress, const ControlPanelLegends& legends) {
  ControlPanelActions actions;
  ImGui::SetNextWindowPos({uiScaled(kControlPanelX), uiScaled(kControlPanelY)}, ImGuiCond_Always);
  ImGui::SetNextWindowSize({uiScaled(kControlPanelWidth), 0.0f}, ImGuiCond_Always);
  // Never under the performance overlay: on a short display the panel scrolls instead.
  const float maxHeight =
      std::max(uiScaled(200.0f), ImGui::GetIO().DisplaySize.y - uiScaled(kControlPanelY + 24.0f + 190.0f));
  ImGui::SetNextWindowSizeConstraints({uiScaled(kControlPanelWidth), 0.0f}, {uiScaled(kControlPanelWidth), maxHeight});
  ImGui::Begin("Rankflow", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);

  ImGui::TextWrapped("%s", scene.description.c_str());
  if (ImGui::CollapsingHeader("Scene")) {
    const auto names = flows::sceneNames();
    if (ImGui::BeginCombo("data", choice_.name.c_str())) {
      for (const auto& n : names)
        if (ImGui::Selectable(n.c_str(), n == choice_.name)) choice_.name = n;
      ImGui::EndCombo();
    }
    if (ImGui::BeginCombo("schedule", flows::scheduleName(choice_.schedule))) {
      for (auto s : flows::allSchedules())
        if (ImGui::Selectable(flows::scheduleName(s), s == choice_.schedule)) choice_.schedule = s;
      ImGui::EndCombo();
    }
    if (ImGui::BeginCombo("solver", flows::solverName(choice_.solver))) {
      for (auto s : flows::allSolvers())
        if (ImGui::Selectable(flows::solverName(s), s == choice_.solver)) choice_.solver = s;
      ImGui::EndCombo();
    }
    ImGui::SliderInt("particles", &choice_.particles, 256, 65536, "%d", ImGuiSliderFlags_Logarithmic);
    int seed = static_cast<int>(choice_.seed % 1000000);
    if (ImGui::InputInt("noise seed", &seed) && seed >= 0) choice_.seed = static_cast<std::uint64_t>(seed);
    if (ImGui::Button("Apply (re-integrate)")) actions.rebuild = choice_;
  }
  ImGui::Spacing();
  ImGui::Separator();

  if (scene.imported) {
    drawImported(view, *scene.imported);
  } else if (!scene.integrated()) {
    ImGui::Text("Integrating %zu particles (%s)...", scene.start.size(), flows::solverName(scene.solver));
    ImGui::ProgressBar(integrationProgress, {-1.0f, 0.0f});
  } else {
    ImGui::Text("straightness %.3g   mean |a| %.3g", scene.straightness.straightness,
                scene.straightness.meanAcceleration);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("%s", mathFormat("E ∫ |v − (x₁ − x₀)|² dt over the trajectories, and the mean Lagrangian\n"
                                         "acceleration (over %d particles): both are 0 for straight paths.",
                                         scene.straightness.accelerationParticles)
                                  .c_str());
  }
  if (!scene.imported) {
    ImGui::Text("t = %.3f%s", view.t, view.playing ? "  (playing)" : "");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("the Timeline (F7) scrubs and plays; Space, arrow keys");
    drawFlowLayers(view, referenceSpeed, maxSpeed, legends);
  }

  ImGui::Spacing();
  ImGui::Separator();
  ImGui::Text(scene.imported ? "labels" : "destinations");
  const int labelCount = scene.imported ? scene.imported->labelCount : scene.data.labelCount;
  for (int label = 0; label < std::min(labelCount, 16); ++label) {
    const render::PackedColor c = labelColor(label);
    const ImVec4 colour{(c & 0xFF) / 255.0f, ((c >> 8) & 0xFF) / 255.0f, ((c >> 16) & 0xFF) / 255.0f, 1.0f};
    ImGui::SameLine();
    ImGui::ColorButton(("##c" + std::to_string(label)).c_str(), colour, ImGuiColorEditFlags_NoTooltip, {16, 16});
  }
  ImGui::Spacing();
  ImGui::Text("Panels");
  // One checkbox per registered panel, three to a row, in their toggleOrder.
  std::vector<const PanelInfo*> toggles;
  for (const PanelInfo& panel : panelRegistry()) toggles.push_back(&panel);
  std::stable_sort(toggles.begin(), toggles.end(),
                   [](const PanelInfo* a, const PanelInfo* b) { return a->toggleOrder < b->toggleOrder; });
  for (std::size_t i = 0; i < toggles.size(); ++i) {
    if (i % 3 != 0) ImGui::SameLine(uiScaled(12.0f + 112.0f * static_cast<float>(i % 3)));
    ImGui::Checkbox(toggles[i]->toggleLabel, &view.openPanels[toggles[i]->id]);
  }
  if (ImGui::Button("Lecture F5")) view.lectureMode = true;
  ImGui::SameLine();
  if (ImGui::Button("Screenshot F12")) actions.screenshot = true;

  ImGui::SameLine();
  if (ImGui::Button("Reset view")) actions.resetView = true;
  ImGui::SetNextItemWidth(uiScaled(200.0f));
  ImGui::InputText("##session", sessionPath_, sizeof sessionPath_);
  ImGui::SameLine();
  if (ImGui::Button("Save")) actions.saveSession = std::string(sessionPath_);
  ImGui::SameLine();
  if (ImGui::Button("Load")) actions.loadSession = std::string(sessionPath_);
  ImGui::SetNextItemWidth(uiScaled(200.0f));
  ImGui::InputText("##export", exportPrefix_, sizeof exportPrefix_);
  ImGui::SameLine();
  if (ImGui::Button("Export view")) actions.exportView = true;
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "writes PREFIX-particles.csv/.npy (x, label, v, a, j at t), PREFIX-lattice.csv,\n"
        "PREFIX-density.csv (with the density on) and PREFIX-view.json");
  if (!sessionStatus_.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("%s", sessionStatus_.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::End();
  return actions;
}

}  // namespace rankflow::app
