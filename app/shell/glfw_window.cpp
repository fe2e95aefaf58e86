#define GLFW_INCLUDE_VULKAN
#include "app/shell/glfw_window.h"

#include <GLFW/glfw3.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <utility>

namespace rankflow::app {
namespace {

std::string lastGlfwError() {
  const char* description = nullptr;
  const int code = glfwGetError(&description);
  if (code == GLFW_NO_ERROR) return "unknown GLFW error";
  return description ? description : "GLFW error " + std::to_string(code);
}

void onFramebufferResized(GLFWwindow* window, int, int) {
  if (auto* events = static_cast<GlfwWindow::Events*>(glfwGetWindowUserPointer(window))) events->resized = true;
}

// The window moved to a monitor of another DPI (or the desktop's scale changed).
void onContentScale(GLFWwindow* window, float, float) {
  if (auto* events = static_cast<GlfwWindow::Events*>(glfwGetWindowUserPointer(window)))
    events->contentScaleChanged = true;
}

void onDrop(GLFWwindow* window, int count, const char** paths) {
  if (auto* events = static_cast<GlfwWindow::Events*>(glfwGetWindowUserPointer(window)))
    for (int i = 0; i < count; ++i) events->dropped.emplace_back(paths[i]);
}

}  // namespace

bool displayAvailable() {
  const char* x11 = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  return (x11 && *x11) || (wayland && *wayland);
}

GlfwWindow::GlfwWindow(int width, int height, const std::string& title) {
  if (!glfwInit()) throw std::runtime_error("cannot start GLFW: " + lastGlfwError());
  if (!glfwVulkanSupported()) {
    glfwTerminate();
    throw std::runtime_error("GLFW finds no Vulkan loader (install libvulkan1 and mesa-vulkan-drivers)");
  }
  glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!window_) {
    const std::string reason = lastGlfwError();
    glfwTerminate();
    throw std::runtime_error("cannot open a window: " + reason);
  }
  glfwSetWindowUserPointer(window_, &events_);
  glfwSetFramebufferSizeCallback(window_, onFramebufferResized);
  glfwSetDropCallback(window_, onDrop);
  glfwSetWindowContentScaleCallback(window_, onContentScale);
}

float GlfwWindow::contentScale() const {
  float x = 1.0f, y = 1.0f;
  glfwGetWindowContentScale(window_, &x, &y);
  return std::max(x, y) > 0.0f ? std::max(x, y) : 1.0f;
}

bool GlfwWindow::consumeContentScaleChanged() {
  return std::exchange(events_.contentScaleChanged, false);
}

void GlfwWindow::setState(const std::string& state) {
  if (state == "minimise") glfwIconifyWindow(window_);
  if (state == "restore") glfwRestoreWindow(window_);
  if (state == "hide") glfwHideWindow(window_);
  if (state == "show") glfwShowWindow(window_);
}

GlfwWindow::~GlfwWindow() {
  glfwDestroyWindow(window_);
  glfwTerminate();
}

std::vector<std::string> GlfwWindow::requiredInstanceExtensions() {
  uint32_t count = 0;
  const char** names = glfwGetRequiredInstanceExtensions(&count);
  if (!names) throw std::runtime_error("GLFW cannot present with Vulkan here: " + lastGlfwError());
  return {names, names + count};
}

WindowSurface::WindowSurface(VkInstance instance, const GlfwWindow& window) : instance_(instance) {
  const VkResult result = glfwCreateWindowSurface(instance, window.handle(), nullptr, &surface_);
  if (result != VK_SUCCESS)
    throw std::runtime_error("cannot create a Vulkan surface for the window (VkResult " + std::to_string(result) + ")");
}

WindowSurface::~WindowSurface() {
  vkDestroySurfaceKHR(instance_, surface_, nullptr);
}

VkExtent2D GlfwWindow::framebufferSize() const {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  return {static_cast<uint32_t>(w), static_cast<uint32_t>(h)};
}

bool GlfwWindow::shouldClose() const {
  return glfwWindowShouldClose(window_) != 0;
}

bool GlfwWindow::consumeResized() {
  const bool was = events_.resized;
  events_.resized = false;
  return was;
}

std::vector<std::string> GlfwWindow::consumeDroppedPaths() {
  return std::exchange(events_.dropped, {});
}

void GlfwWindow::setFullscreen(bool fullscreen) {
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
  if (fullscreen) {
    if (!mode) return;  // no monitor to fill (some virtual displays): stay windowed
    glfwGetWindowPos(window_, &windowedX_, &windowedY_);
    glfwGetWindowSize(window_, &windowedWidth_, &windowedHeight_);
    glfwSetWindowMonitor(window_, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
  } else if (windowedWidth_ > 0) {
    glfwSetWindowMonitor(window_, nullptr, windowedX_, windowedY_, windowedWidth_, windowedHeight_, GLFW_DONT_CARE);
  }
}

}  // namespace rankflow::app
