// Resizing LoRA adapters: the written factors' effective update is the best approximation of
// the chosen rank of the input's scale·B·A (against a dense float64 SVD), in both layouts and
// in the input's dtypes; the encoders round to nearest; bad targets name the module.
#include "core/learn/lora_resize.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <span>
#include <tuple>

#include "core/common/error.h"
#include "tests/support/gaussian_matrix.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using io::Dtype;
using io::SafeTensorsFile;
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

using testing::gaussianMatrix;

io::Tensor stored(const Eigen::MatrixXd& m, Dtype dtype) {
  const RowMajor rows = m;
  return io::Tensor::encode(dtype, {m.rows(), m.cols()}, std::span<const double>(rows.data(), rows.size()));
}

Eigen::MatrixXd read(const io::Tensor& t) {
  const std::vector<double> v = t.toDouble();
  return Eigen::Map<const RowMajor>(v.data(), t.shape[0], static_cast<Eigen::Index>(v.size()) / t.shape[0]);
}

Eigen::MatrixXd bestOfRank(const Eigen::MatrixXd& m, int k) {
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(m, Eigen::ComputeThinU | Eigen::ComputeThinV);
  return svd.matrixU().leftCols(k) * svd.singularValues().head(k).asDiagonal() * svd.matrixV().leftCols(k).transpose();
}

double relative(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return (a - b).norm() / b.norm();
}

TEST(LoraResize, PeftModulesBecomeTheirBestApproximationWithScaleOne) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::string q = "model.layers.0.self_attn.q_proj", v = "model.layers.0.self_attn.v_proj";
  const Eigen::MatrixXd aq = gaussianMatrix(8, 30, rng), bq = gaussianMatrix(20, 8, rng);
  const Eigen::MatrixXd av = gaussianMatrix(6, 30, rng), bv = gaussianMatrix(20, 6, rng);
  SafeTensorsFile file;
  file.tensors["base_model.model." + q + ".lora_A.weight"] = stored(aq, Dtype::F64);
  file.tensors["base_model.model." + q + ".lora_B.weight"] = stored(bq, Dtype::F64);
  file.tensors["base_model.model." + v + ".lora_A.weight"] = stored(av, Dtype::F64);
  file.tensors["base_model.model." + v + ".lora_B.weight"] = stored(bv, Dtype::F64);
  file.tensors["base_model.model.lm_head.weight"] = stored(gaussianMatrix(3, 3, rng), Dtype::F32);  // kept as is
  const std::string configText =
      R"({"peft_type": "LORA", "target_modules": ["q_proj", "v_proj"], "r": 8, "lora_alpha": 16,
          "rank_pattern": {"v_proj": 6}})";
  learn::LoraProfileOptions options;
  options.config = learn::parseLoraConfig(configText, "in.json");
  const learn::LoraResize resize =
      learn::resizeLoraAdapter(file, options, {learn::LoraResizeCriterion::Kind::Rank, 3.0, {}}, configText);

  // Read back as a reader would: the written file and config.
  const SafeTensorsFile back = io::parseSafeTensors(io::serializeSafeTensors(resize.adapter), "out");
  learn::LoraProfileOptions backOptions;
  backOptions.config = learn::parseLoraConfig(resize.configJson, "out.json");
  const learn::LoraProfile profile = learn::profileLoraAdapter(back, backOptions);
  ASSERT_EQ(profile.modules.size(), 2u);
  for (const auto& [moduleName, a, b, scale] : {std::tuple{q, aq, bq, 16.0 / 8}, std::tuple{v, av, bv, 16.0 / 6}}) {
    const std::string& name = moduleName;  // clang 14 cannot capture a structured binding
    SCOPED_TRACE(name);
    const auto& m =
        *std::find_if(profile.modules.begin(), profile.modules.end(), [&](const auto& p) { return p.module == name; });
    EXPECT_EQ(m.statedRank, 3);
    EXPECT_EQ(m.scale, 1.0);
    const Eigen::MatrixXd original = scale * b * a;
    const Eigen::MatrixXd written = read(back.tensors.at(m.tensorB)) * read(back.tensors.at(m.tensorA));
    EXPECT_LT(relative(written, bestOfRank(original, 3)), 1e-12);
    const auto& reported =
        *std::find_if(resize.modules.begin(), resize.modules.end(), [&](const auto& r) { return r.module == name; });
    EXPECT_NEAR(reported.relativeError, relative(bestOfRank(original, 3), original), 1e-10);
  }
  EXPECT_TRUE(back.tensors.count("base_model.model.lm_head.weight"));
  EXPECT_EQ(resize.parametersBefore, 8 * 50 + 6 * 50);
  EXPECT_EQ(resize.parametersAfter, 3 * 50 * 2);
  const auto config = nlohmann::json::parse(resize.configJson);
  EXPECT_EQ(config["target_modules"].size(), 2u);  // the input's other fields are kept
  EXPECT_EQ(config["rank_pattern"][q], 3);
  EXPECT_FALSE(config["use_rslora"].get<bool>());
}

TEST(LoraResize, KohyaModulesInBfloat16KeepTheirLayoutAndTakeAlphaEqualToTheRank) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::string name = "lora_unet_mid_block_attentions_0_to_q";
  SafeTensorsFile file;
  // A decaying spectrum so that 90% of the energy sits in a few directions.
  Eigen::MatrixXd down = gaussianMatrix(8, 24, rng), up = gaussianMatrix(16, 8, rng);
  for (int i = 0; i < 8; ++i) up.col(i) *= std::pow(0.4, i);
  file.tensors[name + ".lora_down.weight"] = stored(down, Dtype::BF16);
  file.tensors[name + ".lora_up.weight"] = stored(up, Dtype::BF16);
  const std::vector<double> alpha = {4.0};
  file.tensors[name + ".alpha"] = io::Tensor::encode(Dtype::BF16, {}, alpha);
  const learn::LoraProfile before = learn::profileLoraAdapter(file);
  const learn::LoraResize resize =
      learn::resizeLoraAdapter(file, {}, {learn::LoraResizeCriterion::Kind::Energy, 0.9, {}});
  EXPECT_TRUE(resize.configJson.empty());
  ASSERT_EQ(resize.modules.size(), 1u);
  const int k = before.modules[0].rank90;
  EXPECT_EQ(resize.modules[0].toRank, k);
  EXPECT_EQ(resize.adapter.tensors.at(name + ".lora_up.weight").dtype, Dtype::BF16);
  EXPECT_EQ(resize.adapter.tensors.at(name + ".alpha").toDouble().at(0), k);
  const Eigen::MatrixXd original =
      4.0 / 8 * read(file.tensors.at(name + ".lora_up.weight")) * read(file.tensors.at(name + ".lora_down.weight"));
  const Eigen::MatrixXd written = read(resize.adapter.tensors.at(name + ".lora_up.weight")) *
                                  read(resize.adapter.tensors.at(name + ".lora_down.weight"));
  // bfloat16 keeps 8 bits: the written update is the truncation up to that rounding.
  EXPECT_LT(relative(written, bestOfRank(original, k)), 2e-2);
  EXPECT_EQ(learn::profileLoraAdapter(resize.adapter).modules[0].scale, 1.0);
}

TEST(LoraResize, BadTargetsNameTheModuleAndAnExistingDirectoryIsLeftAlone) {
  std::mt19937_64 rng(4);
  SafeTensorsFile file;
  file.tensors["m.lora_A.weight"] = stored(gaussianMatrix(4, 9, rng), Dtype::F32);
  file.tensors["m.lora_B.weight"] = stored(gaussianMatrix(7, 4, rng), Dtype::F32);
  using Kind = learn::LoraResizeCriterion::Kind;
  const auto refused = [&](const learn::LoraResizeCriterion& c, const std::string& piece) {
    try {
      learn::resizeLoraAdapter(file, {}, c);
      ADD_FAILURE() << "accepted; expected: " << piece;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(piece), std::string::npos) << e.what();
    }
  };
  refused({Kind::Rank, 5.0, {}}, "from 1 to 4");
  refused({Kind::Energy, 1.5, {}}, "(0, 1]");
  refused({Kind::Schedule, 0.0, {}}, "module 'm': the schedule gives it no rank");
  refused({Kind::Schedule, 0.0, {{"m", 9}}}, "module 'm': the schedule asks for rank 9");
  refused({Kind::Schedule, 0.0, {{"m", 2}, {"n", 1}}}, "module 'n'");

  const auto dir = std::filesystem::temp_directory_path() / ("rankflow_resize_" + std::to_string(testing::freshSeed()));
  const learn::LoraResize resize = learn::resizeLoraAdapter(file, {}, {Kind::Rank, 2.0, {}});
  // Consuming the input (what the CLI does, to hold less) writes the same file.
  io::SafeTensorsFile consumed = file;
  const learn::LoraResize fromConsumed = learn::resizeLoraAdapter(std::move(consumed), {}, {Kind::Rank, 2.0, {}});
  EXPECT_EQ(io::serializeSafeTensors(fromConsumed.adapter), io::serializeSafeTensors(resize.adapter));
  EXPECT_EQ(fromConsumed.configJson, resize.configJson);
  learn::writeLoraResize(resize, dir.string());
  EXPECT_TRUE(std::filesystem::exists(dir / "adapter_model.safetensors"));
  EXPECT_TRUE(std::filesystem::exists(dir / "adapter_config.json"));
  const auto written = std::filesystem::last_write_time(dir / "adapter_model.safetensors");
  EXPECT_THROW(learn::writeLoraResize(resize, dir.string()), InvalidArgument);
  EXPECT_EQ(std::filesystem::last_write_time(dir / "adapter_model.safetensors"), written);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.parent_path()))
    entries += e.path().filename().string().rfind(dir.filename().string() + ".partial", 0) == 0;
  EXPECT_EQ(entries, 0u);  // no half-written directory left behind
  std::filesystem::remove_all(dir);
}

TEST(TensorEncode, RoundsToTheNearestHalfAndBfloat16) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> exponent(-12.0, 15.0), mantissa(1.0, 2.0);
  std::vector<double> values;
  for (int i = 0; i < 4000; ++i)
    values.push_back((i % 2 ? -1.0 : 1.0) * mantissa(rng) * std::ldexp(1.0, static_cast<int>(exponent(rng))));
  for (const auto& [dtype, bits] : {std::pair{Dtype::F16, 11}, std::pair{Dtype::BF16, 8}}) {
    const auto decoded = io::Tensor::encode(dtype, {static_cast<std::int64_t>(values.size())}, values).toDouble();
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double magnitude = std::abs(values[i]);
      if (dtype == Dtype::F16 && magnitude < std::ldexp(1.0, -14)) continue;  // subnormal halves
      // Within half a unit in the last place (plus the float32 step it rounds from).
      const double ulp = std::ldexp(1.0, static_cast<int>(std::floor(std::log2(magnitude))) - (bits - 1));
      EXPECT_LE(std::abs(decoded[i] - values[i]), 0.5 * ulp + magnitude * 1e-7) << values[i];
    }
  }
  const std::vector<double> exact = {0.0, 1.0, -2.5, 65504.0};
  EXPECT_EQ(io::Tensor::encode(Dtype::F16, {4}, exact).toDouble(), exact);
  EXPECT_TRUE(std::isinf(io::Tensor::encode(Dtype::F16, {1}, std::vector<double>{1e6}).toDouble()[0]));
  EXPECT_THROW(io::Tensor::encode(Dtype::I32, {1}, std::span<const double>(exact).subspan(0, 1)), InvalidArgument);
}

}  // namespace
}  // namespace rankflow
