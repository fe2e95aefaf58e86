// The window's frame loop. One frame: poll events → advance playback → build the panels →
// re-evaluate the lattice field if t changed → build draw data from the trajectory store →
// record scene + ImGui into the swapchain image → present (and read back on screenshot).
#include "app/gui/gui_app.h"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <imgui.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>
#include <iostream>
#include <memory>

#include "app/cli_error.h"
#include "app/gui/control_panel.h"
#include "app/gui/glfw_window.h"
#include "app/gui/performance_panel.h"
#include "app/gui/queries_panel.h"
#include "app/gui/ranks_panel.h"
#include "app/scene_frame.h"
#include "core/flows/field_model.h"
#include "render/image.h"
#include "render/imgui_renderer.h"
#include "render/scene_renderer.h"
#include "render/vulkan_context.h"
#include "render/window_presenter.h"

namespace rankflow::app {
namespace {

constexpr const char* kUiFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

void setUpImGuiStyle() {
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 6.0f;
  style.FrameRounding = 4.0f;
  style.GrabRounding = 4.0f;
  style.WindowPadding = {12.0f, 10.0f};
  style.ItemSpacing = {8.0f, 6.0f};
  ImVec4* colors = style.Colors;
  // One accent for both title states: the Xvfb test finds the panel by this colour.
  colors[ImGuiCol_TitleBg] = ImVec4(46 / 255.0f, 94 / 255.0f, 170 / 255.0f, 1.0f);
  colors[ImGuiCol_TitleBgActive] = colors[ImGuiCol_TitleBg];
  colors[ImGuiCol_WindowBg] = ImVec4(0.11f, 0.12f, 0.15f, 0.94f);
  colors[ImGuiCol_SliderGrab] = ImVec4(0.35f, 0.60f, 0.95f, 1.0f);
  colors[ImGuiCol_SliderGrabActive] = ImVec4(0.50f, 0.72f, 1.0f, 1.0f);

  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // layout is fixed by the panels, nothing to persist yet
  if (std::filesystem::exists(kUiFont)) io.Fonts->AddFontFromFileTTF(kUiFont, 16.0f);
}

std::string nextScreenshotName() {
  for (int i = 1;; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "rankflow-screenshot-%03d.png", i);
    if (!std::filesystem::exists(name)) return name;
  }
}

void handleShortcuts(ViewState& view, float step, bool& screenshot) {
  const ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsKeyPressed(GLFW_KEY_F12, false)) screenshot = true;
  if (ImGui::IsKeyPressed(GLFW_KEY_F2, false)) view.ranksOpen = !view.ranksOpen;
  if (ImGui::IsKeyPressed(GLFW_KEY_F3, false)) view.queriesOpen = !view.queriesOpen;
  if (io.WantCaptureKeyboard) return;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) view.playing = !view.playing;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) view.t = std::max(0.0f, view.t - step);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) view.t = std::min(1.0f, view.t + step);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home), false)) view.t = 0.0f;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_End), false)) view.t = 1.0f;
}

// ImGui's context and GLFW backend, torn down in reverse order on every exit path.
struct ImGuiContextGuard {
  explicit ImGuiContextGuard(GLFWwindow* window) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    setUpImGuiStyle();
    ImGui_ImplGlfw_InitForVulkan(window, true);
  }
  ~ImGuiContextGuard() {
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  ImGuiContextGuard(const ImGuiContextGuard&) = delete;
  ImGuiContextGuard& operator=(const ImGuiContextGuard&) = delete;
};

// Integrates a copy of the scene on a worker thread so the window opens at once and
// stays responsive; the UI polls it each frame and swaps the result in when it is ready.
class BackgroundIntegration {
 public:
  void start(const flows::FlowScene& prepared, const compute::FlowBackend& backend) {
    if (result_.valid()) {
      // A newer scene supersedes the running one: cancel it (it checks every 32
      // particles) and drop its result or its Cancelled.
      stop_ = true;
      try {
        result_.get();
      } catch (const std::exception&) {
      }
    }
    progress_ = 0.0f;
    stop_ = false;
    result_ = std::async(std::launch::async, [this, scene = prepared, &backend]() mutable {
      flows::integrateScene(scene, backend, [this](double fraction) {
        progress_ = static_cast<float>(fraction);
        return !stop_.load();
      });
      // Still off the UI thread: the acceleration part runs AD over the data.
      scene.straightness = flows::measureStraightness(flows::FlowData::empirical(scene.data.points), scene.schedule,
                                                      scene.trajectories);
      return scene;
    });
  }
  bool running() const { return result_.valid(); }
  bool ready() const {
    return result_.valid() && result_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }
  flows::FlowScene take() { return result_.get(); }  // rethrows the worker's exception
  float progress() const { return progress_.load(); }
  ~BackgroundIntegration() {
    stop_ = true;  // closing the window mid-integration cancels it instead of waiting
    if (result_.valid()) result_.wait();
  }

 private:
  std::atomic<float> progress_{0.0f};
  std::atomic<bool> stop_{false};
  std::future<flows::FlowScene> result_;
};

// Mouse on the scene (not on a panel): drag pans, the wheel zooms about the cursor.
void handleCamera(ViewState& view) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantCaptureMouse || io.DisplaySize.y <= 0.0f) return;
  const float pixelsToWorld = 2.0f * view.camera.halfHeight / io.DisplaySize.y;
  if (ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.0f)) {
    view.camera.centerX -= io.MouseDelta.x * pixelsToWorld;
    view.camera.centerY += io.MouseDelta.y * pixelsToWorld;
  }
  if (io.MouseWheel != 0.0f) {
    const float factor = std::pow(0.85f, io.MouseWheel);
    // The world point under the cursor stays under it.
    const float wx = view.camera.centerX + (io.MousePos.x - 0.5f * io.DisplaySize.x) * pixelsToWorld;
    const float wy = view.camera.centerY - (io.MousePos.y - 0.5f * io.DisplaySize.y) * pixelsToWorld;
    view.camera.halfHeight = std::clamp(view.camera.halfHeight * factor, 0.05f, 100.0f);
    view.camera.centerX = wx + (view.camera.centerX - wx) * factor;
    view.camera.centerY = wy + (view.camera.centerY - wy) * factor;
  }
}

// The particle nearest the cursor (within 8 pixels) at time t, with its x, v, a, j.
void hoverReadout(const ViewState& view, const flows::FlowScene& scene, std::vector<Vec2f>& scratch) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantCaptureMouse || !scene.integrated() || io.DisplaySize.y <= 0.0f) return;
  const float pixelsToWorld = 2.0f * view.camera.halfHeight / io.DisplaySize.y;
  const Vec2f cursor{view.camera.centerX + (io.MousePos.x - 0.5f * io.DisplaySize.x) * pixelsToWorld,
                     view.camera.centerY - (io.MousePos.y - 0.5f * io.DisplaySize.y) * pixelsToWorld};
  scratch.resize(static_cast<std::size_t>(scene.trajectories.particleCount()));
  scene.trajectories.positionsAt(view.t, scratch);
  std::size_t best = 0;
  float bestDistance = 1e30f;
  for (std::size_t p = 0; p < scratch.size(); ++p) {
    const float d = squaredNorm(scratch[p] - cursor);
    if (d < bestDistance) {
      bestDistance = d;
      best = p;
    }
  }
  if (scratch.empty() || std::sqrt(bestDistance) > 8.0f * pixelsToWorld) return;
  flows::DataView<float> data;
  data.points = scene.data.points.data();
  data.count = static_cast<int>(scene.data.points.size());
  const auto d = flows::lagrangianDerivatives(data, scene.schedule, scratch[best], view.t);
  ImGui::SetTooltip("particle %zu at t = %.3f\nx = (%.3f, %.3f)\nv = (%.3f, %.3f)\na = (%.3g, %.3g)\n"
                    "j = (%.3g, %.3g)",
                    best, view.t, scratch[best].x, scratch[best].y, d.velocity.x, d.velocity.y, d.acceleration.x,
                    d.acceleration.y, d.jerk.x, d.jerk.y);
}

}  // namespace

int runGui(const GuiOptions& options) {
  BackendSelection selection = selectBackend(options.backend);
  flows::FlowScene scene =
      options.session ? prepareSessionScene(options.session->scene) : flows::prepareScene(options.scene);

  GlfwWindow window(options.width, options.height, "Rankflow");
  render::VulkanInstance instance({options.validation, GlfwWindow::requiredInstanceExtensions()});
  int exitCode = kExitOk;
  {
    const WindowSurface surface(instance.handle(), window);
    render::VulkanDevice device(instance, surface.handle());
    render::WindowPresenter presenter(device, surface.handle(), [&] { return window.framebufferSize(); });
    ImGuiContextGuard imguiContext(window.handle());
    render::ImGuiRenderer imgui(instance, device, presenter.renderPass(), presenter.minImageCount(),
                                presenter.imageCount());
    render::SceneRenderer sceneRenderer(device, presenter.renderPass(), render::WindowPresenter::kFramesInFlight);

    ViewState view = initialViewState(scene, options.t);
    view.ranksOpen = options.openRanks;
    view.queriesOpen = options.openQueries;
    if (options.session) view = options.session->view;
    // The 24² lattice costs well under a millisecond on the CPU; on CUDA it would queue
    // behind the integration kernel and stall the UI thread, so it always runs here.
    const auto latticeBackend = compute::makeCpuBackend();
    LatticeField field;
    FieldHeatmap heatmap;
    std::vector<Vec2f> hoverScratch;
    SceneFrameBuilder builder(scene);
    ControlPanel controlPanel;
    controlPanel.syncChoice(scene);
    PerformancePanel performancePanel;
    // Created when first opened: the queries panel starts building its tree at once.
    std::unique_ptr<RanksPanel> ranksPanel;
    std::unique_ptr<QueriesPanel> queriesPanel;
    PerformanceReadout readout;
    readout.computeBackend = selection.backend->description();
    readout.whyNotCuda = selection.whyNotCuda;
    readout.vulkanDevice = device.info().name + " (" + device.info().type + ")";
    readout.particles = static_cast<int>(scene.start.size());
    std::printf("window: Vulkan on %s; compute on %s\n", readout.vulkanDevice.c_str(), readout.computeBackend.c_str());
    BackgroundIntegration integration;
    integration.start(scene, *selection.backend);

    const float step = scene.grid.stepSize();
    int presentedFrames = 0;
    uint32_t minImageCount = presenter.minImageCount();
    auto last = std::chrono::steady_clock::now();
    while (!window.shouldClose()) {
      glfwPollEvents();
      if (window.consumeResized()) presenter.notifyResized();
      const VkExtent2D size = window.framebufferSize();
      if (size.width == 0 || size.height == 0) {
        glfwWaitEventsTimeout(0.1);  // minimised: sleep until restored
        continue;
      }
      const auto now = std::chrono::steady_clock::now();
      const double dt = std::chrono::duration<double>(now - last).count();
      last = now;
      readout.frameMs = readout.frameMs == 0 ? dt * 1e3 : 0.9 * readout.frameMs + 0.1 * dt * 1e3;
      if (integration.ready()) {
        try {
          scene = integration.take();
          controlPanel.syncChoice(scene);
          readout.integrationMs = scene.integrationSeconds * 1e3;
          std::printf("scene '%s': %d particles integrated in %.0f ms on %s\n", scene.name.c_str(),
                      scene.trajectories.particleCount(), readout.integrationMs, scene.integratedBy.c_str());
        } catch (const std::exception& e) {
          if (selection.backend->kind() != compute::BackendKind::Cuda) throw;
          // A failing GPU (device lost, out of memory) costs the speed, not the scene.
          std::fprintf(stderr, "CUDA integration failed (%s); falling back to the CPU\n", e.what());
          selection.whyNotCuda = std::string("CUDA failed: ") + e.what();
          selection.backend = compute::makeCpuBackend();
          readout.computeBackend = selection.backend->description();
          readout.whyNotCuda = selection.whyNotCuda;
          integration.start(scene, *selection.backend);
        }
      }
      if (view.playing) {
        view.t += static_cast<float>(dt) * view.playSpeed;
        if (view.t > 1.0f) view.t = 0.0f;  // loop: noise → data, again
      }

      imgui.newFrame();
      ImGui_ImplGlfw_NewFrame();
      ImGui::NewFrame();
      bool screenshot = false;
      handleShortcuts(view, step, screenshot);
      handleCamera(view);
      hoverReadout(view, scene, hoverScratch);
      const ControlPanelActions actions = controlPanel.draw(view, scene, field.referenceSpeed(), field.maxSpeed(),
                                                            integration.progress(), heatmap.low(), heatmap.high());
      screenshot |= actions.screenshot;
      if (actions.resetView) view.camera = initialViewState(scene, view.t).camera;
      if (actions.saveSession) {
        try {
          saveSession(*actions.saveSession, {controlPanel.choice(), view});
          controlPanel.setSessionStatus("saved " + *actions.saveSession);
        } catch (const std::exception& e) {
          controlPanel.setSessionStatus(e.what());
        }
      }
      std::optional<SceneChoice> rebuild = actions.rebuild;
      if (actions.loadSession) {
        try {
          const Session loaded = loadSession(*actions.loadSession);
          view = loaded.view;
          rebuild = loaded.scene;
          controlPanel.setSessionStatus("loaded " + *actions.loadSession);
        } catch (const std::exception& e) {
          controlPanel.setSessionStatus(e.what());  // a bad file changes nothing
        }
      }
      if (rebuild) {
        try {
          scene = prepareSessionScene(*rebuild);
          readout.particles = static_cast<int>(scene.start.size());
          readout.integrationMs = 0;
          integration.start(scene, *selection.backend);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "scene: %s\n", e.what());
        }
      }
      if (view.ranksOpen) {
        if (!ranksPanel) ranksPanel = std::make_unique<RanksPanel>();
        ranksPanel->draw(&view.ranksOpen);
      }
      if (view.queriesOpen) {
        if (!queriesPanel) queriesPanel = std::make_unique<QueriesPanel>();
        queriesPanel->draw(&view.queriesOpen);
      }
      performancePanel.draw(readout);
      ImGui::Render();

      const auto frame = presenter.beginFrame(kSceneClearColor);
      if (!frame) {
        if (presenter.minImageCount() != minImageCount) {
          minImageCount = presenter.minImageCount();
          imgui.setMinImageCount(minImageCount);
        }
        continue;
      }
      const float aspect = static_cast<float>(frame->extent.width) / static_cast<float>(frame->extent.height);
      if (field.update(*latticeBackend, scene, view, aspect)) readout.fieldMs = field.lastEvaluationMs();
      if (view.showHeatmap && heatmap.update(scene, view, aspect)) readout.fieldMs += heatmap.lastEvaluationMs();
      const auto buildBegin = std::chrono::steady_clock::now();
      sceneRenderer.prepare(frame->slot,
                            builder.build(view, field, static_cast<float>(frame->extent.height), &heatmap));
      readout.drawDataMs =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - buildBegin).count();
      sceneRenderer.record(frame->cmd, frame->slot, frame->extent);
      imgui.record(frame->cmd);

      // --frames counts frames of the integrated scene, so scripted screenshots show it.
      if (scene.integrated()) ++presentedFrames;
      const bool lastFrame = options.frames > 0 && presentedFrames >= options.frames;
      bool capture = screenshot || (lastFrame && !options.screenshot.empty());
      if (capture && !presenter.canCapture()) {
        readout.lastScreenshot = "nothing: this window surface cannot be read back";
        std::fprintf(stderr, "screenshot unavailable: this window surface cannot be read back\n");
        if (lastFrame) exitCode = kExitFailure;
        capture = false;
      }
      render::RgbaImage image;
      presenter.endFrame(*frame, capture ? &image : nullptr);
      if (capture) {
        const std::string path = (lastFrame && !options.screenshot.empty()) ? options.screenshot : nextScreenshotName();
        render::writePngAtomic(path, image);
        readout.lastScreenshot = path;
        std::printf("screenshot: %s (%dx%d)\n", path.c_str(), image.width, image.height);
      }
      if (lastFrame) break;
    }
    // Frames in flight still use the renderers' buffers and pipelines, destroyed next.
    vkDeviceWaitIdle(device.handle());
    std::printf("presented %d frames; swapchain recreated %d time(s)\n", presentedFrames, presenter.recreations());
  }
  if (instance.validationEnabled()) {
    const auto messages = instance.validationLog().messages();
    for (const auto& m : messages) std::cerr << m << "\n";
    std::printf("validation: %zu message(s)\n", messages.size());
    if (!messages.empty()) exitCode = kExitValidation;
  }
  return exitCode;
}

}  // namespace rankflow::app
