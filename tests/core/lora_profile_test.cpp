// The LoRA rank profiler on adapters written here in PEFT's and kohya's layouts: ranks known
// by construction, spectra of scale·B·A against a dense float64 SVD, energy ranks, the scales
// of adapter_config.json and of kohya's alpha tensors, and the errors that name the module.
#include "core/learn/lora_profile.h"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <Eigen/SVD>
#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>

#include "core/common/error.h"
#include "tests/support/gaussian_matrix.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using io::Dtype;
using io::SafeTensorsFile;
using io::Tensor;
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

std::string peftName(const std::string& module, const std::string& half, const std::string& adapter = "") {
  return "base_model.model." + module + ".lora_" + half + (adapter.empty() ? "" : "." + adapter) + ".weight";
}

Tensor tensorOf(const Eigen::MatrixXd& m, Dtype dtype) {
  const RowMajor rows = m;
  const std::vector<std::int64_t> shape = {m.rows(), m.cols()};
  if (dtype == Dtype::F64)
    return Tensor::fromDouble(shape, std::vector<double>(rows.data(), rows.data() + rows.size()));
  std::vector<float> values(rows.data(), rows.data() + rows.size());
  Tensor t = Tensor::fromFloat(shape, values);
  if (dtype == Dtype::F32) return t;
  // BF16 keeps a float's top 16 bits; the test matrices are chosen to be exact in it.
  t.dtype = Dtype::BF16;
  t.bytes.clear();
  for (float v : values) {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(v);
    EXPECT_EQ(bits & 0xffffu, 0u) << v << " is not a bfloat16";
    t.bytes.push_back(static_cast<std::uint8_t>((bits >> 16) & 0xff));
    t.bytes.push_back(static_cast<std::uint8_t>(bits >> 24));
  }
  return t;
}

// Entries in {−2, …, 2}: these and the products built from them below are integers below 256
// in magnitude, exact in bfloat16, so a rank built in is the rank in the file.
Eigen::MatrixXd smallIntegers(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> pick(-2, 2);
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = pick(rng);
  return m;
}

// Adds 2n + 1 on the diagonal (n = min(rows, cols)) of a matrix with entries in {−2, …, 2}:
// the leading n × n block becomes strictly diagonally dominant (|diagonal| ≥ 2n − 1 > 2(n − 1)),
// hence invertible, so the matrix has full rank n for certain, not just almost surely.
Eigen::MatrixXd dominant(Eigen::MatrixXd m) {
  const Eigen::Index n = std::min(m.rows(), m.cols());
  m += static_cast<double>(2 * n + 1) * Eigen::MatrixXd::Identity(m.rows(), m.cols());
  return m;
}

using testing::gaussianMatrix;

// Values as the file holds them (F32 rounds a float64 matrix).
Eigen::MatrixXd asStored(const Eigen::MatrixXd& m, Dtype dtype) {
  return dtype == Dtype::F64 ? m : Eigen::MatrixXd(m.cast<float>().cast<double>());
}

Eigen::VectorXd denseSingularValues(const Eigen::MatrixXd& b, const Eigen::MatrixXd& a) {
  return Eigen::JacobiSVD<Eigen::MatrixXd>(b * a).singularValues();
}

TEST(LoraProfile, NumericRanksOfAdaptersBuiltWithKnownRanks) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  SafeTensorsFile file;
  file.metadata = {{"format", "pt"}, {"lora_alpha", "16"}};
  // q_proj: r = 8 but B = P·M with inner dimension 3, A a generic float32 matrix: rank 3.
  const Eigen::MatrixXd bq = dominant(smallIntegers(24, 3, rng)) * dominant(smallIntegers(3, 8, rng));
  file.tensors[peftName("layers.0.self_attn.q_proj", "A")] = tensorOf(gaussianMatrix(8, 16, rng), Dtype::F32);
  file.tensors[peftName("layers.0.self_attn.q_proj", "B")] = tensorOf(bq, Dtype::F32);
  // v_proj: r = 4, generic integer factors in bfloat16: full rank 4.
  file.tensors[peftName("layers.0.self_attn.v_proj", "A")] = tensorOf(dominant(smallIntegers(4, 16, rng)), Dtype::BF16);
  file.tensors[peftName("layers.0.self_attn.v_proj", "B")] = tensorOf(dominant(smallIntegers(24, 4, rng)), Dtype::BF16);
  // down_proj with PEFT's adapter-name segment: r = 6, A = M·Q of rank 2, bfloat16.
  const Eigen::MatrixXd ad = dominant(smallIntegers(6, 2, rng)) * dominant(smallIntegers(2, 32, rng));
  file.tensors[peftName("layers.1.mlp.down_proj", "A", "default")] = tensorOf(ad, Dtype::BF16);
  file.tensors[peftName("layers.1.mlp.down_proj", "B", "default")] =
      tensorOf(dominant(smallIntegers(12, 6, rng)), Dtype::BF16);
  // up_proj as PEFT initialises it: B = 0, so ΔW = 0 and every rank is 0.
  file.tensors[peftName("layers.1.mlp.up_proj", "A")] = tensorOf(gaussianMatrix(2, 12, rng), Dtype::F32);
  file.tensors[peftName("layers.1.mlp.up_proj", "B")] = tensorOf(Eigen::MatrixXd::Zero(32, 2), Dtype::F32);
  // Not LoRA factors: the frozen base weight PEFT sometimes saves alongside, and a DoRA vector.
  file.tensors["base_model.model.layers.0.self_attn.q_proj.base_layer.weight"] =
      tensorOf(gaussianMatrix(24, 16, rng), Dtype::F32);
  file.tensors["base_model.model.layers.0.self_attn.q_proj.lora_magnitude_vector"] =
      tensorOf(gaussianMatrix(1, 24, rng), Dtype::F32);

  const learn::LoraProfile profile = learn::profileLoraAdapter(file);
  ASSERT_EQ(profile.modules.size(), 4u);
  const auto& q = profile.modules[0];
  const auto& v = profile.modules[1];
  const auto& down = profile.modules[2];
  const auto& up = profile.modules[3];
  EXPECT_EQ(q.module, "layers.0.self_attn.q_proj");
  EXPECT_EQ(v.module, "layers.0.self_attn.v_proj");
  EXPECT_EQ(down.module, "layers.1.mlp.down_proj");
  EXPECT_EQ(down.adapter, "default");
  EXPECT_EQ(up.module, "layers.1.mlp.up_proj");
  EXPECT_EQ(q.tensorA, peftName("layers.0.self_attn.q_proj", "A"));

  EXPECT_EQ(q.statedRank, 8);
  EXPECT_EQ(q.outFeatures, 24);
  EXPECT_EQ(q.inFeatures, 16);
  EXPECT_EQ(q.dtype, "F32");
  EXPECT_EQ(q.numericRank, 3);
  EXPECT_EQ(q.singularValues.size(), 8u);
  EXPECT_LT(q.singularValues[3], 1e-12 * q.sigmaMax);  // far below the 1e-6 tolerance: a clean gap
  EXPECT_EQ(v.statedRank, 4);
  EXPECT_EQ(v.dtype, "BF16");
  EXPECT_EQ(v.numericRank, 4);
  EXPECT_EQ(down.statedRank, 6);
  EXPECT_EQ(down.outFeatures, 12);
  EXPECT_EQ(down.inFeatures, 32);
  EXPECT_EQ(down.numericRank, 2);
  EXPECT_EQ(up.numericRank, 0);
  EXPECT_EQ(up.sigmaMax, 0.0);
  EXPECT_EQ(up.rank90, 0);
  EXPECT_EQ(up.rank99, 0);
  for (double e : up.energy) EXPECT_EQ(e, 0.0);

  EXPECT_EQ(profile.ignoredTensors, 2);
  EXPECT_EQ(profile.minStatedRank, 2);
  EXPECT_EQ(profile.maxStatedRank, 8);
  EXPECT_DOUBLE_EQ(profile.medianNumericRank, 2.5);  // ranks 0, 2, 3, 4
  EXPECT_EQ(profile.parameters, 8 * (24 + 16) + 4 * (24 + 16) + 6 * (12 + 32) + 2 * (32 + 12));
  EXPECT_EQ(profile.parametersAtNumericRank, 3 * (24 + 16) + 4 * (24 + 16) + 2 * (12 + 32));
  ASSERT_TRUE(profile.loraAlpha.has_value());
  EXPECT_EQ(*profile.loraAlpha, 16.0);
  ASSERT_TRUE(q.scaling.has_value());
  EXPECT_EQ(*q.scaling, 2.0);  // α / r
  EXPECT_EQ(profile.metadata.at("format"), "pt");
}

TEST(LoraProfile, SpectrumMatchesADenseSvdOfTheProduct) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  struct Case {
    Eigen::Index out, r, in;
    Dtype dtype;
  };
  // Tall, wide, and r larger than one side (then B·A has at most min(out, in) values).
  const Case cases[] = {
      {40, 8, 30, Dtype::F64}, {17, 5, 64, Dtype::F32}, {3, 6, 20, Dtype::F32}, {25, 7, 4, Dtype::F64}};
  for (const auto& c : cases) {
    SafeTensorsFile file;
    // Scaled columns give a spread spectrum, so the comparison covers small singular values too.
    Eigen::MatrixXd b = gaussianMatrix(c.out, c.r, rng);
    for (Eigen::Index j = 0; j < c.r; ++j) b.col(j) *= std::pow(10.0, -static_cast<double>(j) / 2);
    const Eigen::MatrixXd a = gaussianMatrix(c.r, c.in, rng);
    file.tensors[peftName("m", "A")] = tensorOf(a, c.dtype);
    file.tensors[peftName("m", "B")] = tensorOf(b, c.dtype);
    const learn::LoraProfile profile = learn::profileLoraAdapter(file);
    ASSERT_EQ(profile.modules.size(), 1u);
    const auto& m = profile.modules[0];
    const Eigen::VectorXd dense = denseSingularValues(asStored(b, c.dtype), asStored(a, c.dtype));
    const auto count = static_cast<std::size_t>(std::min({c.out, c.r, c.in}));
    ASSERT_EQ(m.singularValues.size(), count);
    for (std::size_t i = 0; i < count; ++i)
      EXPECT_NEAR(m.singularValues[i], dense(static_cast<Eigen::Index>(i)), 1e-12 * dense(0)) << i;
    EXPECT_NEAR(m.sigmaMax, dense(0), 1e-13 * dense(0));
    EXPECT_EQ(m.numericRank, static_cast<int>(count));
    EXPECT_EQ(m.tolerance, 1e-6 * m.sigmaMax);
    // The energy curve: cumulative σ² over the total, non-decreasing, ending at 1.
    const double total = dense.head(static_cast<Eigen::Index>(count)).squaredNorm();
    double sum = 0.0;
    ASSERT_EQ(m.energy.size(), count);
    for (std::size_t k = 0; k < count; ++k) {
      sum += dense(static_cast<Eigen::Index>(k)) * dense(static_cast<Eigen::Index>(k));
      EXPECT_NEAR(m.energy[k], sum / total, 1e-12);
      if (k) {
        EXPECT_GE(m.energy[k], m.energy[k - 1]);
      }
    }
    EXPECT_EQ(m.energy.back(), 1.0);
    for (const auto& [rank, level] : {std::pair{m.rank90, 0.90}, std::pair{m.rank99, 0.99}}) {
      ASSERT_GE(rank, 1);
      EXPECT_GE(m.energy[static_cast<std::size_t>(rank - 1)], level - 1e-12);
      if (rank > 1) {
        EXPECT_LT(m.energy[static_cast<std::size_t>(rank - 2)], level);
      }
    }
  }
}

TEST(LoraProfile, EnergyRanksAndToleranceOnAKnownSpectrum) {
  // B = Q₁·diag(σ) and A = Q₂ᵀ with orthonormal Q₁, Q₂: B·A has exactly the singular values σ.
  std::mt19937_64 rng(7);
  const Eigen::VectorXd sigma = (Eigen::VectorXd(4) << 10.0, 3.0, 1.0, 0.1).finished();
  const Eigen::MatrixXd q1 = Eigen::HouseholderQR<Eigen::MatrixXd>(gaussianMatrix(20, 4, rng)).householderQ() *
                             Eigen::MatrixXd::Identity(20, 4);
  const Eigen::MatrixXd q2 = Eigen::HouseholderQR<Eigen::MatrixXd>(gaussianMatrix(15, 4, rng)).householderQ() *
                             Eigen::MatrixXd::Identity(15, 4);
  SafeTensorsFile file;
  file.tensors[peftName("proj", "A")] = tensorOf(q2.transpose(), Dtype::F64);
  file.tensors[peftName("proj", "B")] = tensorOf(q1 * sigma.asDiagonal(), Dtype::F64);
  const auto m = learn::profileLoraAdapter(file).modules.at(0);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(m.singularValues[static_cast<std::size_t>(i)], sigma(i), 1e-13 * 10);
  // σ² = 100, 9, 1, 0.01 of 110.01: 90.9% at k = 1, 99.1% at k = 2.
  EXPECT_EQ(m.rank90, 1);
  EXPECT_EQ(m.rank99, 2);
  EXPECT_NEAR(m.energy[0], 100 / 110.01, 1e-14);
  EXPECT_NEAR(m.energy[2], 110 / 110.01, 1e-14);
  EXPECT_EQ(m.numericRank, 4);
  // A relative tolerance of 0.05 cuts at σ = 0.5: the 0.1 direction no longer counts.
  const auto loose = learn::profileLoraAdapter(file, {.relativeTolerance = 0.05}).modules.at(0);
  EXPECT_EQ(loose.numericRank, 3);
  EXPECT_NEAR(loose.tolerance, 0.5, 1e-12);
  EXPECT_EQ(loose.rank90, 1);  // energy ranks do not depend on the tolerance
  EXPECT_EQ(learn::profileLoraAdapter(file, {.relativeTolerance = 0.0}).modules.at(0).numericRank, 4);
  EXPECT_THROW(learn::profileLoraAdapter(file, {.relativeTolerance = -1.0}), InvalidArgument);
}

TEST(LoraProfile, ConvAndEmbeddingFactorsAreFlattened) {
  std::mt19937_64 rng(11);
  SafeTensorsFile file;
  // A conv LoRA: A is (r, in, kh, kw), B is (out, r, 1, 1); ΔW is out × (in·kh·kw).
  const Eigen::MatrixXd a = gaussianMatrix(3, 4 * 3 * 3, rng);
  const Eigen::MatrixXd b = gaussianMatrix(5, 3, rng);
  Tensor ta = tensorOf(a, Dtype::F64);
  ta.shape = {3, 4, 3, 3};
  Tensor tb = tensorOf(b, Dtype::F64);
  tb.shape = {5, 3, 1, 1};
  file.tensors["base_model.model.unet.conv_in.lora_A.weight"] = ta;
  file.tensors["base_model.model.unet.conv_in.lora_B.weight"] = tb;
  // An embedding LoRA: PEFT stores these without ".weight".
  file.tensors["base_model.model.embed_tokens.lora_embedding_A"] = tensorOf(gaussianMatrix(2, 50, rng), Dtype::F32);
  file.tensors["base_model.model.embed_tokens.lora_embedding_B"] = tensorOf(gaussianMatrix(8, 2, rng), Dtype::F32);
  const learn::LoraProfile profile = learn::profileLoraAdapter(file);
  ASSERT_EQ(profile.modules.size(), 2u);
  EXPECT_EQ(profile.modules[0].module, "embed_tokens");
  EXPECT_EQ(profile.modules[0].outFeatures, 8);
  EXPECT_EQ(profile.modules[0].inFeatures, 50);
  EXPECT_EQ(profile.modules[0].numericRank, 2);
  const auto& conv = profile.modules[1];
  EXPECT_EQ(conv.module, "unet.conv_in");
  EXPECT_EQ(conv.inFeatures, 36);
  EXPECT_EQ(conv.outFeatures, 5);
  EXPECT_EQ(conv.numericRank, 3);
  const Eigen::VectorXd dense = denseSingularValues(b, a);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(conv.singularValues[static_cast<std::size_t>(i)], dense(i), 1e-12 * dense(0));
  // B's trailing dimensions must be 1: a (out, r, 3, 1) "factor" is not a LoRA B.
  tb.shape = {5, 1, 3, 1};
  file.tensors["base_model.model.unet.conv_in.lora_B.weight"] = tb;
  EXPECT_THROW(learn::profileLoraAdapter(file), InvalidArgument);
}

void expectRefused(const SafeTensorsFile& file, const std::vector<std::string>& pieces) {
  try {
    learn::profileLoraAdapter(file);
    ADD_FAILURE() << "accepted: " << pieces.front();
  } catch (const InvalidArgument& e) {
    for (const auto& piece : pieces) EXPECT_NE(std::string(e.what()).find(piece), std::string::npos) << e.what();
  }
}

TEST(LoraProfile, RefusesAdaptersWithAMissingHalfOrMismatchedRanksNamingTheModule) {
  std::mt19937_64 rng(3);
  const Tensor a = tensorOf(gaussianMatrix(4, 10, rng), Dtype::F32);
  const Tensor b = tensorOf(gaussianMatrix(12, 4, rng), Dtype::F32);
  SafeTensorsFile onlyA;
  onlyA.tensors[peftName("layers.2.k_proj", "A")] = a;
  onlyA.tensors[peftName("layers.1.q_proj", "A")] = a;
  onlyA.tensors[peftName("layers.1.q_proj", "B")] = b;
  expectRefused(onlyA, {"module 'layers.2.k_proj'", "no matching lora_B"});
  SafeTensorsFile onlyB;
  onlyB.tensors[peftName("layers.2.k_proj", "B", "default")] = b;
  expectRefused(onlyB, {"module 'layers.2.k_proj' (adapter 'default')", "no matching lora_A"});
  SafeTensorsFile mismatch;
  mismatch.tensors[peftName("layers.0.o_proj", "A")] = a;
  mismatch.tensors[peftName("layers.0.o_proj", "B")] = tensorOf(gaussianMatrix(12, 5, rng), Dtype::F32);
  expectRefused(mismatch, {"module 'layers.0.o_proj'", "ranks disagree", "r = 4 rows", "has 5 columns"});
  SafeTensorsFile vector;
  vector.tensors[peftName("m", "A")] = Tensor::fromFloat({4}, std::vector<float>(4, 1.0f));
  vector.tensors[peftName("m", "B")] = b;
  expectRefused(vector, {"module 'm'", "has 1 dimensions"});
  SafeTensorsFile integers;
  integers.tensors[peftName("m", "A")] = a;
  Tensor ib = b;
  ib.dtype = Dtype::I32;
  integers.tensors[peftName("m", "B")] = ib;
  expectRefused(integers, {"module 'm'", "is I32, not a float tensor"});
  SafeTensorsFile nan;
  nan.tensors[peftName("m", "A")] = Tensor::fromFloat({1, 2}, std::vector<float>{1.0f, std::nanf("")});
  nan.tensors[peftName("m", "B")] = Tensor::fromFloat({2, 1}, std::vector<float>{1.0f, 2.0f});
  expectRefused(nan, {"module 'm'", "NaN or infinite"});
  SafeTensorsFile none;
  none.tensors["model.layers.0.weight"] = b;
  expectRefused(none, {"no LoRA factors"});
  SafeTensorsFile alpha;
  alpha.metadata["lora_alpha"] = "sixteen";
  alpha.tensors[peftName("m", "A")] = a;
  alpha.tensors[peftName("m", "B")] = b;
  expectRefused(alpha, {"lora_alpha 'sixteen' is not a number"});
}

TEST(LoraProfile, ReadsAnAdapterFileAndPrefixesErrorsWithItsPath) {
  std::mt19937_64 rng(5);
  SafeTensorsFile file;
  file.tensors[peftName("q", "A")] = tensorOf(gaussianMatrix(2, 6, rng), Dtype::F32);
  file.tensors[peftName("q", "B")] = tensorOf(gaussianMatrix(6, 2, rng), Dtype::F32);
  const auto path = std::filesystem::temp_directory_path() / "rankflow_lora_profile_test.safetensors";
  io::writeSafeTensors(path.string(), file);
  EXPECT_EQ(learn::profileLoraFile(path.string()).modules.at(0).numericRank, 2);
  file.tensors.erase(peftName("q", "B"));
  io::writeSafeTensors(path.string(), file);
  try {
    learn::profileLoraFile(path.string());
    ADD_FAILURE() << "accepted a lone lora_A";
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ": module 'q'", 0), 0u) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(LoraProfile, LargeFactorsAreProfiledWithoutTheDenseProduct) {
  // 4096 × 4096 updates of rank 16: the dense product would be 128 MiB and an SVD of it
  // minutes; the QR route costs O((out + in) r²) and matches a dense SVD of the small core.
  std::mt19937_64 rng(13);
  const Eigen::MatrixXd b = gaussianMatrix(4096, 16, rng);
  const Eigen::MatrixXd a = gaussianMatrix(16, 4096, rng);
  const matfun::NumericalRank rank = learn::lowRankProductRank(b, a, 1e-6);
  EXPECT_EQ(rank.rank, 16);
  // Check against the Gram route: σ² are the eigenvalues of (BᵀB)(AAᵀ), similar to a symmetric matrix.
  const Eigen::MatrixXd gb = b.transpose() * b, ga = a * a.transpose();
  const Eigen::LLT<Eigen::MatrixXd> lb(gb);
  const Eigen::MatrixXd l = lb.matrixL();
  const Eigen::VectorXd eig = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(l.transpose() * ga * l).eigenvalues();
  for (int i = 0; i < 16; ++i)
    EXPECT_NEAR(rank.singularValues(i), std::sqrt(eig(15 - i)), 1e-9 * rank.singularValues(0));
  EXPECT_THROW(learn::lowRankProductRank(b, b, 1e-6), InvalidArgument);  // inner dimensions differ
}

// [SECTION] Scales: PEFT's adapter_config.json and the kohya layout

// A float16 tensor of integers below 2048 in magnitude (exact in half precision).
Tensor halfTensorOf(const Eigen::MatrixXd& m) {
  const RowMajor rows = m;
  Tensor t;
  t.dtype = Dtype::F16;
  t.shape = {m.rows(), m.cols()};
  for (Eigen::Index i = 0; i < rows.size(); ++i) {
    const double v = rows.data()[i];
    EXPECT_TRUE(v == std::round(v) && std::abs(v) < 2048) << v << " is not exact in float16";
    std::uint16_t bits = 0;
    if (v != 0.0) {
      const double magnitude = std::abs(v);
      const int exponent = static_cast<int>(std::floor(std::log2(magnitude)));
      const auto mantissa = static_cast<std::uint16_t>((magnitude / std::ldexp(1.0, exponent) - 1.0) * 1024.0);
      bits = static_cast<std::uint16_t>((v < 0 ? 0x8000 : 0) | ((exponent + 15) << 10) | mantissa);
    }
    t.bytes.push_back(static_cast<std::uint8_t>(bits & 0xff));
    t.bytes.push_back(static_cast<std::uint8_t>(bits >> 8));
  }
  return t;
}

Tensor scalarOf(float value) {
  return Tensor::fromFloat({}, std::vector<float>{value});
}

void expectScaledSpectrum(const learn::LoraModuleProfile& m, const Eigen::MatrixXd& b, const Eigen::MatrixXd& a,
                          double scale) {
  SCOPED_TRACE(m.module);
  EXPECT_NEAR(m.scale, scale, 1e-15 * std::abs(scale));
  const Eigen::VectorXd dense = denseSingularValues(scale * b, a);
  ASSERT_EQ(m.singularValues.size(), static_cast<std::size_t>(std::min(dense.size(), a.rows())));
  for (std::size_t i = 0; i < m.singularValues.size(); ++i)
    EXPECT_NEAR(m.singularValues[i], dense(static_cast<Eigen::Index>(i)), 1e-12 * dense(0)) << i;
}

TEST(LoraConfig, ReadsPeftsFieldsAndNamesTheFieldItRefuses) {
  const learn::LoraConfig c = learn::parseLoraConfig(
      R"({"peft_type": "LORA", "r": 8, "lora_alpha": 16, "use_rslora": true, "target_modules": ["q_proj"],
          "rank_pattern": {"v_proj": 4, "layers.1.mlp.down_proj": 2}, "alpha_pattern": {"v_proj": 2.5}})",
      "cfg.json");
  EXPECT_EQ(c.r, 8);
  EXPECT_EQ(c.loraAlpha, 16.0);
  EXPECT_TRUE(c.useRslora);
  EXPECT_EQ(c.rankPattern.at("v_proj"), 4);
  EXPECT_EQ(c.rankPattern.at("layers.1.mlp.down_proj"), 2);
  EXPECT_EQ(c.alphaPattern.at("v_proj"), 2.5);
  const learn::LoraConfig empty = learn::parseLoraConfig(R"({"r": null, "rank_pattern": null})", "cfg.json");
  EXPECT_FALSE(empty.r);
  EXPECT_FALSE(empty.useRslora);
  const auto refused = [](const std::string& json, const std::string& field) {
    try {
      learn::parseLoraConfig(json, "cfg.json");
      ADD_FAILURE() << "accepted " << json;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("cfg.json"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  refused("{", "not valid JSON");
  refused("[1]", "JSON object");
  refused(R"({"r": 0})", "'r'");
  refused(R"({"r": 2.5})", "'r'");
  refused(R"({"lora_alpha": "16"})", "'lora_alpha'");
  refused(R"({"use_rslora": 1})", "'use_rslora'");
  refused(R"({"rank_pattern": {"q": -1}})", "rank_pattern.q");
  refused(R"({"alpha_pattern": [1]})", "'alpha_pattern'");
}

TEST(LoraProfile, PeftConfigScalesEachModuleAndMustAgreeWithTheFactors) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  SafeTensorsFile file;
  const Eigen::MatrixXd aq = gaussianMatrix(8, 20, rng), bq = gaussianMatrix(24, 8, rng);
  const Eigen::MatrixXd av = gaussianMatrix(4, 20, rng), bv = gaussianMatrix(24, 4, rng);
  file.tensors[peftName("layers.0.self_attn.q_proj", "A")] = tensorOf(aq, Dtype::F64);
  file.tensors[peftName("layers.0.self_attn.q_proj", "B")] = tensorOf(bq, Dtype::F64);
  file.tensors[peftName("layers.0.self_attn.v_proj", "A")] = tensorOf(av, Dtype::F64);
  file.tensors[peftName("layers.0.self_attn.v_proj", "B")] = tensorOf(bv, Dtype::F64);
  learn::LoraConfig config;
  config.r = 8;
  config.loraAlpha = 16.0;
  config.rankPattern["v_proj"] = 4;
  config.alphaPattern["self_attn.v_proj"] = 3.0;  // the longest matching key wins
  config.alphaPattern["v_proj"] = 100.0;
  learn::LoraProfile profile = learn::profileLoraAdapter(file, {.config = config});
  ASSERT_EQ(profile.modules.size(), 2u);
  expectScaledSpectrum(profile.modules[0], bq, aq, 16.0 / 8);
  expectScaledSpectrum(profile.modules[1], bv, av, 3.0 / 4);
  EXPECT_EQ(profile.modules[1].scaleSource, "adapter_config.json");
  EXPECT_EQ(profile.modules[1].layout, "peft");
  EXPECT_EQ(profile.loraAlpha, 16.0);

  config.useRslora = true;  // α/√r
  profile = learn::profileLoraAdapter(file, {.config = config});
  expectScaledSpectrum(profile.modules[0], bq, aq, 16.0 / std::sqrt(8.0));
  // Without lora_alpha, PEFT's default α = 8.
  config = {};
  profile = learn::profileLoraAdapter(file, {.config = config});
  expectScaledSpectrum(profile.modules[1], bv, av, 8.0 / 4);

  // A config stating another rank than the factors is refused, naming the module and key.
  config.r = 8;
  try {
    learn::profileLoraAdapter(file, {.config = config});
    ADD_FAILURE() << "a config with r = 8 for a rank-4 module was accepted";
  } catch (const InvalidArgument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("module 'layers.0.self_attn.v_proj'"), std::string::npos) << what;
    EXPECT_NE(what.find("states r = 8 (r)"), std::string::npos) << what;
  }
}

TEST(LoraProfile, KohyaLayoutInEveryDtypeScalesByItsAlphaTensor) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  SafeTensorsFile file;
  struct Module {
    std::string name;
    Eigen::MatrixXd up, down;
    std::optional<float> alpha;
  };
  std::vector<Module> modules;
  const char* names[] = {"lora_unet_mid_block_attentions_0_proj_in", "lora_te_text_model_encoder_layers_0_mlp_fc1",
                         "lora_unet_up_blocks_1_attentions_2_to_q"};
  const Dtype dtypes[] = {Dtype::F32, Dtype::F16, Dtype::BF16};
  for (int i = 0; i < 3; ++i) {
    // r = 4 with rank 2 planted in `up`; small integers are exact in every dtype.
    Module m{names[i], dominant(smallIntegers(12, 2, rng)) * dominant(smallIntegers(2, 4, rng)),
             dominant(smallIntegers(4, 10, rng)), i == 2 ? std::nullopt : std::optional<float>(i == 0 ? 8.0f : 1.0f)};
    const auto store = [&](const Eigen::MatrixXd& v) {
      return dtypes[i] == Dtype::F16 ? halfTensorOf(v) : tensorOf(v, dtypes[i]);
    };
    file.tensors[m.name + ".lora_up.weight"] = store(m.up);
    file.tensors[m.name + ".lora_down.weight"] = store(m.down);
    if (m.alpha) file.tensors[m.name + ".alpha"] = scalarOf(*m.alpha);
    modules.push_back(m);
  }
  file.tensors["lora_unet_unused.alpha"] = scalarOf(4.0f);  // no module of that name: ignored
  const learn::LoraProfile profile = learn::profileLoraAdapter(file);
  ASSERT_EQ(profile.modules.size(), 3u);
  EXPECT_EQ(profile.ignoredTensors, 1);
  for (const Module& m : modules) {
    const auto found =
        std::find_if(profile.modules.begin(), profile.modules.end(), [&](const auto& p) { return p.module == m.name; });
    ASSERT_NE(found, profile.modules.end()) << m.name;
    EXPECT_EQ(found->layout, "kohya");
    EXPECT_EQ(found->numericRank, 2) << m.name;
    expectScaledSpectrum(*found, m.up, m.down, m.alpha ? *m.alpha / 4.0 : 1.0);
    EXPECT_EQ(found->scaleSource, m.alpha ? "alpha tensor" : "");
  }

  SafeTensorsFile badAlpha = file;
  badAlpha.tensors[std::string(names[0]) + ".alpha"] = Tensor::fromFloat({2}, std::vector<float>{1.0f, 2.0f});
  expectRefused(badAlpha, {names[0], ".alpha must hold one float", "2 values"});
  SafeTensorsFile mixed;
  mixed.tensors["m.lora_down.weight"] = tensorOf(smallIntegers(2, 3, rng), Dtype::F32);
  mixed.tensors["m.lora_B.weight"] = tensorOf(smallIntegers(3, 2, rng), Dtype::F32);
  expectRefused(mixed, {"module 'm'", "mixes the kohya and PEFT layouts"});
  SafeTensorsFile lonely;
  lonely.tensors["m.lora_down.weight"] = tensorOf(smallIntegers(2, 3, rng), Dtype::F32);
  expectRefused(lonely, {"module 'm'", "no matching lora_B"});
}

TEST(LoraProfile, ReadsTheConfigBesideTheFileAndNamesItWhenItIsBad) {
  std::mt19937_64 rng(11);
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_lora_config_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  SafeTensorsFile file;
  const Eigen::MatrixXd a = gaussianMatrix(2, 6, rng), b = gaussianMatrix(6, 2, rng);
  file.tensors[peftName("q", "A")] = tensorOf(a, Dtype::F64);
  file.tensors[peftName("q", "B")] = tensorOf(b, Dtype::F64);
  const std::string path = (dir / "adapter_model.safetensors").string();
  io::writeSafeTensors(path, file);
  std::ofstream(dir / "adapter_config.json") << R"({"r": 2, "lora_alpha": 32})";
  const learn::LoraProfile profile = learn::profileLoraFile(path);
  EXPECT_EQ(profile.configPath, (dir / "adapter_config.json").string());
  expectScaledSpectrum(profile.modules.at(0), b, a, 16.0);
  std::ofstream(dir / "adapter_config.json") << R"({"r": "two"})";
  try {
    learn::profileLoraFile(path);
    ADD_FAILURE() << "a bad config was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("adapter_config.json: field 'r'"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

// [SECTION] Rank criteria, truncation errors, groups

TEST(LoraCriteria, MatchABruteForceCountOnFreshSpectra) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<double> sigma(1 + trial % 17);
    for (double& s : sigma) s = std::exp(8.0 * uniform(rng) - 4.0);
    std::sort(sigma.rbegin(), sigma.rend());
    const double ratio = 1.0 + 50.0 * uniform(rng), share = uniform(rng);
    int byRatio = 0;
    for (double s : sigma) byRatio += s >= sigma.front() / ratio;
    double total = 0.0, totalSquares = 0.0;
    for (double s : sigma) total += s, totalSquares += s * s;
    int byCumulative = 0, byFro = 0;
    double running = 0.0, runningSquares = 0.0;
    for (std::size_t k = 0; k < sigma.size(); ++k) {
      running += sigma[k];
      runningSquares += sigma[k] * sigma[k];
      if (!byCumulative && running >= share * total * (1 - 1e-12)) byCumulative = static_cast<int>(k) + 1;
      if (!byFro && std::sqrt(runningSquares) >= share * std::sqrt(totalSquares) * (1 - 1e-12))
        byFro = static_cast<int>(k) + 1;
    }
    EXPECT_EQ(learn::rankByRatio(sigma, ratio), byRatio);
    EXPECT_EQ(learn::rankByCumulative(sigma, share), std::max(byCumulative, 1));
    EXPECT_EQ(learn::rankByFrobenius(sigma, share), std::max(byFro, 1));
  }
  EXPECT_EQ(learn::rankByRatio({0.0, 0.0}, 10.0), 0);
  EXPECT_EQ(learn::rankByFrobenius({}, 0.9), 0);
  EXPECT_EQ(learn::rankByCumulative({3.0, 1.0}, 1.0), 2);
  EXPECT_THROW(learn::rankByRatio({1.0}, 0.5), InvalidArgument);
  EXPECT_THROW(learn::rankByFrobenius({1.0}, 1.5), InvalidArgument);
}

TEST(LoraProfile, TruncationErrorsAreTheBestRankKApproximationsError) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  SafeTensorsFile file;
  const Eigen::MatrixXd a = gaussianMatrix(6, 15, rng), b = gaussianMatrix(11, 6, rng);
  file.tensors[peftName("model.layers.7.mlp.down_proj", "A")] = tensorOf(a, Dtype::F64);
  file.tensors[peftName("model.layers.7.mlp.down_proj", "B")] = tensorOf(b, Dtype::F64);
  const auto m = learn::profileLoraAdapter(file).modules.at(0);
  ASSERT_EQ(m.truncationError.size(), 7u);
  const Eigen::MatrixXd delta = b * a;
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(delta, Eigen::ComputeThinU | Eigen::ComputeThinV);
  for (int k = 0; k <= 6; ++k) {
    const Eigen::MatrixXd best =
        svd.matrixU().leftCols(k) * svd.singularValues().head(k).asDiagonal() * svd.matrixV().leftCols(k).transpose();
    const double expected = (delta - best).norm() / delta.norm();
    EXPECT_NEAR(m.truncationError[static_cast<std::size_t>(k)], expected, 1e-10) << "k = " << k;
  }
  EXPECT_EQ(m.type, "down_proj");
  EXPECT_EQ(m.layer, "7");
}

TEST(LoraProfile, ModulesGroupByTypeAndByLayerInBothNamings) {
  using learn::loraModuleTypeAndLayer;
  EXPECT_EQ(loraModuleTypeAndLayer("model.layers.12.self_attn.q_proj"),
            std::make_pair(std::string("q_proj"), std::string("12")));
  EXPECT_EQ(loraModuleTypeAndLayer("lora_unet_down_blocks_1_attentions_0_to_k"),
            std::make_pair(std::string("to_k"), std::string("1")));
  EXPECT_EQ(loraModuleTypeAndLayer("lora_te_text_model_encoder_layers_10_mlp_fc1"),
            std::make_pair(std::string("mlp_fc1"), std::string("10")));
  EXPECT_EQ(loraModuleTypeAndLayer("fc2"), std::make_pair(std::string("fc2"), std::string()));
  EXPECT_EQ(loraModuleTypeAndLayer("h.conv2d.weight2"), std::make_pair(std::string("weight2"), std::string()));

  std::mt19937_64 rng(3);
  SafeTensorsFile file;
  for (const char* layer : {"2", "10"})
    for (const char* type : {"q_proj", "v_proj"}) {
      const std::string module = std::string("model.layers.") + layer + ".self_attn." + type;
      file.tensors[peftName(module, "A")] = tensorOf(dominant(smallIntegers(3, 8, rng)), Dtype::F32);
      file.tensors[peftName(module, "B")] = tensorOf(dominant(smallIntegers(8, 3, rng)), Dtype::F32);
    }
  const auto profile = learn::profileLoraAdapter(file);
  ASSERT_EQ(profile.byType.size(), 2u);
  EXPECT_EQ(profile.byType[0].name, "q_proj");
  EXPECT_EQ(profile.byType[0].modules, 2);
  EXPECT_EQ(profile.byType[0].numericRank, 6);
  ASSERT_EQ(profile.byLayer.size(), 2u);
  EXPECT_EQ(profile.byLayer[0].name, "2");  // numerically, not "10" first
  EXPECT_EQ(profile.byLayer[1].parameters, 2 * 3 * (8 + 8));
}

}  // namespace
}  // namespace rankflow
