#pragma once
// H.264 video through Debian's `ffmpeg`: raw RGBA frames are piped to its standard input
// (the program is started with an argument vector, never through a shell), it writes a
// temporary file beside the target, and finish() renames that over the target, so a failed
// or cancelled recording never leaves a truncated video where a good one was
// (docs/cli.md, "render --video").
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace rankflow::app {

// ffmpeg is missing, failed or refused the frames; the message is one line and, when ffmpeg
// said why, ends with its last line on stderr.
class VideoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct VideoSettings {
  std::string path;  // the .mp4 to write (atomically)
  int width = 0;     // even (H.264 in yuv420p)
  int height = 0;
  double fps = 30.0;
  int crf = 18;                      // x264's constant quality: 18 looks lossless on these scenes
  std::string preset = "ultrafast";  // x264's speed preset
  std::string program{};             // empty: ffmpegProgram()
};

// $RANKFLOW_FFMPEG when set and not empty, else "ffmpeg" (looked up in PATH).
std::string ffmpegProgram();

// The argument vector ffmpeg is started with (argv[0] is the program), writing `output`.
std::vector<std::string> ffmpegArguments(const VideoSettings& settings, const std::string& output);

class VideoEncoder {
 public:
  // Starts ffmpeg; throws VideoError when it cannot be started (missing: the message says
  // how to install it or name it) and InvalidArgument for bad settings.
  explicit VideoEncoder(const VideoSettings& settings);
  // Without finish(): stops ffmpeg and removes the temporary file.
  ~VideoEncoder();
  VideoEncoder(const VideoEncoder&) = delete;
  VideoEncoder& operator=(const VideoEncoder&) = delete;

  // Queues one frame of width × height × 4 bytes (rows top to bottom). A writer thread
  // feeds ffmpeg while the caller renders the next frame; at most two frames wait. Throws
  // VideoError when ffmpeg has stopped.
  void write(std::vector<std::uint8_t> rgba);
  // Waits for ffmpeg to write the file and renames it over the target; throws VideoError
  // (with ffmpeg's last line) when it failed.
  void finish();
  // Stops ffmpeg now and removes the temporary (a cancelled recording).
  void abandon();
  int framesWritten() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace rankflow::app
