#pragma once
// The application without its window system: the scene, what the view shows, every panel and
// its model, and one frame's UI. The window (gui_app.cpp) and the headless figure renderer
// (offscreen_gui.cpp) both drive it, so `rankflow render --panel` draws exactly what the
// window shows, and a `--script` runs the same way in both.
//
// One frame: update(dt) → ImGui::NewFrame → buildUi() → ImGui::Render → sceneDrawData().
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/models/background_integration.h"
#include "app/ui/imgui_style.h"
#include "app/ui/panel.h"
#include "app/ui/panels/control_panel.h"
#include "app/ui/panels/data_sketch.h"
#include "app/ui/panels/performance_panel.h"
#include "app/viewer/backend_selection.h"
#include "app/viewer/scene_frame.h"
#include "app/viewer/session.h"
#include "app/viewer/view_state.h"
#include "core/common/background_lane.h"

namespace rankflow::app {

struct WorkbenchOptions {
  std::string scene = "default";
  float t = 0.5f;
  std::optional<Session> session;  // replaces scene, t and the open panels when set
  // A scene already made (imported trajectories the CLI has read and checked): moved from
  // when set, in place of `scene`.
  std::shared_ptr<flows::FlowScene> prepared;
  BackendPreference backend = BackendPreference::Auto;
  std::vector<std::string> openPanels;         // panelNames() entries open from the first frame
  std::string vulkanDevice;                    // for the performance overlay
  int arrowGrid = 0;                           // arrows on an n² lattice; 0: the scene's own (24²)
  std::function<void(ViewState&)> adjustView;  // applied to the initial view (CLI flags)
  // The Vulkan device's largest storage buffer: large scenes draw their particles from
  // tracks on the GPU (SceneFrameBuilder::useGpuTracks); 0 draws every frame on the CPU.
  std::size_t gpuTrackBytes = 0;
};

// Pixels of the frame, top-left origin.
struct PixelRect {
  float x = 0, y = 0, width = 0, height = 0;
};

struct CaptureRequest {
  std::string path;                 // empty: the next free rankflow-screenshot-NNN.png
  std::optional<PixelRect> region;  // one plot; none: the whole window (or `panel`)
  std::string panel;                // a panelNames() entry, resolved after ImGui::Render
};

struct FrameRequests {
  std::vector<CaptureRequest> captures;
  bool lectureChanged = false;  // the window goes full screen or back
};

// The Workbench is the panels' host: every tool window is reached through the registry and
// the Panel interface (app/ui/panel.h), never by name here.
class Workbench final : public PanelHost {
 public:
  Workbench(const WorkbenchOptions& options, UiFonts fonts);
  ~Workbench();
  Workbench(const Workbench&) = delete;
  Workbench& operator=(const Workbench&) = delete;

  // Before ImGui::NewFrame: swaps in finished background results, advances playback.
  void update(double dtSeconds);
  // Between ImGui::NewFrame and ImGui::Render: every panel, shortcuts, camera and hover.
  FrameRequests buildUi();
  // The scene layers for a target of this size; the lattice field and the heatmap are
  // re-evaluated only when what they show changed.
  const render::SceneDrawData& sceneDrawData(uint32_t width, uint32_t height);

  bool sceneIntegrated() const { return scene_.integrated(); }
  // A background job (integration, a panel's computation) is still running.
  bool busy() const;

  ViewState& view() override { return view_; }
  const ViewState& view() const { return view_; }
  const flows::FlowScene& scene() const override { return scene_; }
  const BackendSelection& backends() const override { return selection_; }
  const LatticeField& field() const override { return field_; }
  Panel* findPanel(const std::string& id) override;
  PerformanceReadout& readout() { return readout_; }

  // [SECTION] Panels by name: flow, window, control, performance, then the registry's
  // (panelRegistry()). "flow" is the scene without any panel, "window" everything.
  static std::vector<std::string> panelNames();
  // Throws InvalidArgument for an unknown name (listing the known ones).
  void openPanel(const std::string& name);
  // Keeps the panel's window in front of the others (a figure of one panel must not show
  // another window overlapping it).
  void setFrontPanel(const std::string& name) { frontPanel_ = name; }
  // Where the panel's window was drawn in the last frame (after ImGui::Render).
  std::optional<PixelRect> panelRect(const std::string& name) const;
  // The ImGui window title of a panelNames() entry ("" for "flow" and unknown names).
  static std::string panelWindowTitle(const std::string& name);

  // [SECTION] Scripting: the values the UI shows, and the controls, by name.
  // set: returns an empty string on success, else why it was refused (nothing changes).
  std::string setValue(const std::string& name, const std::string& value);
  std::optional<double> value(const std::string& name) const;
  // The names value() may answer ("fit.error.K": K a number, "panel.NAME": a panel's id).
  static std::vector<std::string> valueNames();
  // The names setValue() takes (a panel's family ends with '.': "adapters.").
  static std::vector<std::string> settableNames();
  // Whether a script may read / set the name: checked before the window opens.
  static bool knowsValue(const std::string& name);
  static bool knowsSetting(const std::string& name);

  void noteCapture(const std::string& path) { readout_.lastScreenshot = path; }
  // The UI scale (fonts and spacing, docs/cli.md "--ui-scale"). `set ui.scale S` asks for
  // another, as a monitor of another DPI does; the shell rebuilds the fonts at the scale it
  // takes from here and hands them back with setFonts.
  std::optional<float> takeUiScaleRequest() { return std::exchange(uiScaleRequest_, std::nullopt); }
  void setFonts(UiFonts fonts) { fonts_ = fonts; }
  float readoutUiScale() const { return fonts_.scale; }

  // Files dropped onto the window: the first panel whose PanelInfo::dropExtensions names the
  // first file's ending takes them all (and opens). "" when taken, else why not.
  std::string filesDropped(const std::vector<std::string>& paths);

  // Writes the data behind the flow view (particles with v, a, j as CSV and NPY, the arrow
  // lattice, the density lattice, a JSON summary) beside `prefix`; returns the paths.
  std::vector<std::string> exportView(const std::string& prefix) const;

 private:
  struct PendingSessionLoad;  // workbench.cpp
  struct PanelSlot {
    const PanelInfo* info;
    std::unique_ptr<Panel> panel;  // created on first open (or at start: createAtStart)
  };

  void applyShortcuts(FrameRequests& requests);
  void handleCamera();
  void hoverReadout();
  void drawLectureCaption();
  void drawPanels(bool overlays);
  void rebuildScene(const SceneChoice& choice);
  // Reads the session file now (a malformed one is refused: "" when started, else why) and
  // prepares its scene on the load lane: trajectory files are read and their metrics derived
  // there, so the window keeps drawing. A newer load supersedes one in flight.
  std::string startSessionLoad(const std::string& path);
  // Once the lane has prepared it: the session and its scene replace the current ones; a
  // failure (a bad trajectory file) changes nothing and its reason becomes the status.
  void finishSessionLoad();
  // Shows a prepared scene (integrating it in the background unless it comes integrated).
  void installScene(flows::FlowScene&& prepared);
  // Panels the registry opens at start get their flag when a view (a session's) lacks it.
  void applyPanelDefaults();
  Panel& ensurePanel(PanelSlot& slot);
  PanelSlot* slotFor(const std::string& id);
  // The open panel that presents in lecture mode (the Theory panel), if any.
  Panel* presenter();
  // The session as it would be saved now: the panels' parts from those that exist.
  Session currentSession() const;
  void applyLoadedSession(const Session& session);
  // A session without a camera (halfHeight 0) gets the scene's own framing.
  void frameSceneUnlessPlaced();

  BackendSelection selection_;
  UiFonts fonts_;
  std::optional<float> uiScaleRequest_;
  flows::FlowScene scene_;
  ViewState view_;
  std::unique_ptr<compute::FlowBackend> latticeBackend_;
  LatticeField field_;
  const LatticeField noField_{};  // what imported trajectories (no field) draw arrows from
  std::vector<float> particleShades_;
  FieldHeatmap heatmap_;
  DensityHeatmap density_;
  DataSketchPanel sketchPanel_;
  std::unique_ptr<SceneFrameBuilder> builder_;
  render::SceneDrawData drawData_;
  std::vector<Vec2f> hoverScratch_;
  ControlPanel controlPanel_;
  PerformancePanel performancePanel_;
  std::vector<PanelSlot> panels_;  // one per registry entry, in its order
  // The last session given or loaded: a panel created later restores its part from it.
  Session session_;
  PerformanceReadout readout_;
  BackgroundIntegration integration_;
  bool appliedLecture_ = false;
  int arrowGrid_ = 0;
  std::string frontPanel_;
  std::shared_ptr<PendingSessionLoad> pendingLoad_;  // the newest load, until finishSessionLoad takes it
  BackgroundLane loadLane_;                          // last: its task holds only the pending load
};

}  // namespace rankflow::app
