// The window's Record task (app/models/video_recording.h): it records a clip on its own
// thread and reports its frames, a cancel stops it and leaves no file, a second start while
// one runs and a bad request are refused with the reason, and destruction mid-run returns.
#include "app/models/video_recording.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "app/viewer/scene_frame.h"
#include "core/compute/flow_backend.h"

namespace rankflow {
namespace {

using namespace std::chrono_literals;

bool haveFfmpeg() {
  return std::system("command -v ffmpeg > /dev/null 2>&1") == 0;
}

flows::FlowScene smallScene() {
  flows::FlowScene scene = flows::prepareScene("default");
  scene.start.resize(256);
  flows::integrateScene(scene, *compute::makeCpuBackend());
  return scene;
}

std::filesystem::path output(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_video_recording";
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir / name);
  return dir / name;
}

app::RecordingStatus waitIdle(const app::VideoRecording& recording) {
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (recording.busy() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  return recording.status();
}

TEST(VideoRecording, RecordsTheClipOnItsThreadAndCountsItsFrames) {
  if (!haveFfmpeg()) GTEST_SKIP() << "ffmpeg is not installed (Debian: apt-get install ffmpeg)";
  const flows::FlowScene scene = smallScene();
  app::VideoRecording recording;
  app::VideoRequest request;
  request.path = output("clip.mp4").string();
  request.seconds = 0.5;
  request.fps = 10;
  request.width = 128;
  request.height = 72;
  ASSERT_EQ(recording.start(scene, app::initialViewState(scene, 0.0f), request), "");
  EXPECT_NE(recording.start(scene, app::initialViewState(scene, 0.0f), request), "");  // one at a time
  const app::RecordingStatus status = waitIdle(recording);
  EXPECT_EQ(status.state, app::TaskState::Done) << status.error;
  EXPECT_EQ(status.framesDone, 5);
  EXPECT_EQ(status.frames, 5);
  EXPECT_TRUE(std::filesystem::exists(request.path));
}

TEST(VideoRecording, CancelStopsItAndLeavesNoFile) {
  if (!haveFfmpeg()) GTEST_SKIP() << "ffmpeg is not installed (Debian: apt-get install ffmpeg)";
  const flows::FlowScene scene = smallScene();
  app::VideoRecording recording;
  app::VideoRequest request;
  request.path = output("cancelled.mp4").string();
  request.seconds = 600;
  request.width = 128;
  request.height = 72;
  ASSERT_EQ(recording.start(scene, app::initialViewState(scene, 0.0f), request), "");
  while (recording.status().framesDone < 2) std::this_thread::sleep_for(2ms);
  recording.cancel();
  const app::RecordingStatus status = waitIdle(recording);
  EXPECT_EQ(status.state, app::TaskState::Cancelled);
  EXPECT_LT(status.framesDone, status.frames);
  EXPECT_FALSE(std::filesystem::exists(request.path));
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(request.path).parent_path()))
    EXPECT_EQ(entry.path().filename().string().find("cancelled.mp4.tmp-"), std::string::npos) << entry.path();
}

TEST(VideoRecording, ABadRequestOrAnUnintegratedSceneIsRefusedWithTheReason) {
  const flows::FlowScene integrated = smallScene();
  app::VideoRecording recording;
  app::VideoRequest request;
  request.path = output("never.mp4").string();
  request.t0 = 0.9;
  request.t1 = 0.1;
  EXPECT_NE(recording.start(integrated, app::initialViewState(integrated, 0.0f), request).find("--t1"),
            std::string::npos);
  request.t0 = 0.0;
  const flows::FlowScene fresh = flows::prepareScene("default");
  EXPECT_NE(recording.start(fresh, app::initialViewState(fresh, 0.0f), request).find("integrated"), std::string::npos);
  EXPECT_FALSE(recording.busy());
}

TEST(VideoRecording, DestructionMidRunReturnsPromptly) {
  if (!haveFfmpeg()) GTEST_SKIP() << "ffmpeg is not installed (Debian: apt-get install ffmpeg)";
  const flows::FlowScene scene = smallScene();
  app::VideoRequest request;
  request.path = output("dropped.mp4").string();
  request.seconds = 600;
  request.width = 128;
  request.height = 72;
  const auto begin = std::chrono::steady_clock::now();
  {
    app::VideoRecording recording;
    ASSERT_EQ(recording.start(scene, app::initialViewState(scene, 0.0f), request), "");
    while (recording.status().framesDone < 1) std::this_thread::sleep_for(2ms);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 60s);
  EXPECT_FALSE(std::filesystem::exists(request.path));
}

}  // namespace
}  // namespace rankflow
