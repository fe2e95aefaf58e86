#include "app/viewer/lowrank_engine.h"

#include <atomic>

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

}  // namespace rankflow::app
