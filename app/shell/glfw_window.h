#pragma once
#include <vulkan/vulkan.h>

#include <string>
#include <vector>

struct GLFWwindow;

namespace rankflow::app {

// True when an X11 or Wayland display is named in the environment.
bool displayAvailable();

// A GLFW window with no client API (Vulkan draws into it).
class GlfwWindow {
 public:
  GlfwWindow(int width, int height, const std::string& title);
  ~GlfwWindow();
  GlfwWindow(const GlfwWindow&) = delete;
  GlfwWindow& operator=(const GlfwWindow&) = delete;

  GLFWwindow* handle() const { return window_; }
  // Instance extensions Vulkan needs to present to this window system.
  static std::vector<std::string> requiredInstanceExtensions();

  VkExtent2D framebufferSize() const;
  bool shouldClose() const;
  // True once after the framebuffer changed size.
  bool consumeResized();
  // Paths of files dropped onto the window since the last call (GLFW's drop callback).
  std::vector<std::string> consumeDroppedPaths();

  // The monitor's content scale (pixels per screen coordinate on a HiDPI display: 2 on a
  // 4K laptop panel, 1 on an ordinary one), what the UI scale follows unless --ui-scale.
  float contentScale() const;
  // True once after the content scale changed (another monitor, another desktop scale).
  bool consumeContentScaleChanged();
  // "minimise", "restore", "hide" or "show" (a script's `window` command).
  void setState(const std::string& state);

  // What the callbacks record between polls (the window's user pointer).
  struct Events {
    bool resized = false;
    bool contentScaleChanged = false;
    std::vector<std::string> dropped;
  };
  // Lecture mode: the whole primary monitor, and back to the window's last placement.
  void setFullscreen(bool fullscreen);

 private:
  GLFWwindow* window_ = nullptr;
  Events events_;
  int windowedX_ = 0, windowedY_ = 0, windowedWidth_ = 0, windowedHeight_ = 0;
};

// The window's Vulkan surface. Declared after the VulkanInstance it belongs to, so that
// every exit path (exceptions included) destroys it before the instance.
class WindowSurface {
 public:
  WindowSurface(VkInstance instance, const GlfwWindow& window);
  ~WindowSurface();
  WindowSurface(const WindowSurface&) = delete;
  WindowSurface& operator=(const WindowSurface&) = delete;
  VkSurfaceKHR handle() const { return surface_; }

 private:
  VkInstance instance_;
  VkSurfaceKHR surface_ = VK_NULL_HANDLE;
};

}  // namespace rankflow::app
