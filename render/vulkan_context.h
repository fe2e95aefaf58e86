#pragma once
#include <vulkan/vulkan.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rankflow::render {

// Collects what the validation layer says. Every warning or error is kept; tests and the
// GUI's --validation mode fail when the log is not empty.
class ValidationLog {
 public:
  void add(std::string message);
  std::vector<std::string> messages() const;
  std::size_t count() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
};

struct InstanceOptions {
  bool validation = false;
  std::vector<std::string> extensions;  // e.g. what glfwGetRequiredInstanceExtensions returns
};

class VulkanInstance {
 public:
  explicit VulkanInstance(const InstanceOptions& options);
  ~VulkanInstance();
  VulkanInstance(const VulkanInstance&) = delete;
  VulkanInstance& operator=(const VulkanInstance&) = delete;

  VkInstance handle() const { return instance_; }
  bool validationEnabled() const { return messenger_ != VK_NULL_HANDLE; }
  const ValidationLog& validationLog() const { return *log_; }
  uint32_t apiVersion() const { return apiVersion_; }

 private:
  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  std::unique_ptr<ValidationLog> log_;
  uint32_t apiVersion_ = 0;
};

struct PhysicalDeviceInfo {
  VkPhysicalDevice handle = VK_NULL_HANDLE;
  std::string name;
  std::string type;        // "discrete GPU", "CPU (software)", …
  std::string apiVersion;  // "1.3.230"
  std::string driver;
};

std::vector<PhysicalDeviceInfo> listPhysicalDevices(VkInstance instance);
std::string formatVulkanVersion(uint32_t version);

// Logical device with one graphics queue (which can also present to `surface` when one is
// given). Prefers a discrete GPU, then integrated, then any; RANKFLOW_VK_DEVICE=<substring>
// picks by name.
class VulkanDevice {
 public:
  VulkanDevice(const VulkanInstance& instance, VkSurfaceKHR surface);
  ~VulkanDevice();
  VulkanDevice(const VulkanDevice&) = delete;
  VulkanDevice& operator=(const VulkanDevice&) = delete;

  VkPhysicalDevice physical() const { return physical_; }
  VkDevice handle() const { return device_; }
  VkQueue queue() const { return queue_; }
  uint32_t queueFamily() const { return queueFamily_; }
  VkCommandPool commandPool() const { return commandPool_; }
  const PhysicalDeviceInfo& info() const { return info_; }
  bool largePoints() const { return largePoints_; }
  float maxPointSize() const { return maxPointSize_; }
  // The largest side of an image this device can render into and sample.
  uint32_t maxTargetDimension() const { return maxTargetDimension_; }
  // The largest storage buffer a shader may read (the particle tracks must fit in one).
  VkDeviceSize maxStorageBufferRange() const { return maxStorageBufferRange_; }

  uint32_t findMemoryType(uint32_t typeBits, VkMemoryPropertyFlags required) const;

  // Records with `record` into a fresh command buffer, submits, and waits.
  void submitAndWait(const std::function<void(VkCommandBuffer)>& record) const;

 private:
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queueFamily_ = 0;
  VkCommandPool commandPool_ = VK_NULL_HANDLE;
  PhysicalDeviceInfo info_;
  VkPhysicalDeviceMemoryProperties memory_{};
  bool largePoints_ = false;
  float maxPointSize_ = 1.0f;
  uint32_t maxTargetDimension_ = 4096;
  VkDeviceSize maxStorageBufferRange_ = 0;
};

}  // namespace rankflow::render
