#include "render/host_buffer.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "render/vk_check.h"
#include "render/vulkan_context.h"

namespace rankflow::render {

namespace {

// A buffer bound to fresh memory of a type with `properties`; on failure nothing is left.
void createBoundBuffer(const VulkanDevice& device, VkDeviceSize size, VkBufferUsageFlags usage,
                       VkMemoryPropertyFlags properties, VkBuffer& buffer, VkDeviceMemory& memory) {
  const VkDevice d = device.handle();
  VkBufferCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
  info.size = size;
  info.usage = usage;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VK_CHECK(vkCreateBuffer(d, &info, nullptr, &buffer));
  try {
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(d, buffer, &req);
    VkMemoryAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = device.findMemoryType(req.memoryTypeBits, properties);
    VK_CHECK(vkAllocateMemory(d, &alloc, nullptr, &memory));
    VK_CHECK(vkBindBufferMemory(d, buffer, memory, 0));
  } catch (...) {
    if (memory != VK_NULL_HANDLE) vkFreeMemory(d, memory, nullptr);
    vkDestroyBuffer(d, buffer, nullptr);
    memory = VK_NULL_HANDLE;
    buffer = VK_NULL_HANDLE;
    throw;
  }
}

}  // namespace

HostBuffer::HostBuffer(const VulkanDevice& device, VkDeviceSize size, VkBufferUsageFlags usage)
    : device_(device.handle()), size_(size) {
  createBoundBuffer(device, size, usage, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                    buffer_, memory_);
  const VkResult mapped = vkMapMemory(device_, memory_, 0, VK_WHOLE_SIZE, 0, &mapped_);
  if (mapped != VK_SUCCESS) {
    vkFreeMemory(device_, memory_, nullptr);
    vkDestroyBuffer(device_, buffer_, nullptr);
    VK_CHECK(mapped);
  }
}

DeviceBuffer::DeviceBuffer(const VulkanDevice& device, VkDeviceSize size, VkBufferUsageFlags usage)
    : device_(device), size_(size) {
  createBoundBuffer(device, size, usage | VK_BUFFER_USAGE_TRANSFER_DST_BIT, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                    buffer_, memory_);
}

DeviceBuffer::~DeviceBuffer() {
  vkFreeMemory(device_.handle(), memory_, nullptr);
  vkDestroyBuffer(device_.handle(), buffer_, nullptr);
}

void DeviceBuffer::upload(const void* data, VkDeviceSize bytes) {
  if (bytes > size_) throw std::invalid_argument("DeviceBuffer::upload: more bytes than the buffer holds");
  // In pieces of at most 64 MiB, so the staging memory stays small.
  constexpr VkDeviceSize kPiece = VkDeviceSize{64} << 20;
  HostBuffer staging(device_, std::min(std::max<VkDeviceSize>(bytes, 4), kPiece), VK_BUFFER_USAGE_TRANSFER_SRC_BIT);
  for (VkDeviceSize offset = 0; offset < bytes; offset += kPiece) {
    const VkDeviceSize piece = std::min(kPiece, bytes - offset);
    std::memcpy(staging.mapped(), static_cast<const char*>(data) + offset, piece);
    device_.submitAndWait([&](VkCommandBuffer cmd) {
      const VkBufferCopy region{0, offset, piece};
      vkCmdCopyBuffer(cmd, staging.handle(), buffer_, 1, &region);
      // The copy is done before any later submission's shaders read the buffer.
      VkBufferMemoryBarrier barrier{};
      barrier.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER;
      barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
      barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_INDEX_READ_BIT;
      barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
      barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
      barrier.buffer = buffer_;
      barrier.offset = offset;
      barrier.size = piece;
      vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
                           VK_PIPELINE_STAGE_VERTEX_INPUT_BIT | VK_PIPELINE_STAGE_VERTEX_SHADER_BIT, 0, 0, nullptr, 1,
                           &barrier, 0, nullptr);
    });
  }
}

HostBuffer::~HostBuffer() {
  if (mapped_) vkUnmapMemory(device_, memory_);
  vkFreeMemory(device_, memory_, nullptr);
  vkDestroyBuffer(device_, buffer_, nullptr);
}

}  // namespace rankflow::render
