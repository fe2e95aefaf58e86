#pragma once
// The "Record video" window (F9): records the play — the scene as t goes from t0 to t1 — or
// a scrubbed range (t0 and t1 taken from the timeline's t) to an H.264 file through ffmpeg,
// as a background task with a progress bar and Cancel (app/models/video_recording.h). The
// CLI's `render --video` makes the same clip (docs/cli.md).
#include <string>

#include "app/models/video_recording.h"
#include "app/ui/panel.h"

namespace rankflow::app {

class RecordPanel final : public Panel {
 public:
  void draw(PanelHost& host, bool* open) override;
  bool busy() const override { return recording_.busy(); }
  std::optional<std::string> setValue(PanelHost& host, const std::string& name, const std::string& value) override;
  std::optional<double> value(const std::string& name) const override;

  VideoRecording& recording() { return recording_; }

 private:
  std::string start(PanelHost& host);

  std::string path_ = "rankflow-video.mp4";
  float t0_ = 0.0f;
  float t1_ = 1.0f;
  float seconds_ = 10.0f;
  int fps_ = 30;
  int size_ = 1;  // kSizes index: 1920 x 1080
  std::string message_;
  VideoRecording recording_;  // last: its thread stops before the settings go
};

PanelInfo recordPanelInfo();

}  // namespace rankflow::app
