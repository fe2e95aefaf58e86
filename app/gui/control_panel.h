#pragma once
#include "app/view_state.h"
#include "core/flows/flow_scene.h"

namespace rankflow::app {

struct ControlPanelActions {
  bool screenshot = false;
};

// The "Rankflow" panel: scene summary, the time scrubber with play/pause/step, and what
// to draw. Scrubbing only moves view.t: trajectories are read from the store.
class ControlPanel {
 public:
  // integrationProgress (0..1) is shown while the scene is still being integrated.
  ControlPanelActions draw(ViewState& view, const flows::FlowScene& scene, float referenceSpeed, float maxSpeed,
                           float integrationProgress);
};

// Where the control panel sits; the Xvfb test looks for its title bar there.
inline constexpr float kControlPanelX = 12.0f;
inline constexpr float kControlPanelY = 12.0f;
inline constexpr float kControlPanelWidth = 360.0f;

}  // namespace rankflow::app
