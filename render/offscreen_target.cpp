#include "render/offscreen_target.h"

#include <cstring>
#include <stdexcept>

#include "render/host_buffer.h"
#include "render/render_pass.h"
#include "render/vk_check.h"
#include "render/vulkan_context.h"

namespace rankflow::render {

OffscreenTarget::OffscreenTarget(const VulkanDevice& device, uint32_t width, uint32_t height)
    : device_(device), extent_{width, height} {
  const uint32_t limit = device.maxTargetDimension();
  if (width == 0 || height == 0 || width > limit || height > limit) {
    throw std::invalid_argument("offscreen size must be between 1 and " + std::to_string(limit) +
                                " pixels per side on " + device.info().name + ", got " + std::to_string(width) + "x" +
                                std::to_string(height));
  }
  try {
    create();
  } catch (...) {
    destroy();
    throw;
  }
}

void OffscreenTarget::create() {
  const VkDevice d = device_.handle();
  const uint32_t width = extent_.width;
  const uint32_t height = extent_.height;
  VkImageCreateInfo imageInfo{};
  imageInfo.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO;
  imageInfo.imageType = VK_IMAGE_TYPE_2D;
  imageInfo.format = kFormat;
  imageInfo.extent = {width, height, 1};
  imageInfo.mipLevels = 1;
  imageInfo.arrayLayers = 1;
  imageInfo.samples = VK_SAMPLE_COUNT_1_BIT;
  imageInfo.tiling = VK_IMAGE_TILING_OPTIMAL;
  imageInfo.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
  imageInfo.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  VK_CHECK(vkCreateImage(d, &imageInfo, nullptr, &image_));

  VkMemoryRequirements req;
  vkGetImageMemoryRequirements(d, image_, &req);
  VkMemoryAllocateInfo alloc{};
  alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex = device_.findMemoryType(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  VK_CHECK(vkAllocateMemory(d, &alloc, nullptr, &memory_));
  VK_CHECK(vkBindImageMemory(d, image_, memory_, 0));

  view_ = makeColorImageView(d, image_, kFormat);
  renderPass_ = makeColorRenderPass(d, kFormat, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
  framebuffer_ = makeFramebuffer(d, renderPass_, view_, extent_);

  readback_ = std::make_unique<HostBuffer>(device_, VkDeviceSize(width) * height * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
}

OffscreenTarget::~OffscreenTarget() {
  destroy();
}

// Safe on a half-built target: every vkDestroy* accepts VK_NULL_HANDLE.
void OffscreenTarget::destroy() {
  const VkDevice d = device_.handle();
  vkDeviceWaitIdle(d);
  readback_.reset();
  vkDestroyFramebuffer(d, framebuffer_, nullptr);
  vkDestroyRenderPass(d, renderPass_, nullptr);
  vkDestroyImageView(d, view_, nullptr);
  vkDestroyImage(d, image_, nullptr);
  vkFreeMemory(d, memory_, nullptr);
}

void OffscreenTarget::render(const std::array<float, 4>& clearColor, const std::function<void(VkCommandBuffer)>& draw,
                             bool readBack) {
  device_.submitAndWait([&](VkCommandBuffer cmd) {
    beginColorPass(cmd, renderPass_, framebuffer_, extent_, clearColor);
    draw(cmd);
    vkCmdEndRenderPass(cmd);
    if (readBack)
      recordImageToBufferCopy(cmd, image_, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, extent_, readback_->handle());
  });
}

RgbaImage OffscreenTarget::image() const {
  RgbaImage out;
  out.width = static_cast<int>(extent_.width);
  out.height = static_cast<int>(extent_.height);
  out.pixels.resize(static_cast<std::size_t>(out.width) * out.height * 4);
  std::memcpy(out.pixels.data(), readback_->mapped(), out.pixels.size());
  return out;
}

void recordImageToBufferCopy(VkCommandBuffer cmd, VkImage image, VkImageLayout layout, VkExtent2D extent,
                             VkBuffer buffer) {
  VkImageMemoryBarrier toTransfer{};
  toTransfer.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER;
  toTransfer.srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  toTransfer.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  toTransfer.oldLayout = layout;
  toTransfer.newLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  toTransfer.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  toTransfer.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  toTransfer.image = image;
  toTransfer.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0,
                       nullptr, 0, nullptr, 1, &toTransfer);

  VkBufferImageCopy region{};
  region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  region.imageExtent = {extent.width, extent.height, 1};
  vkCmdCopyImageToBuffer(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, buffer, 1, &region);

  VkBufferMemoryBarrier toHost{};
  toHost.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER;
  toHost.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  toHost.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  toHost.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  toHost.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  toHost.buffer = buffer;
  toHost.size = VK_WHOLE_SIZE;
  VkImageMemoryBarrier back = toTransfer;
  back.srcAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  back.dstAccessMask = 0;
  back.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  back.newLayout = layout;
  const uint32_t imageBarriers = layout == VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL ? 0u : 1u;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, 0, 0, nullptr, 1, &toHost,
                       imageBarriers, &back);
}

}  // namespace rankflow::render
