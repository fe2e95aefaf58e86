// The window's frame loop. One frame: poll events → the script's keys → Workbench::update →
// ImGui frame (Workbench::buildUi) → scene draw data → record scene + ImGui into the
// swapchain image → present (and read back for screenshots).
#include "app/shell/gui_app.h"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <imgui.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "app/shell/frame_capture.h"
#include "app/shell/glfw_window.h"
#include "app/shell/gui_script.h"
#include "app/ui/imgui_style.h"
#include "app/ui/workbench.h"
#include "app/viewer/cli_error.h"
#include "render/image.h"
#include "render/imgui_renderer.h"
#include "render/scene_renderer.h"
#include "render/vulkan_context.h"
#include "render/window_presenter.h"

namespace rankflow::app {
namespace {

// ImGui's context and GLFW backend, torn down in reverse order on every exit path.
struct ImGuiContextGuard {
  ImGuiContextGuard(GLFWwindow* window, float uiScale) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    fonts = setUpImGuiStyle(uiScale);
    ImGui_ImplGlfw_InitForVulkan(window, true);
  }
  ~ImGuiContextGuard() {
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  ImGuiContextGuard(const ImGuiContextGuard&) = delete;
  ImGuiContextGuard& operator=(const ImGuiContextGuard&) = delete;
  UiFonts fonts;
};

}  // namespace

int runGui(const GuiOptions& options) {
  std::optional<GuiScript> script;
  if (!options.script.empty()) script = GuiScript::load(options.script);

  GlfwWindow window(options.width, options.height, "Rankflow");
  render::VulkanInstance instance({options.validation, GlfwWindow::requiredInstanceExtensions()});
  int exitCode = kExitOk;
  {
    const WindowSurface surface(instance.handle(), window);
    render::VulkanDevice device(instance, surface.handle());
    render::WindowPresenter presenter(device, surface.handle(), [&] { return window.framebufferSize(); });
    // HiDPI: the UI follows the monitor's content scale unless --ui-scale fixes it.
    ImGuiContextGuard imguiContext(window.handle(), options.uiScale > 0 ? options.uiScale : window.contentScale());
    std::optional<render::ImGuiRenderer> imgui;
    imgui.emplace(instance, device, presenter.renderPass(), presenter.minImageCount(), presenter.imageCount());
    render::SceneRenderer sceneRenderer(device, presenter.renderPass(), render::WindowPresenter::kFramesInFlight);

    WorkbenchOptions workbenchOptions;
    workbenchOptions.scene = options.scene;
    workbenchOptions.t = options.t;
    workbenchOptions.session = options.session;
    workbenchOptions.backend = options.backend;
    workbenchOptions.openPanels = options.openPanels;
    workbenchOptions.prepared = options.prepared;
    workbenchOptions.adjustView = options.adjustView;
    workbenchOptions.vulkanDevice = device.info().name + " (" + device.info().type + ")";
    workbenchOptions.gpuTrackBytes = static_cast<std::size_t>(device.maxStorageBufferRange());
    Workbench workbench(workbenchOptions, imguiContext.fonts);
    std::printf("window: Vulkan on %s; compute on %s\n", workbenchOptions.vulkanDevice.c_str(),
                workbench.readout().computeBackend.c_str());

    int presentedFrames = 0;
    uint32_t minImageCount = presenter.minImageCount();
    std::vector<int> scriptKeysDown;
    auto last = std::chrono::steady_clock::now();
    while (!window.shouldClose()) {
      glfwPollEvents();
      if (window.consumeResized()) presenter.notifyResized();
      // Another monitor's DPI (or `set ui.scale`): fonts rasterised anew at the new size, and
      // the font texture with them (the 1.86 Vulkan backend rebuilds it only on Init).
      std::optional<float> scale = workbench.takeUiScaleRequest();
      if (window.consumeContentScaleChanged() && options.uiScale <= 0 && !scale) scale = window.contentScale();
      if (scale && *scale != workbench.readoutUiScale()) {
        vkDeviceWaitIdle(device.handle());
        imgui.reset();
        workbench.setFonts(setUpImGuiStyle(*scale));
        applyStyle(workbench.view().lectureMode);
        imgui.emplace(instance, device, presenter.renderPass(), presenter.minImageCount(), presenter.imageCount());
        std::printf("ui scale %.2f: fonts rebuilt\n", static_cast<double>(*scale));
      }
      if (auto dropped = window.consumeDroppedPaths(); !dropped.empty()) workbench.filesDropped(dropped);
      const VkExtent2D size = window.framebufferSize();
      if (size.width == 0 || size.height == 0) {
        glfwWaitEventsTimeout(0.1);  // minimised: sleep until restored
        continue;
      }
      const auto now = std::chrono::steady_clock::now();
      workbench.update(std::chrono::duration<double>(now - last).count());
      last = now;

      ImGuiIO& io = ImGui::GetIO();
      for (int key : scriptKeysDown) io.KeysDown[key] = false;
      ScriptFrame scripted;
      if (script) scripted = script->advance(workbench);
      for (int key : scripted.keys) io.KeysDown[key] = true;
      scriptKeysDown = scripted.keys;
      if (!scripted.windowState.empty()) window.setState(scripted.windowState);

      imgui->newFrame();
      ImGui_ImplGlfw_NewFrame();
      if (scripted.mouseDriven) {
        // After the GLFW backend read the real cursor: the script's mouse wins this frame.
        io.MousePos = {scripted.mouseX, scripted.mouseY};
        io.MouseDown[0] = scripted.mouseDown;
      }
      ImGui::NewFrame();
      FrameRequests requests = workbench.buildUi();
      ImGui::Render();
      if (requests.lectureChanged) window.setFullscreen(workbench.view().lectureMode);
      for (auto& c : scripted.captures) requests.captures.push_back(c);

      const auto frame = presenter.beginFrame(kSceneClearColor);
      if (!frame) {
        if (presenter.minImageCount() != minImageCount) {
          minImageCount = presenter.minImageCount();
          imgui->setMinImageCount(minImageCount);
        }
        continue;
      }
      sceneRenderer.prepare(frame->slot, workbench.sceneDrawData(frame->extent.width, frame->extent.height));
      sceneRenderer.record(frame->cmd, frame->slot, frame->extent);
      imgui->record(frame->cmd);

      // --frames counts frames of the integrated scene, so scripted screenshots show it.
      if (workbench.sceneIntegrated()) ++presentedFrames;
      const bool lastFrame = options.frames > 0 && presentedFrames >= options.frames;
      if (lastFrame && !options.screenshot.empty()) requests.captures.push_back({options.screenshot, {}, {}});
      const bool capture = !requests.captures.empty() && presenter.canCapture();
      if (!requests.captures.empty() && !presenter.canCapture()) {
        workbench.noteCapture("nothing: this window surface cannot be read back");
        std::fprintf(stderr, "screenshot unavailable: this window surface cannot be read back\n");
        if (lastFrame || script) exitCode = kExitFailure;
      }
      render::RgbaImage image;
      presenter.endFrame(*frame, capture ? &image : nullptr);
      if (capture) {
        for (const auto& request : requests.captures) {
          const std::string path = writeCapture(workbench, request, image);
          workbench.noteCapture(path);
        }
      }
      if (script && (scripted.quit || script->finished())) break;
      if (lastFrame) break;
    }
    // Frames in flight still use the renderers' buffers and pipelines, destroyed next.
    vkDeviceWaitIdle(device.handle());
    std::printf("presented %d frames; swapchain recreated %d time(s)\n", presentedFrames, presenter.recreations());
  }
  if (script && script->failed()) {
    std::fprintf(stderr, "script failed: %s\n", script->failure().c_str());
    exitCode = kExitFailure;
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
