// rankflow svals and rankflow ranks --times as a user meets them: .npy in and out, JSON with
// ranks, backend and both times, one line and exit 2 for bad input or an unavailable CUDA.
#include <gtest/gtest.h>

#include <Eigen/QR>
#include <Eigen/SVD>
#include <nlohmann/json.hpp>
#include <random>

#include "core/io/npy.h"
#include "kernels/cuda_backend.h"
#include "tests/support/cli_fixture.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using testing::lineCount;
using testing::rankflowExe;
using testing::runCommand;

class SvalsCli : public testing::ScratchDirectoryTest {};

TEST_F(SvalsCli, WritesSpectraAndRanksOfAPlantedBatchInTheInputsType) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  const int batch = 4, rows = 12, cols = 9;
  const std::vector<int> planted = {0, 3, 9, 5};
  std::vector<double> values;
  std::vector<Eigen::VectorXd> references;
  for (int b = 0; b < batch; ++b) {
    const int r = planted[static_cast<std::size_t>(b)];
    Eigen::MatrixXd m = Eigen::MatrixXd::Zero(rows, cols);
    if (r > 0)
      m = Eigen::MatrixXd::NullaryExpr(rows, r, [&] { return normal(rng); }) *
          Eigen::MatrixXd::NullaryExpr(r, cols, [&] { return normal(rng); });
    references.push_back(Eigen::JacobiSVD<Eigen::MatrixXd>(m).singularValues());
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < cols; ++j) values.push_back(m(i, j));
  }
  for (const auto type : {io::NpyType::Float64, io::NpyType::Float32}) {
    io::writeNpy(path("batch.npy"), {batch, rows, cols}, values, type);
    const auto result = runCommand(rankflowExe() + " svals --in " + path("batch.npy") + " --out " + path("s.npy") +
                                   " --json --backend cpu");
    ASSERT_EQ(result.exitCode, 0) << result.output;
    const auto out = nlohmann::json::parse(result.output);
    EXPECT_EQ(out["ranks"].get<std::vector<int>>(), planted);
    EXPECT_EQ(out["type"], type == io::NpyType::Float32 ? "float32" : "float64");
    EXPECT_TRUE(out["kernel_seconds"].is_number());
    EXPECT_TRUE(out["end_to_end_seconds"].is_number());
    EXPECT_NE(out["backend"].get<std::string>().find("CPU"), std::string::npos);
    const io::NpyArray s = io::readNpy(path("s.npy"));
    EXPECT_EQ(s.shape, (std::vector<std::int64_t>{batch, cols}));
    EXPECT_EQ(s.wasFloat32, type == io::NpyType::Float32);
    for (int b = 0; b < batch; ++b)
      for (int i = 0; i < cols; ++i)
        EXPECT_NEAR(
            s.values[static_cast<std::size_t>(b * cols + i)], references[static_cast<std::size_t>(b)](i),
            (type == io::NpyType::Float32 ? 1e-4 : 1e-12) * std::max(1.0, references[static_cast<std::size_t>(b)](0)));
  }
  // The default backend says which ran; text output names the ranks.
  const auto text = runCommand(rankflowExe() + " svals --in " + path("batch.npy"));
  ASSERT_EQ(text.exitCode, 0) << text.output;
  EXPECT_NE(text.output.find("ranks: 0 (x1) 3 (x1) 5 (x1) 9 (x1)"), std::string::npos) << text.output;
}

TEST_F(SvalsCli, BadInputIsOneLineAndExit2) {
  io::writeNpy(path("vector.npy"), {5}, {1, 2, 3, 4, 5});
  io::writeNpy(path("nan.npy"), {1, 2, 2}, {1, std::nan(""), 3, 4});
  io::writeNpy(path("empty.npy"), {0, 3, 3}, {});
  for (const auto& [args, expected] : std::vector<std::pair<std::string, std::string>>{
           {"svals", "--in BATCH.npy is required"},
           {"svals --in " + path("vector.npy"), "need a (B, m, n) or (m, n) array"},
           {"svals --in " + path("nan.npy"), "matrix 0 has a NaN or infinite entry at (0, 1)"},
           {"svals --in " + path("missing.npy"), "cannot open"},
           {"svals --in " + path("vector.npy") + " --tolerance -1", "--tolerance must lie in"},
           {"svals --in " + path("vector.npy") + " --backend gpu", "--backend must be auto, cpu or cuda"},
           {"ranks --scene lemma1.3 --times 0", "--times must lie in"},
           {"ranks --scene lemma1.3 --times 3 --t-min 1 --t-max 0", "--t-min must not exceed --t-max"}}) {
    const auto result = runCommand(rankflowExe() + " " + args);
    EXPECT_EQ(result.exitCode, 2) << args << "\n" << result.output;
    EXPECT_EQ(lineCount(result.output), 1) << args << "\n" << result.output;
    EXPECT_NE(result.output.find(expected), std::string::npos) << args << "\n" << result.output;
  }
  // An empty batch is no error: an empty (0, 3) array comes back.
  const auto empty = runCommand(rankflowExe() + " svals --in " + path("empty.npy") + " --out " + path("e.npy"));
  EXPECT_EQ(empty.exitCode, 0) << empty.output;
  EXPECT_EQ(io::readNpy(path("e.npy")).shape, (std::vector<std::int64_t>{0, 3}));
}

TEST_F(SvalsCli, CudaWithoutADeviceSaysWhyInOneLine) {
  const auto probe = kernels::probeCuda();
  if (probe.available) GTEST_SKIP() << "a CUDA device exists: " << probe.device;
  io::writeNpy(path("one.npy"), {2, 2}, {1, 0, 0, 1});
  const auto result = runCommand(rankflowExe() + " svals --in " + path("one.npy") + " --backend cuda");
  EXPECT_EQ(result.exitCode, 2) << result.output;
  EXPECT_EQ(lineCount(result.output), 1) << result.output;
  EXPECT_NE(result.output.find("--backend cuda: no CUDA device"), std::string::npos) << result.output;
}

TEST(RanksCli, TimesPrintsTheStripOfEveryOrder) {
  const auto result = runCommand(rankflowExe() + " ranks --scene lemma1.3 --max-order 3 --times 4 --json");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const auto out = nlohmann::json::parse(result.output);
  ASSERT_EQ(out["strip"].size(), 4u);
  EXPECT_DOUBLE_EQ(out["strip"][0]["t"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(out["strip"][3]["t"].get<double>(), 1.0);
  for (const auto& entry : out["strip"])
    EXPECT_EQ(entry["ranks"].get<std::vector<int>>(), (std::vector<int>{1, 2, 3, 4}));
  EXPECT_TRUE(out["backend"].is_string());
  EXPECT_TRUE(out["kernel_seconds"].is_number());
  // Lemma 1.5 at t = 0 only: the strip shows the jump at its first time.
  const auto jump = runCommand(rankflowExe() + " ranks --scene lemma1.5 --max-order 3 --times 3 --t-min 0 --t-max 1");
  ASSERT_EQ(jump.exitCode, 0) << jump.output;
  EXPECT_NE(jump.output.find("rank strip, 3 times in [0, 1]"), std::string::npos) << jump.output;
}

}  // namespace
}  // namespace rankflow
