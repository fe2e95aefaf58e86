// rankflow lora-ranks as a user meets it: the table and the JSON for a PEFT adapter, and
// one-line refusals (exit 2) of a bad file or bad arguments.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/safetensors.h"
#include "tests/support/cli_fixture.h"
#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using namespace testing;  // the CLI fixture: runCommand, quoted, lineCount, …
using testing::kExe;

class LoraCli : public testing::ScratchDirectoryTest {
 protected:
  // Two modules: q_proj with r = 4 but rank 2 (B's last two columns repeat the first two),
  // v_proj with r = 2 and rank 2.
  std::string writeAdapter() const {
    io::SafeTensorsFile file;
    file.metadata = {{"format", "pt"}, {"lora_alpha", "8"}};
    std::vector<float> aq(4 * 6), bq(5 * 4), av(2 * 6), bv(3 * 2);
    for (std::size_t i = 0; i < aq.size(); ++i) aq[i] = static_cast<float>((i * 7) % 11) - 5.0f + (i % 6 == i / 6);
    for (std::size_t o = 0; o < 5; ++o)
      for (std::size_t j = 0; j < 4; ++j)
        bq[o * 4 + j] = static_cast<float>(((o + 1) * (j % 2 + 2)) % 5) + (o == j % 2);
    for (std::size_t i = 0; i < av.size(); ++i) av[i] = i % 7 == 0 ? 2.0f : 0.25f * static_cast<float>(i % 3);
    for (std::size_t i = 0; i < bv.size(); ++i) bv[i] = i % 3 == 0 ? 1.0f : -0.5f;
    file.tensors["base_model.model.layers.0.self_attn.q_proj.lora_A.weight"] = io::Tensor::fromFloat({4, 6}, aq);
    file.tensors["base_model.model.layers.0.self_attn.q_proj.lora_B.weight"] = io::Tensor::fromFloat({5, 4}, bq);
    file.tensors["base_model.model.layers.0.self_attn.v_proj.lora_A.weight"] = io::Tensor::fromFloat({2, 6}, av);
    file.tensors["base_model.model.layers.0.self_attn.v_proj.lora_B.weight"] = io::Tensor::fromFloat({3, 2}, bv);
    const std::string path = (dir_ / "adapter_model.safetensors").string();
    io::writeSafeTensors(path, file);
    return path;
  }
};

TEST_F(LoraCli, PrintsATableAndASummary) {
  const auto result = runCommand(kExe + " lora-ranks " + quoted(writeAdapter()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("layers.0.self_attn.q_proj"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("layers.0.self_attn.v_proj"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("5x6"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("2 modules, stated r 2..4, median numeric rank 2"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("lora_alpha 8"), std::string::npos) << result.output;
  EXPECT_EQ(lineCount(result.output), 5) << result.output;  // title, header, 2 modules, summary
}

TEST_F(LoraCli, JsonHasTheDocumentedFields) {
  const auto result = runCommand(kExe + " lora-ranks " + quoted(writeAdapter()) + " --json --tolerance 1e-8");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const auto out = nlohmann::json::parse(result.output);
  EXPECT_EQ(out["relative_tolerance"].get<double>(), 1e-8);
  EXPECT_EQ(out["lora_alpha"].get<double>(), 8.0);
  EXPECT_EQ(out["metadata"]["format"], "pt");
  ASSERT_EQ(out["modules"].size(), 2u);
  const auto& q = out["modules"][0];
  EXPECT_EQ(q["module"], "layers.0.self_attn.q_proj");
  EXPECT_EQ(q["adapter"], "");
  EXPECT_EQ(q["tensor_a"], "base_model.model.layers.0.self_attn.q_proj.lora_A.weight");
  EXPECT_EQ(q["dtype"], "F32");
  EXPECT_EQ(q["out"], 5);
  EXPECT_EQ(q["in"], 6);
  EXPECT_EQ(q["r"], 4);
  EXPECT_EQ(q["numeric_rank"], 2);
  EXPECT_EQ(q["singular_values"].size(), 4u);
  EXPECT_EQ(q["energy"].size(), 4u);
  EXPECT_EQ(q["energy"][3].get<double>(), 1.0);
  EXPECT_GE(q["rank_99"].get<int>(), q["rank_90"].get<int>());
  EXPECT_GT(q["sigma_max"].get<double>(), 0.0);
  EXPECT_EQ(q["tolerance"].get<double>(), 1e-8 * q["sigma_max"].get<double>());
  EXPECT_EQ(q["scaling"].get<double>(), 2.0);
  const auto& summary = out["summary"];
  EXPECT_EQ(summary["modules"], 2);
  EXPECT_EQ(summary["stated_rank_min"], 2);
  EXPECT_EQ(summary["stated_rank_max"], 4);
  EXPECT_EQ(summary["median_numeric_rank"].get<double>(), 2.0);
  EXPECT_EQ(summary["parameters"], 4 * (5 + 6) + 2 * (3 + 6));
  EXPECT_EQ(summary["parameters_at_numeric_rank"], 2 * (5 + 6) + 2 * (3 + 6));
  EXPECT_EQ(summary["ignored_tensors"], 0);
}

TEST_F(LoraCli, RefusesBadFilesAndArgumentsInOneLine) {
  const std::string garbage = (dir_ / "garbage.safetensors").string();
  // The header claims 16 bytes; the file ends 12 bytes into an unfinished JSON array.
  static const char kTruncated[] = "\x10\0\0\0\0\0\0\0{\"a\": [1, 2,";
  std::ofstream(garbage, std::ios::binary).write(kTruncated, sizeof(kTruncated) - 1);
  const std::string adapter = writeAdapter();
  // A lone lora_A: the adapter file with its B halves dropped.
  io::SafeTensorsFile half = io::readSafeTensors(adapter);
  half.tensors.erase("base_model.model.layers.0.self_attn.v_proj.lora_B.weight");
  const std::string lonely = (dir_ / "lonely.safetensors").string();
  io::writeSafeTensors(lonely, half);
  const std::pair<std::string, std::string> cases[] = {
      {quoted(garbage), "not a readable .safetensors file"},
      {quoted((dir_ / "missing.safetensors").string()), "cannot open"},
      {quoted(lonely), "module 'layers.0.self_attn.v_proj': has"},
      {"", "give the adapter file"},
      {quoted(adapter) + " --tolerance 2", "--tolerance must lie in"},
      {quoted(adapter) + " --tolerance x", "--tolerance must be a number"},
      {quoted(adapter) + " extra", "unexpected argument 'extra'"},
  };
  for (const auto& [args, expected] : cases) {
    const auto result = runCommand(kExe + " lora-ranks " + args);
    EXPECT_EQ(result.exitCode, 2) << args << "\n" << result.output;
    EXPECT_EQ(lineCount(result.output), 1) << args << "\n" << result.output;
    EXPECT_NE(result.output.find(expected), std::string::npos) << args << "\n" << result.output;
  }
  const auto help = runCommand(kExe + " lora-ranks --help");
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.output.find("--tolerance"), std::string::npos);
}

// adapter_config.json beside the file sets each module's scale (over the metadata's): σ's
// are those of α/r·B·A.
TEST_F(LoraCli, TakesTheScaleFromTheConfigBesideTheAdapter) {
  const std::string adapter = writeAdapter();
  const auto unscaled = nlohmann::json::parse(runCommand(kExe + " lora-ranks " + quoted(adapter) + " --json").output);
  std::ofstream(dir_ / "adapter_config.json") << R"({"r": 4, "lora_alpha": 12, "rank_pattern": {"v_proj": 2}})";
  const auto result = runCommand(kExe + " lora-ranks " + quoted(adapter) + " --json");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const auto out = nlohmann::json::parse(result.output);
  EXPECT_EQ(out["config"], (dir_ / "adapter_config.json").string());
  EXPECT_EQ(out["lora_alpha"].get<double>(), 12.0);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& m = out["modules"][i];
    const double scale = 12.0 / m["r"].get<double>();
    EXPECT_EQ(m["scale"].get<double>(), scale);
    EXPECT_EQ(m["scale_source"], "adapter_config.json");
    // Without the config the file's lora_alpha metadata (8) set the scale.
    const auto& before = unscaled["modules"][i];
    EXPECT_EQ(before["scale_source"], "metadata");
    EXPECT_NEAR(m["sigma_max"].get<double>(), scale / before["scale"].get<double>() * before["sigma_max"].get<double>(),
                1e-12 * m["sigma_max"].get<double>());
  }
  // A config that disagrees with the tensors: one line naming the module, exit 2.
  std::ofstream(dir_ / "adapter_config.json") << R"({"r": 8})";
  const auto bad = runCommand(kExe + " lora-ranks " + quoted(adapter));
  EXPECT_EQ(bad.exitCode, 2) << bad.output;
  EXPECT_EQ(lineCount(bad.output), 1) << bad.output;
  EXPECT_NE(bad.output.find("states r = 8"), std::string::npos) << bad.output;
}

// lora-resize end to end: the resized adapter is written whole and profiles at the new rank;
// a second run into the same directory is refused in one line and changes nothing.
TEST_F(LoraCli, ResizesAnAdapterIntoANewDirectory) {
  const std::string adapter = writeAdapter();
  const std::string out = (dir_ / "resized").string();
  const auto result =
      runCommand(kExe + " lora-resize " + quoted(adapter) + " --rank 1 --out " + quoted(out) + " --json");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const auto json = nlohmann::json::parse(result.output);
  ASSERT_EQ(json["modules"].size(), 2u);
  for (const auto& m : json["modules"]) {
    EXPECT_EQ(m["to"], 1);
    EXPECT_GT(m["relative_error"].get<double>(), 0.0);  // both modules have rank 2
    EXPECT_LT(m["relative_error"].get<double>(), 1.0);
  }
  const auto profile = nlohmann::json::parse(
      runCommand(kExe + " lora-ranks " + quoted(out + "/adapter_model.safetensors") + " --json").output);
  for (const auto& m : profile["modules"]) {
    EXPECT_EQ(m["r"], 1);
    EXPECT_EQ(m["scale"], 1.0);
    EXPECT_EQ(m["scale_source"], "adapter_config.json");
  }
  const auto again = runCommand(kExe + " lora-resize " + quoted(adapter) + " --rank 1 --out " + quoted(out));
  EXPECT_EQ(again.exitCode, 2) << again.output;
  EXPECT_EQ(lineCount(again.output), 1) << again.output;
  EXPECT_NE(again.output.find("exists already"), std::string::npos) << again.output;
  const auto twoCriteria = runCommand(kExe + " lora-resize " + quoted(adapter) + " --rank 1 --fro 0.9 --out " +
                                      quoted((dir_ / "other").string()));
  EXPECT_EQ(twoCriteria.exitCode, 2) << twoCriteria.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "other"));
}

// The Adapters panel's other criteria from the command line: kohya's sv_ratio and
// sv_cumulative, and a parameter budget (q_proj is 5 x 6, v_proj 3 x 6: 11 and 9 per rank).
TEST_F(LoraCli, ResizesByRatioCumulativeShareAndParameterBudget) {
  const std::string adapter = writeAdapter();
  const auto budget = runCommand(kExe + " lora-resize " + quoted(adapter) + " --budget 31 --out " +
                                 quoted((dir_ / "budget").string()) + " --json");
  ASSERT_EQ(budget.exitCode, 0) << budget.output;
  const auto json = nlohmann::json::parse(budget.output);
  EXPECT_EQ(json["parameters_after"].get<int>(), 31);  // 2 · 11 + 1 · 9: rank 2 and rank 1
  for (const char* criterion : {"--ratio 1000", "--cumulative 0.999"}) {
    const auto result = runCommand(kExe + " lora-resize " + quoted(adapter) + " " + criterion + " --out " +
                                   quoted((dir_ / (std::string("c") + criterion[2])).string()) + " --json");
    ASSERT_EQ(result.exitCode, 0) << criterion << "\n" << result.output;
    for (const auto& m : nlohmann::json::parse(result.output)["modules"]) EXPECT_EQ(m["to"], 2) << criterion;
  }
  const auto tooSmall =
      runCommand(kExe + " lora-resize " + quoted(adapter) + " --budget 10 --out " + quoted((dir_ / "small").string()));
  EXPECT_EQ(tooSmall.exitCode, 2) << tooSmall.output;
  EXPECT_EQ(lineCount(tooSmall.output), 1) << tooSmall.output;
  EXPECT_NE(tooSmall.output.find("below one rank per module (20)"), std::string::npos) << tooSmall.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "small"));
}

}  // namespace
}  // namespace rankflow
