#pragma once
// Integrates a copy of the scene on a worker thread so the window opens at once and stays
// responsive; the UI polls it each frame and swaps the result in when it is ready.
#include <atomic>
#include <future>

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

  // A newer scene supersedes the running one: it is cancelled and its result dropped.
  void start(const flows::FlowScene& prepared, const compute::FlowBackend& backend);
  bool running() const { return result_.valid(); }
  bool ready() const;
  flows::FlowScene take() { return result_.get(); }  // rethrows the worker's exception
  float progress() const { return progress_.load(); }

 private:
  void cancelRunning();

  std::atomic<float> progress_{0.0f};
  std::atomic<bool> stop_{false};
  std::future<flows::FlowScene> result_;
};

}  // namespace rankflow::app
