#pragma once
#include <vulkan/vulkan.h>

#include <stdexcept>
#include <string>

namespace rankflow::render {

class VulkanError : public std::runtime_error {
 public:
  VulkanError(const std::string& message, VkResult result) : std::runtime_error(message), result_(result) {}
  VkResult result() const { return result_; }

 private:
  VkResult result_;
};

const char* vkResultName(VkResult result);

[[noreturn]] void throwVulkanError(VkResult result, const char* expr, const char* file, int line);

}  // namespace rankflow::render

// Throws with file and line (never exits), so a lost device reaches the user as a message.
#define VK_CHECK(expr)                                                                                               \
  do {                                                                                                               \
    const VkResult rf_vk_result_ = (expr);                                                                           \
    if (rf_vk_result_ != VK_SUCCESS) ::rankflow::render::throwVulkanError(rf_vk_result_, #expr, __FILE__, __LINE__); \
  } while (0)
