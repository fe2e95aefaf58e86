#pragma once
// A test hook for device faults (docs/RELIABILITY.md, "Faults"). With the environment variable
// RANKFLOW_INJECT_DEVICE_FAULT set to `device-lost` or `out-of-memory`, the window's backends
// are ones that present themselves as a CUDA device and fail every job with that CUDA error,
// so the fallback to the CPU — the message in the panel included — runs and is tested on a
// machine without a GPU. Unset (always, outside tests), nothing changes.
#include <memory>
#include <optional>
#include <string>

#include "core/compute/flow_backend.h"
#include "core/learn/training_engine.h"
#include "core/lowrank/lowrank_backend.h"

namespace rankflow::app {

inline constexpr const char* kInjectDeviceFaultVariable = "RANKFLOW_INJECT_DEVICE_FAULT";

// The CUDA error the hook asks for ("cudaErrorDevicesUnavailable …"), or nullopt when unset.
// Throws InvalidArgument for a value other than device-lost and out-of-memory.
std::optional<std::string> injectedDeviceFault();

// Backends that claim to be CUDA and throw compute::DeviceFault(error) from every job.
std::unique_ptr<compute::FlowBackend> makeFailingFlowBackend(const std::string& error);
std::unique_ptr<lowrank::LowRankBackend> makeFailingLowRankBackend(const std::string& error);
std::shared_ptr<learn::TrainingEngine> makeFailingTrainingEngine(const std::string& error);

}  // namespace rankflow::app
