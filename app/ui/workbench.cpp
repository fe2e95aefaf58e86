// [SECTION] Construction and background results
// [SECTION] One frame's UI
// [SECTION] Shortcuts, camera, hover
// [SECTION] Panels by name
// [SECTION] Scripting values: workbench_values.cpp
#include "app/ui/workbench.h"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "app/ui/help_overlay.h"
#include "app/ui/imgui_style.h"
#include "app/ui/panels/timeline_panel.h"
#include "app/ui/widgets/math_text.h"
#include "app/ui/widgets/plot_capture.h"
#include "app/viewer/imported_view.h"
#include "app/viewer/lowrank_engine.h"
#include "app/viewer/view_export.h"
#include "core/common/error.h"
#include "core/flows/field_model.h"
#include "core/io/atomic_file.h"

namespace rankflow::app {

namespace {

// Windows that are always shown (not in the registry): names for figures and focus.
struct ChromeWindow {
  const char* name;
  const char* title;
};
constexpr ChromeWindow kChromeWindows[] = {{"control", "Rankflow"}, {"performance", "Performance"}};

// The ImGui title of a panel name; nullptr for "flow", "window" and unknown names.
const char* windowTitle(const std::string& name) {
  for (const auto& w : kChromeWindows)
    if (name == w.name) return w.title;
  const PanelInfo* info = findPanelInfo(name);
  return info ? info->title : nullptr;
}

}  // namespace

// [SECTION] Construction and background results

Workbench::Workbench(const WorkbenchOptions& options, UiFonts fonts)
    : selection_(selectWindowFlowBackend(options.backend)),
      fonts_(fonts),
      scene_(options.prepared  ? std::move(*options.prepared)
             : options.session ? prepareSessionScene(options.session->scene)
                               : flows::prepareScene(options.scene)),
      latticeBackend_(compute::makeCpuBackend()) {
  // The Ranks panel and the Timeline strip compute ranks on the same kind of backend.
  setWindowLowRankPreference(options.backend);
  // The 24² lattice costs well under a millisecond on the CPU; on CUDA it would queue behind
  // the integration kernel and stall the UI thread, so it always runs on the CPU.
  view_ = initialViewState(scene_, options.t);
  if (options.session) {
    view_ = options.session->view;
    session_ = *options.session;
    frameSceneUnlessPlaced();
  }
  applyPanelDefaults();
  if (options.adjustView) options.adjustView(view_);
  for (const PanelInfo& info : panelRegistry()) panels_.push_back({&info, nullptr});
  for (auto& slot : panels_)
    if (slot.info->createAtStart) ensurePanel(slot);
  for (const auto& panel : options.openPanels) openPanel(panel);
  arrowGrid_ = options.arrowGrid;
  if (arrowGrid_ > 0) scene_.fieldGridSize = arrowGrid_;
  builder_ = std::make_unique<SceneFrameBuilder>(scene_);
  builder_->useGpuTracks(SceneFrameBuilder::kGpuTracksFrom, options.gpuTrackBytes);
  controlPanel_.syncChoice(scene_);
  readout_.computeBackend = selection_.backend->description();
  readout_.whyNotCuda = selection_.whyNotCuda;
  readout_.vulkanDevice = options.vulkanDevice;
  readout_.particles = static_cast<int>(scene_.start.size());
  readout_.imported = scene_.imported != nullptr;
  readout_.integrationMs = scene_.imported ? scene_.integrationSeconds * 1e3 : 0.0;
  if (!scene_.integrated()) integration_.start(scene_, *selection_.backend);  // imported ones come integrated
}

Workbench::~Workbench() = default;

void Workbench::update(double dtSeconds) {
  readout_.frameMs = readout_.frameMs == 0 ? dtSeconds * 1e3 : 0.9 * readout_.frameMs + 0.1 * dtSeconds * 1e3;
  finishSessionLoad();
  if (integration_.ready()) {
    try {
      scene_ = integration_.take();
      controlPanel_.syncChoice(scene_);
      readout_.integrationMs = scene_.integrationSeconds * 1e3;
      std::printf("scene '%s': %d particles integrated in %.0f ms on %s\n", scene_.name.c_str(),
                  scene_.trajectories.particleCount(), readout_.integrationMs, scene_.integratedBy.c_str());
    } catch (const std::exception& e) {
      if (selection_.backend->kind() != compute::BackendKind::Cuda) throw;
      // A failing GPU (device lost, out of memory) costs the speed, not the scene.
      std::fprintf(stderr, "CUDA integration failed (%s); falling back to the CPU\n", e.what());
      selection_.whyNotCuda = std::string("CUDA failed: ") + e.what();
      selection_.backend = compute::makeCpuBackend();
      readout_.computeBackend = selection_.backend->description();
      readout_.whyNotCuda = selection_.whyNotCuda;
      integration_.start(scene_, *selection_.backend);
    }
  }
  for (auto& slot : panels_)
    if (slot.panel) slot.panel->update(*this, dtSeconds);
}

bool Workbench::busy() const {
  if (integration_.running() || pendingLoad_) return true;
  // Panels take their results when they draw: in lecture mode only those shown there do.
  for (const auto& slot : panels_) {
    if (!slot.panel || !view_.panelOpen(slot.info->id)) continue;
    if (view_.lectureMode && slot.info->lecture == LectureRole::Hidden) continue;
    if (slot.panel->busy()) return true;
  }
  return !view_.lectureMode && view_.showDensity && density_.computing();
}

struct Workbench::PendingSessionLoad {
  std::string path;
  Session session;
  std::mutex mutex;  // guards what the lane's task publishes below
  bool finished = false;
  std::optional<flows::FlowScene> scene;
  std::string error;
};

std::string Workbench::startSessionLoad(const std::string& path) {
  auto pending = std::make_shared<PendingSessionLoad>();
  pending->path = path;
  try {
    pending->session = loadSession(path);
  } catch (const std::exception& e) {
    return e.what();
  }
  pendingLoad_ = pending;
  controlPanel_.setSessionStatus("loading " + path + " ...");
  loadLane_.post([pending] {
    std::optional<flows::FlowScene> scene;
    std::string error;
    try {
      scene = prepareSessionScene(pending->session.scene);  // trajectory files are read and checked here
    } catch (const std::exception& e) {
      error = e.what();
    }
    const std::lock_guard lock(pending->mutex);
    pending->scene = std::move(scene);
    pending->error = std::move(error);
    pending->finished = true;
  });
  return "";
}

void Workbench::finishSessionLoad() {
  if (!pendingLoad_) return;
  PendingSessionLoad& pending = *pendingLoad_;
  {
    const std::lock_guard lock(pending.mutex);
    if (!pending.finished) return;
  }
  const std::shared_ptr<PendingSessionLoad> done = std::move(pendingLoad_);
  if (!done->scene) {
    controlPanel_.setSessionStatus(done->error);  // a bad file changes nothing
    return;
  }
  applyLoadedSession(done->session);
  installScene(std::move(*done->scene));
  std::string status = "loaded " + done->path;
  for (const auto& warning : done->session.warnings) status += "\nwarning: " + warning;
  controlPanel_.setSessionStatus(status);
}

void Workbench::rebuildScene(const SceneChoice& choice) {
  try {
    installScene(prepareSessionScene(choice));
  } catch (const std::exception& e) {
    controlPanel_.setSessionStatus(e.what());
    std::fprintf(stderr, "scene: %s\n", e.what());
  }
}

void Workbench::installScene(flows::FlowScene&& prepared) {
  scene_ = std::move(prepared);
  if (arrowGrid_ > 0) scene_.fieldGridSize = arrowGrid_;
  readout_.particles = static_cast<int>(scene_.start.size());
  readout_.imported = scene_.imported != nullptr;
  readout_.integrationMs = scene_.imported ? scene_.integrationSeconds * 1e3 : 0.0;
  if (!scene_.integrated()) integration_.start(scene_, *selection_.backend);
  controlPanel_.syncChoice(scene_);
  frameSceneUnlessPlaced();
}

// [SECTION] One frame's UI

FrameRequests Workbench::buildUi() {
  FrameRequests requests;
  if (view_.lectureMode != appliedLecture_) {
    applyStyle(view_.lectureMode);
    appliedLecture_ = view_.lectureMode;
    requests.lectureChanged = true;
  }
  ImGui::PushFont(view_.lectureMode ? fonts_.lecture : fonts_.normal);
  applyShortcuts(requests);
  // A sketch stroke takes the mouse from the camera.
  const bool sketchUsedMouse = !view_.lectureMode && view_.sketchOpen && sketchPanel_.handleMouse(view_.camera);
  if (!sketchUsedMouse) handleCamera();
  hoverReadout();

  // Open panels exist from here on; in lecture mode only those shown there are made.
  for (auto& slot : panels_)
    if (view_.panelOpen(slot.info->id) && (!view_.lectureMode || slot.info->lecture != LectureRole::Hidden))
      ensurePanel(slot);
  if (view_.lectureMode) {
    // Only the scene: a presenting panel (Theory) over the whole screen when it is open,
    // else the flow with one caption line.
    if (!presenter()) drawLectureCaption();
    drawPanels(false);
    drawPanels(true);
  } else {
    ControlPanelLegends legends;
    legends.heatmapLow = heatmap_.low();
    legends.heatmapHigh = heatmap_.high();
    legends.densityLow = density_.lowLogDensity();
    legends.densityHigh = density_.highLogDensity();
    legends.densityComputing = density_.computing();
    legends.densityProgress = density_.progress();
    legends.densityError = density_.error();
    const ControlPanelActions actions =
        controlPanel_.draw(view_, scene_, field_.referenceSpeed(), field_.maxSpeed(), integration_.progress(), legends);
    if (actions.screenshot) requests.captures.push_back({});
    if (actions.resetView) view_.camera = initialViewState(scene_, view_.t).camera;
    if (actions.saveSession) {
      try {
        saveSession(*actions.saveSession, currentSession());
        controlPanel_.setSessionStatus("saved " + *actions.saveSession);
      } catch (const std::exception& e) {
        controlPanel_.setSessionStatus(e.what());
      }
    }
    if (actions.exportView) {
      try {
        const auto written = exportView(controlPanel_.exportPrefix());
        controlPanel_.setSessionStatus("exported " + std::to_string(written.size()) +
                                       " files: " + controlPanel_.exportPrefix() + "-*");
      } catch (const std::exception& e) {
        controlPanel_.setSessionStatus(e.what());
      }
    }
    std::optional<SceneChoice> rebuild = actions.rebuild;
    if (view_.sketchOpen) {
      ImGui::SetNextWindowPos({uiScaled(kControlPanelX + kControlPanelWidth + 12.0f), uiScaled(kControlPanelY)},
                              ImGuiCond_FirstUseEver);
      if (ImGui::Begin("Draw your own data", &view_.sketchOpen, ImGuiWindowFlags_AlwaysAutoResize)) {
        if (auto choice = sketchPanel_.drawControls(controlPanel_.choice())) rebuild = *choice;
      }
      ImGui::End();
      sketchPanel_.drawOverlay(view_.camera);
    }
    if (actions.loadSession) {
      const std::string refused = startSessionLoad(*actions.loadSession);
      if (!refused.empty()) controlPanel_.setSessionStatus(refused);  // a bad file changes nothing
    }
    if (rebuild) rebuildScene(choiceForScene(*rebuild, scene_));
    drawPanels(false);
    performancePanel_.draw(readout_);
    drawPanels(true);
  }
  if (const char* front = windowTitle(frontPanel_)) ImGui::SetWindowFocus(front);
  ImGui::PopFont();

  for (auto& plot : takePlotCaptures()) {
    CaptureRequest request;
    request.region = PixelRect{plot.min.x, plot.min.y, plot.max.x - plot.min.x, plot.max.y - plot.min.y};
    requests.captures.push_back(request);
  }
  return requests;
}

// The registry's windows in its order (the overlays, or the others): open ones, and created
// ones that draw while closed; in lecture mode only those shown there.
void Workbench::drawPanels(bool overlays) {
  for (auto& slot : panels_) {
    if (!slot.panel || (slot.info->lecture == LectureRole::Overlay) != overlays) continue;
    if (view_.lectureMode && slot.info->lecture == LectureRole::Hidden) continue;
    bool& open = view_.openPanels[slot.info->id];
    if (open || slot.panel->drawsWhileClosed()) slot.panel->draw(*this, &open);
  }
}

// Lecture mode shows the scene alone: one line says what is on screen.
void Workbench::drawLectureCaption() {
  const char* const fieldNames[] = {"velocity", "acceleration", "jerk"};
  ImGui::SetNextWindowPos({uiScaled(24.0f), uiScaled(24.0f)}, ImGuiCond_Always);
  ImGui::SetNextWindowBgAlpha(0.6f);
  ImGui::Begin("##lecture caption", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoInputs |
                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
  ImGui::Text("%s   t = %.2f", scene_.name.c_str(), view_.t);
  if (scene_.imported && view_.particleColour != ParticleColour::Label)
    ImGui::TextDisabled("coloured by %s", kParticleColourNames[static_cast<std::size_t>(view_.particleColour)]);
  else if (scene_.hasField() && (view_.showArrows || view_.showHeatmap))
    ImGui::TextDisabled(
        "%s field, %s", fieldNames[view_.fieldOrder - 1],
        mathText(view_.fieldKind == flows::FieldKind::Lagrangian ? "along the ODE" : "marginal uₖ").c_str());
  ImGui::End();
}

const render::SceneDrawData& Workbench::sceneDrawData(uint32_t width, uint32_t height) {
  const float aspect = static_cast<float>(width) / static_cast<float>(std::max<uint32_t>(height, 1));
  if (!scene_.hasField()) {
    // Imported trajectories: particles and trails only, coloured by label or a metric.
    const auto begin = std::chrono::steady_clock::now();
    LearnedLayer layer;
    metricShades(*scene_.imported, view_.particleColour, view_.t, particleShades_);
    layer.particleShade = particleShades_;
    drawData_ = builder_->build(view_, noField_, static_cast<float>(height), nullptr, nullptr, layer);
    readout_.drawDataMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
    return drawData_;
  }
  if (field_.update(*latticeBackend_, scene_, view_, aspect)) readout_.fieldMs = field_.lastEvaluationMs();
  if (view_.showHeatmap && !view_.showDensity && heatmap_.update(scene_, view_, aspect))
    readout_.fieldMs += heatmap_.lastEvaluationMs();
  if (view_.showDensity) {
    // Backward integration per lattice point: a worker computes it, the frame draws the
    // last finished lattice.
    density_.request(scene_, view_, aspect);
    if (density_.poll()) readout_.densityMs = density_.lastEvaluationMs();
  }
  const auto begin = std::chrono::steady_clock::now();
  LearnedLayer layer;
  if (!view_.lectureMode)
    for (auto& slot : panels_)
      if (slot.panel) slot.panel->sceneLayer(*this, layer);
  drawData_ = builder_->build(view_, field_, static_cast<float>(height), &heatmap_,
                              view_.showDensity ? &density_ : nullptr, layer);
  readout_.drawDataMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  return drawData_;
}

std::vector<std::string> Workbench::exportView(const std::string& prefix) const {
  std::vector<std::string> written =
      scene_.imported ? exportImportedView(prefix, scene_, view_)
                      : app::exportView(prefix, {scene_, view_, &field_, view_.showHeatmap ? &heatmap_ : nullptr,
                                                 view_.showDensity ? &density_ : nullptr});
  // The data behind every open tool window too, so one click keeps all the figure's numbers.
  const auto write = [&](const std::string& suffix, const std::string& text) {
    io::writeFileAtomic(prefix + suffix, text);
    written.push_back(prefix + suffix);
  };
  for (const auto& slot : panels_)
    if (slot.panel && view_.panelOpen(slot.info->id))
      for (const auto& [suffix, text] : slot.panel->exportFiles()) write(suffix, text);
  return written;
}

// [SECTION] Shortcuts, camera, hover

void Workbench::applyShortcuts(FrameRequests& requests) {
  const ImGuiIO& io = ImGui::GetIO();
  const float step = scene_.grid.stepSize();
  for (const Shortcut& s : shortcuts()) {
    if (!s.global && io.WantCaptureKeyboard) continue;
    const bool repeat = s.id == ShortcutAction::Next || s.id == ShortcutAction::Previous;
    if (!ImGui::IsKeyPressed(s.key, repeat)) continue;
    switch (s.id) {
      case ShortcutAction::TogglePanel: {
        bool& open = view_.openPanels[s.panel];
        open = !open;
        break;
      }
      case ShortcutAction::ToggleLecture:
        view_.lectureMode = !view_.lectureMode;
        break;
      case ShortcutAction::LeaveLecture:
        view_.lectureMode = false;
        break;
      case ShortcutAction::Screenshot:
        requests.captures.push_back({});
        break;
      case ShortcutAction::PlayPause:
        view_.playing = !view_.playing;
        break;
      case ShortcutAction::Next:
        if (Panel* p = presenter(); !p || !p->presenterNext()) view_.t = stepTime(view_.t, step, +1);
        break;
      case ShortcutAction::Previous:
        if (Panel* p = presenter(); !p || !p->presenterPrevious()) view_.t = stepTime(view_.t, step, -1);
        break;
      case ShortcutAction::Reset:
        if (Panel* p = presenter(); p && p->presenterReset()) break;
        view_.t = 0.0f;
        view_.playing = false;
        view_.camera = initialViewState(scene_, 0.0f).camera;
        break;
      case ShortcutAction::TimeStart:
        view_.t = 0.0f;
        break;
      case ShortcutAction::TimeEnd:
        view_.t = 1.0f;
        break;
      case ShortcutAction::FieldVelocity:
        view_.fieldOrder = 1;
        break;
      case ShortcutAction::FieldAcceleration:
        view_.fieldOrder = 2;
        break;
      case ShortcutAction::FieldJerk:
        view_.fieldOrder = 3;
        break;
      case ShortcutAction::ToggleLagrangian:
        view_.fieldKind =
            view_.fieldKind == flows::FieldKind::Lagrangian ? flows::FieldKind::Marginal : flows::FieldKind::Lagrangian;
        break;
      case ShortcutAction::ToggleHeatmap:
        view_.showHeatmap = !view_.showHeatmap;
        break;
    }
  }
}

// Mouse on the scene (not on a panel): drag pans, the wheel zooms about the cursor.
void Workbench::handleCamera() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantCaptureMouse || io.DisplaySize.y <= 0.0f) return;
  const float pixelsToWorld = 2.0f * view_.camera.halfHeight / io.DisplaySize.y;
  if (ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.0f)) {
    view_.camera.centerX -= io.MouseDelta.x * pixelsToWorld;
    view_.camera.centerY += io.MouseDelta.y * pixelsToWorld;
  }
  if (io.MouseWheel != 0.0f) {
    const float factor = std::pow(0.85f, io.MouseWheel);
    // The world point under the cursor stays under it.
    const float wx = view_.camera.centerX + (io.MousePos.x - 0.5f * io.DisplaySize.x) * pixelsToWorld;
    const float wy = view_.camera.centerY - (io.MousePos.y - 0.5f * io.DisplaySize.y) * pixelsToWorld;
    view_.camera.halfHeight = std::clamp(view_.camera.halfHeight * factor, 0.05f, 100.0f);
    view_.camera.centerX = wx + (view_.camera.centerX - wx) * factor;
    view_.camera.centerY = wy + (view_.camera.centerY - wy) * factor;
  }
}

// The particle nearest the cursor (within 8 pixels) at time t, with its x, v, a, j.
void Workbench::hoverReadout() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantCaptureMouse || !scene_.integrated() || io.DisplaySize.y <= 0.0f) return;
  if (!ImGui::IsMousePosValid()) return;
  const float pixelsToWorld = 2.0f * view_.camera.halfHeight / io.DisplaySize.y;
  const Vec2f cursor{view_.camera.centerX + (io.MousePos.x - 0.5f * io.DisplaySize.x) * pixelsToWorld,
                     view_.camera.centerY - (io.MousePos.y - 0.5f * io.DisplaySize.y) * pixelsToWorld};
  hoverScratch_.resize(static_cast<std::size_t>(scene_.trajectories.particleCount()));
  scene_.trajectories.positionsAt(view_.t, hoverScratch_);
  std::size_t best = 0;
  float bestDistance = 1e30f;
  for (std::size_t p = 0; p < hoverScratch_.size(); ++p) {
    const float d = squaredNorm(hoverScratch_[p] - cursor);
    if (d < bestDistance) {
      bestDistance = d;
      best = p;
    }
  }
  if (hoverScratch_.empty() || std::sqrt(bestDistance) > 8.0f * pixelsToWorld) return;
  if (scene_.imported) {
    ImGui::SetTooltip("%s", importedHoverText(scene_, best, view_.t).c_str());
    return;
  }
  flows::DataView<float> data;
  data.points = scene_.data.points.data();
  data.count = static_cast<int>(scene_.data.points.size());
  const auto d = flows::lagrangianDerivatives(data, scene_.schedule, hoverScratch_[best], view_.t);
  const Vec2f x = hoverScratch_[best];
  ImGui::SetTooltip(
      "particle %zu at t = %.3f\nx = (%.3f, %.3f)\nv = (%.3f, %.3f)\na = (%.3g, %.3g)\n"
      "j = (%.3g, %.3g)",
      best, view_.t, x.x, x.y, d.velocity.x, d.velocity.y, d.acceleration.x, d.acceleration.y, d.jerk.x, d.jerk.y);
}

// [SECTION] Panels by name

std::vector<std::string> Workbench::panelNames() {
  std::vector<std::string> names = {"flow", "window"};
  for (const auto& w : kChromeWindows) names.emplace_back(w.name);
  for (const PanelInfo& info : panelRegistry()) names.emplace_back(info.id);
  return names;
}

void Workbench::openPanel(const std::string& name) {
  if (findPanelInfo(name)) {
    view_.openPanels[name] = true;
    return;
  }
  const auto names = panelNames();
  if (std::find(names.begin(), names.end(), name) != names.end()) return;  // always shown
  std::string known;
  for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
  throw InvalidArgument("unknown panel '" + name + "' (known: " + known + ")");
}

std::string Workbench::panelWindowTitle(const std::string& name) {
  const char* title = windowTitle(name);
  return title ? title : "";
}

std::optional<PixelRect> Workbench::panelRect(const std::string& name) const {
  const char* title = windowTitle(name);
  if (!title) return std::nullopt;
  const ImGuiWindow* window = ImGui::FindWindowByName(title);
  if (!window || !window->WasActive) return std::nullopt;
  return PixelRect{window->Pos.x, window->Pos.y, window->Size.x, window->Size.y};
}

Panel* Workbench::findPanel(const std::string& id) {
  PanelSlot* slot = slotFor(id);
  return slot ? slot->panel.get() : nullptr;
}

Workbench::PanelSlot* Workbench::slotFor(const std::string& id) {
  for (auto& slot : panels_)
    if (id == slot.info->id) return &slot;
  return nullptr;
}

Panel& Workbench::ensurePanel(PanelSlot& slot) {
  if (!slot.panel) {
    slot.panel = slot.info->make(*this);
    slot.panel->restore(session_);
  }
  return *slot.panel;
}

Panel* Workbench::presenter() {
  if (!view_.lectureMode) return nullptr;
  for (auto& slot : panels_)
    if (slot.panel && view_.panelOpen(slot.info->id) && slot.info->lecture == LectureRole::Presents)
      return slot.panel.get();
  return nullptr;
}

void Workbench::applyPanelDefaults() {
  for (const PanelInfo& info : panelRegistry())
    if (!view_.openPanels.count(info.id)) view_.openPanels[info.id] = info.openAtStart;
}

Session Workbench::currentSession() const {
  Session session = session_;  // the parts of panels not created yet, as given
  session.scene = choiceForScene(controlPanel_.choice(), scene_);
  session.view = view_;
  for (const auto& slot : panels_)
    if (slot.panel) slot.panel->save(session);
  return session;
}

void Workbench::frameSceneUnlessPlaced() {
  if (!(view_.camera.halfHeight > 0.0f)) view_.camera = initialViewState(scene_, view_.t).camera;
}

void Workbench::applyLoadedSession(const Session& session) {
  view_ = session.view;
  applyPanelDefaults();
  session_ = session;
  for (auto& slot : panels_)
    if (slot.panel) slot.panel->restore(session);
}

}  // namespace rankflow::app
