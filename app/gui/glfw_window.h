#pragma once
#include <vulkan/vulkan.h>

#include <string>
#include <vector>

struct GLFWwindow;

namespace rankflow::app {

// True when an X11 or Wayland display is named in the environment.
bool displayAvailable();

// A GLFW window with no client API (Vulkan draws into it) and its Vulkan surface.
class GlfwWindow {
 public:
  GlfwWindow(int width, int height, const std::string& title);
  ~GlfwWindow();
  GlfwWindow(const GlfwWindow&) = delete;
  GlfwWindow& operator=(const GlfwWindow&) = delete;

  GLFWwindow* handle() const { return window_; }
  // Instance extensions Vulkan needs to present to this window system.
  static std::vector<std::string> requiredInstanceExtensions();

  void createSurface(VkInstance instance);
  void destroySurface();
  VkSurfaceKHR surface() const { return surface_; }
  VkExtent2D framebufferSize() const;
  bool shouldClose() const;
  // True once after the framebuffer changed size.
  bool consumeResized();

 private:
  GLFWwindow* window_ = nullptr;
  VkInstance instance_ = VK_NULL_HANDLE;
  VkSurfaceKHR surface_ = VK_NULL_HANDLE;
  bool resized_ = false;
};

}  // namespace rankflow::app
