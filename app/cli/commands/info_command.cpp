#include <cstdio>
#include <iostream>

#include "app/cli/build_info.h"
#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/viewer/cli_error.h"
#include "render/vk_check.h"
#include "render/vulkan_context.h"

namespace rankflow::app {

int runInfoCommand(const std::vector<std::string>& args) {
  CommandLine cmd("info", "rankflow info [--backend auto|cpu|cuda]",
                  "Prints the Vulkan devices, the CUDA device (or why there is none), the compute backend that "
                  "would run, and the build options.",
                  {backendOption()});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const BackendSelection selection = selectBackendFor(cmd);

  std::printf("Vulkan\n");
  try {
    render::VulkanInstance instance({false, {}});
    std::printf("  instance    : Vulkan %s\n", render::formatVulkanVersion(instance.apiVersion()).c_str());
    const auto devices = render::listPhysicalDevices(instance.handle());
    if (devices.empty()) std::printf("  devices     : none (install mesa-vulkan-drivers for lavapipe)\n");
    for (const auto& d : devices) {
      std::printf("  device      : %s (%s, Vulkan %s, %s)\n", d.name.c_str(), d.type.c_str(), d.apiVersion.c_str(),
                  d.driver.c_str());
    }
  } catch (const render::VulkanError& e) {
    std::printf("  unavailable : %s\n", e.what());
  }

  std::printf("CUDA\n");
  if (selection.cuda.available) {
    std::printf("  device      : %s\n", selection.cuda.device.c_str());
  } else {
    std::printf("  device      : none — %s\n", selection.cuda.reason.c_str());
  }
  std::printf("Compute backend\n  in use      : %s\n", selection.backend->description().c_str());
  if (!selection.whyNotCuda.empty()) std::printf("  not CUDA    : %s\n", selection.whyNotCuda.c_str());
  // The learned cascade's trainer follows the same choice (train, compare, the Learned tab).
  std::printf("  trainer     : %s\n", selectTrainingEngine(backendPreferenceFor(cmd))->name().c_str());
  std::printf("Build\n%s", buildOptionsText().c_str());
  return kExitOk;
}

}  // namespace rankflow::app
