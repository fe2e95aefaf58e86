// The Adapters panel in the real window under Xvfb, driven by a script as a user would: F8
// shows the demo, an adapter dropped onto the window opens, a bad file changes nothing, a
// rank criterion is chosen and the resized adapter written — then read back and compared
// with what `lora-resize` writes for the same criterion.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/io/safetensors.h"
#include "core/learn/lora_profile.h"
#include "core/learn/lora_resize.h"
#include "tests/support/run_command.h"
#include "tests/support/xvfb.h"

namespace rankflow {
namespace {

using testing::quoted;
using testing::runCommand;
using testing::runUnderXvfb;

TEST(GuiUnderXvfb, AdaptersPanelOpensADroppedAdapterAndWritesAResizedOne) {
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_gui_adapters";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // Two layers × (q_proj, v_proj), r = 4, F32, fresh Gaussian factors.
  std::mt19937_64 rng(std::random_device{}());
  std::normal_distribution<float> normal;
  io::SafeTensorsFile file;
  for (int layer = 0; layer < 2; ++layer) {
    for (const char* type : {"q_proj", "v_proj"}) {
      std::vector<float> a(4 * 32), b(24 * 4);
      for (float& x : a) x = normal(rng);
      for (float& x : b) x = normal(rng);
      const std::string name = "base_model.model.model.layers." + std::to_string(layer) + ".self_attn." + type;
      file.tensors[name + ".lora_A.weight"] = io::Tensor::fromFloat({4, 32}, a);
      file.tensors[name + ".lora_B.weight"] = io::Tensor::fromFloat({24, 4}, b);
    }
  }
  const std::string adapter = (dir / "adapter_model.safetensors").string();
  io::writeSafeTensors(adapter, file);
  std::ofstream(dir / "bad.safetensors") << "not a checkpoint";
  const auto resized = dir / "resized";
  std::ofstream(dir / "script.txt") << "key F8\n"
                                       "wait-idle 120\n"
                                       "expect panel.adapters == 1\n"
                                       "expect adapters.demo == 1\n"
                                       "drop "
                                    << adapter
                                    << "\n"
                                       "wait-idle 120\n"
                                       "expect adapters.demo == 0\n"
                                       "expect adapters.modules == 4\n"
                                       "set adapters.open "
                                    << (dir / "bad.safetensors").string()
                                    << "\n"
                                       "wait-idle 120\n"
                                       "expect adapters.open_failed == 1\n"
                                       "expect adapters.modules == 4\n"
                                       "set adapters.criterion rank\n"
                                       "set adapters.value 2\n"
                                       "print adapters.parameters\n"
                                       "set adapters.write "
                                    << resized.string()
                                    << "\n"
                                       "wait-idle 120\n"
                                       "expect adapters.written == 1\n"
                                       "screenshot "
                                    << (dir / "adapters.png").string() << " adapters\n";
  const auto result =
      runUnderXvfb(quoted(RANKFLOW_EXE) + " gui --validation --script " + quoted((dir / "script.txt").string()));
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("validation: 0 message(s)"), std::string::npos) << result.output;
  // Rank 2 for 4 modules of 24 × 32: 4 · 2 · (24 + 32).
  EXPECT_NE(result.output.find("adapters.parameters = 448"), std::string::npos) << result.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "adapters.png"));

  // The written adapter is lora-resize --rank 2's, byte for byte.
  std::ifstream in(resized / "adapter_model.safetensors", std::ios::binary);
  const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const learn::LoraResize expected =
      learn::resizeLoraAdapter(io::readSafeTensors(adapter), {}, {learn::LoraResizeCriterion::Kind::Rank, 2.0, {}});
  EXPECT_EQ(written, io::serializeSafeTensors(expected.adapter));
  EXPECT_TRUE(std::filesystem::exists(resized / "adapter_config.json"));
  const learn::LoraProfile back = learn::profileLoraFile((resized / "adapter_model.safetensors").string());
  for (const auto& m : back.modules) EXPECT_EQ(m.statedRank, 2) << m.module;
}

}  // namespace
}  // namespace rankflow
