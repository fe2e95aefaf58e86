#include "app/viewer/lowrank_engine.h"

#include <atomic>

#include "app/viewer/device_fault_injection.h"

namespace rankflow::app {
namespace {

std::atomic<BackendPreference> windowPreference{BackendPreference::Auto};

}  // namespace

void setWindowLowRankPreference(BackendPreference preference) {
  windowPreference = preference;
}

WindowLowRankBackend makeWindowLowRankBackend() {
  WindowLowRankBackend out;
  const BackendPreference preference = windowPreference.load();
  try {
    if (const auto fault = injectedDeviceFault(); fault && preference != BackendPreference::Cpu) {
      out.backend = makeFailingLowRankBackend(*fault);
      out.cuda = true;
      return out;
    }
    LowRankSelection selection =
        selectLowRankBackend(preference == BackendPreference::Cuda ? BackendPreference::Auto : preference);
    out.backend = std::move(selection.backend);
    out.cuda = selection.cuda;
    out.whyNotCuda = selection.whyNotCuda;
  } catch (const std::exception& e) {
    out.backend = lowrank::makeCpuLowRankBackend();
    out.whyNotCuda = e.what();
  }
  return out;
}

BackendSelection selectWindowFlowBackend(BackendPreference preference) {
  if (const auto fault = injectedDeviceFault(); fault && preference != BackendPreference::Cpu) {
    BackendSelection selection;
    selection.backend = makeFailingFlowBackend(*fault);
    return selection;
  }
  return selectBackend(preference);
}

std::shared_ptr<learn::TrainingEngine> selectWindowTrainingEngine(BackendPreference preference) {
  if (const auto fault = injectedDeviceFault(); fault && preference != BackendPreference::Cpu) {
    return makeFailingTrainingEngine(*fault);
  }
  return selectTrainingEngine(preference);
}

}  // namespace rankflow::app
