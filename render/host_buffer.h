#pragma once
#include <vulkan/vulkan.h>

#include <cstddef>

namespace rankflow::render {

class VulkanDevice;

// A persistently mapped, host-coherent buffer: per-frame vertex data and readbacks.
// On lavapipe all memory is host memory; on a discrete GPU the scene's few hundred KiB
// per frame read over PCIe cost less than a staging copy would.
class HostBuffer {
 public:
  HostBuffer(const VulkanDevice& device, VkDeviceSize size, VkBufferUsageFlags usage);
  ~HostBuffer();
  HostBuffer(const HostBuffer&) = delete;
  HostBuffer& operator=(const HostBuffer&) = delete;

  VkBuffer handle() const { return buffer_; }
  VkDeviceSize size() const { return size_; }
  void* mapped() const { return mapped_; }

 private:
  VkDevice device_;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  VkDeviceSize size_ = 0;
  void* mapped_ = nullptr;
};

}  // namespace rankflow::render
