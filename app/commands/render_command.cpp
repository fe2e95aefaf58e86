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

  const BackendSelection selection = selectBackendFor(cmd);
  const flows::FlowScene scene = buildSceneFor(cmd, *selection.backend);
  const OffscreenRenderResult result =
      renderSceneOffscreen(scene, *selection.backend, initialViewState(scene, t), static_cast<uint32_t>(width),
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
