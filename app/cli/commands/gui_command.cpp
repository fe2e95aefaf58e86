#include <cstdio>
#include <iostream>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/shell/glfw_window.h"
#include "app/shell/gui_app.h"
#include "app/shell/gui_script.h"
#include "app/shell/offscreen_gui.h"
#include "app/ui/imgui_style.h"
#include "app/ui/panel.h"
#include "app/viewer/cli_error.h"
#include "app/viewer/offscreen_render.h"
#include "app/viewer/scene_frame.h"
#include "app/viewer/session.h"
#include "core/common/error.h"
#include "render/image.h"

namespace rankflow::app {
namespace {

constexpr const char* kSnapshotFile = "rankflow-snapshot.png";

// No window system: the newcomer still sees the application, as a picture: the same
// panels the window would show, drawn offscreen.
int writeHeadlessSnapshot(const GuiOptions& options) {
  std::printf(
      "No display: DISPLAY and WAYLAND_DISPLAY are unset, so no window can open.\n"
      "Drawing the window offscreen instead (Vulkan without a window system).\n");
  OffscreenGuiOptions offscreen;
  offscreen.workbench.scene = options.scene;
  offscreen.workbench.t = options.t;
  offscreen.workbench.session = options.session;
  offscreen.workbench.backend = options.backend;
  offscreen.workbench.openPanels = options.openPanels;
  offscreen.workbench.prepared = options.prepared;
  offscreen.workbench.adjustView = options.adjustView;
  offscreen.width = static_cast<uint32_t>(options.width);
  offscreen.height = static_cast<uint32_t>(options.height);
  offscreen.validation = options.validation;
  const OffscreenGuiResult result = renderPanelsOffscreen(offscreen, {{"window", kSnapshotFile}});
  const std::string scene = options.prepared  ? "trajectories"
                            : options.session ? options.session->scene.name
                                              : options.scene;
  const float t = options.session ? options.session->view.t : options.t;
  std::printf("wrote %s (%dx%d, scene '%s', t = %.2f) on %s\n", kSnapshotFile, options.width, options.height,
              scene.c_str(), t, result.vulkanDevice.c_str());
  std::printf("Open it in an image viewer, or run 'rankflow gui' where a display exists.\n");
  if (!result.validationMessages.empty()) {
    for (const auto& m : result.validationMessages) std::cerr << m << "\n";
    return kExitValidation;
  }
  return kExitOk;
}

}  // namespace

int runGuiCommand(const std::vector<std::string>& args) {
  std::vector<OptionSpec> specs = {
      sceneOption(),
      {"t", "T", "initial time in [0, 1]", "0.5"},
      {"frames", "N", "quit after N frames of the integrated scene (0: run until closed)", "0"},
      {"screenshot", "FILE.png", "save the window after the last frame (with --frames)", ""},
      {"width", "W", "window width", "1600"},
      {"height", "H", "window height", "900"},
      {"ui-scale", "S", "scale of fonts and spacing, 0.5 to 4 (default: the monitor's content scale, for HiDPI)", ""},
      {"open", "PANEL", "open a tool window at start: ranks, queries, cascade, theory (repeatable)", ""},
      {"script", "FILE", "drive the window from a script (docs/cli.md): set, key, wait, screenshot, expect", ""},
      {"session", "FILE.json", "open a saved session (scene, time, camera, layers, panels)", ""},
      backendOption(),
      validationOption()};
  for (auto& option : trajectoryOptions()) specs.push_back(option);
  CommandLine cmd("gui",
                  "rankflow [gui] [--scene NAME | --trajectories T.npy] [--t T] [--frames N] [--screenshot FILE.png]",
                  "Opens the Rankflow window on a scene, or on trajectories of your own model (--trajectories: "
                  "D > 2 drawn in their PCA plane, metrics in all D). With no display (DISPLAY and WAYLAND_DISPLAY "
                  "unset) it says so and writes rankflow-snapshot.png of the scene instead.",
                  specs);
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  GuiOptions options;
  options.scene = cmd.text("scene");
  options.t = static_cast<float>(cmd.number("t", 0.0, 1.0));
  options.frames = cmd.integer("frames", 0, 100'000'000);
  if (cmd.has("session")) {
    try {
      options.session = loadSession(cmd.text("session"));
      for (const auto& warning : options.session->warnings) std::fprintf(stderr, "warning: %s\n", warning.c_str());
    } catch (const InvalidArgument& e) {
      cmd.fail(e.what());
    }
  }
  for (const auto& panel : cmd.all("open")) {
    if (!findPanelInfo(panel)) {
      std::string ids;
      for (const PanelInfo& info : panelRegistry()) ids += (ids.empty() ? "" : ", ") + std::string(info.id);
      cmd.fail("--open takes one of " + ids + ", got '" + panel + "'");
    }
    options.openPanels.push_back(panel);
  }
  options.script = cmd.text("script");
  if (!options.script.empty()) {
    try {
      GuiScript::load(options.script);  // a malformed script fails before any window opens
    } catch (const InvalidArgument& e) {
      cmd.fail(e.what());
    }
  }
  options.screenshot = cmd.text("screenshot");
  options.width = cmd.integer("width", 64, 16384);
  options.height = cmd.integer("height", 64, 16384);
  if (cmd.has("ui-scale")) options.uiScale = static_cast<float>(cmd.number("ui-scale", kMinUiScale, kMaxUiScale));
  options.validation = validationRequested(cmd);
  if (!options.screenshot.empty() && options.frames == 0) cmd.fail("--screenshot needs --frames N");
  options.backend = backendPreferenceFor(cmd);
  requireKnownScene(cmd);
  if (cmd.has("trajectories") && options.session)
    cmd.fail("--trajectories and --session both name the scene: give one");
  options.prepared = importedSceneFor(cmd);
  if (options.prepared) {
    const ParticleColour colour = particleColourFor(cmd);
    options.adjustView = [colour](ViewState& view) { view.particleColour = colour; };
  }

  if (!displayAvailable()) {
    if (!options.script.empty()) cmd.fail("--script needs a display (run it under xvfb-run)");
    return writeHeadlessSnapshot(options);
  }
  return runGui(options);
}

}  // namespace rankflow::app
