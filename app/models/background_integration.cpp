#include "app/models/background_integration.h"

#include <stdexcept>
#include <utility>

#include "core/flows/flow_fields.h"

namespace rankflow::app {

void BackgroundIntegration::start(const flows::FlowScene& prepared, const compute::FlowBackend& backend) {
  const std::uint64_t generation = ++generation_;
  {
    const std::lock_guard lock(mutex_);
    wanted_ = generation;  // the running integration stops at its next check
    finished_.reset();
    failure_ = nullptr;
    progress_ = 0.0f;
  }
  lane_.post([this, generation, scene = prepared, &backend]() mutable {
    try {
      // The integration checks every 32 particles whether it is still wanted.
      flows::integrateScene(scene, backend, [&](double fraction) {
        const std::lock_guard lock(mutex_);  // a superseded job must not write over a newer start()
        if (wanted_ != generation) return false;
        progress_ = static_cast<float>(fraction);
        return true;
      });
      // Still off the UI thread: the acceleration part runs AD over the data.
      scene.straightness =
          flows::measureStraightness(flows::FlowData::empirical(scene.data.points), scene.schedule, scene.trajectories);
      const std::lock_guard lock(mutex_);
      if (wanted_ == generation) finished_ = std::move(scene);
    } catch (...) {
      const std::lock_guard lock(mutex_);
      if (wanted_ == generation) failure_ = std::current_exception();
    }
  });
}

bool BackgroundIntegration::running() const {
  const std::lock_guard lock(mutex_);
  return wanted_ != 0;
}

bool BackgroundIntegration::ready() const {
  const std::lock_guard lock(mutex_);
  return wanted_ != 0 && (finished_ || failure_);
}

flows::FlowScene BackgroundIntegration::take() {
  const std::lock_guard lock(mutex_);
  if (!finished_ && !failure_) throw std::logic_error("BackgroundIntegration::take() before ready()");
  wanted_ = 0;
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
  flows::FlowScene scene = std::move(*finished_);
  finished_.reset();
  return scene;
}

BackgroundIntegration::~BackgroundIntegration() {
  const std::lock_guard lock(mutex_);
  wanted_ = 0;  // the running integration stops at its next check; the lane's destructor joins it
}

}  // namespace rankflow::app
