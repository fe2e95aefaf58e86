#include <cstdio>
#include <iostream>

#include "app/cli_error.h"
#include "app/command_line.h"
#include "app/commands/commands.h"
#include "app/commands/common_options.h"
#include "app/gui/glfw_window.h"
#include "app/gui/gui_app.h"
#include "app/session.h"
#include "core/common/error.h"
#include "app/offscreen_render.h"
#include "app/scene_frame.h"
#include "render/image.h"

namespace rankflow::app {
namespace {

constexpr const char* kSnapshotFile = "rankflow-snapshot.png";

// No window system: the newcomer still sees the scene, as a picture.
int writeHeadlessSnapshot(const CommandLine& cmd, const GuiOptions& options) {
  std::printf(
      "No display: DISPLAY and WAYLAND_DISPLAY are unset, so no window can open.\n"
      "Rendering the scene offscreen instead (Vulkan without a window system).\n");
  const BackendSelection selection = selectBackendFor(cmd);
  flows::FlowScene scene;
  ViewState view;
  if (options.session) {
    // The session's scene and view, so the picture is what the window would show.
    scene = prepareSessionScene(options.session->scene);
    flows::integrateScene(scene, *selection.backend);
    view = options.session->view;
  } else {
    scene = buildSceneFor(cmd, *selection.backend);
    view = initialViewState(scene, options.t);
  }
  const int width = options.width, height = options.height;
  const float t = view.t;
  const OffscreenRenderResult result = renderSceneOffscreen(scene, *selection.backend, view, static_cast<uint32_t>(width),
                                                            static_cast<uint32_t>(height), options.validation);
  render::writePngAtomic(kSnapshotFile, result.image);
  std::printf("wrote %s (%dx%d, t = %.2f) on %s\n", kSnapshotFile, width, height, t, result.vulkanDevice.c_str());
  std::printf("Open it in an image viewer, or run 'rankflow gui' where a display exists.\n");
  if (!result.validationMessages.empty()) {
    for (const auto& m : result.validationMessages) std::cerr << m << "\n";
    return kExitValidation;
  }
  return kExitOk;
}

}  // namespace

int runGuiCommand(const std::vector<std::string>& args) {
  CommandLine cmd("gui", "rankflow [gui] [--scene NAME] [--t T] [--frames N] [--screenshot FILE.png]",
                  "Opens the Rankflow window on a scene. With no display (DISPLAY and WAYLAND_DISPLAY unset) it says "
                  "so and writes rankflow-snapshot.png of the scene instead.",
                  {sceneOption(),
                   {"t", "T", "initial time in [0, 1]", "0.5"},
                   {"frames", "N", "quit after N frames of the integrated scene (0: run until closed)", "0"},
                   {"screenshot", "FILE.png", "save the window after the last frame (with --frames)", ""},
                   {"width", "W", "window width", "1600"},
                   {"height", "H", "window height", "900"},
                   {"open", "PANEL", "open a tool window at start: ranks or queries (repeatable)", ""},
                   {"session", "FILE.json", "open a saved session (scene, time, camera, layers, panels)", ""},
                   backendOption(),
                   validationOption()});
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
    } catch (const InvalidArgument& e) {
      cmd.fail(e.what());
    }
  }
  for (const auto& panel : cmd.all("open")) {
    if (panel == "ranks") {
      options.openRanks = true;
    } else if (panel == "queries") {
      options.openQueries = true;
    } else {
      cmd.fail("--open takes ranks or queries, got '" + panel + "'");
    }
  }
  options.screenshot = cmd.text("screenshot");
  options.width = cmd.integer("width", 64, 16384);
  options.height = cmd.integer("height", 64, 16384);
  options.validation = validationRequested(cmd);
  if (!options.screenshot.empty() && options.frames == 0) cmd.fail("--screenshot needs --frames N");
  options.backend = backendPreferenceFor(cmd);
  requireKnownScene(cmd);

  if (!displayAvailable())
    return writeHeadlessSnapshot(cmd, options);
  return runGui(options);
}

}  // namespace rankflow::app
