#include "app/models/video_recording.h"

#include <exception>
#include <utility>

#include "core/common/error.h"
#include "core/compute/flow_backend.h"

namespace rankflow::app {

VideoRecording::~VideoRecording() {
  cancel_->store(true);  // the lane's destructor then waits for the frame in progress only
}

std::string VideoRecording::start(const flows::FlowScene& scene, const ViewState& view, const VideoRequest& request) {
  if (busy()) return "a recording is running: cancel it first";
  if (!scene.integrated()) return "the scene is still being integrated";
  int frames = 0;
  try {
    frames = videoFrameCount(request);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  {
    const std::lock_guard lock(mutex_);
    cancel_ = cancel;
    const std::uint64_t generation = status_.generation + 1;
    status_ = {};
    status_.generation = generation;
    status_.state = TaskState::Running;
    status_.frames = frames;
    status_.path = request.path;
  }
  auto copy = std::make_shared<flows::FlowScene>(scene);
  lane_.post([this, copy, view, request, cancel] {
    const std::unique_ptr<compute::FlowBackend> backend = compute::makeCpuBackend();
    try {
      const VideoResult result = renderSceneVideo(*copy, *backend, view, request, [this, cancel](int done, int) {
        const std::lock_guard lock(mutex_);
        status_.framesDone = done;
        return !cancel->load();
      });
      const std::lock_guard lock(mutex_);
      status_.state = result.cancelled ? TaskState::Cancelled : TaskState::Done;
      status_.seconds = result.seconds;
      status_.device = result.vulkanDevice;
    } catch (const std::exception& e) {
      const std::lock_guard lock(mutex_);
      status_.state = TaskState::Failed;
      status_.error = e.what();
    }
  });
  return "";
}

void VideoRecording::cancel() {
  const std::lock_guard lock(mutex_);
  cancel_->store(true);
}

RecordingStatus VideoRecording::status() const {
  const std::lock_guard lock(mutex_);
  return status_;
}

bool VideoRecording::busy() const {
  const std::lock_guard lock(mutex_);
  return status_.state == TaskState::Running;
}

}  // namespace rankflow::app
