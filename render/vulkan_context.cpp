#include "render/vulkan_context.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "render/vk_check.h"

namespace rankflow::render {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

VKAPI_ATTR VkBool32 VKAPI_CALL onValidationMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                   VkDebugUtilsMessageTypeFlagsEXT,
                                                   const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  auto* log = static_cast<ValidationLog*>(user);
  const char* level = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) ? "error" : "warning";
  log->add(std::string("[vulkan ") + level + "] " + (data && data->pMessage ? data->pMessage : "(no message)"));
  return VK_FALSE;
}

VkDebugUtilsMessengerCreateInfoEXT messengerInfo(ValidationLog* log) {
  VkDebugUtilsMessengerCreateInfoEXT info{};
  info.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
  info.messageSeverity =
      VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  info.pfnUserCallback = onValidationMessage;
  info.pUserData = log;
  return info;
}

bool hasLayer(const char* name) {
  uint32_t count = 0;
  vkEnumerateInstanceLayerProperties(&count, nullptr);
  std::vector<VkLayerProperties> layers(count);
  vkEnumerateInstanceLayerProperties(&count, layers.data());
  return std::any_of(layers.begin(), layers.end(), [&](const auto& l) { return std::strcmp(l.layerName, name) == 0; });
}

const char* deviceTypeName(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return "CPU (software)";
    default:
      return "other";
  }
}

int typePreference(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return 3;
    default:
      return 4;
  }
}

}  // namespace

// [SECTION] ValidationLog

void ValidationLog::add(std::string message) {
  std::lock_guard lock(mutex_);
  messages_.push_back(std::move(message));
}
std::vector<std::string> ValidationLog::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}
std::size_t ValidationLog::count() const {
  std::lock_guard lock(mutex_);
  return messages_.size();
}

// [SECTION] VulkanInstance

VulkanInstance::VulkanInstance(const InstanceOptions& options) : log_(std::make_unique<ValidationLog>()) {
  VK_CHECK(vkEnumerateInstanceVersion(&apiVersion_));
  VkApplicationInfo app{};
  app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
  app.pApplicationName = "Rankflow";
  app.applicationVersion = VK_MAKE_VERSION(0, 1, 0);
  app.pEngineName = "Rankflow";
  app.apiVersion = VK_API_VERSION_1_1;

  std::vector<const char*> extensions;
  for (const auto& e : options.extensions) extensions.push_back(e.c_str());
  std::vector<const char*> layers;
  const VkDebugUtilsMessengerCreateInfoEXT debugInfo = messengerInfo(log_.get());
  if (options.validation) {
    if (!hasLayer(kValidationLayer)) {
      throw VulkanError(
          "Vulkan validation was requested but VK_LAYER_KHRONOS_validation is not installed "
          "(apt-get install vulkan-validationlayers)",
          VK_ERROR_LAYER_NOT_PRESENT);
    }
    layers.push_back(kValidationLayer);
    extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  }

  VkInstanceCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
  info.pApplicationInfo = &app;
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  info.enabledLayerCount = static_cast<uint32_t>(layers.size());
  info.ppEnabledLayerNames = layers.data();
  // Chained so that instance creation and destruction are validated too.
  if (options.validation) info.pNext = &debugInfo;
  VK_CHECK(vkCreateInstance(&info, nullptr, &instance_));

  if (options.validation) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
    if (!create) {
      vkDestroyInstance(instance_, nullptr);
      throw VulkanError("vkCreateDebugUtilsMessengerEXT is missing", VK_ERROR_EXTENSION_NOT_PRESENT);
    }
    const VkResult result = create(instance_, &debugInfo, nullptr, &messenger_);
    if (result != VK_SUCCESS) {
      vkDestroyInstance(instance_, nullptr);
      VK_CHECK(result);
    }
  }
}

VulkanInstance::~VulkanInstance() {
  if (messenger_ != VK_NULL_HANDLE) {
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
    if (destroy) destroy(instance_, messenger_, nullptr);
  }
  vkDestroyInstance(instance_, nullptr);
}

// [SECTION] Physical devices

std::string formatVulkanVersion(uint32_t version) {
  return std::to_string(VK_API_VERSION_MAJOR(version)) + "." + std::to_string(VK_API_VERSION_MINOR(version)) + "." +
         std::to_string(VK_API_VERSION_PATCH(version));
}

std::vector<PhysicalDeviceInfo> listPhysicalDevices(VkInstance instance) {
  uint32_t count = 0;
  VK_CHECK(vkEnumeratePhysicalDevices(instance, &count, nullptr));
  std::vector<VkPhysicalDevice> handles(count);
  VK_CHECK(vkEnumeratePhysicalDevices(instance, &count, handles.data()));
  std::vector<PhysicalDeviceInfo> out;
  for (VkPhysicalDevice handle : handles) {
    VkPhysicalDeviceDriverProperties driver{};
    driver.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES;
    VkPhysicalDeviceProperties2 props{};
    props.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
    props.pNext = &driver;
    vkGetPhysicalDeviceProperties2(handle, &props);
    PhysicalDeviceInfo info;
    info.handle = handle;
    info.name = props.properties.deviceName;
    info.type = deviceTypeName(props.properties.deviceType);
    info.apiVersion = formatVulkanVersion(props.properties.apiVersion);
    info.driver = std::string(driver.driverName) + " " + driver.driverInfo;
    out.push_back(std::move(info));
  }
  return out;
}

// [SECTION] VulkanDevice

VulkanDevice::VulkanDevice(const VulkanInstance& instance, VkSurfaceKHR surface) {
  const auto candidates = listPhysicalDevices(instance.handle());
  if (candidates.empty()) {
    throw VulkanError("no Vulkan device found (install mesa-vulkan-drivers for the lavapipe CPU renderer)",
                      VK_ERROR_INITIALIZATION_FAILED);
  }
  const char* wanted = std::getenv("RANKFLOW_VK_DEVICE");

  struct Choice {
    const PhysicalDeviceInfo* info;
    uint32_t family;
    int preference;
  };
  std::vector<Choice> usable;
  for (const auto& candidate : candidates) {
    if (wanted && candidate.name.find(wanted) == std::string::npos) continue;
    uint32_t familyCount = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(candidate.handle, &familyCount, nullptr);
    std::vector<VkQueueFamilyProperties> families(familyCount);
    vkGetPhysicalDeviceQueueFamilyProperties(candidate.handle, &familyCount, families.data());
    for (uint32_t f = 0; f < familyCount; ++f) {
      if (!(families[f].queueFlags & VK_QUEUE_GRAPHICS_BIT)) continue;
      if (surface != VK_NULL_HANDLE) {
        VkBool32 present = VK_FALSE;
        VK_CHECK(vkGetPhysicalDeviceSurfaceSupportKHR(candidate.handle, f, surface, &present));
        if (!present) continue;
      }
      VkPhysicalDeviceProperties props;
      vkGetPhysicalDeviceProperties(candidate.handle, &props);
      usable.push_back({&candidate, f, typePreference(props.deviceType)});
      break;
    }
  }
  if (usable.empty()) {
    std::string message = "no Vulkan device can draw";
    if (surface != VK_NULL_HANDLE) message += " and present to this window";
    if (wanted) message += std::string(" matching RANKFLOW_VK_DEVICE='") + wanted + "'";
    throw VulkanError(message, VK_ERROR_INITIALIZATION_FAILED);
  }
  const Choice& chosen = *std::min_element(
      usable.begin(), usable.end(), [](const Choice& a, const Choice& b) { return a.preference < b.preference; });
  physical_ = chosen.info->handle;
  info_ = *chosen.info;
  queueFamily_ = chosen.family;
  vkGetPhysicalDeviceMemoryProperties(physical_, &memory_);

  VkPhysicalDeviceFeatures supported{};
  vkGetPhysicalDeviceFeatures(physical_, &supported);
  VkPhysicalDeviceProperties props{};
  vkGetPhysicalDeviceProperties(physical_, &props);
  largePoints_ = supported.largePoints == VK_TRUE;
  maxPointSize_ = largePoints_ ? props.limits.pointSizeRange[1] : 1.0f;
  maxStorageBufferRange_ = props.limits.maxStorageBufferRange;
  maxTargetDimension_ =
      std::min({props.limits.maxImageDimension2D, props.limits.maxFramebufferWidth, props.limits.maxFramebufferHeight});
  VkPhysicalDeviceFeatures enabled{};
  enabled.largePoints = supported.largePoints;

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queueInfo{};
  queueInfo.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
  queueInfo.queueFamilyIndex = queueFamily_;
  queueInfo.queueCount = 1;
  queueInfo.pQueuePriorities = &priority;

  std::vector<const char*> extensions;
  if (surface != VK_NULL_HANDLE) extensions.push_back(VK_KHR_SWAPCHAIN_EXTENSION_NAME);
  VkDeviceCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queueInfo;
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  info.pEnabledFeatures = &enabled;
  VK_CHECK(vkCreateDevice(physical_, &info, nullptr, &device_));
  vkGetDeviceQueue(device_, queueFamily_, 0, &queue_);

  VkCommandPoolCreateInfo poolInfo{};
  poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
  poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  poolInfo.queueFamilyIndex = queueFamily_;
  const VkResult poolResult = vkCreateCommandPool(device_, &poolInfo, nullptr, &commandPool_);
  if (poolResult != VK_SUCCESS) {
    vkDestroyDevice(device_, nullptr);
    VK_CHECK(poolResult);
  }
}

VulkanDevice::~VulkanDevice() {
  if (device_ != VK_NULL_HANDLE) {
    vkDeviceWaitIdle(device_);
    vkDestroyCommandPool(device_, commandPool_, nullptr);
    vkDestroyDevice(device_, nullptr);
  }
}

uint32_t VulkanDevice::findMemoryType(uint32_t typeBits, VkMemoryPropertyFlags required) const {
  for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i) {
    if ((typeBits & (1u << i)) && (memory_.memoryTypes[i].propertyFlags & required) == required) return i;
  }
  throw VulkanError("no Vulkan memory type with the required properties", VK_ERROR_OUT_OF_DEVICE_MEMORY);
}

void VulkanDevice::submitAndWait(const std::function<void(VkCommandBuffer)>& record) const {
  VkCommandBufferAllocateInfo alloc{};
  alloc.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
  alloc.commandPool = commandPool_;
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  VK_CHECK(vkAllocateCommandBuffers(device_, &alloc, &cmd));
  VkFence fence = VK_NULL_HANDLE;
  try {
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VK_CHECK(vkBeginCommandBuffer(cmd, &begin));
    record(cmd);
    VK_CHECK(vkEndCommandBuffer(cmd));
    VkFenceCreateInfo fenceInfo{};
    fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    VK_CHECK(vkCreateFence(device_, &fenceInfo, nullptr, &fence));
    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd;
    VK_CHECK(vkQueueSubmit(queue_, 1, &submit, fence));
    VK_CHECK(vkWaitForFences(device_, 1, &fence, VK_TRUE, UINT64_MAX));
  } catch (...) {
    if (fence != VK_NULL_HANDLE) vkDestroyFence(device_, fence, nullptr);
    vkFreeCommandBuffers(device_, commandPool_, 1, &cmd);
    throw;
  }
  vkDestroyFence(device_, fence, nullptr);
  vkFreeCommandBuffers(device_, commandPool_, 1, &cmd);
}

}  // namespace rankflow::render
