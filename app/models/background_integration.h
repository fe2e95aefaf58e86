#pragma once
// Integrates a copy of the scene on a BackgroundLane so the window opens at once and stays
// responsive; the UI polls it each frame and swaps the result in when it is ready.
#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>

#include "core/common/background_lane.h"
#include "core/compute/flow_backend.h"
#include "core/flows/flow_scene.h"

namespace rankflow::app {

class BackgroundIntegration {
 public:
  BackgroundIntegration() = default;
  BackgroundIntegration(const BackgroundIntegration&) = delete;
  BackgroundIntegration& operator=(const BackgroundIntegration&) = delete;
  // Closing the window mid-integration cancels it instead of waiting for it.
  ~BackgroundIntegration();

  // A newer scene supersedes the running one: it stops at its next check and its result is
  // dropped. `backend` must outlive the integration (or the next start()).
  void start(const flows::FlowScene& prepared, const compute::FlowBackend& backend);
  // From start() until take(): the latest scene is being integrated or waits to be taken.
  bool running() const;
  bool ready() const;
  flows::FlowScene take();  // once ready(); rethrows the worker's exception
  float progress() const { return progress_.load(); }

 private:
  mutable std::mutex mutex_;
  std::uint64_t wanted_ = 0;  // generation of the latest start(); 0 after take()
  std::optional<flows::FlowScene> finished_;
  std::exception_ptr failure_;
  std::uint64_t generation_ = 0;       // of the latest start() (UI thread only)
  std::atomic<float> progress_{0.0f};  // written under mutex_ by the wanted job
  BackgroundLane lane_;                // last: joined before the members its task uses go
};

}  // namespace rankflow::app
