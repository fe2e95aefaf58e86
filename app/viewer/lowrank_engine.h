#pragma once
// The low-rank backend the window's models use for ranks (the Ranks panel, the Timeline's
// rank strip): CUDA when the window's backend preference allows it and a device exists,
// Eigen otherwise. Each model makes its own instance on its worker thread (the CUDA one
// keeps device buffers between calls and is used by one thread at a time). No ImGui.
#include <memory>
#include <string>

#include "app/viewer/backend_selection.h"
#include "core/compute/device_fault.h"
#include "core/lowrank/lowrank_backend.h"

namespace rankflow::app {

// Set once by the window (gui --backend); Auto until then.
void setWindowLowRankPreference(BackendPreference preference);

struct WindowLowRankBackend {
  std::unique_ptr<lowrank::LowRankBackend> backend;
  bool cuda = false;
  std::string whyNotCuda;  // empty when CUDA is in use
};

// Never throws: a CUDA backend that fails to start (or `cuda` chosen without a device)
// leaves the CPU one, with the reason. Under the device-fault test hook
// (app/viewer/device_fault_injection.h) it is a CUDA stand-in that fails every job.
WindowLowRankBackend makeWindowLowRankBackend();

// The window's flow backend: selectBackend's, or the failing stand-in under the test hook.
BackendSelection selectWindowFlowBackend(BackendPreference preference);

// The window's trainer (the Learned view): selectTrainingEngine's, or the failing stand-in
// under the test hook.
std::shared_ptr<learn::TrainingEngine> selectWindowTrainingEngine(BackendPreference preference);

// Runs `job(backend)` on the engine. When the device fails during it (compute::DeviceFault:
// lost, out of memory), the engine becomes the CPU's for good, whyNotCuda says why, and the
// job runs again there (docs/RELIABILITY.md, "Faults").
template <class Job>
auto runWithCpuFallback(WindowLowRankBackend& engine, Job&& job) -> decltype(job(*engine.backend)) {
  if (!engine.backend) engine = makeWindowLowRankBackend();
  if (!engine.cuda) return job(*engine.backend);
  try {
    return job(*engine.backend);
  } catch (const compute::DeviceFault& fault) {
    engine.backend = lowrank::makeCpuLowRankBackend();
    engine.cuda = false;
    engine.whyNotCuda = std::string("CUDA failed, the CPU runs from now on: ") + fault.what();
  }
  return job(*engine.backend);
}

}  // namespace rankflow::app
