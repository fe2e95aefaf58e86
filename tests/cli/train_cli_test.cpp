// rankflow train | sample | compare | bench train as a user meets them, at small sizes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/npy.h"
#include "core/io/safetensors.h"
#include "kernels/cuda_backend.h"
#include "render/image.h"
#include "tests/support/cli_fixture.h"
#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using namespace testing;  // the CLI fixture: runCommand, quoted, lineCount, …
using testing::kExe;
// Small enough for a test, large enough that training visibly works.
const std::string kSmall =
    " --count 64 --layers 2 --width 24 --frequencies 3 --steps 150 --adapter-steps 60 --batch 256 --adapter-batch 256 "
    "--samples 2048 --epsilon 0.4";

class TrainCli : public testing::ScratchDirectoryTest {
 protected:
};

TEST_F(TrainCli, TrainWritesACheckpointThatSampleAndLoraRanksRead) {
  auto r =
      runCommand(kExe + " train --ranks 4,2 --variant cascade --json --out " + quoted(path("m.safetensors")) + kSmall);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const auto report = nlohmann::json::parse(r.output);
  ASSERT_EQ(report["orders"].size(), 3u);
  for (const auto& o : report["orders"]) EXPECT_LT(o["held_out_relative_error"].get<double>(), 1.0) << o;
  EXPECT_EQ(report["adapter_spectra"].size(), 6u);  // 2 orders × 3 layers
  const auto file = io::readSafeTensors(path("m.safetensors"));
  EXPECT_EQ(file.metadata.at("variant"), "cascade");
  EXPECT_EQ(file.tensors.at("order2.layers.0.lora_A.weight").shape, (std::vector<std::int64_t>{4, 9}));

  r = runCommand(kExe + " sample --ckpt " + quoted(path("m.safetensors")) +
                 " --solver taylor3 --steps 4 --particles 256 --score --count 64 --out " + quoted(path("s.npy")));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("sliced Wasserstein"), std::string::npos);
  EXPECT_EQ(io::readNpy(path("s.npy")).shape, (std::vector<std::int64_t>{256, 2}));
}

TEST_F(TrainCli, CompareWritesItsTableAndChart) {
  const auto r = runCommand(kExe + " compare --ranks 4,2 --csv " + quoted(path("c.csv")) + " --png " +
                            quoted(path("c.png")) + kSmall);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  for (const char* word : {"cascade", "independent", "separate", "suggested --ranks", "taylor3"})
    EXPECT_NE(r.output.find(word), std::string::npos) << word;
  std::ifstream csv(path("c.csv"));
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("kind,variant,order", 0), 0u);
  int lines = 0;
  for (std::string line; std::getline(csv, line);) ++lines;
  EXPECT_EQ(lines, 9 + 20);  // 3 variants × 3 orders, 4 solvers × 5 step counts
  EXPECT_GT(render::readPng(path("c.png")).width, 0);
}

TEST_F(TrainCli, BadInputIsOneLineAndExitTwo) {
  {
    std::ofstream junk(path("junk.safetensors"));
    junk << "\x10\x00\x00\x00\x00\x00\x00\x00{not json}";
  }
  const std::vector<std::string> cases = {
      " train --ranks 400 --out " + quoted(path("m.safetensors")),
      " train --ranks 4,x --out " + quoted(path("m.safetensors")),
      " train --variant dense --out " + quoted(path("m.safetensors")),
      " train --ranks 4,2",
      " sample --ckpt " + quoted(path("junk.safetensors")) + " --out " + quoted(path("s.npy")),
      " sample --ckpt " + quoted(path("missing.safetensors")) + " --out " + quoted(path("s.npy")),
      " compare --ranks 4 --csv " + quoted(path("c.csv")),
      " train --backend gpu --out " + quoted(path("m.safetensors")),
      // Sized before the targets run (issue 16: this ran for hours with nothing to show).
      " train --data moons --count 10000000 --out " + quoted(path("m.safetensors")),
  };
  for (const auto& c : cases) {
    const auto r = runCommand(kExe + c);
    EXPECT_EQ(r.exitCode, 2) << c << "\n" << r.output;
    int lines = 0;
    for (char ch : r.output) lines += ch == '\n';
    EXPECT_EQ(lines, 1) << c << "\n" << r.output;
  }
}

TEST_F(TrainCli, BenchTrainQuickReportsItsThreeNumbers) {
  const auto r = runCommand(kExe + " bench train --quick");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  for (const char* word : {"steps/s", "retrain", "GEMM rate", "CPU · Eigen"})
    EXPECT_NE(r.output.find(word), std::string::npos) << word;
  // With a device the CUDA trainer is timed in the same run, else the reason is printed.
  if (kernels::probeCuda().available) {
    EXPECT_NE(r.output.find("speed-up CUDA / CPU"), std::string::npos) << r.output;
  } else {
    EXPECT_NE(r.output.find("CUDA: "), std::string::npos) << r.output;
  }
}

TEST_F(TrainCli, TrainSaysWhichTrainerRanAndRefusesCudaWithoutADevice) {
  auto r = runCommand(kExe + " train --backend cpu --ranks 4,2 --json --out " + quoted(path("m.safetensors")) + kSmall);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(r.output)["engine"], "CPU · Eigen, 2 threads");
  r = runCommand(kExe + " train --backend cuda --ranks 4,2 --out " + quoted(path("n.safetensors")) + kSmall);
  if (kernels::probeCuda().available) {
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("with CUDA"), std::string::npos) << r.output;
  } else {
    EXPECT_EQ(r.exitCode, 2) << r.output;
    EXPECT_NE(r.output.find("--backend cuda: no CUDA device"), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(path("n.safetensors")));
  }
}

}  // namespace
}  // namespace rankflow
