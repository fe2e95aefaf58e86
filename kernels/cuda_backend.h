#pragma once
// Plain C++ header: the app includes it with no CUDA headers on its include path.
#include <memory>
#include <string>

#include "core/compute/flow_backend.h"

namespace rankflow::kernels {

struct CudaProbe {
  bool compiled = false;   // this build contains the CUDA kernels
  bool available = false;  // a usable device was found at run time
  std::string device;      // "NVIDIA H100 80GB HBM3 · sm_90 · 79.1 GiB" when available
  std::string reason;      // why not, when unavailable
  std::string buildInfo;   // "nvcc 13.0, arch 90" or "built without CUDA"
};

// Asks the CUDA runtime for a device. Any runtime error (no driver: error 35, no device:
// error 100, …) means "no device" with the runtime's message as the reason; never throws.
CudaProbe probeCuda();

// The CUDA backend, or nullptr when probeCuda() reports no device.
std::unique_ptr<compute::FlowBackend> makeCudaBackend();

}  // namespace rankflow::kernels
