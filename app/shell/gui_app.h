#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/viewer/backend_selection.h"
#include "app/viewer/session.h"

namespace rankflow::app {

struct GuiOptions {
  std::string scene = "default";
  float t = 0.5f;
  int frames = 0;          // 0: run until the window closes
  std::string screenshot;  // written after the last frame when set
  int width = 1600;
  int height = 900;
  float uiScale = 0.0f;  // fonts and spacing; 0: the monitor's content scale (--ui-scale)
  BackendPreference backend = BackendPreference::Auto;
  bool validation = false;
  std::vector<std::string> openPanels;         // tool windows open from the first frame
  std::optional<Session> session;              // replaces scene, t and the open panels when set
  std::string script;                          // a --script file driving the window (gui_script.h)
  std::shared_ptr<flows::FlowScene> prepared;  // imported trajectories, in place of scene (moved from)
  std::function<void(ViewState&)> adjustView;  // applied to the initial view (CLI flags)
};

// Opens the window and runs the frame loop; returns the process exit code
// (kExitValidation when validation was on and reported anything, kExitFailure when a
// script's expectation failed).
int runGui(const GuiOptions& options);

}  // namespace rankflow::app
