#include "app/shell/offscreen_gui.h"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cstdio>
#include <thread>

#include "app/shell/frame_capture.h"
#include "app/ui/widgets/chart_svg.h"
#include "app/ui/widgets/plot_capture.h"
#include "app/viewer/scene_frame.h"
#include "app/viewer/video_encoder.h"
#include "core/common/error.h"
#include "render/image.h"
#include "render/imgui_renderer.h"
#include "render/offscreen_target.h"
#include "render/scene_renderer.h"
#include "render/vulkan_context.h"

namespace rankflow::app {
namespace {

// An ImGui context with no platform backend: the display size, time step and key map are
// set here as the GLFW backend would (scripts press keys by their GLFW codes).
class HeadlessImGui {
 public:
  // `scale` > 1 supersamples (`render --scale N`): ImGui lays out width × height points, the
  // target has scale × as many pixels per side, and the fonts are rasterised at scale × their
  // size (drawn at 1/scale), so text is as crisp as the geometry rather than stretched.
  HeadlessImGui(uint32_t width, uint32_t height, int scale) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    fonts_ = setUpImGuiStyle();
    ImGuiIO& io = ImGui::GetIO();
    if (scale > 1) {
      // Before the renderer builds the atlas: each font is rasterised at its scaled size.
      for (ImFontConfig& config : io.Fonts->ConfigData) {
        config.SizePixels *= static_cast<float>(scale);
        config.GlyphOffset.x *= static_cast<float>(scale);
        config.GlyphOffset.y *= static_cast<float>(scale);
      }
      io.FontGlobalScale = 1.0f / static_cast<float>(scale);
    }
    io.DisplayFramebufferScale = {static_cast<float>(scale), static_cast<float>(scale)};
    io.DisplaySize = {static_cast<float>(width), static_cast<float>(height)};
    io.DeltaTime = 1.0f / 60.0f;
    io.MousePos = {-FLT_MAX, -FLT_MAX};  // no cursor: no hover tooltips in figures
    const std::pair<ImGuiKey, int> keys[] = {{ImGuiKey_Tab, GLFW_KEY_TAB},
                                             {ImGuiKey_LeftArrow, GLFW_KEY_LEFT},
                                             {ImGuiKey_RightArrow, GLFW_KEY_RIGHT},
                                             {ImGuiKey_UpArrow, GLFW_KEY_UP},
                                             {ImGuiKey_DownArrow, GLFW_KEY_DOWN},
                                             {ImGuiKey_Home, GLFW_KEY_HOME},
                                             {ImGuiKey_End, GLFW_KEY_END},
                                             {ImGuiKey_Space, GLFW_KEY_SPACE},
                                             {ImGuiKey_Enter, GLFW_KEY_ENTER},
                                             {ImGuiKey_Escape, GLFW_KEY_ESCAPE},
                                             {ImGuiKey_Backspace, GLFW_KEY_BACKSPACE}};
    for (const auto& [imguiKey, glfwKey] : keys) io.KeyMap[imguiKey] = glfwKey;
  }
  ~HeadlessImGui() { ImGui::DestroyContext(); }
  HeadlessImGui(const HeadlessImGui&) = delete;
  HeadlessImGui& operator=(const HeadlessImGui&) = delete;
  const UiFonts& fonts() const { return fonts_; }

 private:
  UiFonts fonts_;
};

// Everything one offscreen frame needs, in construction order (destroyed in reverse).
struct OffscreenStack {
  // The instance outlives the stack, so validation also sees the teardown.
  OffscreenStack(const render::VulkanInstance& instance, uint32_t width, uint32_t height, int scale = 1)
      : device(instance, VK_NULL_HANDLE),
        target(device, width * static_cast<uint32_t>(scale), height * static_cast<uint32_t>(scale)),
        imgui(width, height, scale),
        imguiRenderer(instance, device, target.renderPass(), 2, 2),
        sceneRenderer(device, target.renderPass(), 1) {}

  // One frame of the workbench; returns the image when readBack. `withUi` false draws the
  // scene alone (the "flow" figure).
  std::optional<render::RgbaImage> frame(Workbench& workbench, bool readBack, bool withUi = true) {
    workbench.update(1.0 / 60.0);
    imguiRenderer.newFrame();
    ImGui::NewFrame();
    workbench.buildUi();
    ImGui::Render();
    const VkExtent2D extent = target.extent();
    sceneRenderer.prepare(0, workbench.sceneDrawData(extent.width, extent.height));
    target.render(
        kSceneClearColor,
        [&](VkCommandBuffer cmd) {
          sceneRenderer.record(cmd, 0, extent);
          if (withUi) imguiRenderer.record(cmd);
        },
        readBack);
    if (!readBack) return std::nullopt;
    return target.image();
  }

  render::VulkanDevice device;
  render::OffscreenTarget target;
  HeadlessImGui imgui;
  render::ImGuiRenderer imguiRenderer;
  render::SceneRenderer sceneRenderer;
};

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1))];
}

double msSince(std::chrono::steady_clock::time_point begin) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
}

}  // namespace

namespace {

// Runs frames until the scene is integrated and no panel computes for several frames in a
// row (auto-sized windows settle over a few), or the deadline passes. Background jobs run on
// their own threads; the frames only poll them.
void settle(OffscreenStack& stack, Workbench& workbench, double timeoutSeconds, int idleNeeded,
            OffscreenGuiResult& result) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeoutSeconds);
  int idleFrames = 0;
  while (idleFrames < idleNeeded) {
    stack.frame(workbench, false);
    ++result.frames;
    idleFrames = workbench.sceneIntegrated() && !workbench.busy() ? idleFrames + 1 : 0;
    if (std::chrono::steady_clock::now() > deadline) {
      result.timedOut = true;
      break;
    }
    if (idleFrames == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void requireKnownPanels(const std::vector<std::string>& panels) {
  const auto names = Workbench::panelNames();
  for (const auto& panel : panels)
    if (std::find(names.begin(), names.end(), panel) == names.end())
      throw InvalidArgument("unknown panel '" + panel + "'");
}

// Figures and videos show no PNG buttons; shown again however the drawing ends.
struct CaptureButtonsHidden {
  CaptureButtonsHidden() { setPlotCaptureButtonsHidden(true); }
  ~CaptureButtonsHidden() { setPlotCaptureButtonsHidden(false); }
  CaptureButtonsHidden(const CaptureButtonsHidden&) = delete;
  CaptureButtonsHidden& operator=(const CaptureButtonsHidden&) = delete;
};

// The workbench of a figure or a video drawn on `stack`, with `panels` open.
WorkbenchOptions figureWorkbenchOptions(const OffscreenGuiOptions& options, const OffscreenStack& stack,
                                        const std::vector<std::string>& panels, OffscreenGuiResult& result) {
  result.vulkanDevice = stack.device.info().name;
  WorkbenchOptions workbenchOptions = options.workbench;
  workbenchOptions.vulkanDevice = result.vulkanDevice;
  workbenchOptions.gpuTrackBytes = static_cast<std::size_t>(stack.device.maxStorageBufferRange());
  for (const auto& panel : panels)
    if (panel != "flow" && panel != "window") workbenchOptions.openPanels.push_back(panel);
  return workbenchOptions;
}

// The panel's rectangle in target pixels ("flow" and "window": the whole target).
std::optional<PixelRect> figureRegion(const Workbench& workbench, const std::string& panel, int scale) {
  if (panel == "flow" || panel == "window") return std::nullopt;
  auto rect = workbench.panelRect(panel);
  if (!rect) return std::nullopt;
  const auto s = static_cast<float>(scale);
  return PixelRect{rect->x * s, rect->y * s, rect->width * s, rect->height * s};
}

}  // namespace

OffscreenGuiResult renderPanelsOffscreen(const OffscreenGuiOptions& options, const std::vector<PanelFigure>& figures) {
  std::vector<std::string> panels;
  for (const auto& f : figures) panels.push_back(f.panel);
  requireKnownPanels(panels);
  OffscreenGuiResult result;
  const CaptureButtonsHidden hidden;
  render::VulkanInstance instance({options.validation, {}});
  {
    OffscreenStack stack(instance, options.width, options.height, options.scale);
    Workbench workbench(figureWorkbenchOptions(options, stack, panels, result), stack.imgui.fonts());
    settle(stack, workbench, options.idleTimeoutSeconds, 4, result);
    for (const auto& f : figures) {
      // Two frames with the panel in front: ImGui reorders windows on the frame after.
      workbench.setFrontPanel(f.panel);
      stack.frame(workbench, false, f.panel != "flow");
      if (!f.svgPath.empty()) startChartRecording();
      const auto image = stack.frame(workbench, true, f.panel != "flow");
      ++result.frames;
      if (!f.svgPath.empty()) {
        const ChartRecording recording = stopChartRecording();
        result.svgCharts = writeChartsSvg(recording, workbench.panelWindowTitle(f.panel), f.svgPath);
        result.written.push_back(f.svgPath);
      }
      if (f.path.empty()) continue;
      CaptureRequest request;
      request.path = f.path;
      request.panel = options.scale > 1 ? "" : f.panel;
      if (options.scale > 1) request.region = figureRegion(workbench, f.panel, options.scale);
      writeCapture(workbench, request, *image);
      result.written.push_back(f.path);
    }
    vkDeviceWaitIdle(stack.device.handle());
  }
  result.validationMessages = instance.validationLog().messages();
  return result;
}

OffscreenGuiResult renderPanelVideoOffscreen(const OffscreenGuiOptions& options, const std::string& panel,
                                             const VideoRequest& request, const VideoProgressFn& progress) {
  requireKnownPanels({panel});
  const int frames = videoFrameCount(request);
  OffscreenGuiResult result;
  const CaptureButtonsHidden hidden;
  render::VulkanInstance instance({options.validation, {}});
  {
    OffscreenStack stack(instance, options.width, options.height, options.scale);
    Workbench workbench(figureWorkbenchOptions(options, stack, {panel}, result), stack.imgui.fonts());
    workbench.view().playing = false;
    workbench.view().t = videoFrameTime(request, 0, frames);
    settle(stack, workbench, options.idleTimeoutSeconds, 4, result);
    workbench.setFrontPanel(panel);
    stack.frame(workbench, false, panel != "flow");
    // The panel's rectangle of the first frame, even-sized for H.264, for every frame.
    const VkExtent2D extent = stack.target.extent();
    int x = 0, y = 0, w = static_cast<int>(extent.width), h = static_cast<int>(extent.height);
    if (const auto region = figureRegion(workbench, panel, options.scale)) {
      x = std::clamp(static_cast<int>(region->x), 0, w - 2);
      y = std::clamp(static_cast<int>(region->y), 0, h - 2);
      w = std::min(static_cast<int>(region->width), w - x);
      h = std::min(static_cast<int>(region->height), h - y);
    }
    w &= ~1;
    h &= ~1;
    VideoSettings settings;
    settings.path = request.path;
    settings.width = w;
    settings.height = h;
    settings.fps = request.fps;
    settings.crf = request.crf;
    settings.preset = request.preset;
    VideoEncoder encoder(settings);
    for (int f = 0; f < frames; ++f) {
      workbench.view().t = videoFrameTime(request, f, frames);
      settle(stack, workbench, options.idleTimeoutSeconds, 1, result);
      auto image = stack.frame(workbench, true, panel != "flow");
      ++result.frames;
      const bool whole = w == image->width && h == image->height;
      encoder.write(whole ? std::move(image->pixels) : render::cropImage(*image, x, y, w, h).pixels);
      if (progress && !progress(f + 1, frames)) {
        encoder.abandon();
        result.cancelled = true;
        break;
      }
    }
    if (!result.cancelled) {
      encoder.finish();
      result.written.push_back(request.path);
    }
    result.videoWidth = w;
    result.videoHeight = h;
    result.videoFrames = encoder.framesWritten();
    vkDeviceWaitIdle(stack.device.handle());
  }
  result.validationMessages = instance.validationLog().messages();
  return result;
}

UiBenchmark benchmarkUi(uint32_t width, uint32_t height, int particles, int arrowGrid, int frames,
                        const UiBenchmarkLayers& layers) {
  UiBenchmark bench;
  render::VulkanInstance instance({false, {}});
  OffscreenStack stack(instance, width, height);
  bench.vulkanDevice = stack.device.info().name;
  WorkbenchOptions options;
  Session session;
  session.scene.particles = particles;
  options.session = session;
  options.arrowGrid = arrowGrid;
  options.vulkanDevice = bench.vulkanDevice;
  options.gpuTrackBytes = static_cast<std::size_t>(stack.device.maxStorageBufferRange());
  Workbench workbench(options, stack.imgui.fonts());
  while (!workbench.sceneIntegrated()) {
    stack.frame(workbench, false);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  workbench.view().showHeatmap = layers.heatmap;
  workbench.view().showArrows = true;
  workbench.view().showTrails = layers.trails;
  if (!layers.panels) workbench.view().openPanels["timeline"] = false;
  bench.particles = static_cast<int>(workbench.scene().start.size());
  bench.arrows = arrowGrid * arrowGrid;
  bench.frames = frames;

  std::vector<double> total, ui, drawData, gpu;
  for (int f = -3; f < frames; ++f) {  // three warm-up frames: buffers reach their sizes
    workbench.view().t = 0.05f + 0.9f * static_cast<float>(std::max(f, 0)) / static_cast<float>(std::max(1, frames));
    const auto begin = std::chrono::steady_clock::now();
    workbench.update(0.0);
    stack.imguiRenderer.newFrame();
    ImGui::NewFrame();
    workbench.buildUi();
    ImGui::Render();
    const double uiMs = msSince(begin);
    const auto dataBegin = std::chrono::steady_clock::now();
    const VkExtent2D extent = stack.target.extent();
    const render::SceneDrawData& data = workbench.sceneDrawData(extent.width, extent.height);
    const double dataMs = msSince(dataBegin);
    const auto gpuBegin = std::chrono::steady_clock::now();
    stack.sceneRenderer.prepare(0, data);
    stack.target.render(
        kSceneClearColor,
        [&](VkCommandBuffer cmd) {
          stack.sceneRenderer.record(cmd, 0, extent);
          if (layers.panels) stack.imguiRenderer.record(cmd);
        },
        false);
    const double gpuMs = msSince(gpuBegin);
    if (f < 0) continue;
    total.push_back(msSince(begin));
    ui.push_back(uiMs);
    drawData.push_back(dataMs);
    gpu.push_back(gpuMs);
  }
  bench.frameMsMedian = percentile(total, 0.5);
  bench.frameMsP90 = percentile(total, 0.9);
  bench.uiMsMedian = percentile(ui, 0.5);
  bench.drawDataMsMedian = percentile(drawData, 0.5);
  bench.gpuMsMedian = percentile(gpu, 0.5);
  vkDeviceWaitIdle(stack.device.handle());
  return bench;
}

}  // namespace rankflow::app
