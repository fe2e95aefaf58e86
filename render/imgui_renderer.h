#pragma once
#include <vulkan/vulkan.h>

namespace rankflow::render {

class VulkanInstance;
class VulkanDevice;

// Draws Dear ImGui's draw data with the Vulkan backend that ships in libimgui-dev.
// It knows no panels: the app builds the UI, this records ImGui::GetDrawData().
// The ImGui context (and its fonts) must exist before construction.
class ImGuiRenderer {
 public:
  ImGuiRenderer(const VulkanInstance& instance, const VulkanDevice& device, VkRenderPass renderPass,
                uint32_t minImageCount, uint32_t imageCount);
  ~ImGuiRenderer();
  ImGuiRenderer(const ImGuiRenderer&) = delete;
  ImGuiRenderer& operator=(const ImGuiRenderer&) = delete;

  void newFrame();
  // Records the draw data of the last ImGui::Render() into an active render pass.
  void record(VkCommandBuffer cmd);
  // After a swapchain recreation that changed the minimum image count.
  void setMinImageCount(uint32_t minImageCount);

 private:
  const VulkanDevice& device_;
  VkDescriptorPool descriptorPool_ = VK_NULL_HANDLE;
};

}  // namespace rankflow::render
