// The rankflow executable as a user meets it: bad arguments exit 2 with one line, help
// exits 0, and the commands that need no window system work without one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/npy.h"
#include "core/lowrank/range_tree.h"
#include "tests/support/cli_fixture.h"
#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using testing::lineCount;
using testing::quoted;
using testing::runCommand;

using testing::kExe;
const std::string kNoDisplay = "env -u DISPLAY -u WAYLAND_DISPLAY ";

class BadArguments : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(BadArguments, ExitWithCode2AndOneLine) {
  const auto& [args, expected] = GetParam();
  const auto result = runCommand(kNoDisplay + kExe + " " + args);
  EXPECT_EQ(result.exitCode, 2) << result.output;
  EXPECT_EQ(lineCount(result.output), 1) << result.output;
  EXPECT_NE(result.output.find(expected), std::string::npos) << result.output;
}

INSTANTIATE_TEST_SUITE_P(
    Cli, BadArguments,
    ::testing::Values(std::make_pair("nosuch", "unknown command 'nosuch'"),
                      std::make_pair("render --out x.png --t abc", "--t must be a number"),
                      std::make_pair("render --out x.png --t 1.5", "--t must lie in [0, 1]"),
                      std::make_pair("render --out x.png --t nan", "--t must be a number"),
                      std::make_pair("render --t 0.5", "or --video FILE.mp4 is required"),
                      std::make_pair("render --out x.png --bogus", "unknown option '--bogus'"),
                      std::make_pair("render --out x.png --width", "needs a value"),
                      std::make_pair("render --out x.png --width 99999999", "--width must lie in"),
                      std::make_pair("render --out x.png --scene nope", "unknown scene 'nope'"),
                      std::make_pair("render --out x.png --backend gpu", "--backend must be auto, cpu or cuda"),
                      std::make_pair("gui --frames -1", "--frames must lie in"),
                      std::make_pair("gui --screenshot a.png", "--screenshot needs --frames"),
                      std::make_pair("info extra", "unexpected argument 'extra'"),
                      std::make_pair("bench", "which benchmark"),
                      std::make_pair("bench render --frames 0", "--frames must lie in"),
                      std::make_pair("query --a a.npy", "--b is required"),
                      std::make_pair("feasible 1,-2", "ranks must be >= 0"),
                      std::make_pair("feasible", "give the rank sequence"),
                      std::make_pair("ranks --scene nope", "unknown matrix scene 'nope'"),
                      std::make_pair("ranks --scene lemma1.3 --param q=1", "has no parameter 'q'"),
                      std::make_pair("ranks --function /nonexistent.json", "cannot open"),
                      // Sized before allocating (it ended in std::bad_alloc, issue 16).
                      std::make_pair("bench cascade --d 8192 --n 1048576", "GiB, more than the limit of"),
                      std::make_pair("fit --scene lemma1.3 --ranks 9,1", "r_1 = 9 exceeds d = 5"),
                      std::make_pair("fit --scene lemma1.3 --ranks a", "'a' is not an integer rank"),
                      std::make_pair("sweep --scene block --max-rank 2 --schedules 1,1 --csv x", "exactly one of"),
                      std::make_pair("cascade --w w.npy", "--u is required"),
                      std::make_pair("query --a a --b b --x x --l 0 --r 0 --out y --strategy best", "strategy must be"),
                      std::make_pair("query --a /nonexistent.npy --b b --x x --l 0 --r 0 --out y", "cannot open")));

TEST(Cli, EveryCommandHasHelp) {
  for (const std::string command :
       {"--help", "gui --help", "render --help", "info --help", "bench --help", "bench render --help",
        "bench advect --help", "bench segtree --help", "query --help"}) {
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

TEST(Cli, QueryAnswersFromNpyFilesLikeTheReference) {
  // m = 6 pairs of 4×2 factors, X 4×3: Y = Σ_{i=1}^{4} A_i B_iᵀ X, written as (4, 3).
  const int m = 6, d = 4, r = 2, n = 3;
  std::vector<double> a, b, x;
  std::vector<Eigen::MatrixXf> left, right;
  for (int i = 0; i < m; ++i) {
    Eigen::MatrixXf ai(d, r), bi(d, r);
    for (int row = 0; row < d; ++row)
      for (int col = 0; col < r; ++col) {
        ai(row, col) = static_cast<float>(std::sin(1.0 + i + 3 * row + 7 * col));
        bi(row, col) = static_cast<float>(std::cos(2.0 + i * row - col));
        a.push_back(ai(row, col));
        b.push_back(bi(row, col));
      }
    left.push_back(ai);
    right.push_back(bi);
  }
  Eigen::MatrixXf xm(d, n);
  for (int row = 0; row < d; ++row)
    for (int col = 0; col < n; ++col) {
      xm(row, col) = static_cast<float>(0.5 * row - col);
      x.push_back(xm(row, col));
    }
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_cli_query";
  std::filesystem::create_directories(dir);
  io::writeNpy((dir / "a.npy").string(), {m, d, r}, a, io::NpyType::Float64);
  io::writeNpy((dir / "b.npy").string(), {m, d, r}, b);
  io::writeNpy((dir / "x.npy").string(), {d, n}, x);
  for (const std::string strategy : {"tree", "sum", "fly", "prefix", "auto"}) {
    const auto out = dir / ("y_" + strategy + ".npy");
    const auto result = runCommand(kExe + " query --a " + quoted((dir / "a.npy").string()) + " --b " +
                                   quoted((dir / "b.npy").string()) + " --x " + quoted((dir / "x.npy").string()) +
                                   " --l 1 --r 4 --json --strategy " + strategy + " --out " + quoted(out.string()));
    ASSERT_EQ(result.exitCode, 0) << result.output;
    EXPECT_NE(result.output.find("\"predicted_seconds\""), std::string::npos) << result.output;
    const io::NpyArray y = io::readNpy(out.string());
    ASSERT_EQ(y.shape, (std::vector<std::int64_t>{d, n}));
    const Eigen::MatrixXd expected = lowrank::referenceRangeQuery(left, right, 1, 4, xm);
    for (int row = 0; row < d; ++row)
      for (int col = 0; col < n; ++col)
        EXPECT_NEAR(y.values[static_cast<std::size_t>(row * n + col)], expected(row, col), 1e-4) << strategy;
  }
  // l > r and a truncated file are usage errors.
  const std::string base = kExe + " query --a " + quoted((dir / "a.npy").string()) + " --b " +
                           quoted((dir / "b.npy").string()) + " --out " + quoted((dir / "y.npy").string());
  EXPECT_EQ(runCommand(base + " --x " + quoted((dir / "x.npy").string()) + " --l 3 --r 1").exitCode, 2);
  std::filesystem::resize_file(dir / "x.npy", std::filesystem::file_size(dir / "x.npy") - 4);
  const auto truncated = runCommand(base + " --x " + quoted((dir / "x.npy").string()) + " --l 0 --r 1");
  EXPECT_EQ(truncated.exitCode, 2) << truncated.output;
  EXPECT_NE(truncated.output.find("data holds"), std::string::npos) << truncated.output;
}

TEST(Cli, FeasibleGivesTheVerdictAndItsReason) {
  auto result = runCommand(kExe + " feasible 2,1,5");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("infeasible"), std::string::npos);
  EXPECT_NE(result.output.find("r_2 = 5 > 2 r_1 = 2"), std::string::npos) << result.output;
  result = runCommand(kExe + " feasible 3,5,4,2,1 --json");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("\"verdict\": \"feasible\""), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("\"realized\""), std::string::npos);
}

// docs/THEORY.md: (3, 2, 4) is feasible; the printed construction, read back by
// `ranks --function`, has exact ranks 3, 2, 4.
TEST(Cli, FeasibleConstructionForThreeTwoFourReproducesItsRanks) {
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_cli_feasible";
  std::filesystem::create_directories(dir);
  const auto found = runCommand(kExe + " feasible 3,2,4 --json");
  ASSERT_EQ(found.exitCode, 0) << found.output;
  const auto verdict = nlohmann::json::parse(found.output);
  ASSERT_EQ(verdict["verdict"], "feasible") << found.output;
  std::ofstream(dir / "b.json") << verdict["construction"].dump();
  const auto ranks =
      runCommand(kExe + " ranks --function " + quoted((dir / "b.json").string()) + " --max-order 2 --exact --json");
  ASSERT_EQ(ranks.exitCode, 0) << ranks.output;
  const auto report = nlohmann::json::parse(ranks.output);
  std::vector<int> exact;
  for (const auto& order : report["orders"]) exact.push_back(order["exact_rank"].get<int>());
  EXPECT_EQ(exact, (std::vector<int>{3, 2, 4})) << ranks.output;
}

TEST(Cli, RanksOfALemmaScene) {
  const auto result = runCommand(kExe + " ranks --scene lemma1.3 --param k=3 --max-order 3 --exact --json");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  for (int k = 0; k <= 3; ++k)
    EXPECT_NE(result.output.find("\"exact_rank\": " + std::to_string(k + 1)), std::string::npos) << result.output;
}

TEST(Cli, SweepWritesCsvAndParetoChart) {
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_cli_sweep";
  std::filesystem::create_directories(dir);
  const auto result = runCommand(kExe + " sweep --scene block --param m=3 --t 0.6 --orders 2 --max-rank 3 --csv " +
                                 quoted((dir / "s.csv").string()) + " --png " + quoted((dir / "s.png").string()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  std::ifstream csv(dir / "s.csv");
  int lines = 0;
  for (std::string line; std::getline(csv, line);) ++lines;
  EXPECT_EQ(lines, 1 + 16);
  EXPECT_GT(std::filesystem::file_size(dir / "s.png"), 5000u);
}

TEST(Cli, CascadeEvaluatesNpyModelsLikeTheReference) {
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_cli_cascade";
  std::filesystem::create_directories(dir);
  const int d = 3, n = 2;
  io::writeNpy((dir / "w.npy").string(), {d, d}, {1, 1, 0, 0, 2, 0, 0, 0, 3});  // W(0, 1) = 1: not symmetric
  io::writeNpy((dir / "u.npy").string(), {d, 1}, {1, 1, 1});
  io::writeNpy((dir / "v.npy").string(), {d, 1}, {1, 0, 0});
  io::writeNpy((dir / "x.npy").string(), {d, n}, {1, 2, 3, 4, 5, 6});
  const auto result =
      runCommand(kExe + " cascade --w " + quoted((dir / "w.npy").string()) + " --u " +
                 quoted((dir / "u.npy").string()) + " --v " + quoted((dir / "v.npy").string()) + " --x " +
                 quoted((dir / "x.npy").string()) + " --out " + quoted((dir / "y.npy").string()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const io::NpyArray y = io::readNpy((dir / "y.npy").string());
  ASSERT_EQ(y.shape, (std::vector<std::int64_t>{2, d, n}));
  // Y_0 = W X (row 0 is X row 0 + X row 1); Y_1 = (W + u vᵀ) X adds X row 0 (1, 2) to every row.
  const std::vector<double> expected = {4, 6, 6, 8, 15, 18, 5, 8, 7, 10, 16, 20};
  EXPECT_EQ(y.values, expected);
}

TEST(Cli, UnwritableOutputIsAnErrorNotACrash) {
  const auto result = runCommand(kNoDisplay + kExe + " render --width 64 --height 64 --out /nonexistent-dir/x.png");
  EXPECT_EQ(result.exitCode, 1) << result.output;
  EXPECT_NE(result.output.find("cannot write PNG"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace rankflow
