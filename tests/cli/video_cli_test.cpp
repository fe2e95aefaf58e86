// `rankflow render --video` (docs/cli.md): a short clip read back with ffprobe (frame count,
// width, height), a panel's clip, ffmpeg missing or failing (one line, exit 2, the old file
// kept, no temporary left), and bad arguments refused before anything renders.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/cli_fixture.h"
#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using testing::quoted;
using testing::runCommand;

std::filesystem::path videoDirectory() {
  return testing::scratchDirectory("rankflow_video_cli");
}

bool haveFfmpeg() {
  return runCommand("command -v ffmpeg && command -v ffprobe").exitCode == 0;
}

// "frames,width,height" of the first video stream, counted by decoding.
std::string probe(const std::filesystem::path& video) {
  const auto r = runCommand(
      "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
      "stream=nb_read_frames,width,height,codec_name -of csv=p=0 " +
      quoted(video.string()));
  EXPECT_EQ(r.exitCode, 0) << r.output;
  std::string line = r.output.substr(0, r.output.find('\n'));
  return line;
}

int lineCount(const std::string& text) {
  int lines = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines += line.empty() ? 0 : 1;
  return lines;
}

bool temporariesLeft(const std::filesystem::path& video) {
  const std::string prefix = video.filename().string() + ".tmp-";
  for (const auto& entry : std::filesystem::directory_iterator(video.parent_path()))
    if (entry.path().filename().string().rfind(prefix, 0) == 0) return true;
  return false;
}

TEST(VideoCli, AShortClipHasItsFramesAndSizeWhenReadBack) {
  if (!haveFfmpeg()) GTEST_SKIP() << "ffmpeg or ffprobe is not installed (Debian: apt-get install ffmpeg)";
  const auto out = videoDirectory() / "clip.mp4";
  std::filesystem::remove(out);
  const auto r = runCommand(quoted(RANKFLOW_EXE) + " render --video " + quoted(out.string()) +
                            " --t0 0.2 --t1 0.8 --seconds 1 --fps 12 --width 320 --height 180");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("12 frames of 320x180"), std::string::npos) << r.output;
  EXPECT_EQ(probe(out), "h264,320,180,12");
  EXPECT_FALSE(temporariesLeft(out));
}

TEST(VideoCli, ScaleTwoDoublesTheVideoSize) {
  if (!haveFfmpeg()) GTEST_SKIP() << "ffmpeg or ffprobe is not installed (Debian: apt-get install ffmpeg)";
  const auto out = videoDirectory() / "clip2.mp4";
  std::filesystem::remove(out);
  const auto r = runCommand(quoted(RANKFLOW_EXE) + " render --video " + quoted(out.string()) +
                            " --seconds 0.25 --fps 8 --width 160 --height 90 --scale 2");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(probe(out), "h264,320,180,2");
}

TEST(VideoCli, APanelClipIsThePanelsRectangleEverySize) {
  if (!haveFfmpeg()) GTEST_SKIP() << "ffmpeg or ffprobe is not installed (Debian: apt-get install ffmpeg)";
  const auto session = videoDirectory() / "session.json";
  std::ofstream(session) << R"({"scene": {"name": "default", "particles": 1024}, "view": {"t": 0.5}})";
  const auto out = videoDirectory() / "timeline.mp4";
  std::filesystem::remove(out);
  const auto r =
      runCommand(quoted(RANKFLOW_EXE) + " render --session " + quoted(session.string()) + " --panel timeline --video " +
                 quoted(out.string()) + " --seconds 0.5 --fps 6 --width 960 --height 540");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const std::string probed = probe(out);
  EXPECT_EQ(probed.substr(0, 5), "h264,");
  EXPECT_EQ(probed.substr(probed.rfind(',') + 1), "3") << probed;
  const int width = std::stoi(probed.substr(5));
  EXPECT_GT(width, 200);
  EXPECT_LT(width, 960);  // the panel, not the window
  EXPECT_EQ(width % 2, 0);
}

TEST(VideoCli, MissingFfmpegIsOneLineWithExit2) {
  const auto out = videoDirectory() / "missing.mp4";
  auto r = runCommand("env PATH=/nonexistent " + quoted(RANKFLOW_EXE) + " render --video " + quoted(out.string()) +
                      " --seconds 0.1 --width 64 --height 64");
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("ffmpeg not found"), std::string::npos) << r.output;
  EXPECT_EQ(lineCount(r.output.substr(r.output.find("rankflow render:"))), 1) << r.output;
  r = runCommand("RANKFLOW_FFMPEG=/nonexistent/ffmpeg " + quoted(RANKFLOW_EXE) + " render --video " +
                 quoted(out.string()) + " --seconds 0.1 --width 64 --height 64");
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("cannot run '/nonexistent/ffmpeg'"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(VideoCli, AFailingFfmpegNamesItsLastLineAndKeepsTheOldFile) {
  const auto fake = videoDirectory() / "fake-ffmpeg";
  std::ofstream(fake) << "#!/bin/sh\necho 'some progress' >&2\necho \"Unknown encoder 'libx264'\" >&2\nexit 1\n";
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  const auto out = videoDirectory() / "kept.mp4";
  std::ofstream(out) << "old video";
  const auto r = runCommand("RANKFLOW_FFMPEG=" + quoted(fake.string()) + " " + quoted(RANKFLOW_EXE) +
                            " render --video " + quoted(out.string()) + " --seconds 1 --fps 10 --width 64 --height 64");
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("Unknown encoder 'libx264'"), std::string::npos) << r.output;
  EXPECT_EQ(lineCount(r.output.substr(r.output.find("rankflow render:"))), 1) << r.output;
  std::ifstream in(out);
  std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(kept, "old video");
  EXPECT_FALSE(temporariesLeft(out));
}

class VideoBadArguments : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(VideoBadArguments, ExitWithCode2AndOneLine) {
  const auto [args, expected] = GetParam();
  const auto out = videoDirectory() / "bad.mp4";
  const auto r = runCommand(quoted(RANKFLOW_EXE) + " render --video " + quoted(out.string()) + " " + args);
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_EQ(lineCount(r.output), 1) << r.output;
  EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
}

INSTANTIATE_TEST_SUITE_P(
    Video, VideoBadArguments,
    ::testing::Values(std::pair{"--t0 0.8 --t1 0.2", "--t1 (0.2) must not be less than --t0 (0.8)"},
                      std::pair{"--fps 0", "--fps must lie in (0, 240], got 0"},
                      std::pair{"--seconds nan", "--seconds must be a number, got 'nan'"},
                      std::pair{"--seconds -1", "--seconds must be a positive number"},
                      std::pair{"--t1 1.5", "--t1 must lie in [0, 1]"},
                      std::pair{"--width 321 --height 180", "H.264 needs an even width and height"},
                      std::pair{"--preset warp", "--preset must be one of x264's"},
                      std::pair{"--seconds 4000 --fps 60", "at most 216000"},
                      std::pair{"--out x.png", "--video writes a clip"}),
    [](const ::testing::TestParamInfo<std::pair<const char*, const char*>>& param) {
      return "case" + std::to_string(param.index);
    });

}  // namespace
}  // namespace rankflow
