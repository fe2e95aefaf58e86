// A model's trajectories opened in the real window under Xvfb, as a user would: D = 5 helices
// drawn in their PCA plane, coloured by |a|, whose median the window reports as 4π² (the
// analytic value, in all five dimensions), scrubbed, exported and captured.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "core/io/npy.h"
#include "tests/support/run_command.h"
#include "tests/support/xvfb.h"

namespace rankflow {
namespace {

using testing::quoted;
using testing::runUnderXvfb;

constexpr int kFrames = 81, kParticles = 40, kDims = 5;

// x(t) = (cos 2πt, sin 2πt, t/2, c, −c) with c per particle: |a| = 4π² at every t.
void writeHelixTrajectories(const std::string& path) {
  constexpr double kTwoPi = 2 * std::numbers::pi;
  std::vector<double> positions;
  for (int f = 0; f < kFrames; ++f) {
    const double t = static_cast<double>(f) / (kFrames - 1);
    for (int p = 0; p < kParticles; ++p) {
      const double c = 0.05 * p;
      for (double x : {std::cos(kTwoPi * t + c), std::sin(kTwoPi * t + c), 0.5 * t, c, -c}) positions.push_back(x);
    }
  }
  io::writeNpy(path, {kFrames, kParticles, kDims}, positions);
}

std::filesystem::path freshDirectory(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(GuiUnderXvfb, TrajectoryFileOpensInTheWindowWithItsMetrics) {
  const auto dir = freshDirectory("rankflow_gui_trajectories");
  const std::string trajectories = (dir / "T.npy").string();
  writeHelixTrajectories(trajectories);
  const std::string prefix = (dir / "view").string();
  std::ofstream(dir / "script.txt") << "wait 3\n"
                                       "expect trajectories == 40\n"
                                       "expect trajectories.dims == 5\n"
                                       "expect trajectories.frames == 81\n"
                                       "set colour acceleration\n"
                                       "set t 0.5\n"
                                       "wait 2\n"
                                       "expect colour == 2\n"
                                       "expect metric.median near 39.478 0.05\n"
                                       "print trajectories.explained\n"
                                       "set export "
                                    << prefix
                                    << "\n"
                                       "screenshot "
                                    << (dir / "window.png").string() << "\n";
  const auto result = runUnderXvfb(quoted(RANKFLOW_EXE) + " gui --validation --trajectories " + quoted(trajectories) +
                                   " --script " + quoted((dir / "script.txt").string()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("validation: 0 message(s)"), std::string::npos) << result.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "window.png"));
  // The export: one row per trajectory with its metrics at t, and the PCA plane.
  const io::NpyArray particles = io::readNpy(prefix + "-particles.npy");
  ASSERT_EQ(particles.shape, (std::vector<std::int64_t>{kParticles, 9}));
  for (int p = 0; p < kParticles; ++p) EXPECT_NEAR(particles.values[static_cast<std::size_t>(p * 9 + 5)], 39.478, 0.05);
  EXPECT_TRUE(std::filesystem::exists(prefix + "-projection.json"));
  std::ifstream csv(prefix + "-particles.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_NE(header.find("imported trajectories"), std::string::npos) << header;
}

// The control panel's Load (`set session.load`) on a session naming a trajectory file: the
// file is read off the UI thread and the scene replaced when it is ready; a session whose
// trajectory file is bad then changes nothing.
TEST(GuiUnderXvfb, SessionLoadReadsTrajectoriesInTheBackgroundAndABadFileChangesNothing) {
  const auto dir = freshDirectory("rankflow_gui_session_load");
  writeHelixTrajectories((dir / "T.npy").string());
  std::ofstream(dir / "good.json") << R"({"scene": {"name": "trajectories", "trajectories": {"positions": "T.npy"}},)"
                                   << R"( "view": {"t": 0.5, "colour_by": "acceleration"}})";
  std::ofstream(dir / "broken.npy") << "\x93NUMPY not really";
  std::ofstream(dir / "bad.json")
      << R"({"scene": {"name": "trajectories", "trajectories": {"positions": "broken.npy"}}})";
  std::ofstream(dir / "script.txt") << "wait-idle\n"
                                       "expect trajectories == 0\n"
                                       "set session.load "
                                    << (dir / "good.json").string()
                                    << "\n"
                                       "wait-idle\n"
                                       "expect session.loading == 0\n"
                                       "expect trajectories == 40\n"
                                       "expect colour == 2\n"
                                       "expect metric.median near 39.478 0.05\n"
                                       "set session.load "
                                    << (dir / "bad.json").string()
                                    << "\n"
                                       "wait-idle\n"
                                       "expect trajectories == 40\n"
                                       "expect t == 0.5\n";
  const auto result =
      runUnderXvfb(quoted(RANKFLOW_EXE) + " gui --validation --script " + quoted((dir / "script.txt").string()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("validation: 0 message(s)"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace rankflow
