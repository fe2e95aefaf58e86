#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/viewer/view_state.h"
#include "core/compute/flow_backend.h"
#include "core/flows/flow_scene.h"
#include "render/image.h"

namespace rankflow::app {

struct OffscreenRenderResult {
  render::RgbaImage image;
  std::string vulkanDevice;
  std::vector<std::string> validationMessages;
};

// Draws the scene at view.t into an image with no window system (lavapipe works). Scenes of
// `gpuTracksFrom` particles or more draw their particles and trails from tracks on the GPU
// (SceneFrameBuilder::useGpuTracks); the default is the application's threshold.
OffscreenRenderResult renderSceneOffscreen(const flows::FlowScene& scene, const compute::FlowBackend& backend,
                                           const ViewState& view, uint32_t width, uint32_t height, bool validation,
                                           std::size_t gpuTracksFrom = 65536);

struct RenderBenchmark {
  std::string vulkanDevice;
  int frames = 0;
  double buildMsMedian = 0;           // CPU: draw data from the trajectory store
  double renderMsMedian = 0;          // upload + record + submit + wait, no readback
  double renderReadbackMsMedian = 0;  // the same plus copying the image to host memory
  // Render time of each layer alone (clear only, arrows, trails, particles + data), so a
  // slow frame can be attributed.
  std::vector<std::pair<std::string, double>> layerMsMedian;
};

// Renders `frames` frames of the scene (t sweeping 0 → 1) offscreen and times them.
RenderBenchmark benchmarkOffscreenRender(const flows::FlowScene& scene, const compute::FlowBackend& backend,
                                         uint32_t width, uint32_t height, int frames);

}  // namespace rankflow::app
