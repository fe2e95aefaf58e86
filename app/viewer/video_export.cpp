#include "app/viewer/video_export.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "app/viewer/scene_frame.h"
#include "app/viewer/units_text.h"
#include "app/viewer/video_encoder.h"
#include "core/common/error.h"
#include "render/offscreen_target.h"
#include "render/scene_renderer.h"
#include "render/vulkan_context.h"

namespace rankflow::app {
namespace {

double secondsSince(std::chrono::steady_clock::time_point begin) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

}  // namespace

int videoFrameCount(const VideoRequest& r) {
  if (!std::isfinite(r.t0) || r.t0 < 0.0 || r.t0 > 1.0)
    throw InvalidArgument("--t0 must lie in [0, 1], got " + shortNumber(r.t0));
  if (!std::isfinite(r.t1) || r.t1 < 0.0 || r.t1 > 1.0)
    throw InvalidArgument("--t1 must lie in [0, 1], got " + shortNumber(r.t1));
  if (r.t1 < r.t0)
    throw InvalidArgument("--t1 (" + shortNumber(r.t1) + ") must not be less than --t0 (" + shortNumber(r.t0) + ")");
  if (!std::isfinite(r.seconds) || r.seconds <= 0.0)
    throw InvalidArgument("--seconds must be a positive number, got " + shortNumber(r.seconds));
  if (!std::isfinite(r.fps) || r.fps <= 0.0 || r.fps > 240.0)
    throw InvalidArgument("--fps must lie in (0, 240], got " + shortNumber(r.fps));
  const double frames = std::round(r.seconds * r.fps);
  if (frames > kMaxVideoFrames)
    throw InvalidArgument("--seconds × --fps is " + shortNumber(frames) + " frames; at most " +
                          std::to_string(kMaxVideoFrames) + " (an hour at 60 fps)");
  if (r.crf < 0 || r.crf > 51) throw InvalidArgument("--crf must lie in [0, 51], got " + std::to_string(r.crf));
  constexpr std::array presets = {"ultrafast", "superfast", "veryfast", "faster",  "fast",
                                  "medium",    "slow",      "slower",   "veryslow"};
  if (std::find(presets.begin(), presets.end(), r.preset) == presets.end())
    throw InvalidArgument("--preset must be one of x264's (ultrafast … veryslow), got '" + r.preset + "'");
  if (r.width % 2 || r.height % 2)
    throw InvalidArgument("video size " + std::to_string(r.width) + "x" + std::to_string(r.height) +
                          ": H.264 needs an even width and height");
  return std::max(1, static_cast<int>(frames));
}

float videoFrameTime(const VideoRequest& r, int index, int frames) {
  if (frames <= 1) return static_cast<float>(r.t0);
  const double s = static_cast<double>(index) / static_cast<double>(frames - 1);
  return static_cast<float>(std::min(r.t1, r.t0 + (r.t1 - r.t0) * s));
}

VideoResult renderSceneVideo(const flows::FlowScene& scene, const compute::FlowBackend& backend, const ViewState& view,
                             const VideoRequest& request, const VideoProgressFn& progress) {
  const auto begin = std::chrono::steady_clock::now();
  const int frames = videoFrameCount(request);
  VideoResult result;
  render::VulkanInstance instance({false, {}});
  render::VulkanDevice device(instance, VK_NULL_HANDLE);
  result.vulkanDevice = device.info().name;
  render::OffscreenTarget target(device, request.width, request.height);
  render::SceneRenderer renderer(device, target.renderPass(), 1);
  SceneFrameBuilder builder(scene);
  builder.useGpuTracks(SceneFrameBuilder::kGpuTracksFrom, static_cast<std::size_t>(device.maxStorageBufferRange()));
  LatticeField field;
  FieldHeatmap heatmap;
  const float aspect = static_cast<float>(request.width) / static_cast<float>(request.height);

  VideoSettings settings;
  settings.path = request.path;
  settings.width = static_cast<int>(request.width);
  settings.height = static_cast<int>(request.height);
  settings.fps = request.fps;
  settings.crf = request.crf;
  settings.preset = request.preset;
  VideoEncoder encoder(settings);  // started before the first frame: a missing ffmpeg fails fast
  ViewState frameView = view;
  frameView.playing = false;
  for (int f = 0; f < frames; ++f) {
    const auto frameBegin = std::chrono::steady_clock::now();
    frameView.t = videoFrameTime(request, f, frames);
    if (scene.hasField()) field.update(backend, scene, frameView, aspect);
    if (frameView.showHeatmap && scene.hasField()) heatmap.update(scene, frameView, aspect);
    renderer.prepare(0, builder.build(frameView, field, static_cast<float>(request.height),
                                      frameView.showHeatmap && scene.hasField() ? &heatmap : nullptr));
    target.render(
        kSceneClearColor, [&](VkCommandBuffer cmd) { renderer.record(cmd, 0, target.extent()); }, true);
    render::RgbaImage image = target.image();
    result.renderSeconds += secondsSince(frameBegin);
    encoder.write(std::move(image.pixels));  // ffmpeg encodes it while the next frame renders
    result.frames = f + 1;
    if (progress && !progress(f + 1, frames)) {
      encoder.abandon();
      result.cancelled = true;
      vkDeviceWaitIdle(device.handle());
      result.seconds = secondsSince(begin);
      return result;
    }
  }
  encoder.finish();
  vkDeviceWaitIdle(device.handle());
  result.seconds = secondsSince(begin);
  return result;
}

}  // namespace rankflow::app
