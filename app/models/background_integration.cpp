#include "app/models/background_integration.h"

#include <stdexcept>
#include <utility>

#include "core/flows/flow_fields.h"

namespace rankflow::app {

void BackgroundIntegration::start(const flows::FlowScene& prepared, const compute::FlowBackend& backend) {
  const std::uint64_t generation = ++generation_;  // the running integration stops at its next check
  {
    const std::lock_guard lock(mutex_);
    wanted_ = generation;
    finished_.reset();
    failure_ = nullptr;
  }
  progress_ = 0.0f;
  lane_.post([this, generation, scene = prepared, &backend]() mutable {
    const auto current = [&] { return generation_.load() == generation; };
    try {
      // The integration checks every 32 particles whether it is still wanted.
      flows::integrateScene(scene, backend, [&](double fraction) {
        if (current()) progress_ = static_cast<float>(fraction);
        return current();
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
  wanted_ = 0;
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
  if (!finished_) throw std::logic_error("BackgroundIntegration::take() before ready()");
  flows::FlowScene scene = std::move(*finished_);
  finished_.reset();
  return scene;
}

BackgroundIntegration::~BackgroundIntegration() {
  ++generation_;  // the running integration stops; the lane's destructor joins it
}

}  // namespace rankflow::app
