#include "app/viewer/offscreen_render.h"

#include <algorithm>
#include <chrono>

#include "app/viewer/scene_frame.h"
#include "render/offscreen_target.h"
#include "render/scene_renderer.h"
#include "render/vulkan_context.h"

namespace rankflow::app {
namespace {

double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double msSince(std::chrono::steady_clock::time_point begin) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
}

}  // namespace

OffscreenRenderResult renderSceneOffscreen(const flows::FlowScene& scene, const compute::FlowBackend& backend,
                                           const ViewState& view, uint32_t width, uint32_t height, bool validation,
                                           std::size_t gpuTracksFrom) {
  OffscreenRenderResult result;
  render::VulkanInstance instance({validation, {}});
  {
    render::VulkanDevice device(instance, VK_NULL_HANDLE);
    result.vulkanDevice = device.info().name;
    render::OffscreenTarget target(device, width, height);
    render::SceneRenderer renderer(device, target.renderPass(), 1);

    const float aspect = static_cast<float>(width) / static_cast<float>(height);
    LatticeField field;
    field.update(backend, scene, view, aspect);
    FieldHeatmap heatmap;
    if (view.showHeatmap) heatmap.update(scene, view, aspect);
    SceneFrameBuilder builder(scene);
    builder.useGpuTracks(gpuTracksFrom, static_cast<std::size_t>(device.maxStorageBufferRange()));
    renderer.prepare(0, builder.build(view, field, static_cast<float>(height), &heatmap));
    target.render(
        kSceneClearColor, [&](VkCommandBuffer cmd) { renderer.record(cmd, 0, target.extent()); }, true);
    result.image = target.image();
  }
  // Read after the device is gone, so teardown (leaked objects, destroying in-use ones)
  // is validated too.
  result.validationMessages = instance.validationLog().messages();
  return result;
}

RenderBenchmark benchmarkOffscreenRender(const flows::FlowScene& scene, const compute::FlowBackend& backend,
                                         uint32_t width, uint32_t height, int frames) {
  RenderBenchmark bench;
  bench.frames = frames;
  render::VulkanInstance instance({false, {}});
  render::VulkanDevice device(instance, VK_NULL_HANDLE);
  bench.vulkanDevice = device.info().name;
  render::OffscreenTarget target(device, width, height);
  render::SceneRenderer renderer(device, target.renderPass(), 1);
  SceneFrameBuilder builder(scene);
  LatticeField field;
  ViewState view = initialViewState(scene, 0.0f);
  const float aspect = static_cast<float>(width) / static_cast<float>(height);

  const auto timeFrames = [&](const ViewState& shown, bool readBack, std::vector<double>* buildTimes) {
    std::vector<double> times;
    ViewState frameView = shown;
    for (int f = 0; f < frames; ++f) {
      frameView.t = static_cast<float>(f) / static_cast<float>(std::max(1, frames - 1));
      field.update(backend, scene, frameView, aspect);
      auto begin = std::chrono::steady_clock::now();
      const render::SceneDrawData data = builder.build(frameView, field, static_cast<float>(height));
      if (buildTimes) buildTimes->push_back(msSince(begin));
      begin = std::chrono::steady_clock::now();
      renderer.prepare(0, data);
      target.render(
          kSceneClearColor, [&](VkCommandBuffer cmd) { renderer.record(cmd, 0, target.extent()); }, readBack);
      times.push_back(msSince(begin));
    }
    return median(std::move(times));
  };

  std::vector<double> build;
  timeFrames(view, false, nullptr);  // warm-up: buffers reach their final sizes
  bench.renderMsMedian = timeFrames(view, false, &build);
  bench.renderReadbackMsMedian = timeFrames(view, true, nullptr);
  ViewState none = view;
  none.showArrows = none.showTrails = none.showParticles = none.showData = false;
  ViewState arrows = none, trails = none, points = none;
  arrows.showArrows = true;
  trails.showTrails = true;
  points.showParticles = points.showData = true;
  for (const auto& [name, layer] : {std::pair{"clear only", none}, std::pair{"arrows", arrows},
                                    std::pair{"trails", trails}, std::pair{"particles + data", points}})
    bench.layerMsMedian.emplace_back(name, timeFrames(layer, false, nullptr));
  bench.buildMsMedian = median(build);
  return bench;
}

}  // namespace rankflow::app
