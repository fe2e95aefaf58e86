// Trajectories of another model through the CLI, as a user brings them: `rankflow trajectories`
// against the analytic metrics of a known curve, `render --trajectories` and a session naming
// trajectory files (with its golden image), and every bad input refused in one line, exit 2.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <random>

#include "core/io/npy.h"
#include "render/image.h"
#include "tests/support/cli_fixture.h"
#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using testing::quoted;
using testing::runCommand;

constexpr double kTwoPi = 2.0 * std::numbers::pi;

std::filesystem::path trajectoriesDirectory() {
  return testing::scratchDirectory("rankflow_trajectories_cli");
}

std::string exe() {
  return quoted(RANKFLOW_EXE);
}

// N helices x(τ) = (cos 2πτ + c, sin 2πτ, τ/2 + c), embedded in D dimensions by a fresh random
// rotation, on an uneven grid of times: |v| = √(4π² + 1/4), |a| = 4π², the chord is (0, 0, 1/2)
// so the deviation is 2π and the straightness 4π², whatever the rotation.
struct Helices {
  std::string positions, times;
};
Helices writeHelices(int frames, int particles, int dims, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<double> basis(static_cast<std::size_t>(dims) * 3);
  for (double& b : basis) b = normal(rng);
  // Gram–Schmidt on the three columns.
  for (int c = 0; c < 3; ++c) {
    for (int prev = 0; prev < c; ++prev) {
      double dot = 0;
      for (int i = 0; i < dims; ++i) dot += basis[i * 3 + c] * basis[i * 3 + prev];
      for (int i = 0; i < dims; ++i) basis[i * 3 + c] -= dot * basis[i * 3 + prev];
    }
    double norm = 0;
    for (int i = 0; i < dims; ++i) norm += basis[i * 3 + c] * basis[i * 3 + c];
    for (int i = 0; i < dims; ++i) basis[i * 3 + c] /= std::sqrt(norm);
  }
  std::vector<double> times, values;
  for (int f = 0; f < frames; ++f) {
    const double u = static_cast<double>(f) / (frames - 1);
    times.push_back(0.7 * u + 0.3 * u * u);
  }
  for (int f = 0; f < frames; ++f)
    for (int p = 0; p < particles; ++p) {
      const double tau = times[static_cast<std::size_t>(f)], c = 0.2 * p;
      const double local[3] = {std::cos(kTwoPi * tau) + c, std::sin(kTwoPi * tau), 0.5 * tau + c};
      for (int i = 0; i < dims; ++i)
        values.push_back(basis[i * 3] * local[0] + basis[i * 3 + 1] * local[1] + basis[i * 3 + 2] * local[2]);
    }
  const auto dir = trajectoriesDirectory();
  const std::string tag = std::to_string(dims) + "-" + std::to_string(seed);
  Helices files{(dir / ("helices-" + tag + ".npy")).string(), (dir / ("times-" + tag + ".npy")).string()};
  io::writeNpy(files.positions, {frames, particles, dims}, values, io::NpyType::Float64);
  io::writeNpy(files.times, {frames}, times, io::NpyType::Float64);
  return files;
}

TEST(TrajectoriesCli, MetricsOfKnownHelicesMatchTheAnalyticValuesInAnyDimension) {
  for (const int dims : {3, 12}) {
    const Helices helices = writeHelices(161, 6, dims, std::random_device{}());
    const auto prefix = (trajectoriesDirectory() / ("out-" + std::to_string(dims))).string();
    const auto result = runCommand(exe() + " trajectories --trajectories " + quoted(helices.positions) + " --times " +
                                   quoted(helices.times) + " --json --out " + quoted(prefix));
    ASSERT_EQ(result.exitCode, 0) << result.output;
    const auto json = nlohmann::json::parse(result.output);
    EXPECT_EQ(json["dims"], dims);
    EXPECT_EQ(json["frames"], 161);
    EXPECT_EQ(json["projection"]["identity"], false);
    EXPECT_NEAR(json["mean_straightness"].get<double>(), kTwoPi * kTwoPi, 2e-2);
    const auto& bands = json["bands"];
    for (std::size_t f = 2; f + 2 < 161; f += 13) {
      EXPECT_NEAR(bands["speed"]["median"][f].get<double>(), std::sqrt(kTwoPi * kTwoPi + 0.25), 2e-3);
      EXPECT_NEAR(bands["acceleration"]["median"][f].get<double>(), kTwoPi * kTwoPi, 0.1);
      EXPECT_NEAR(bands["jerk"]["median"][f].get<double>(), std::pow(kTwoPi, 3), 3.0);
      EXPECT_NEAR(bands["deviation"]["median"][f].get<double>(), kTwoPi, 2e-3);
    }
    // The circle and the offsets between helices fill most of the drawn plane, the larger axis first.
    const double first = json["projection"]["explained_share"][0], second = json["projection"]["explained_share"][1];
    EXPECT_GE(first, second);
    EXPECT_GT(first + second, 0.85);
    const io::NpyArray metrics = io::readNpy(prefix + "-metrics.npy");
    EXPECT_EQ(metrics.shape, (std::vector<std::int64_t>{161, 6, 4}));
    EXPECT_EQ(io::readNpy(prefix + "-projected.npy").shape, (std::vector<std::int64_t>{161, 6, 2}));
    EXPECT_EQ(io::readNpy(prefix + "-straightness.npy").shape, (std::vector<std::int64_t>{6}));
    const auto projection = nlohmann::json::parse(std::ifstream(prefix + "-projection.json"));
    EXPECT_EQ(projection["components"][0].size(), static_cast<std::size_t>(dims));
  }
}

TEST(TrajectoriesCli, BadTrajectoryFilesAreOneLineAndExit2Everywhere) {
  const auto dir = trajectoriesDirectory();
  const auto path = [&](const char* name) { return (dir / name).string(); };
  std::vector<double> good(11 * 4 * 2);
  for (std::size_t i = 0; i < good.size(); ++i) good[i] = std::sin(0.3 * static_cast<double>(i));
  io::writeNpy(path("good.npy"), {11, 4, 2}, good);
  std::vector<double> nan = good;
  nan[17] = std::nan("");
  io::writeNpy(path("nan.npy"), {11, 4, 2}, nan);
  io::writeNpy(path("single.npy"), {1, 4, 2}, std::vector<double>(8, 0.5));
  io::writeNpy(path("oneD.npy"), {11, 4, 1}, std::vector<double>(44, 0.5));
  io::writeNpy(path("flat.npy"), {44, 2}, std::vector<double>(88, 0.5));
  io::writeNpy(path("times10.npy"), {10}, std::vector<double>(10, 0.5));
  std::vector<double> backwards(11);
  for (int f = 0; f < 11; ++f) backwards[static_cast<std::size_t>(f)] = f == 5 ? 0.0 : f;
  io::writeNpy(path("backwards.npy"), {11}, backwards);
  io::writeNpy(path("labels3.npy"), {3}, {0, 1, 2});
  io::writeNpy(path("velocities-short.npy"), {10, 4, 2}, std::vector<double>(80, 0.1));
  std::ofstream(path("garbage.npy")) << "not an array";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--trajectories " + path("nan.npy"), "non-finite value at frame 2, trajectory 0"},
      {"--trajectories " + path("single.npy"), "a single frame is not a trajectory"},
      {"--trajectories " + path("oneD.npy"), "got D = 1"},
      {"--trajectories " + path("flat.npy"), "must have shape (S+1, N, D)"},
      {"--trajectories " + path("garbage.npy"), "not a readable .npy array"},
      {"--trajectories " + path("missing.npy"), "cannot open"},
      {"--trajectories " + path("good.npy") + " --times " + path("times10.npy"), "times must have shape (11,)"},
      {"--trajectories " + path("good.npy") + " --times " + path("backwards.npy"), "strictly increasing or"},
      {"--trajectories " + path("good.npy") + " --labels " + path("labels3.npy"), "labels must have shape (4,)"},
      {"--trajectories " + path("good.npy") + " --velocities " + path("velocities-short.npy"),
       "velocities must have the positions' shape (11, 4, 2), got (10, 4, 2)"},
      {"--times " + path("times10.npy"), "--times needs --trajectories"},
  };
  for (const char* command : {"trajectories", "render --out /nonexistent-dir/x.png", "gui"}) {
    for (const auto& [arguments, expected] : cases) {
      const auto result = runCommand(exe() + " " + command + " " + arguments);
      EXPECT_EQ(result.exitCode, 2) << command << " " << arguments << ": " << result.output;
      EXPECT_NE(result.output.find(expected), std::string::npos)
          << command << " " << arguments << ": " << result.output;
      EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
    }
  }
  const auto colour =
      runCommand(exe() + " render --trajectories " + path("good.npy") + " --colour-by mass --out x.png");
  EXPECT_EQ(colour.exitCode, 2) << colour.output;
  EXPECT_NE(colour.output.find("unknown particle colouring 'mass'"), std::string::npos) << colour.output;
}

// The window on trajectory files named by a session (relative to it), coloured by |a|, drawn
// offscreen and compared with its golden image; and the same drawn as a (H, W, 4) array.
TEST(TrajectoriesCli, ASessionOfTrajectoryFilesRendersItsGoldenImage) {
  const auto dir = trajectoriesDirectory() / "session";
  std::filesystem::create_directories(dir);
  // Deterministic: eight bent paths per cluster from a fixed grid of starts to four targets.
  constexpr int kFrames = 41, kParticles = 256;
  std::vector<double> positions, labels;
  for (int f = 0; f < kFrames; ++f) {
    const double t = static_cast<double>(f) / (kFrames - 1);
    for (int p = 0; p < kParticles; ++p) {
      const int cluster = p % 4;
      const double x0 = -1.5 + 3.0 * ((p / 4) % 8) / 7.0, y0 = -1.5 + 3.0 * (p / 32) / 7.0;
      const double angle = kTwoPi * cluster / 4.0;
      const double x1 = 3.0 * std::cos(angle) + 0.02 * (p / 4 % 8), y1 = 3.0 * std::sin(angle) + 0.02 * (p / 32);
      const double bend = (cluster % 2 ? 1.0 : -1.0) * std::sin(std::numbers::pi * t);
      positions.push_back((1 - t) * x0 + t * x1 - bend * (y1 - y0) * 0.3);
      positions.push_back((1 - t) * y0 + t * y1 + bend * (x1 - x0) * 0.3);
    }
  }
  io::writeNpy((dir / "T.npy").string(), {kFrames, kParticles, 2}, positions);
  std::ofstream(dir / "session.json")
      << R"({"format": "rankflow-session-1", "scene": {"name": "trajectories", "trajectories": {"positions": "T.npy"}},)"
      << R"( "view": {"t": 0.55, "colour_by": "acceleration"}})";
  const auto out = (dir / "window.png").string();
  const auto result = runCommand(exe() + " render --session " + quoted((dir / "session.json").string()) +
                                 " --panel window --width 1280 --height 720 --validation --out " + quoted(out));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const render::RgbaImage image = render::readPng(out);
  const std::string golden = std::string(RANKFLOW_SOURCE_DIR) + "/tests/golden/trajectories-window.png";
  if (std::getenv("RANKFLOW_UPDATE_GOLDEN")) {
    render::writePngAtomic(golden, image);
    GTEST_SKIP() << "golden image rewritten: " << golden;
  }
  const render::RgbaImage expected = render::readPng(golden);
  const render::ImageComparison cmp = render::compareImages(expected, image, 48);
  ASSERT_TRUE(cmp.sameSize);
  const double fraction = static_cast<double>(cmp.differingPixels) / (expected.width * expected.height);
  if (fraction > 0.04) {
    render::writePngAtomic((dir / "diff.png").string(), cmp.diff);
    FAIL() << fraction * 100 << "% of pixels differ; diff in " << (dir / "diff.png");
  }

  // The same scene as pixels in a .npy (what rankflow.render returns), without a session.
  const auto pixels = (dir / "flow.npy").string();
  const auto array = runCommand(exe() + " render --trajectories " + quoted((dir / "T.npy").string()) +
                                " --t 0.55 --width 320 --height 200 --out " + quoted(pixels));
  ASSERT_EQ(array.exitCode, 0) << array.output;
  std::ifstream in(pixels, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(bytes.find("'descr': '|u1'"), std::string::npos);
  EXPECT_NE(bytes.find("'shape': (200, 320, 4)"), std::string::npos);
  EXPECT_EQ(bytes.size() % 64, (320u * 200u * 4u) % 64);
  EXPECT_FALSE(std::filesystem::exists(pixels + ".tmp.png"));

  // A session naming a file that is gone: one line, exit 2.
  std::ofstream(dir / "gone.json")
      << R"({"format": "rankflow-session-1", "scene": {"name": "trajectories", "trajectories": {"positions": "nope.npy"}}})";
  const auto gone = runCommand(exe() + " render --session " + quoted((dir / "gone.json").string()) + " --out x.png");
  EXPECT_EQ(gone.exitCode, 2) << gone.output;
  EXPECT_NE(gone.output.find("nope.npy"), std::string::npos) << gone.output;
}

}  // namespace
}  // namespace rankflow
