#include <algorithm>
#include <cstdio>
#include <functional>
#include <iostream>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/shell/offscreen_gui.h"
#include "app/ui/workbench.h"
#include "app/viewer/cli_error.h"
#include "app/viewer/offscreen_render.h"
#include "app/viewer/scene_frame.h"
#include "app/viewer/session.h"
#include "app/viewer/video_encoder.h"
#include "app/viewer/video_export.h"
#include "core/common/error.h"
#include "core/io/npy.h"
#include "render/image.h"

namespace rankflow::app {

int runRenderCommand(const std::vector<std::string>& args) {
  std::vector<OptionSpec> specs = {
      sceneOption(),
      {"t", "T", "time in [0, 1]", "0.5"},
      {"width", "W", "image width in pixels", "1600"},
      {"height", "H", "image height in pixels", "900"},
      {"out", "FILE.png", "where to write the picture (written atomically); FILE.npy: (H, W, 4) uint8 pixels", ""},
      {"field", "velocity|acceleration|jerk", "the field the arrows (and heatmap) show", "velocity"},
      {"lagrangian", "", "show the field's Lagrangian derivative along the ODE instead of u_k", ""},
      {"heatmap", "", "draw |field| as a heatmap under the scene", ""},
      {"session", "FILE.json", "the scene, time, view and open panels of a saved session", ""},
      {"panel", "NAME", "draw this panel of the application (waits for its computations)", ""},
      {"scale", "N", "supersample: N x the pixels, UI and fonts rasterised at N x (1, 2 or 4)", "1"},
      {"svg", "FILE.svg", "with --panel: write the panel's charts as vector SVG (written atomically)", ""},
      {"video", "FILE.mp4", "write an H.264 clip (ffmpeg; RANKFLOW_FFMPEG names another program) as t goes t0 -> t1",
       ""},
      {"t0", "A", "--video: the first frame's time", "0"},
      {"t1", "B", "--video: the last frame's time", "1"},
      {"seconds", "S", "--video: length; seconds x fps frames", "10"},
      {"fps", "F", "--video: frames per second", "30"},
      {"crf", "Q", "--video: x264 quality (0 lossless .. 51; 18 looks lossless here)", "18"},
      {"preset", "P", "--video: x264 speed preset (ultrafast .. veryslow)", "ultrafast"},
      backendOption(),
      validationOption()};
  for (auto& option : trajectoryOptions()) specs.push_back(option);
  CommandLine cmd(
      "render",
      "rankflow render [--scene NAME --t T | --session F.json | --trajectories T.npy] [--panel NAME] "
      "--width W --height H [--scale N] --out FILE.png | --svg FILE.svg | --video FILE.mp4 --t0 A --t1 B "
      "--seconds S --fps F",
      "Draws a scene at time t offscreen (Vulkan, no window system: lavapipe works) and writes a PNG. With "
      "--panel, draws the application as the window would and writes that panel alone: a figure for a "
      "slide or a paper in one command. Panels: flow (the scene without panels), window (everything), "
      "control, timeline, performance, ranks, queries, cascade, theory, help. --video renders a clip through "
      "ffmpeg instead of one picture; --svg writes the panel's charts as vectors.",
      specs);
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const float t = static_cast<float>(cmd.number("t", 0.0, 1.0));
  const int width = cmd.integer("width", 16, 16384);
  const int height = cmd.integer("height", 16, 16384);
  const int scale = cmd.integer("scale", 1, 4);
  if (scale == 3) cmd.fail("--scale must be 1, 2 or 4, got 3");
  if (static_cast<long long>(width) * scale > 16384 || static_cast<long long>(height) * scale > 16384)
    cmd.fail("--width and --height times --scale must be at most 16384 pixels");
  const std::string requestedOut = cmd.text("out");
  const std::string svgOut = cmd.text("svg");
  const std::string videoOut = cmd.text("video");
  if (requestedOut.empty() && svgOut.empty() && videoOut.empty())
    cmd.fail("--out FILE.png, --svg FILE.svg or --video FILE.mp4 is required");
  if (!videoOut.empty() && (!requestedOut.empty() || !svgOut.empty()))
    cmd.fail("--video writes a clip: give it without --out and --svg");
  if (!svgOut.empty() && !cmd.has("panel")) cmd.fail("--svg writes a panel's charts: name the panel with --panel");
  VideoRequest video;
  if (!videoOut.empty()) {
    video.path = videoOut;
    video.t0 = cmd.number("t0", -1e300, 1e300);
    video.t1 = cmd.number("t1", -1e300, 1e300);
    video.seconds = cmd.number("seconds", -1e300, 1e300);
    video.fps = cmd.number("fps", -1e300, 1e300);
    video.crf = cmd.integer("crf", 0, 51);
    video.preset = cmd.text("preset");
    video.width = static_cast<uint32_t>(width * scale);
    video.height = static_cast<uint32_t>(height * scale);
    try {
      videoFrameCount(video);
    } catch (const InvalidArgument& e) {
      cmd.fail(e.what());
    }
  }
  const auto recordVideo = [&](const std::function<void()>& record) {
    try {
      record();
    } catch (const VideoError& e) {
      throw CliError(std::string("render: ") + e.what());
    }
  };
  // FILE.npy: the pixels as a (H, W, 4) uint8 array (what rankflow.render returns in Python),
  // through a PNG beside it.
  const bool asArray = requestedOut.size() > 4 && requestedOut.compare(requestedOut.size() - 4, 4, ".npy") == 0;
  const std::string out = asArray ? requestedOut + ".tmp.png" : requestedOut;
  const auto finish = [&]() {
    if (!asArray) return;
    render::RgbaImage image;
    try {
      image = render::readPng(out);
    } catch (...) {
      std::remove(out.c_str());  // the temporary never stays behind
      throw;
    }
    std::remove(out.c_str());
    io::writeNpyBytes(requestedOut, {image.height, image.width, 4}, std::span<const std::uint8_t>(image.pixels));
  };
  const bool validation = validationRequested(cmd);

  const std::string fieldName = cmd.text("field");
  int order = 0;
  if (fieldName == "velocity") order = 1;
  if (fieldName == "acceleration") order = 2;
  if (fieldName == "jerk") order = 3;
  if (order == 0) cmd.fail("--field must be velocity, acceleration or jerk, got '" + fieldName + "'");

  trajectoryFilesFor(cmd);  // --times, --velocities, --labels and --colour-by need --trajectories
  if (cmd.has("trajectories") && cmd.has("session"))
    cmd.fail("--trajectories and --session both name the scene: give one");
  if (cmd.has("panel") || cmd.has("session") || cmd.has("trajectories")) {
    OffscreenGuiOptions options;
    options.width = static_cast<uint32_t>(width);
    options.height = static_cast<uint32_t>(height);
    options.validation = validation;
    options.scale = scale;
    options.workbench.backend = backendPreferenceFor(cmd);
    if (cmd.has("session")) {
      try {
        options.workbench.session = loadSession(cmd.text("session"));
        for (const auto& warning : options.workbench.session->warnings)
          std::fprintf(stderr, "warning: %s\n", warning.c_str());
      } catch (const InvalidArgument& e) {
        cmd.fail(e.what());
      }
    } else if (cmd.has("trajectories")) {
      options.workbench.prepared = importedSceneFor(cmd);
      options.workbench.t = t;
      const ParticleColour colour = particleColourFor(cmd);
      options.workbench.adjustView = [colour](ViewState& view) { view.particleColour = colour; };
    } else {
      requireKnownScene(cmd);
      options.workbench.scene = cmd.text("scene");
      options.workbench.t = t;
      const bool lagrangian = cmd.has("lagrangian"), heatmap = cmd.has("heatmap");
      options.workbench.adjustView = [order, lagrangian, heatmap](ViewState& view) {
        view.fieldOrder = order;
        view.fieldKind = lagrangian ? flows::FieldKind::Lagrangian : flows::FieldKind::Marginal;
        view.showHeatmap = heatmap;
      };
    }
    const std::string panel = cmd.has("panel") ? cmd.text("panel") : "flow";
    const auto names = Workbench::panelNames();
    if (std::find(names.begin(), names.end(), panel) == names.end()) {
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      cmd.fail("--panel: unknown panel '" + panel + "' (known: " + known + ")");
    }
    if (!svgOut.empty() && Workbench::panelWindowTitle(panel).empty())
      cmd.fail("--svg needs a panel with charts (timeline, ranks, queries, cascade, theory, adapters), got '" + panel +
               "'");
    OffscreenGuiResult result;
    if (!videoOut.empty()) {
      recordVideo([&] { result = renderPanelVideoOffscreen(options, panel, video); });
      std::printf("wrote %s (panel %s, %d frames of %dx%d, t %g -> %g, %g fps) on %s\n", videoOut.c_str(),
                  panel.c_str(), result.videoFrames, result.videoWidth, result.videoHeight, video.t0, video.t1,
                  video.fps, result.vulkanDevice.c_str());
    } else {
      result = renderPanelsOffscreen(options, {{panel, out, svgOut}});
      finish();
      if (!requestedOut.empty())
        std::printf("wrote %s (panel %s, %d frames) on %s\n", requestedOut.c_str(), panel.c_str(), result.frames,
                    result.vulkanDevice.c_str());
      if (!svgOut.empty())
        std::printf("wrote %s (panel %s, %d chart%s as SVG)\n", svgOut.c_str(), panel.c_str(), result.svgCharts,
                    result.svgCharts == 1 ? "" : "s");
    }
    if (result.timedOut) std::fprintf(stderr, "warning: a background computation was still running\n");
    if (!result.validationMessages.empty()) {
      for (const auto& m : result.validationMessages) std::cerr << m << "\n";
      std::cerr << "rankflow render: " << result.validationMessages.size() << " Vulkan validation message(s)\n";
      return kExitValidation;
    }
    return kExitOk;
  }

  const BackendSelection selection = selectBackendFor(cmd);
  const flows::FlowScene scene = buildSceneFor(cmd, *selection.backend);
  ViewState view = initialViewState(scene, t);
  view.fieldOrder = order;
  view.fieldKind = cmd.has("lagrangian") ? flows::FieldKind::Lagrangian : flows::FieldKind::Marginal;
  view.showHeatmap = cmd.has("heatmap");
  if (!videoOut.empty()) {
    VideoResult clip;
    recordVideo([&] { clip = renderSceneVideo(scene, *selection.backend, view, video); });
    std::printf("wrote %s (%d frames of %ux%u, t %g -> %g, %g fps) in %.1f s (rendering %.1f s) on %s\n",
                videoOut.c_str(), clip.frames, video.width, video.height, video.t0, video.t1, video.fps, clip.seconds,
                clip.renderSeconds, clip.vulkanDevice.c_str());
    return kExitOk;
  }
  const OffscreenRenderResult result =
      renderSceneOffscreen(scene, *selection.backend, view, static_cast<uint32_t>(width * scale),
                           static_cast<uint32_t>(height * scale), validation);
  render::writePngAtomic(out, result.image);
  finish();
  std::printf("wrote %s (%dx%d, t = %.3f) on %s\n", requestedOut.c_str(), width * scale, height * scale, t,
              result.vulkanDevice.c_str());
  if (!result.validationMessages.empty()) {
    for (const auto& m : result.validationMessages) std::cerr << m << "\n";
    std::cerr << "rankflow render: " << result.validationMessages.size() << " Vulkan validation message(s)\n";
    return kExitValidation;
  }
  return kExitOk;
}

}  // namespace rankflow::app
