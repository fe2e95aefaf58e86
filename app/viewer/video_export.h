#pragma once
// A clip of a scene: time t goes from t0 to t1 over seconds × fps frames, each rendered
// offscreen and piped to ffmpeg (app/viewer/video_encoder.h). The CLI (`render --video`)
// and the window's Record panel both use it (docs/cli.md).
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "app/viewer/view_state.h"
#include "core/compute/flow_backend.h"
#include "core/flows/flow_scene.h"

namespace rankflow::app {

struct VideoRequest {
  std::string path;  // the .mp4 to write (atomically)
  double t0 = 0.0;
  double t1 = 1.0;
  double seconds = 10.0;
  double fps = 30.0;
  uint32_t width = 1920;  // pixels of the video (even)
  uint32_t height = 1080;
  int crf = 18;
  std::string preset = "ultrafast";
};

// The most frames one clip may have (an hour at 60 fps).
inline constexpr int kMaxVideoFrames = 216000;

// The number of frames, round(seconds × fps) and at least 1; throws InvalidArgument (one
// line naming the value) for t0 or t1 outside [0, 1] or not finite, t1 < t0, seconds or fps
// not positive and finite, more than kMaxVideoFrames frames, or a bad crf or preset.
int videoFrameCount(const VideoRequest& request);
// The time of frame `index` of `frames`: t0 at the first, t1 at the last.
float videoFrameTime(const VideoRequest& request, int index, int frames);

// Called after each frame with (frames written, frames in all); returns false to cancel.
using VideoProgressFn = std::function<bool(int, int)>;

struct VideoResult {
  int frames = 0;
  bool cancelled = false;  // nothing was written
  std::string vulkanDevice;
  double renderSeconds = 0.0;  // rendering and reading back, summed over the frames
  double seconds = 0.0;        // the whole recording, ffmpeg's finish included
};

// Renders the scene (as `view` shows it, t replaced per frame) and encodes it. Throws
// InvalidArgument for a bad request and VideoError when ffmpeg is missing or fails.
VideoResult renderSceneVideo(const flows::FlowScene& scene, const compute::FlowBackend& backend, const ViewState& view,
                             const VideoRequest& request, const VideoProgressFn& progress = {});

}  // namespace rankflow::app
