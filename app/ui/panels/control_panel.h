#pragma once
#include <optional>
#include <string>

#include "app/viewer/session.h"
#include "app/viewer/view_state.h"
#include "core/flows/flow_scene.h"

namespace rankflow::flows {
struct ImportedTrajectories;
}

namespace rankflow::app {

struct ControlPanelActions {
  bool screenshot = false;
  bool resetView = false;
  bool exportView = false;                 // write the data behind the view (CSV, NPY, JSON)
  std::optional<SceneChoice> rebuild;      // set when the person applied a new scene choice
  std::optional<std::string> saveSession;  // a path to save the session to
  std::optional<std::string> loadSession;  // a path to load a session from
};

// What the colour legends under the "Show" section read.
struct ControlPanelLegends {
  float heatmapLow = 0.0f;  // |field| at the ends of the heatmap's colour scale
  float heatmapHigh = 0.0f;
  float densityLow = 0.0f;  // natural log p at the ends of the density's colour scale
  float densityHigh = 0.0f;
  bool densityComputing = false;
  float densityProgress = 0.0f;
  std::string densityError;
};

// The "Rankflow" panel: scene summary, the time scrubber with play/pause/step, and what
// to draw. Scrubbing only moves view.t: trajectories are read from the store.
class ControlPanel {
 public:
  // integrationProgress (0..1) is shown while the scene is still being integrated.
  // heatmapLow/High label the colour legend when the heatmap is on.
  ControlPanelActions draw(ViewState& view, const flows::FlowScene& scene, float referenceSpeed, float maxSpeed,
                           float integrationProgress, const ControlPanelLegends& legends = {});
  // The pickers start from the scene that is shown.
  void syncChoice(const flows::FlowScene& scene);
  const SceneChoice& choice() const { return choice_; }
  std::string exportPrefix() const { return exportPrefix_; }
  // Shown under the session buttons: where it was saved, or why loading failed.
  void setSessionStatus(std::string status) { sessionStatus_ = std::move(status); }

 private:
  void drawFlowLayers(ViewState& view, float referenceSpeed, float maxSpeed, const ControlPanelLegends& legends);
  void drawImported(ViewState& view, const flows::ImportedTrajectories& imported);
  SceneChoice choice_{};
  char sessionPath_[512] = "rankflow-session.json";
  char exportPrefix_[512] = "rankflow-view";
  std::string sessionStatus_;
};

// Where the control panel sits; the Xvfb test looks for its title bar there.
inline constexpr float kControlPanelX = 12.0f;
inline constexpr float kControlPanelY = 12.0f;
inline constexpr float kControlPanelWidth = 360.0f;

}  // namespace rankflow::app
