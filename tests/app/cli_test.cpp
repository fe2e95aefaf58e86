// The rankflow executable as a user meets it: bad arguments exit 2 with one line, help
// exits 0, and the commands that need no window system work without one.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using testing::quoted;
using testing::runCommand;

const std::string kExe = quoted(RANKFLOW_EXE);
const std::string kNoDisplay = "env -u DISPLAY -u WAYLAND_DISPLAY ";

int lineCount(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

class BadArguments : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(BadArguments, ExitWithCode2AndOneLine) {
  const auto& [args, expected] = GetParam();
  const auto result = runCommand(kNoDisplay + kExe + " " + args);
  EXPECT_EQ(result.exitCode, 2) << result.output;
  EXPECT_EQ(lineCount(result.output), 1) << result.output;
  EXPECT_NE(result.output.find(expected), std::string::npos) << result.output;
}

INSTANTIATE_TEST_SUITE_P(Cli, BadArguments,
                         ::testing::Values(std::make_pair("nosuch", "unknown command 'nosuch'"),
                                           std::make_pair("render --out x.png --t abc", "--t must be a number"),
                                           std::make_pair("render --out x.png --t 1.5", "--t must lie in [0, 1]"),
                                           std::make_pair("render --out x.png --t nan", "--t must be a number"),
                                           std::make_pair("render --t 0.5", "--out FILE.png is required"),
                                           std::make_pair("render --out x.png --bogus", "unknown option '--bogus'"),
                                           std::make_pair("render --out x.png --width", "needs a value"),
                                           std::make_pair("render --out x.png --width 99999999", "--width must lie in"),
                                           std::make_pair("render --out x.png --scene nope", "unknown scene 'nope'"),
                                           std::make_pair("render --out x.png --backend gpu",
                                                          "--backend must be auto, cpu or cuda"),
                                           std::make_pair("gui --frames -1", "--frames must lie in"),
                                           std::make_pair("gui --screenshot a.png", "--screenshot needs --frames"),
                                           std::make_pair("info extra", "unexpected argument 'extra'"),
                                           std::make_pair("bench", "which benchmark"),
                                           std::make_pair("bench render --frames 0", "--frames must lie in")));

TEST(Cli, EveryCommandHasHelp) {
  for (const std::string command : {"--help", "gui --help", "render --help", "info --help", "bench --help",
                                    "bench render --help", "bench advect --help"}) {
    const auto result = runCommand(kExe + " " + command);
    EXPECT_EQ(result.exitCode, 0) << command << ": " << result.output;
    EXPECT_NE(result.output.find("usage:"), std::string::npos) << command;
  }
}

TEST(Cli, InfoNamesTheVulkanDeviceAndTheComputeBackend) {
  const auto result = runCommand(kExe + " info");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("Vulkan"), std::string::npos);
  EXPECT_NE(result.output.find("device      :"), std::string::npos);
  EXPECT_NE(result.output.find("Compute backend"), std::string::npos);
  EXPECT_NE(result.output.find("in use"), std::string::npos);
}

TEST(Cli, RenderWorksWithoutAnyWindowSystem) {
  const auto out = std::filesystem::temp_directory_path() / "rankflow_cli_render.png";
  std::filesystem::remove(out);
  const auto result =
      runCommand(kNoDisplay + kExe + " render --scene default --t 0.5 --width 320 --height 180 --validation --out " +
                 quoted(out.string()));
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_TRUE(std::filesystem::exists(out));
  EXPECT_GT(std::filesystem::file_size(out), 1000u);
}

TEST(Cli, GuiWithoutDisplaySaysSoAndWritesTheSnapshot) {
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_cli_headless";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto result =
      runCommand("cd " + quoted(dir.string()) + " && " + kNoDisplay + kExe + " gui --width 320 --height 180");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("No display"), std::string::npos) << result.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "rankflow-snapshot.png"));
}

TEST(Cli, UnwritableOutputIsAnErrorNotACrash) {
  const auto result = runCommand(kNoDisplay + kExe + " render --width 64 --height 64 --out /nonexistent-dir/x.png");
  EXPECT_EQ(result.exitCode, 1) << result.output;
  EXPECT_NE(result.output.find("cannot write PNG"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace rankflow
