// rankflow cascade-fit as a user meets it: a base and two fine-tunes in BF16 written here, the
// table, the documented JSON, the factors file, and one-line refusals (exit 2) that write nothing.
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "core/io/safetensors.h"
#include "tests/support/cli_fixture.h"
#include "tests/support/reference_flow.h"
#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using namespace testing;  // the CLI fixture: runCommand, quoted, lineCount, …
using testing::kExe;

class CascadeFitCli : public ScratchDirectoryTest {
 protected:
  // T_1 = T_0 + rank 4, T_2 = T_1 + rank 2, two 64×48 weights and a bias, BF16.
  void writeFamily() {
    std::mt19937_64 rng(freshSeed());
    std::normal_distribution<double> normal;
    const auto random = [&](Eigen::Index rows, Eigen::Index cols) {
      Eigen::MatrixXd m(rows, cols);
      for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = normal(rng);
      return m;
    };
    const auto bf16 = [](const Eigen::MatrixXd& m) {
      const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows = m;
      return io::Tensor::encode(io::Dtype::BF16, {m.rows(), m.cols()},
                                std::span<const double>(rows.data(), rows.size()));
    };
    io::SafeTensorsFile t0, t1, t2;
    for (const char* name : {"layers.0.weight", "layers.1.weight"}) {
      const Eigen::MatrixXd w0 = random(64, 48);
      const Eigen::MatrixXd w1 = w0 + random(64, 4) * random(4, 48);
      const Eigen::MatrixXd w2 = w1 + random(64, 2) * random(2, 48);
      t0.tensors[name] = bf16(w0);
      t1.tensors[name] = bf16(w1);
      t2.tensors[name] = bf16(w2);
    }
    for (auto* f : {&t0, &t1, &t2}) f->tensors["layers.0.bias"] = io::Tensor::fromFloat({2}, std::vector<float>{1, 2});
    io::writeSafeTensors(path("t0.safetensors"), t0);
    io::writeSafeTensors(path("t1.safetensors"), t1);
    io::writeSafeTensors(path("t2.safetensors"), t2);
  }
  std::string family() const {
    return " --base " + quoted(path("t0.safetensors")) + " --targets " +
           quoted(path("t1.safetensors") + "," + path("t2.safetensors"));
  }
};

TEST_F(CascadeFitCli, PrintsOneRowPerOrderAndWritesTheFactors) {
  writeFamily();
  const auto result =
      runCommand(kExe + " cascade-fit" + family() + " --ranks 4,2 --out " + quoted(path("c.safetensors")));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("2 tensors, 2 orders, randomized SVD"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("1 non-2-D tensors skipped"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("factors written to"), std::string::npos) << result.output;
  const io::SafeTensorsFile factors = io::readSafeTensors(path("c.safetensors"));
  EXPECT_EQ(factors.tensors.size(), 8u);
  EXPECT_EQ(factors.tensors.at("layers.1.weight.cascade.2.up").dtype, io::Dtype::BF16);
  EXPECT_EQ(factors.metadata.at("ranks"), "4,2");
}

TEST_F(CascadeFitCli, JsonHasTheDocumentedFieldsAndTheCascadeWinsAtOrderTwo) {
  writeFamily();
  const auto result = runCommand(kExe + " cascade-fit" + family() + " --ranks 4,2 --json");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const auto out = nlohmann::json::parse(result.output);
  ASSERT_EQ(out["tensors"].size(), 2u);
  const auto& tensor = out["tensors"][0];
  EXPECT_EQ(tensor["name"], "layers.0.weight");
  EXPECT_EQ(tensor["shape"], nlohmann::json({64, 48}));
  ASSERT_EQ(tensor["orders"].size(), 2u);
  for (const char* field : {"k", "rank", "cascade_error", "independent_error", "delta_norm"})
    EXPECT_TRUE(tensor["orders"][1].contains(field)) << field;
  // BF16 rounding makes the family only nearly low-rank: small, not zero.
  EXPECT_LT(tensor["orders"][1]["cascade_error"].get<double>(), 0.05);
  EXPECT_GT(tensor["orders"][1]["independent_error"].get<double>(), 0.2);
  EXPECT_EQ(out["orders"].size(), 2u);
  EXPECT_EQ(out["orders"][0]["parameters"], 2 * 4 * (64 + 48));
  EXPECT_EQ(out["svd"], "randomized");
  EXPECT_EQ(out["skipped"], nlohmann::json({"layers.0.bias"}));
}

TEST_F(CascadeFitCli, BadFamiliesAndArgumentsAreOneLineAndWriteNothing) {
  writeFamily();
  const std::string out = " --out " + quoted(path("c.safetensors"));
  io::SafeTensorsFile other = io::readSafeTensors(path("t2.safetensors"));
  other.tensors.erase("layers.1.weight");
  io::writeSafeTensors(path("short.safetensors"), other);
  {
    std::ofstream truncated(path("truncated.safetensors"), std::ios::binary);
    truncated << "\x40\x00\x00\x00\x00\x00\x00\x00{\"a\":";
  }
  const std::vector<std::pair<std::string, std::string>> cases = {
      {" --base " + quoted(path("t0.safetensors")) + " --targets " +
           quoted(path("t1.safetensors") + "," + path("short.safetensors")) + " --ranks 4,2",
       "has no tensor 'layers.1.weight'"},
      {family() + " --ranks 4,49", "outside 1..48 for tensor"},
      {family() + " --ranks 4", "give one per target"},
      {family() + " --ranks 4,x", "--ranks"},
      {" --targets " + quoted(path("t1.safetensors")) + " --ranks 4", "--base"},
      {" --base " + quoted(path("truncated.safetensors")) + " --targets " + quoted(path("t1.safetensors")) +
           " --ranks 4",
       "not a readable .safetensors file"},
      {" --base " + quoted(path("missing.safetensors")) + " --targets " + quoted(path("t1.safetensors")) + " --ranks 4",
       "cannot open"},
  };
  for (const auto& [args, expected] : cases) {
    const auto result = runCommand(kExe + " cascade-fit" + args + out);
    EXPECT_EQ(result.exitCode, 2) << args << "\n" << result.output;
    EXPECT_EQ(lineCount(result.output), 1) << args << "\n" << result.output;
    EXPECT_NE(result.output.find(expected), std::string::npos) << args << "\n" << result.output;
    EXPECT_FALSE(std::filesystem::exists(path("c.safetensors"))) << args;
  }
}

}  // namespace
}  // namespace rankflow
