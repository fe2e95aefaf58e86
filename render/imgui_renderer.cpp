#include "render/imgui_renderer.h"

#include <backends/imgui_impl_vulkan.h>
#include <imgui.h>

#include "render/vk_check.h"
#include "render/vulkan_context.h"

namespace rankflow::render {
namespace {

void checkImGuiVulkanResult(VkResult result) {
  VK_CHECK(result);
}

}  // namespace

ImGuiRenderer::ImGuiRenderer(const VulkanInstance& instance, const VulkanDevice& device, VkRenderPass renderPass,
                             uint32_t minImageCount, uint32_t imageCount)
    : device_(device) {
  // The 1.86 backend needs one combined image sampler (the font atlas); a few spare sets
  // leave room for plot textures later.
  const VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 16}};
  VkDescriptorPoolCreateInfo poolInfo{};
  poolInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
  poolInfo.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  poolInfo.maxSets = 16;
  poolInfo.poolSizeCount = 1;
  poolInfo.pPoolSizes = sizes;
  VK_CHECK(vkCreateDescriptorPool(device.handle(), &poolInfo, nullptr, &descriptorPool_));

  ImGui_ImplVulkan_InitInfo info{};
  info.Instance = instance.handle();
  info.PhysicalDevice = device.physical();
  info.Device = device.handle();
  info.QueueFamily = device.queueFamily();
  info.Queue = device.queue();
  info.DescriptorPool = descriptorPool_;
  info.Subpass = 0;
  info.MinImageCount = minImageCount;
  info.ImageCount = imageCount;
  info.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
  info.CheckVkResultFn = checkImGuiVulkanResult;
  if (!ImGui_ImplVulkan_Init(&info, renderPass)) {
    vkDestroyDescriptorPool(device.handle(), descriptorPool_, nullptr);
    throw VulkanError("ImGui_ImplVulkan_Init failed", VK_ERROR_INITIALIZATION_FAILED);
  }
  try {
    device.submitAndWait([](VkCommandBuffer cmd) { ImGui_ImplVulkan_CreateFontsTexture(cmd); });
  } catch (...) {
    ImGui_ImplVulkan_Shutdown();
    vkDestroyDescriptorPool(device.handle(), descriptorPool_, nullptr);
    throw;
  }
  ImGui_ImplVulkan_DestroyFontUploadObjects();
}

ImGuiRenderer::~ImGuiRenderer() {
  vkDeviceWaitIdle(device_.handle());
  ImGui_ImplVulkan_Shutdown();
  vkDestroyDescriptorPool(device_.handle(), descriptorPool_, nullptr);
}

void ImGuiRenderer::newFrame() {
  ImGui_ImplVulkan_NewFrame();
}

void ImGuiRenderer::record(VkCommandBuffer cmd) {
  if (ImDrawData* data = ImGui::GetDrawData()) ImGui_ImplVulkan_RenderDrawData(data, cmd);
}

void ImGuiRenderer::setMinImageCount(uint32_t minImageCount) {
  ImGui_ImplVulkan_SetMinImageCount(minImageCount);
}

}  // namespace rankflow::render
