#pragma once
#include <vulkan/vulkan.h>

#include <array>

namespace rankflow::render {

// A single-subpass, single-colour-attachment pass that clears on load. finalLayout is
// TRANSFER_SRC for offscreen targets and PRESENT_SRC for the swapchain.
VkRenderPass makeColorRenderPass(VkDevice device, VkFormat format, VkImageLayout finalLayout);

// A 2-D view of a single-mip colour image, and a framebuffer of that one view.
VkImageView makeColorImageView(VkDevice device, VkImage image, VkFormat format);
VkFramebuffer makeFramebuffer(VkDevice device, VkRenderPass pass, VkImageView view, VkExtent2D extent);

void beginColorPass(VkCommandBuffer cmd, VkRenderPass pass, VkFramebuffer framebuffer, VkExtent2D extent,
                    const std::array<float, 4>& clearColor);

}  // namespace rankflow::render
