#include "app/cli/build_info.h"

#include "kernels/cuda_backend.h"

namespace rankflow::app {

std::string buildOptionsText() {
  std::string out;
  out += "  version     : " RANKFLOW_VERSION "\n";
  out += "  build type  : " RANKFLOW_BUILD_TYPE "\n";
  out += "  CUDA        : " + kernels::probeCuda().buildInfo + "\n";
  out += std::string("  validation  : ") +
         (RANKFLOW_VALIDATION_DEFAULT ? "on by default" : "off by default (--validation)") + "\n";
  out += std::string("  sanitizers  : ") + (RANKFLOW_SANITIZE ? "ASan + UBSan" : "off") + "\n";
  out += "  compiler    : " RANKFLOW_COMPILER "\n";
  return out;
}

}  // namespace rankflow::app
