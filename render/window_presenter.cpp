#include "render/window_presenter.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "render/host_buffer.h"
#include "render/offscreen_target.h"
#include "render/render_pass.h"
#include "render/vk_check.h"
#include "render/vulkan_context.h"

namespace rankflow::render {
namespace {

VkSurfaceFormatKHR chooseFormat(VkPhysicalDevice physical, VkSurfaceKHR surface) {
  uint32_t count = 0;
  VK_CHECK(vkGetPhysicalDeviceSurfaceFormatsKHR(physical, surface, &count, nullptr));
  std::vector<VkSurfaceFormatKHR> formats(count);
  VK_CHECK(vkGetPhysicalDeviceSurfaceFormatsKHR(physical, surface, &count, formats.data()));
  if (formats.empty()) throw VulkanError("the window surface offers no formats", VK_ERROR_FORMAT_NOT_SUPPORTED);
  // UNORM, not sRGB: the window then shows the same bytes as the offscreen PNGs.
  for (VkFormat wanted : {VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM}) {
    for (const auto& f : formats)
      if (f.format == wanted && f.colorSpace == VK_COLOR_SPACE_SRGB_NONLINEAR_KHR) return f;
  }
  return formats.front();
}

VkSemaphore makeSemaphore(VkDevice device) {
  VkSemaphoreCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
  VkSemaphore s = VK_NULL_HANDLE;
  VK_CHECK(vkCreateSemaphore(device, &info, nullptr, &s));
  return s;
}

}  // namespace

WindowPresenter::WindowPresenter(const VulkanDevice& device, VkSurfaceKHR surface,
                                 std::function<VkExtent2D()> framebufferSize)
    : device_(device), surface_(surface), framebufferSize_(std::move(framebufferSize)) {
  const VkDevice d = device_.handle();
  const VkSurfaceFormatKHR surfaceFormat = chooseFormat(device_.physical(), surface_);
  format_ = surfaceFormat.format;
  colorSpace_ = surfaceFormat.colorSpace;
  renderPass_ = makeColorRenderPass(d, format_, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR);

  try {
    VkCommandBufferAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    alloc.commandPool = device_.commandPool();
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = kFramesInFlight;
    VK_CHECK(vkAllocateCommandBuffers(d, &alloc, commandBuffers_.data()));
    for (uint32_t i = 0; i < kFramesInFlight; ++i) {
      imageAvailable_[i] = makeSemaphore(d);
      VkFenceCreateInfo fenceInfo{};
      fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
      fenceInfo.flags = VK_FENCE_CREATE_SIGNALED_BIT;
      VK_CHECK(vkCreateFence(d, &fenceInfo, nullptr, &inFlight_[i]));
    }
    createSwapchain();
  } catch (...) {
    destroy();
    throw;
  }
}

WindowPresenter::~WindowPresenter() {
  destroy();
}

// Safe on a half-built presenter: every vkDestroy* accepts VK_NULL_HANDLE.
void WindowPresenter::destroy() {
  const VkDevice d = device_.handle();
  vkDeviceWaitIdle(d);
  captureBuffer_.reset();
  destroySwapchainObjects();
  vkDestroySwapchainKHR(d, swapchain_, nullptr);
  for (uint32_t i = 0; i < kFramesInFlight; ++i) {
    vkDestroySemaphore(d, imageAvailable_[i], nullptr);
    vkDestroyFence(d, inFlight_[i], nullptr);
  }
  if (commandBuffers_[0] != VK_NULL_HANDLE)
    vkFreeCommandBuffers(d, device_.commandPool(), kFramesInFlight, commandBuffers_.data());
  vkDestroyRenderPass(d, renderPass_, nullptr);
}

void WindowPresenter::createSwapchain() {
  const VkDevice d = device_.handle();
  VkSurfaceCapabilitiesKHR caps{};
  VK_CHECK(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(device_.physical(), surface_, &caps));
  if (caps.currentExtent.width != std::numeric_limits<uint32_t>::max()) {
    extent_ = caps.currentExtent;
  } else {
    const VkExtent2D wanted = framebufferSize_();
    extent_.width = std::clamp(wanted.width, caps.minImageExtent.width, caps.maxImageExtent.width);
    extent_.height = std::clamp(wanted.height, caps.minImageExtent.height, caps.maxImageExtent.height);
  }
  minImageCount_ = std::max(2u, caps.minImageCount);
  uint32_t requested = std::max(minImageCount_, 3u);
  if (caps.maxImageCount > 0) requested = std::min(requested, caps.maxImageCount);
  // Screenshots copy the image as 4 bytes per pixel, so only the 8-bit RGBA/BGRA formats.
  const bool bytePerChannel = format_ == VK_FORMAT_B8G8R8A8_UNORM || format_ == VK_FORMAT_B8G8R8A8_SRGB ||
                              format_ == VK_FORMAT_R8G8B8A8_UNORM || format_ == VK_FORMAT_R8G8B8A8_SRGB;
  canCapture_ = bytePerChannel && (caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_SRC_BIT) != 0;

  VkSwapchainCreateInfoKHR info{};
  info.sType = VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR;
  info.surface = surface_;
  info.minImageCount = requested;
  info.imageFormat = format_;
  info.imageColorSpace = colorSpace_;
  info.imageExtent = extent_;
  info.imageArrayLayers = 1;
  info.imageUsage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | (canCapture_ ? VK_IMAGE_USAGE_TRANSFER_SRC_BIT : 0);
  info.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
  info.preTransform = caps.currentTransform;
  info.compositeAlpha = VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR;
  info.presentMode = VK_PRESENT_MODE_FIFO_KHR;  // always available; paces the UI to the display
  info.clipped = VK_TRUE;
  info.oldSwapchain = swapchain_;
  VkSwapchainKHR created = VK_NULL_HANDLE;
  VK_CHECK(vkCreateSwapchainKHR(d, &info, nullptr, &created));
  if (swapchain_ != VK_NULL_HANDLE) vkDestroySwapchainKHR(d, swapchain_, nullptr);
  swapchain_ = created;

  uint32_t count = 0;
  VK_CHECK(vkGetSwapchainImagesKHR(d, swapchain_, &count, nullptr));
  images_.resize(count);
  VK_CHECK(vkGetSwapchainImagesKHR(d, swapchain_, &count, images_.data()));
  for (VkImage image : images_) {
    views_.push_back(makeColorImageView(d, image, format_));
    framebuffers_.push_back(makeFramebuffer(d, renderPass_, views_.back(), extent_));
    renderFinished_.push_back(makeSemaphore(d));
  }
}

void WindowPresenter::destroySwapchainObjects() {
  const VkDevice d = device_.handle();
  for (auto fb : framebuffers_) vkDestroyFramebuffer(d, fb, nullptr);
  for (auto v : views_) vkDestroyImageView(d, v, nullptr);
  for (auto s : renderFinished_) vkDestroySemaphore(d, s, nullptr);
  framebuffers_.clear();
  views_.clear();
  renderFinished_.clear();
  images_.clear();
}

void WindowPresenter::recreate() {
  VK_CHECK(vkDeviceWaitIdle(device_.handle()));
  destroySwapchainObjects();
  createSwapchain();
  resized_ = false;
  ++recreations_;
}

std::optional<FrameContext> WindowPresenter::beginFrame(const std::array<float, 4>& clearColor) {
  const VkExtent2D size = framebufferSize_();
  if (size.width == 0 || size.height == 0) return std::nullopt;  // minimised: draw nothing
  if (resized_) {
    recreate();
    return std::nullopt;
  }
  const VkDevice d = device_.handle();
  VK_CHECK(vkWaitForFences(d, 1, &inFlight_[slot_], VK_TRUE, UINT64_MAX));
  uint32_t imageIndex = 0;
  const VkResult acquired =
      vkAcquireNextImageKHR(d, swapchain_, UINT64_MAX, imageAvailable_[slot_], VK_NULL_HANDLE, &imageIndex);
  if (acquired == VK_ERROR_OUT_OF_DATE_KHR) {
    recreate();
    return std::nullopt;
  }
  if (acquired != VK_SUBOPTIMAL_KHR) VK_CHECK(acquired);
  VK_CHECK(vkResetFences(d, 1, &inFlight_[slot_]));

  VkCommandBuffer cmd = commandBuffers_[slot_];
  VK_CHECK(vkResetCommandBuffer(cmd, 0));
  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  VK_CHECK(vkBeginCommandBuffer(cmd, &begin));
  beginColorPass(cmd, renderPass_, framebuffers_[imageIndex], extent_, clearColor);
  return FrameContext{cmd, slot_, imageIndex, extent_};
}

void WindowPresenter::endFrame(const FrameContext& frame, RgbaImage* capture) {
  const VkDevice d = device_.handle();
  vkCmdEndRenderPass(frame.cmd);
  const bool capturing = capture != nullptr && canCapture_;
  if (capturing) {
    const VkDeviceSize bytes = VkDeviceSize(frame.extent.width) * frame.extent.height * 4;
    if (!captureBuffer_ || captureBuffer_->size() < bytes)
      captureBuffer_ = std::make_unique<HostBuffer>(device_, bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
    recordImageToBufferCopy(frame.cmd, images_[frame.imageIndex], VK_IMAGE_LAYOUT_PRESENT_SRC_KHR, frame.extent,
                            captureBuffer_->handle());
  }
  VK_CHECK(vkEndCommandBuffer(frame.cmd));

  const VkPipelineStageFlags waitStage = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  VkSubmitInfo submit{};
  submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  submit.waitSemaphoreCount = 1;
  submit.pWaitSemaphores = &imageAvailable_[frame.slot];
  submit.pWaitDstStageMask = &waitStage;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &frame.cmd;
  submit.signalSemaphoreCount = 1;
  submit.pSignalSemaphores = &renderFinished_[frame.imageIndex];
  VK_CHECK(vkQueueSubmit(device_.queue(), 1, &submit, inFlight_[frame.slot]));

  VkPresentInfoKHR present{};
  present.sType = VK_STRUCTURE_TYPE_PRESENT_INFO_KHR;
  present.waitSemaphoreCount = 1;
  present.pWaitSemaphores = &renderFinished_[frame.imageIndex];
  present.swapchainCount = 1;
  present.pSwapchains = &swapchain_;
  present.pImageIndices = &frame.imageIndex;
  const VkResult presented = vkQueuePresentKHR(device_.queue(), &present);

  if (capturing) {
    VK_CHECK(vkWaitForFences(d, 1, &inFlight_[frame.slot], VK_TRUE, UINT64_MAX));
    capture->width = static_cast<int>(frame.extent.width);
    capture->height = static_cast<int>(frame.extent.height);
    capture->pixels.resize(static_cast<std::size_t>(capture->width) * capture->height * 4);
    std::memcpy(capture->pixels.data(), captureBuffer_->mapped(), capture->pixels.size());
    if (format_ == VK_FORMAT_B8G8R8A8_UNORM || format_ == VK_FORMAT_B8G8R8A8_SRGB) {
      for (std::size_t i = 0; i < capture->pixels.size(); i += 4) std::swap(capture->pixels[i], capture->pixels[i + 2]);
    }
    for (std::size_t i = 3; i < capture->pixels.size(); i += 4) capture->pixels[i] = 255;  // the window is opaque
  } else if (capture != nullptr) {
    throw VulkanError("this window surface cannot be read back (no TRANSFER_SRC usage)", VK_ERROR_FEATURE_NOT_PRESENT);
  }

  slot_ = (slot_ + 1) % kFramesInFlight;
  if (presented == VK_ERROR_OUT_OF_DATE_KHR || presented == VK_SUBOPTIMAL_KHR) {
    resized_ = true;
  } else {
    VK_CHECK(presented);
  }
}

}  // namespace rankflow::render
