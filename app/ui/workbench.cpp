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
#include <stdexcept>

#include "app/ui/panels/cascade_panel.h"
#include "app/ui/help_overlay.h"
#include "app/ui/widgets/plot_capture.h"
#include "app/ui/panels/queries_panel.h"
#include "app/ui/panels/ranks_panel.h"
#include "app/ui/panels/theory_panel.h"
#include "app/ui/workbench_panels.h"
#include "app/viewer/lowrank_engine.h"
#include "app/viewer/view_export.h"
#include "core/common/error.h"
#include "core/flows/field_model.h"
#include "core/io/atomic_file.h"

namespace rankflow::app {

using workbench_panels::findPanel;
using workbench_panels::knownPanelList;
using workbench_panels::kPanels;
using workbench_panels::panelFlagOf;
using workbench_panels::PanelTitle;

// [SECTION] Construction and background results

Workbench::Workbench(const WorkbenchOptions& options, UiFonts fonts)
    : selection_(selectBackend(options.backend)),
      fonts_(fonts),
      scene_(options.session ? prepareSessionScene(options.session->scene) : flows::prepareScene(options.scene)),
      latticeBackend_(compute::makeCpuBackend()) {
  // The Ranks panel and the Timeline strip compute ranks on the same kind of backend.
  setWindowLowRankPreference(options.backend);
  // The 24² lattice costs well under a millisecond on the CPU; on CUDA it would queue behind
  // the integration kernel and stall the UI thread, so it always runs on the CPU.
  view_ = initialViewState(scene_, options.t);
  if (options.session) {
    view_ = options.session->view;
    pendingCascade_ = options.session->cascade;
  }
  if (options.adjustView) options.adjustView(view_);
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
  integration_.start(scene_, *selection_.backend);
}

Workbench::~Workbench() = default;

void Workbench::update(double dtSeconds) {
  readout_.frameMs = readout_.frameMs == 0 ? dtSeconds * 1e3 : 0.9 * readout_.frameMs + 0.1 * dtSeconds * 1e3;
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
  timelinePanel_.advance(view_, dtSeconds);
}

bool Workbench::busy() const {
  if (integration_.running()) return true;
  // Panels take their results when they draw: in lecture mode only the Theory panel does.
  if (view_.lectureMode) return view_.theoryOpen && theoryPanel_ && theoryPanel_->computing();
  if (view_.ranksOpen && ranksPanel_) {
    const auto& model = ranksPanel_->model();
    if (model.computing() || model.profile().exactState == ExactState::Running) return true;
  }
  if (view_.queriesOpen && queriesPanel_ && queriesPanel_->model().busy()) return true;
  if (view_.cascadeOpen && cascadePanel_ && cascadePanel_->busy()) return true;
  if (view_.theoryOpen && theoryPanel_ && theoryPanel_->computing()) return true;
  if (view_.timelineOpen && timelinePanel_.strip().state() == StripState::Running) return true;
  if (view_.showDensity && density_.computing()) return true;
  return false;
}

void Workbench::rebuildScene(const SceneChoice& choice) {
  try {
    scene_ = prepareSessionScene(choice);
    if (arrowGrid_ > 0) scene_.fieldGridSize = arrowGrid_;
    readout_.particles = static_cast<int>(scene_.start.size());
    readout_.integrationMs = 0;
    integration_.start(scene_, *selection_.backend);
  } catch (const std::exception& e) {
    controlPanel_.setSessionStatus(e.what());
    std::fprintf(stderr, "scene: %s\n", e.what());
  }
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

  if (view_.theoryOpen && !theoryPanel_) theoryPanel_ = std::make_unique<TheoryPanel>();
  if (view_.lectureMode) {
    // Only the scene: the Theory panel over the whole screen when it is open, else the flow
    // with one caption line.
    if (view_.theoryOpen) {
      theoryPanel_->setLectureMode(true);
      theoryPanel_->draw(nullptr);
    } else {
      drawLectureCaption();
    }
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
        saveSession(*actions.saveSession, {choiceForScene(controlPanel_.choice(), scene_), view_, cascadeChoice()});
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
      ImGui::SetNextWindowPos({kControlPanelX + kControlPanelWidth + 12.0f, kControlPanelY}, ImGuiCond_FirstUseEver);
      if (ImGui::Begin("Draw your own data", &view_.sketchOpen, ImGuiWindowFlags_AlwaysAutoResize)) {
        if (auto choice = sketchPanel_.drawControls(controlPanel_.choice())) rebuild = *choice;
      }
      ImGui::End();
      sketchPanel_.drawOverlay(view_.camera);
    }
    if (actions.loadSession) {
      try {
        const Session loaded = loadSession(*actions.loadSession);
        view_ = loaded.view;
        applyCascadeChoice(loaded.cascade);
        rebuild = loaded.scene;
        controlPanel_.setSessionStatus("loaded " + *actions.loadSession);
      } catch (const std::exception& e) {
        controlPanel_.setSessionStatus(e.what());  // a bad file changes nothing
      }
    }
    if (rebuild) rebuildScene(choiceForScene(*rebuild, scene_));
    if (view_.ranksOpen) {
      if (!ranksPanel_) ranksPanel_ = std::make_unique<RanksPanel>();
      ranksPanel_->draw(&view_.ranksOpen);
    }
    if (view_.queriesOpen) {
      if (!queriesPanel_) queriesPanel_ = std::make_unique<QueriesPanel>();
      queriesPanel_->draw(&view_.queriesOpen);
    }
    if (ranksPanel_) timelinePanel_.follow(&ranksPanel_->model());
    if (view_.timelineOpen) {
      ImVec2 pos, size;  // right of the control and performance column
      TimelinePanel::defaultRect(ImGui::GetIO().DisplaySize, kControlPanelX + kControlPanelWidth + 12.0f, &pos, &size);
      timelinePanel_.draw(view_, scene_.grid.stepSize(), pos, size, &view_.timelineOpen);
    }
    if (view_.cascadeOpen) ensureCascadePanel();
    if (cascadePanel_) cascadePanel_->draw(&view_.cascadeOpen, scene_, view_.t, &view_.cascadeTab);
    drawLearnedOverlayLegend();
    if (view_.theoryOpen) {
      theoryPanel_->setLectureMode(false);
      theoryPanel_->draw(&view_.theoryOpen);
    }
    performancePanel_.draw(readout_);
  }
  if (view_.helpOpen) drawHelpOverlay(&view_.helpOpen);
  if (const PanelTitle* front = findPanel(frontPanel_); front && front->title) ImGui::SetWindowFocus(front->title);
  ImGui::PopFont();

  for (auto& plot : takePlotCaptures()) {
    CaptureRequest request;
    request.region = PixelRect{plot.min.x, plot.min.y, plot.max.x - plot.min.x, plot.max.y - plot.min.y};
    requests.captures.push_back(request);
  }
  return requests;
}

// Lecture mode shows the scene alone: one line says what is on screen.
void Workbench::drawLectureCaption() {
  const char* const fieldNames[] = {"velocity", "acceleration", "jerk"};
  ImGui::SetNextWindowPos({24.0f, 24.0f}, ImGuiCond_Always);
  ImGui::SetNextWindowBgAlpha(0.6f);
  ImGui::Begin("##lecture caption", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoInputs |
                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
  ImGui::Text("%s   t = %.2f", scene_.name.c_str(), view_.t);
  if (view_.showArrows || view_.showHeatmap)
    ImGui::TextDisabled("%s field, %s", fieldNames[view_.fieldOrder - 1],
                        view_.fieldKind == flows::FieldKind::Lagrangian ? "along the ODE" : "marginal u_k");
  ImGui::End();
}

const render::SceneDrawData& Workbench::sceneDrawData(uint32_t width, uint32_t height) {
  const float aspect = static_cast<float>(width) / static_cast<float>(std::max<uint32_t>(height, 1));
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
  drawData_ = builder_->build(view_, field_, static_cast<float>(height), &heatmap_,
                              view_.showDensity ? &density_ : nullptr, learnedLayer());
  readout_.drawDataMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  return drawData_;
}

LearnedLayer Workbench::learnedLayer() {
  LearnedLayer layer;
  if (!cascadePanel_ || view_.lectureMode) return layer;
  const LearnedOverlay overlay = cascadePanel_->learned().overlay();
  const LearnedModel& model = cascadePanel_->learned().model();
  if (overlay.kind == LearnedOverlayKind::LearnedField) {
    if (model.learnedField(overlay.order, field_.points(), view_.t, learnedArrows_)) layer.arrows = learnedArrows_;
  } else if (overlay.kind == LearnedOverlayKind::PerParticleError && scene_.integrated() && !view_.playing) {
    // The exact AD pass costs tens of ms per thousand particles (order 3): computed when t
    // or the order changes while paused (the model caches it), not every frame of playback.
    particlePositions_.resize(static_cast<std::size_t>(scene_.trajectories.particleCount()));
    scene_.trajectories.positionsAt(view_.t, particlePositions_);
    if (model.perParticleError(overlay.order, particlePositions_, view_.t, scene_, particleErrors_))
      layer.particleError = particleErrors_;
  }
  return layer;
}

// Says what the learned layer shows, with the error scale's legend.
void Workbench::drawLearnedOverlayLegend() {
  if (!cascadePanel_) return;
  const LearnedOverlay overlay = cascadePanel_->learned().overlay();
  const int kind = static_cast<int>(overlay.kind);
  if (kind != shownOverlayKind_ && overlay.kind == LearnedOverlayKind::LearnedField) {
    // Learned arrows sit beside the exact field of the same order along the ODE.
    view_.fieldOrder = overlay.order;
    view_.fieldKind = flows::FieldKind::Lagrangian;
    view_.showArrows = true;
  }
  shownOverlayKind_ = kind;
  if (overlay.kind == LearnedOverlayKind::None) return;
  const char* const names[] = {"velocity v", "acceleration a", "jerk j"};
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos({display.x * 0.5f, 12.0f}, ImGuiCond_Always, {0.5f, 0.0f});
  ImGui::SetNextWindowBgAlpha(0.8f);
  ImGui::Begin("##learned overlay", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoInputs |
                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
  const bool trained = cascadePanel_->learned().model().hasModel();
  if (overlay.kind == LearnedOverlayKind::LearnedField) {
    ImGui::TextColored({1.0f, 0.65f, 0.24f, 1.0f}, "orange: learned %s", names[overlay.order - 1]);
    ImGui::SameLine();
    ImGui::Text(" white: exact, along the ODE%s", trained ? "" : "  (training...)");
  } else {
    ImGui::Text("particle colour: |learned - exact| / |exact| of %s%s", names[overlay.order - 1],
                !trained        ? "  (training...)"
                : view_.playing ? "  (pause to compute)"
                                : "");
    ImDrawList* draw = ImGui::GetWindowDrawList();
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

std::vector<std::string> Workbench::exportView(const std::string& prefix) const {
  std::vector<std::string> written = app::exportView(
      prefix,
      {scene_, view_, &field_, view_.showHeatmap ? &heatmap_ : nullptr, view_.showDensity ? &density_ : nullptr});
  // The data behind every open tool window too, so one click keeps all the figure's numbers.
  const auto write = [&](const std::string& suffix, const std::string& text) {
    io::writeFileAtomic(prefix + suffix, text);
    written.push_back(prefix + suffix);
  };
  if (view_.timelineOpen) {
    write("-timeline.json", timelinePanel_.exportJson());
    write("-timeline.csv", timelinePanel_.exportCsv());
  }
  if (view_.ranksOpen && ranksPanel_) write("-ranks.json", ranksPanel_->exportJson());
  if (view_.queriesOpen && queriesPanel_) write("-queries.json", queriesPanel_->exportJson());
  if (view_.cascadeOpen && cascadePanel_) {
    write("-cascade.json", cascadePanel_->exportJson());
    const std::string sweep = cascadePanel_->fit().exportSweepCsv();
    if (!sweep.empty()) write("-cascade-sweep.csv", sweep);
  }
  if (view_.theoryOpen && theoryPanel_) write("-theory.json", theoryPanel_->exportJson());
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
      case ShortcutAction::ToggleHelp:
        view_.helpOpen = !view_.helpOpen;
        break;
      case ShortcutAction::ToggleRanks:
        view_.ranksOpen = !view_.ranksOpen;
        break;
      case ShortcutAction::ToggleQueries:
        view_.queriesOpen = !view_.queriesOpen;
        break;
      case ShortcutAction::ToggleCascade:
        view_.cascadeOpen = !view_.cascadeOpen;
        break;
      case ShortcutAction::ToggleTheory:
        view_.theoryOpen = !view_.theoryOpen;
        break;
      case ShortcutAction::ToggleTimeline:
        view_.timelineOpen = !view_.timelineOpen;
        break;
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
        if (presentingTheory()) {
          theoryPanel_->next();
        } else {
          view_.t = stepTime(view_.t, step, +1);
        }
        break;
      case ShortcutAction::Previous:
        if (presentingTheory()) {
          theoryPanel_->previous();
        } else {
          view_.t = stepTime(view_.t, step, -1);
        }
        break;
      case ShortcutAction::Reset:
        if (presentingTheory()) {
          theoryPanel_->reset();
          break;
        }
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

CascadePanel& Workbench::ensureCascadePanel() {
  if (!cascadePanel_) {
    LearnedSettings learned;
    // The learned flow trains where the fields run: with CUDA when that backend is in use
    // (and on the CPU, which the Learned tab then names, if the CUDA trainer fails to start).
    if (selection_.backend->kind() == compute::BackendKind::Cuda) {
      learned.trainingEngine = [] { return selectTrainingEngine(BackendPreference::Auto); };
      learned.train = cudaLearnedTraining();
    }
    cascadePanel_ = std::make_unique<CascadePanel>(std::move(learned));
    applyCascadeChoice(pendingCascade_);
  }
  return *cascadePanel_;
}

// A session's Cascade choices: bad ones (a rank above d, an unknown scene) are refused by the
// models with their message in the panel, and the rest still applies.
void Workbench::applyCascadeChoice(const CascadeChoice& choice) {
  if (!cascadePanel_) {
    pendingCascade_ = choice;
    return;
  }
  CascadeFitModel& fit = cascadePanel_->fit().model();
  if (!choice.fitScene.empty() && fit.setScene(choice.fitScene))
    for (const auto& [key, value] : choice.fitParameters) fit.setParameter(key, value);
  if (!choice.fitRanks.empty()) fit.setRanks(choice.fitRanks);
  LearnedModel& learned = cascadePanel_->learned().model();
  for (std::size_t i = 0; i < choice.learnedRanks.size(); ++i)
    learned.setRank(static_cast<int>(i) + 2, choice.learnedRanks[i]);
}

CascadeChoice Workbench::cascadeChoice() const {
  if (!cascadePanel_) return pendingCascade_;
  CascadeChoice choice;
  const CascadeFitModel& fit = cascadePanel_->fit().model();
  choice.fitScene = fit.scene();
  for (const auto& p : fit.parameters()) choice.fitParameters.emplace_back(p.name, p.value);
  choice.fitRanks = fit.ranks();
  const LearnedModel& learned = cascadePanel_->learned().model();
  choice.learnedRanks = {learned.rank(2), learned.rank(3)};
  return choice;
}

// [SECTION] Panels by name

std::vector<std::string> Workbench::panelNames() {
  std::vector<std::string> names;
  for (const auto& p : kPanels) names.emplace_back(p.name);
  return names;
}

void Workbench::setPanelOpen(const std::string& name, bool open) {
  if (bool* flag = panelFlagOf(view_, name)) *flag = open;
}

void Workbench::openPanel(const std::string& name) {
  if (!findPanel(name)) throw InvalidArgument("unknown panel '" + name + "' (known: " + knownPanelList() + ")");
  setPanelOpen(name, true);
}

std::optional<PixelRect> Workbench::panelRect(const std::string& name) const {
  const PanelTitle* panel = findPanel(name);
  if (!panel || !panel->title) return std::nullopt;
  const ImGuiWindow* window = ImGui::FindWindowByName(panel->title);
  if (!window || !window->WasActive) return std::nullopt;
  return PixelRect{window->Pos.x, window->Pos.y, window->Size.x, window->Size.y};
}

}  // namespace rankflow::app
