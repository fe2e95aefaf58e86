#include "app/ui/panels/cascade_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "app/ui/imgui_style.h"
#include "app/ui/keys.h"
#include "app/ui/script_values.h"
#include "app/ui/widgets/chart_canvas.h"
#include "app/viewer/lowrank_engine.h"
#include "core/flows/field_model.h"

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
  ImGui::SetNextWindowPos({std::max(uiScaled(390.0f), display.x - uiScaled(12.0f + 820.0f)), uiScaled(12.0f)},
                          ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize({uiScaled(820.0f), std::max(uiScaled(300.0f), display.y - uiScaled(24.0f))},
                           ImGuiCond_FirstUseEver);
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
          (learned_.model().training() || learned_.model().comparison().state == TaskState::Running ||
           learned_.model().samples().state == TaskState::Running));
}

std::string CascadePanel::exportJson() const {
  return "{\"matrix_fit\": " + fit_.exportJson() + ", \"learned_flow\": " + learned_.exportJson() + "}";
}

// [SECTION] Panel

void CascadePanel::draw(PanelHost& host, bool* open) {
  draw(open, host.scene(), host.view().t, &host.view().cascadeTab);
  drawOverlayLegend(host);
}

std::vector<std::pair<std::string, std::string>> CascadePanel::exportFiles() const {
  std::vector<std::pair<std::string, std::string>> files = {{"-cascade.json", exportJson()}};
  std::string sweep = fit_.exportSweepCsv();
  if (!sweep.empty()) files.emplace_back("-cascade-sweep.csv", std::move(sweep));
  return files;
}

// A session's choices: bad ones (a rank above d, an unknown scene) are refused by the models
// with their message in the panel, and the rest still applies.
void CascadePanel::restore(const Session& session) {
  const CascadeChoice& choice = session.cascade;
  CascadeFitModel& fit = fit_.model();
  if (!choice.fitScene.empty() && fit.setScene(choice.fitScene))
    for (const auto& [key, value] : choice.fitParameters) fit.setParameter(key, value);
  if (!choice.fitRanks.empty()) fit.setRanks(choice.fitRanks);
  LearnedModel& learned = learned_.model();
  for (std::size_t i = 0; i < choice.learnedRanks.size(); ++i)
    learned.setRank(static_cast<int>(i) + 2, choice.learnedRanks[i]);
}

void CascadePanel::save(Session& session) const {
  CascadeChoice choice;
  const CascadeFitModel& fit = fit_.model();
  choice.fitScene = fit.scene();
  for (const auto& p : fit.parameters()) choice.fitParameters.emplace_back(p.name, p.value);
  choice.fitRanks = fit.ranks();
  const LearnedModel& learned = learned_.model();
  choice.learnedRanks = {learned.rank(2), learned.rank(3)};
  session.cascade = choice;
}

void CascadePanel::sceneLayer(PanelHost& host, LearnedLayer& layer) {
  const LearnedOverlay overlay = learned_.overlay();
  const LearnedModel& model = learned_.model();
  const flows::FlowScene& scene = host.scene();
  const ViewState& view = host.view();
  if (overlay.kind == LearnedOverlayKind::LearnedField) {
    if (model.learnedField(overlay.order, host.field().points(), view.t, learnedArrows_)) layer.arrows = learnedArrows_;
  } else if (overlay.kind == LearnedOverlayKind::PerParticleError && scene.integrated() && !view.playing) {
    // The exact AD pass costs tens of ms per thousand particles (order 3): computed when t
    // or the order changes while paused (the model caches it), not every frame of playback.
    particlePositions_.resize(static_cast<std::size_t>(scene.trajectories.particleCount()));
    scene.trajectories.positionsAt(view.t, particlePositions_);
    if (model.perParticleError(overlay.order, particlePositions_, view.t, scene, particleErrors_))
      layer.particleError = particleErrors_;
  }
}

void CascadePanel::drawOverlayLegend(PanelHost& host) {
  ViewState& view = host.view();
  const LearnedOverlay overlay = learned_.overlay();
  const int kind = static_cast<int>(overlay.kind);
  if (kind != shownOverlayKind_ && overlay.kind == LearnedOverlayKind::LearnedField) {
    // Learned arrows sit beside the exact field of the same order along the ODE.
    view.fieldOrder = overlay.order;
    view.fieldKind = flows::FieldKind::Lagrangian;
    view.showArrows = true;
  }
  shownOverlayKind_ = kind;
  if (overlay.kind == LearnedOverlayKind::None) return;
  const char* const names[] = {"velocity v", "acceleration a", "jerk j"};
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos({display.x * 0.5f, uiScaled(12.0f)}, ImGuiCond_Always, {0.5f, 0.0f});
  ImGui::SetNextWindowBgAlpha(0.8f);
  ImGui::Begin("##learned overlay", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoInputs |
                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
  const bool trained = learned_.model().hasModel();
  if (overlay.kind == LearnedOverlayKind::LearnedField) {
    ImGui::TextColored({1.0f, 0.65f, 0.24f, 1.0f}, "orange: learned %s", names[overlay.order - 1]);
    ImGui::SameLine();
    ImGui::Text(" white: exact, along the ODE%s", trained ? "" : "  (training...)");
  } else {
    ImGui::Text("particle colour: |learned - exact| / |exact| of %s%s", names[overlay.order - 1],
                !trained       ? "  (training...)"
                : view.playing ? "  (pause to compute)"
                               : "");
    charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
    charts::Canvas* draw = &chartCanvas;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float width = 260.0f;
    for (int i = 0; i < 32; ++i) {
      const render::PackedColor c = heatColor((static_cast<float>(i) + 0.5f) / 32.0f);
      draw->AddRectFilled({origin.x + width * static_cast<float>(i) / 32, origin.y},
                          {origin.x + width * static_cast<float>(i + 1) / 32, origin.y + 10},
                          IM_COL32(c & 0xFF, (c >> 8) & 0xFF, (c >> 16) & 0xFF, 255));
    }
    ImGui::Dummy({width, 12});
    ImGui::Text("1%%");
    ImGui::SameLine(width - 30.0f);
    ImGui::Text(">= 100%%");
  }
  ImGui::End();
}

// [SECTION] Scripting values

std::optional<std::string> CascadePanel::setValue(PanelHost& host, const std::string& name, const std::string& value) {
  if (name == "learned.overlay") {
    startLearned();
    LearnedOverlay overlay = learned_.overlay();
    if (value == "none")
      overlay.kind = LearnedOverlayKind::None;
    else if (value == "field")
      overlay.kind = LearnedOverlayKind::LearnedField;
    else if (value == "error")
      overlay.kind = LearnedOverlayKind::PerParticleError;
    else
      return "learned.overlay takes none, field or error, got '" + value + "'";
    learned_.setOverlay(overlay);
    return "";
  }
  if (name == "learned.samples") {
    // The "Sample" button: few-step samples with N steps (learned vs exact).
    const auto n = parseScriptNumber(value);
    startLearned();
    LearnedModel& model = learned_.model();
    if (!n || *n != std::floor(*n) || !model.requestSamples(static_cast<int>(*n)))
      return model.message().empty() ? "learned.samples takes 1, 2, 4, 8 or 16 steps" : model.message();
    return "";
  }
  if (name == "learned.order") {
    const auto v = parseScriptNumber(value);
    if (!v || (*v != 1 && *v != 2 && *v != 3)) return "learned.order takes 1, 2 or 3";
    startLearned();
    LearnedOverlay overlay = learned_.overlay();
    overlay.order = static_cast<int>(*v);
    learned_.setOverlay(overlay);
    return "";
  }
  if (name.rfind("fit.", 0) == 0) return setFitValue(host, name.substr(4), value);
  return std::nullopt;
}

// fit.rank.K, fit.orders, fit.scene: the Matrix fit tab's controls (the panel opens).
std::string CascadePanel::setFitValue(PanelHost& host, const std::string& name, const std::string& value) {
  host.view().openPanels["cascade"] = true;
  CascadeFitModel& model = fit_.model();
  bool accepted = false;
  if (name.rfind("rank.", 0) == 0) {
    const auto order = parseScriptNumber(name.substr(5));
    const auto rank = parseScriptNumber(value);
    if (!order || !rank || *order != std::floor(*order) || *rank != std::floor(*rank))
      return "fit.rank.K takes an integer order K and rank";
    accepted = model.setRank(static_cast<int>(*order), static_cast<int>(*rank));
  } else if (name == "orders") {
    const auto k = parseScriptNumber(value);
    if (!k || *k != std::floor(*k)) return "fit.orders takes an integer";
    accepted = model.setOrders(static_cast<int>(*k));
  } else if (name == "scene") {
    accepted = model.setScene(value);
  } else if (name == "sweep" || name == "measure") {
    // The "Sweep" (r_max) and "Measure" (n columns) buttons.
    const auto n = parseScriptNumber(value);
    if (!n || *n != std::floor(*n)) return "fit." + name + " takes an integer";
    accepted = name == "sweep" ? model.startSweep(static_cast<int>(*n)) : model.measure(static_cast<int>(*n));
  } else {
    return "unknown setting 'fit." + name + "' (fit.rank.K, fit.orders, fit.scene, fit.sweep, fit.measure)";
  }
  return accepted ? "" : model.message();
}

// fit.error.K (cascading), fit.independent.K, fit.rank.K, fit.parameters.
std::optional<double> CascadePanel::value(const std::string& name) const {
  if (name.rfind("fit.", 0) != 0) return std::nullopt;
  const FitSnapshot& fit = fit_.model().fit();
  const auto order = [&](std::size_t prefix) -> const FitOrder* {
    const auto k = parseScriptNumber(name.substr(prefix));
    if (!k) return nullptr;
    for (const auto& o : fit.orders)
      if (o.k == static_cast<int>(*k)) return &o;
    return nullptr;
  };
  if (name.rfind("fit.error.", 0) == 0) {
    if (const auto* o = order(10)) return o->cascadeError;
  } else if (name.rfind("fit.independent.", 0) == 0) {
    if (const auto* o = order(16)) return o->independentError;
  } else if (name.rfind("fit.rank.", 0) == 0) {
    if (const auto* o = order(9)) return o->rank;
  } else if (name == "fit.parameters") {
    return fit.costs.cascadeParameters;
  }
  return std::nullopt;
}

// [SECTION] Registration

PanelInfo cascadePanelInfo() {
  PanelInfo info{.id = "cascade",
                 .title = "Cascade",
                 .toggleLabel = "Cascade F4",
                 .shortcut = {keys::kF4, "F4", "Cascade panel"},
                 .toggleOrder = 2,
                 .settable = {"fit.", "learned.overlay", "learned.samples", "learned.order"},
                 .readable = {"fit.error.K", "fit.independent.K", "fit.rank.K", "fit.parameters"}};
  info.make = [](PanelHost& host) {
    LearnedSettings learned;
    // The learned flow trains where the fields run: with CUDA when that backend is in use
    // (and on the CPU, which the Learned tab then names, if the CUDA trainer fails to start).
    if (host.backends().backend->kind() == compute::BackendKind::Cuda) {
      learned.trainingEngine = [] { return selectWindowTrainingEngine(BackendPreference::Auto); };
      learned.train = cudaLearnedTraining();
    }
    return std::make_unique<CascadePanel>(std::move(learned));
  };
  return info;
}

}  // namespace rankflow::app
