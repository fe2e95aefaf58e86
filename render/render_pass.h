#pragma once
#include <vulkan/vulkan.h>

#include <array>

namespace rankflow::render {

// A single-subpass, single-colour-attachment pass that clears on load. finalLayout is
// TRANSFER_SRC for offscreen targets and PRESENT_SRC for the swapchain.
VkRenderPass makeColorRenderPass(VkDevice device, VkFormat format, VkImageLayout finalLayout);

void beginColorPass(VkCommandBuffer cmd, VkRenderPass pass, VkFramebuffer framebuffer, VkExtent2D extent,
                    const std::array<float, 4>& clearColor);

}  // namespace rankflow::render
