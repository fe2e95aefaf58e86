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

// A buffer in device-local memory, filled once through a staging buffer: data the GPU reads
// every frame but the CPU writes rarely (the particle tracks: ~0.8 GB for a million
// particles, which a discrete GPU would otherwise read over PCIe on every frame).
class DeviceBuffer {
 public:
  DeviceBuffer(const VulkanDevice& device, VkDeviceSize size, VkBufferUsageFlags usage);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  VkBuffer handle() const { return buffer_; }
  VkDeviceSize size() const { return size_; }
  // Copies `bytes` from host memory to the start of the buffer; waits until done.
  void upload(const void* data, VkDeviceSize bytes);

 private:
  const VulkanDevice& device_;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  VkDeviceSize size_ = 0;
};

}  // namespace rankflow::render
