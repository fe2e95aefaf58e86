#include <cstdio>
#include <iostream>

#include "app/cli_error.h"
#include "app/command_line.h"
#include "app/commands/commands.h"
#include "app/commands/common_options.h"
#include "app/offscreen_render.h"
#include "app/scene_frame.h"
#include "render/image.h"

namespace rankflow::app {

int runRenderCommand(const std::vector<std::string>& args) {
  CommandLine cmd("render", "rankflow render --scene NAME --t T --width W --height H --out FILE.png",
                  "Draws a scene at time t offscreen (Vulkan, no window system: lavapipe works) and writes a PNG.",
                  {sceneOption(),
                   {"t", "T", "time in [0, 1]", "0.5"},
                   {"width", "W", "image width in pixels", "1600"},
                   {"height", "H", "image height in pixels", "900"},
                   {"out", "FILE.png", "where to write the picture (written atomically)", ""},
                   {"field", "velocity|acceleration|jerk", "the field the arrows (and heatmap) show", "velocity"},
                   {"lagrangian", "", "show the field's Lagrangian derivative along the ODE instead of u_k", ""},
                   {"heatmap", "", "draw |field| as a heatmap under the scene", ""},
                   backendOption(),
                   validationOption()});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const float t = static_cast<float>(cmd.number("t", 0.0, 1.0));
  const int width = cmd.integer("width", 16, 16384);
  const int height = cmd.integer("height", 16, 16384);
  const std::string out = cmd.text("out");
  if (out.empty()) cmd.fail("--out FILE.png is required");
  const bool validation = validationRequested(cmd);

  const std::string fieldName = cmd.text("field");
  int order = 0;
  if (fieldName == "velocity") order = 1;
  if (fieldName == "acceleration") order = 2;
  if (fieldName == "jerk") order = 3;
  if (order == 0) cmd.fail("--field must be velocity, acceleration or jerk, got '" + fieldName + "'");

  const BackendSelection selection = selectBackendFor(cmd);
  const flows::FlowScene scene = buildSceneFor(cmd, *selection.backend);
  ViewState view = initialViewState(scene, t);
  view.fieldOrder = order;
  view.fieldKind = cmd.has("lagrangian") ? flows::FieldKind::Lagrangian : flows::FieldKind::Marginal;
  view.showHeatmap = cmd.has("heatmap");
  const OffscreenRenderResult result = renderSceneOffscreen(scene, *selection.backend, view, static_cast<uint32_t>(width),
                                                            static_cast<uint32_t>(height), validation);
  render::writePngAtomic(out, result.image);
  std::printf("wrote %s (%dx%d, t = %.3f) on %s\n", out.c_str(), width, height, t, result.vulkanDevice.c_str());
  if (!result.validationMessages.empty()) {
    for (const auto& m : result.validationMessages) std::cerr << m << "\n";
    std::cerr << "rankflow render: " << result.validationMessages.size() << " Vulkan validation message(s)\n";
    return kExitValidation;
  }
  return kExitOk;
}

}  // namespace rankflow::app
