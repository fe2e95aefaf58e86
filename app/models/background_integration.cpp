#include "app/models/background_integration.h"

#include <chrono>

#include "core/flows/flow_fields.h"

namespace rankflow::app {

void BackgroundIntegration::cancelRunning() {
  if (!result_.valid()) return;
  // The integration checks the flag every 32 particles.
  stop_ = true;
  try {
    result_.get();
  } catch (const std::exception&) {
  }
}

void BackgroundIntegration::start(const flows::FlowScene& prepared, const compute::FlowBackend& backend) {
  cancelRunning();
  progress_ = 0.0f;
  stop_ = false;
  result_ = std::async(std::launch::async, [this, scene = prepared, &backend]() mutable {
    flows::integrateScene(scene, backend, [this](double fraction) {
      progress_ = static_cast<float>(fraction);
      return !stop_.load();
    });
    // Still off the UI thread: the acceleration part runs AD over the data.
    scene.straightness =
        flows::measureStraightness(flows::FlowData::empirical(scene.data.points), scene.schedule, scene.trajectories);
    return scene;
  });
}

bool BackgroundIntegration::ready() const {
  return result_.valid() && result_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

BackgroundIntegration::~BackgroundIntegration() {
  stop_ = true;
  if (result_.valid()) result_.wait();
}

}  // namespace rankflow::app
