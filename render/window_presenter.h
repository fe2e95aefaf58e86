#pragma once
#include <vulkan/vulkan.h>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "render/image.h"

namespace rankflow::render {

class VulkanDevice;
class HostBuffer;

struct FrameContext {
  VkCommandBuffer cmd = VK_NULL_HANDLE;  // recording, inside the window's render pass
  uint32_t slot = 0;                     // frame-in-flight index, for per-frame buffers
  uint32_t imageIndex = 0;
  VkExtent2D extent{};
};

// Swapchain, its render pass and framebuffers, and the frames-in-flight machinery.
// The swapchain is recreated when the window is resized (or presentation reports it out
// of date) and frames are skipped while the window is minimised (zero-sized).
class WindowPresenter {
 public:
  static constexpr uint32_t kFramesInFlight = 2;

  // framebufferSize returns the window's current size in pixels.
  WindowPresenter(const VulkanDevice& device, VkSurfaceKHR surface, std::function<VkExtent2D()> framebufferSize);
  ~WindowPresenter();
  WindowPresenter(const WindowPresenter&) = delete;
  WindowPresenter& operator=(const WindowPresenter&) = delete;

  VkRenderPass renderPass() const { return renderPass_; }
  VkFormat format() const { return format_; }
  VkExtent2D extent() const { return extent_; }
  uint32_t minImageCount() const { return minImageCount_; }
  uint32_t imageCount() const { return static_cast<uint32_t>(images_.size()); }
  bool canCapture() const { return canCapture_; }
  int recreations() const { return recreations_; }

  // Waits for the slot's previous frame, acquires an image and begins the render pass
  // (cleared to clearColor). Returns nothing when there is no frame to draw: minimised,
  // or the swapchain was just recreated.
  std::optional<FrameContext> beginFrame(const std::array<float, 4>& clearColor);
  // Ends the pass, submits and presents. With capture set, the presented image is also
  // read back into it (this waits for the frame).
  void endFrame(const FrameContext& frame, RgbaImage* capture);
  // Tell the presenter the window changed size; it recreates at the next frame.
  void notifyResized() { resized_ = true; }

 private:
  void destroy();
  void createSwapchain();
  void destroySwapchainObjects();
  void recreate();

  const VulkanDevice& device_;
  VkSurfaceKHR surface_;
  std::function<VkExtent2D()> framebufferSize_;
  VkSwapchainKHR swapchain_ = VK_NULL_HANDLE;
  VkFormat format_ = VK_FORMAT_UNDEFINED;
  VkColorSpaceKHR colorSpace_ = VK_COLOR_SPACE_SRGB_NONLINEAR_KHR;
  VkExtent2D extent_{};
  uint32_t minImageCount_ = 2;
  bool canCapture_ = false;
  bool resized_ = false;
  int recreations_ = 0;
  VkRenderPass renderPass_ = VK_NULL_HANDLE;
  std::vector<VkImage> images_;
  std::vector<VkImageView> views_;
  std::vector<VkFramebuffer> framebuffers_;
  std::vector<VkSemaphore> renderFinished_;  // one per image: reused only after that image is presented again
  std::array<VkSemaphore, kFramesInFlight> imageAvailable_{};
  std::array<VkFence, kFramesInFlight> inFlight_{};
  std::array<VkCommandBuffer, kFramesInFlight> commandBuffers_{};
  uint32_t slot_ = 0;
  std::unique_ptr<HostBuffer> captureBuffer_;
};

}  // namespace rankflow::render
