#pragma once
#include <vulkan/vulkan.h>

#include <array>
#include <functional>
#include <memory>

#include "render/image.h"

namespace rankflow::render {

class VulkanDevice;
class HostBuffer;

// An RGBA8 colour target with no window system: render into it, read it back as an image.
class OffscreenTarget {
 public:
  static constexpr VkFormat kFormat = VK_FORMAT_R8G8B8A8_UNORM;

  OffscreenTarget(const VulkanDevice& device, uint32_t width, uint32_t height);
  ~OffscreenTarget();
  OffscreenTarget(const OffscreenTarget&) = delete;
  OffscreenTarget& operator=(const OffscreenTarget&) = delete;

  VkRenderPass renderPass() const { return renderPass_; }
  VkExtent2D extent() const { return extent_; }

  // Clears, runs `draw` inside the render pass, optionally copies the result to host
  // memory, submits and waits.
  void render(const std::array<float, 4>& clearColor, const std::function<void(VkCommandBuffer)>& draw, bool readBack);
  // The pixels of the last render() that read back.
  RgbaImage image() const;

 private:
  void create();
  void destroy();

  const VulkanDevice& device_;
  VkExtent2D extent_{};
  VkImage image_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  VkImageView view_ = VK_NULL_HANDLE;
  VkRenderPass renderPass_ = VK_NULL_HANDLE;
  VkFramebuffer framebuffer_ = VK_NULL_HANDLE;
  std::unique_ptr<HostBuffer> readback_;
};

// Records a copy of a whole colour image (in `layout`) into a tightly packed buffer, with
// the barriers around it; the image is left in `layout`.
void recordImageToBufferCopy(VkCommandBuffer cmd, VkImage image, VkImageLayout layout, VkExtent2D extent,
                             VkBuffer buffer);

}  // namespace rankflow::render
