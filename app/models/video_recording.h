#pragma once
// The window's Record task: a clip of the scene as the play shows it (t from t0 to t1,
// app/viewer/video_export.h) rendered offscreen on a background thread with its own Vulkan
// device and its own CPU field backend, piped to ffmpeg, with progress and cancel. The UI
// thread only starts, cancels and polls it (the Record panel, F9).
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "app/models/task.h"
#include "app/viewer/video_export.h"
#include "app/viewer/view_state.h"
#include "core/common/background_lane.h"
#include "core/flows/flow_scene.h"

namespace rankflow::app {

struct RecordingStatus : TaskStatus {
  int framesDone = 0;
  int frames = 0;
  std::string path;      // the file being written, or written
  double seconds = 0.0;  // how long the finished recording took
  std::string device;    // the Vulkan device that rendered it
};

class VideoRecording {
 public:
  VideoRecording() = default;
  ~VideoRecording();
  VideoRecording(const VideoRecording&) = delete;
  VideoRecording& operator=(const VideoRecording&) = delete;

  // Copies the scene and the view and starts; "" when started, else why not (a recording
  // runs already, the scene is not integrated, the request is bad — nothing starts).
  std::string start(const flows::FlowScene& scene, const ViewState& view, const VideoRequest& request);
  // Stops after the frame in progress; the partial file is removed (state Cancelled).
  void cancel();
  RecordingStatus status() const;
  bool busy() const;

 private:
  mutable std::mutex mutex_;
  RecordingStatus status_;
  std::shared_ptr<std::atomic<bool>> cancel_ = std::make_shared<std::atomic<bool>>(false);
  BackgroundLane lane_;  // last: its thread stops before the members it uses go
};

}  // namespace rankflow::app
