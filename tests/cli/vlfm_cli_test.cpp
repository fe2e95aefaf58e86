// rankflow vlfm as a user meets it: the files it writes and their shapes, the summary's
// fields, and one-line refusals (exit 2) of bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/npy.h"
#include "core/io/point_csv.h"
#include "tests/support/cli_fixture.h"
#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using namespace testing;  // the CLI fixture: runCommand, quoted, lineCount, …
using testing::kExe;

class VlfmCli : public testing::ScratchDirectoryTest {
 protected:
};

TEST_F(VlfmCli, ShapeRunWritesEveryArrayWithItsShapeAndTheSummary) {
  const auto out = dir_ / "nested" / "out";  // created by the command
  const auto result =
      runCommand(kExe +
                 " vlfm --shape circle-to-square --points 16 --order 6 --fps 12 --extrapolate 1.5 --variant "
                 "bilinear --out " +
                 quoted(out.string()) + " --json");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const std::int64_t frames = 19;  // i / 12 for i = 0..floor(1.5 × 12)
  for (const char* name : {"frames.npy", "velocity.npy", "acceleration.npy", "jerk.npy"}) {
    const io::NpyArray a = io::readNpy((out / name).string());
    EXPECT_EQ(a.shape, (std::vector<std::int64_t>{frames, 16, 2})) << name;
  }
  EXPECT_EQ(io::readNpy((out / "times.npy").string()).shape, (std::vector<std::int64_t>{frames}));
  const io::NpyArray keyframes = io::readNpy((out / "keyframes.npy").string());
  EXPECT_EQ(keyframes.shape, (std::vector<std::int64_t>{8, 16, 2}));
  // Frame 12 is t = 1 = T, the last keyframe: μ reproduces it closely.
  const io::NpyArray positions = io::readNpy((out / "frames.npy").string());
  for (std::size_t c = 0; c < 32; ++c)
    EXPECT_NEAR(positions.values[12 * 32 + c], keyframes.values[7 * 32 + c], 5e-3) << c;

  std::ifstream file(out / "summary.json");
  const nlohmann::json summary = nlohmann::json::parse(file);
  EXPECT_EQ(summary, nlohmann::json::parse(result.output));  // --json prints what summary.json holds
  EXPECT_EQ(summary["order"], 6);
  EXPECT_EQ(summary["keyframes"], 8);
  EXPECT_EQ(summary["points"], 16);
  EXPECT_EQ(summary["frame_count"], frames);
  EXPECT_EQ(summary["variant"], "bilinear");
  EXPECT_EQ(summary["extrapolated"], true);
  EXPECT_DOUBLE_EQ(summary["duration"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(summary["fps"].get<double>(), 12.0);
  EXPECT_LT(summary["reconstruction_error"]["relative"].get<double>(), 1e-2);
  EXPECT_EQ(summary["source"]["shape"], "circle-to-square");
}

TEST_F(VlfmCli, FramesDirectoryRunReadsTheCsvKeyframesInNameOrder) {
  const auto in = dir_ / "keys";
  std::filesystem::create_directories(in);
  for (int k = 0; k < 4; ++k)
    io::writePointsCsv((in / ("key" + std::to_string(k) + ".csv")).string(),
                       {{0.5f * k, 0.0f}, {0.0f, 1.0f + 0.25f * k}, {-1.0f, -0.5f * k}});
  const auto result =
      runCommand(kExe + " vlfm --frames " + quoted(in.string()) + " --order 3 --fps 8 --out " + quoted(dir_.string()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_EQ(lineCount(result.output), 1) << result.output;
  EXPECT_EQ(io::readNpy((dir_ / "frames.npy").string()).shape, (std::vector<std::int64_t>{9, 3, 2}));
  const io::NpyArray keyframes = io::readNpy((dir_ / "keyframes.npy").string());
  ASSERT_EQ(keyframes.shape, (std::vector<std::int64_t>{4, 3, 2}));
  for (int k = 0; k < 4; ++k) EXPECT_FLOAT_EQ(keyframes.values[static_cast<std::size_t>(k * 6)], 0.5f * k);
  std::ifstream file(dir_ / "summary.json");
  const nlohmann::json summary = nlohmann::json::parse(file);
  EXPECT_EQ(summary["extrapolated"], false);
  EXPECT_EQ(summary["source"]["files"].size(), 4u);
}

TEST_F(VlfmCli, UnknownShapeExitsWithCode2AndOneLineListingTheShapes) {
  const auto result =
      runCommand(kExe + " vlfm --shape hexagon --order 4 --fps 10 --out " + quoted((dir_ / "out").string()));
  EXPECT_EQ(result.exitCode, 2) << result.output;
  EXPECT_EQ(lineCount(result.output), 1) << result.output;
  EXPECT_NE(result.output.find("unknown shape 'hexagon'"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("circle-to-square"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out"));
}

TEST_F(VlfmCli, MalformedKeyframeCsvExitsWithCode2AndOneLineNamingFileAndLine) {
  const auto in = dir_ / "keys";
  std::filesystem::create_directories(in);
  std::ofstream(in / "a.csv") << "x,y\n0,0\n1,1\n";
  std::ofstream(in / "b.csv") << "x,y\n0,0\n1,oops\n";
  const auto result =
      runCommand(kExe + " vlfm --frames " + quoted(in.string()) + " --order 2 --fps 10 --out " + quoted(dir_.string()));
  EXPECT_EQ(result.exitCode, 2) << result.output;
  EXPECT_EQ(lineCount(result.output), 1) << result.output;
  EXPECT_NE(result.output.find("b.csv:3: 'oops' is not a number"), std::string::npos) << result.output;
}

TEST_F(VlfmCli, BadOptionsExitWithCode2AndOneLine) {
  const std::string out = " --out " + quoted(dir_.string());
  for (const auto& [args, expected] : std::vector<std::pair<std::string, std::string>>{
           {"--order 4 --fps 10" + out, "exactly one of --frames DIR and --shape NAME"},
           {"--shape rotating-star --fps 10" + out, "--order is required"},
           {"--shape rotating-star --order 9 --fps 10" + out, "exceeds the 8 keyframes"},
           {"--shape rotating-star --order 4 --fps 10 --variant rk4" + out, "--variant must be euler or bilinear"},
           {"--shape rotating-star --order 4 --fps 10 --extrapolate 0.5" + out, "ends before the keyframes do"},
           {"--shape rotating-star --order 4 --fps 0" + out, "--fps must lie in"},
           {"--frames /nonexistent/rankflow --order 2 --fps 10" + out, "is not a directory"},
           // Sized up front (issue 16): these ran out of memory or for minutes.
           {"--shape rotating-star --points 100000 --order 4 --fps 10000 --extrapolate 9" + out,
            "90001 frames of 100000 points needs about"},
           {"--shape rotating-star --points 100000 --keyframes 100000 --order 4 --fps 10" + out,
            "100000 keyframes of 100000 points needs about"},
           {"--shape rotating-star --order 256 --keyframes 256 --points 100000 --fps 10" + out,
            "fitting order 256 to 256 keyframes of 100000 points is about 3.4e+12 operations, over the limit"}}) {
    const auto result = runCommand(kExe + " vlfm " + args);
    EXPECT_EQ(result.exitCode, 2) << args << ": " << result.output;
    EXPECT_EQ(lineCount(result.output), 1) << args << ": " << result.output;
    EXPECT_NE(result.output.find(expected), std::string::npos) << args << ": " << result.output;
  }
  const auto help = runCommand(kExe + " vlfm --help");
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.output.find("usage: rankflow vlfm"), std::string::npos);
}

}  // namespace
}  // namespace rankflow
