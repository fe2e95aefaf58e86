// Label `gpu`: batched singular values, the derivative rank grid and the resident cascade
// on every backend (the CPU's run here, CUDA's where a device exists) against float64
// references on fresh random inputs, and what the device path uploads and downloads.
#include <gtest/gtest.h>

#include <Eigen/QR>
#include <Eigen/SVD>
#include <random>

#include "core/common/error.h"
#include "core/lowrank/lowrank_backend.h"
#include "core/lowrank/range_tree.h"
#include "core/matfun/derivative_grid.h"
#include "core/theory/matrix_scenes.h"
#include "tests/support/lowrank_backends.h"
#include "tests/support/planted_spectrum.h"
#include "tests/support/reference_flow.h"
#include "tests/support/svd_factor_check.h"

namespace rankflow {
namespace {

using RowMajor = testing::RowMajorMatrix;
using testing::plantedSpectrum;

struct Shape {
  int rows, cols;
};

class SpectraParity : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    cuda_ = std::string(GetParam()) == "cuda";
    std::string skip;
    backend_ = testing::lowRankBackendNamed(GetParam(), &skip);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_NE(backend_, nullptr);
  }
  bool cuda_ = false;
  std::unique_ptr<lowrank::LowRankBackend> backend_;
};

// Shapes the device path takes (up to 128×128 in float64) in both precisions: planted ranks
// with clear gaps, ill-conditioned spectra, zero matrices, full rank, wide and tall.
TEST_P(SpectraParity, BatchedSpectraMatchFloat64Svd) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (const Shape shape :
       {Shape{1, 1}, Shape{3, 7}, Shape{32, 32}, Shape{64, 64}, Shape{100, 30}, Shape{33, 128}, Shape{128, 128}}) {
    const int length = std::min(shape.rows, shape.cols);
    std::vector<double> data;
    std::vector<int> expectedRanks;
    std::vector<Eigen::VectorXd> references;
    for (int b = 0; b < 6; ++b) {
      const std::vector<double> sigma = testing::batchSpectrum(b, 6, length, 4.0, rng);
      const RowMajor m = plantedSpectrum(shape.rows, shape.cols, sigma, rng);
      data.insert(data.end(), m.data(), m.data() + m.size());
      expectedRanks.push_back(static_cast<int>(sigma.size()));
      references.push_back(Eigen::JacobiSVD<Eigen::MatrixXd>(Eigen::MatrixXd(m)).singularValues());
    }
    std::vector<float> data32(data.begin(), data.end());
    for (const bool doublePrecision : {true, false}) {
      lowrank::MatrixBatchView view;
      view.batch = static_cast<int>(references.size());
      view.rows = shape.rows;
      view.cols = shape.cols;
      if (doublePrecision)
        view.f64 = data.data();
      else
        view.f32 = data32.data();
      const lowrank::BatchedSpectra out = backend_->spectra(view, std::nullopt);
      const std::string what =
          std::to_string(shape.rows) + "x" + std::to_string(shape.cols) + (doublePrecision ? " float64" : " float32");
      EXPECT_TRUE(out.note.empty()) << what << ": " << out.note;
      ASSERT_EQ(out.ranks.size(), references.size()) << what;
      for (std::size_t b = 0; b < references.size(); ++b) {
        const double scale = std::max(references[b].size() ? references[b](0) : 0.0, 1e-300);
        const double tolerance = doublePrecision ? 1e-12 : 1e-4;  // float32: n·ε·σ_max
        for (int i = 0; i < length; ++i)
          ASSERT_NEAR(out.spectrum(static_cast<int>(b))[i], references[b](i), tolerance * scale)
              << what << " matrix " << b << " sigma_" << i;
        EXPECT_EQ(out.ranks[b], expectedRanks[b]) << what << " matrix " << b;
      }
      if (cuda_) {
        EXPECT_GT(out.kernelSeconds, 0.0);
        EXPECT_GE(out.endToEndSeconds, out.kernelSeconds);
        // Only the spectra, ranks and tolerances come back.
        EXPECT_EQ(out.bytesDownloaded, references.size() * (static_cast<std::size_t>(length) * 8 + 4 + 8)) << what;
      }
    }
  }
}

TEST_P(SpectraParity, EmptyBatchNanAndOversizeMatricesAreHandled) {
  lowrank::MatrixBatchView view;
  std::vector<double> data(4 * 4, 1.0);
  view.f64 = data.data();
  view.rows = 4;
  view.cols = 4;
  view.batch = 0;
  EXPECT_TRUE(backend_->spectra(view, std::nullopt).ranks.empty());
  view.batch = 1;
  data[5] = std::numeric_limits<double>::infinity();
  EXPECT_THROW(backend_->spectra(view, std::nullopt), InvalidArgument);
  // 200×200 float64 exceeds one block's shared memory: the CUDA backend says it used the CPU.
  std::mt19937_64 rng(testing::freshSeed());
  std::normal_distribution<double> normal;
  std::vector<double> big(200 * 200);
  for (double& v : big) v = normal(rng);
  view.f64 = big.data();
  view.rows = view.cols = 200;
  const lowrank::BatchedSpectra out = backend_->spectra(view, std::nullopt);
  EXPECT_EQ(out.ranks[0], 200);
  if (cuda_) {
    EXPECT_NE(out.note.find("computed on the CPU"), std::string::npos) << out.note;
  }
}

// The rank strip and generic samples of every built-in scene: the same ranks as the float64
// CPU path, and on a second identical request nothing but the results crosses the bus.
TEST_P(SpectraParity, RankGridAgreesWithCpuOnEveryScene) {
  const auto cpu = lowrank::makeCpuLowRankBackend();
  for (const auto& info : theory::matrixScenes()) {
    const theory::MatrixScene scene = theory::buildMatrixScene(info.name, {});
    const auto table = matfun::flattenDerivatives(scene.b, 6);
    std::vector<double> times = matfun::evenlySpacedTimes(0.0, 1.0, 64);
    const auto generic = matfun::genericSampleTimes(8, 1, -1.0, 1.0);
    times.insert(times.end(), generic.begin(), generic.end());
    const matfun::RankGrid reference = cpu->rankGrid(table, times, std::nullopt, true);
    const matfun::RankGrid grid = backend_->rankGrid(table, times, std::nullopt, true);
    EXPECT_EQ(grid.ranks, reference.ranks) << info.name;
    for (std::size_t i = 0; i < reference.singularValues.size(); ++i) {
      const std::size_t cell = i / static_cast<std::size_t>(reference.spectrumLength());
      const double sigmaMax = reference.singularValues[cell * static_cast<std::size_t>(reference.spectrumLength())];
      ASSERT_NEAR(grid.singularValues[i], reference.singularValues[i], 1e-11 * std::max(sigmaMax, 1e-300))
          << info.name << " entry " << i;
    }
    if (cuda_) {
      const matfun::RankGrid again = backend_->rankGrid(table, times, std::nullopt, false);
      EXPECT_EQ(again.ranks, reference.ranks);
      EXPECT_EQ(again.bytesUploaded, 0u) << info.name << ": the term table and times are already resident";
      EXPECT_EQ(again.bytesDownloaded, times.size() * static_cast<std::size_t>(table.orders()) * (4 + 8));
    }
  }
}

// Thin SVDs with vectors (the Cascade fit's): planted ranks with clear gaps, an
// ill-conditioned spectrum, zero and full rank, tall and wide, against a float64 SVD; 70×70
// is beyond the device's one-warp kernel, so CUDA says it used the CPU.
TEST_P(SpectraParity, DecompositionsMatchFloat64SvdWithOrthonormalVectors) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (const Shape shape :
       {Shape{1, 1}, Shape{3, 7}, Shape{32, 32}, Shape{64, 64}, Shape{100, 30}, Shape{17, 40}, Shape{70, 70}}) {
    const int length = std::min(shape.rows, shape.cols);
    std::vector<Eigen::MatrixXd> references;
    std::vector<Eigen::MatrixXf> batch;
    for (int b = 0; b < 5; ++b) {
      references.push_back(
          plantedSpectrum(shape.rows, shape.cols, testing::batchSpectrum(b, 5, length, 3.0, rng), rng));
      batch.push_back(references.back().cast<float>());
    }
    const lowrank::SvdBatch out = backend_->decompositions(batch);
    ASSERT_EQ(out.factors.size(), batch.size());
    const std::string name = std::to_string(shape.rows) + "x" + std::to_string(shape.cols);
    for (std::size_t b = 0; b < batch.size(); ++b)
      testing::expectThinSvdOf(references[b], out.factors[b].u.cast<double>(), out.factors[b].sigma.cast<double>(),
                               out.factors[b].v.cast<double>(), 1e-5, name + " #" + std::to_string(b));
    if (cuda_) {
      EXPECT_EQ(out.note.empty(), length <= 64) << name << ": " << out.note;
      EXPECT_EQ(out.backend.rfind("CUDA", 0) == 0, length <= 64) << name << ": " << out.backend;
    }
  }
}

// The Cascade fit of every built-in square scene with its SVDs on this backend: the errors
// of the fit with Eigen's SVDs, to float32 round-off.
TEST_P(SpectraParity, CascadeFitOnTheBackendMatchesEigenOnEverySquareScene) {
  int fitted = 0;
  for (const auto& info : theory::matrixScenes()) {
    const theory::MatrixScene scene = theory::buildMatrixScene(info.name, {});
    if (scene.b.rows() != scene.b.cols()) continue;
    std::vector<Eigen::MatrixXf> targets;
    matfun::MatrixFunction current = scene.b;
    for (int k = 0; k <= 3; ++k, current = current.derivative()) targets.push_back(current.evaluate(0.5).cast<float>());
    const int d = static_cast<int>(scene.b.rows());
    const std::vector<int> ranks = {std::min(2, d), std::min(3, d), std::min(1, d)};
    lowrank::LowRankBackend& backend = *backend_;
    const lowrank::CascadeFit onBackend(
        targets, ranks, [&backend](const std::vector<Eigen::MatrixXf>& m) { return backend.decompositions(m); });
    const lowrank::CascadeFit onEigen(targets, ranks);
    for (std::size_t i = 0; i < ranks.size(); ++i) {
      // A vanishing derivative's errors are rounding noise over 1e-30: nothing to compare.
      if (!(targets[i + 1].norm() > 1e-6f * targets[0].norm())) continue;
      const double cascade = onEigen.orders()[i].cascadeError, independent = onEigen.orders()[i].independentError;
      EXPECT_NEAR(onBackend.orders()[i].cascadeError, cascade, 1e-4 + 1e-3 * cascade) << info.name << " order " << i;
      EXPECT_NEAR(onBackend.orders()[i].independentError, independent, 1e-4 + 1e-3 * independent)
          << info.name << " order " << i;
    }
    if (cuda_ && d <= 64) {
      EXPECT_EQ(onBackend.svdBackend().rfind("CUDA", 0), 0u) << info.name;
    }
    ++fitted;
  }
  EXPECT_GT(fitted, 3);
}

TEST_P(SpectraParity, ResidentCascadeMatchesFloat64ReferenceAndDownloadsOnlyWhatIsAsked) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  auto random = [&](int r, int c, float scale) {
    return Eigen::MatrixXf(Eigen::MatrixXf::NullaryExpr(r, c, [&] { return scale * normal(rng); }));
  };
  // The second shape takes the epilogue's 4-column blocks, the third (device only: its
  // float64 reference is slow on a CPU) the 16-column ones with a ragged last block.
  for (const auto& [d, n] : std::vector<std::pair<int, int>>{{96, 131}, {200, 2100}, {256, 16390}}) {
    if (n > 10000 && !cuda_) continue;
    lowrank::CascadeModel model;
    model.w = random(d, d, 0.1f);
    for (int r : {8, 4, 0, 6}) {
      model.u.push_back(random(d, r, 0.05f));
      model.v.push_back(random(d, r, 1.0f));
    }
    auto prepared = backend_->prepareCascade(model);
    const Eigen::MatrixXf x = random(d, n, 1.0f);
    prepared->setInput(x);
    const std::size_t uploaded = prepared->bytesUploaded();
    const std::vector<lowrank::Activation> activations =
        n > 10000 ? std::vector{lowrank::Activation::Tanh}
                  : std::vector{lowrank::Activation::Identity, lowrank::Activation::Tanh, lowrank::Activation::Gelu};
    for (auto act : activations) {
      const lowrank::CascadeTiming timing = prepared->evaluate(act);
      EXPECT_GE(timing.endToEndSeconds, 0.0);
      const auto reference = lowrank::evaluateReference(model, x, act);
      for (int k = 0; k <= model.orders(); ++k)
        EXPECT_LT((prepared->output(k).cast<double>() - reference[static_cast<std::size_t>(k)]).norm() /
                      reference[static_cast<std::size_t>(k)].norm(),
                  1e-5)
            << lowrank::activationName(act) << " order " << k << " d=" << d;
    }
    EXPECT_EQ(prepared->bytesUploaded(), uploaded) << "evaluate() uploaded again";
    if (cuda_) {
      EXPECT_EQ(prepared->bytesDownloaded(),
                activations.size() * (model.orders() + 1) * static_cast<std::size_t>(d) * n * 4u);
    }
  }
}

// The Queries panel's timing path: X uploaded once, each strategy timed on it, and the
// copying query still answers as the float64 reference.
TEST_P(SpectraParity, ResidentRangeQueriesAreTimedOnTheInputUploadedOnce) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  auto random = [&](int r, int c) {
    return Eigen::MatrixXf(Eigen::MatrixXf::NullaryExpr(r, c, [&] { return normal(rng); }));
  };
  const int m = 37, d = 24, r = 3;
  std::vector<Eigen::MatrixXf> left, right;
  for (int i = 0; i < m; ++i) left.push_back(random(d, r)), right.push_back(random(d, r));
  const lowrank::LowRankRangeTree tree(left, right);
  auto prepared = backend_->prepare(tree);
  EXPECT_THROW(prepared->timeQuery(0, 3, lowrank::Strategy::Tree), InvalidArgument);
  const Eigen::MatrixXf x = random(d, 11);
  prepared->setInput(x);
  for (auto s : {lowrank::Strategy::Tree, lowrank::Strategy::SumThenMultiply, lowrank::Strategy::OnTheFly}) {
    const double seconds = prepared->timeQuery(4, 30, s);
    EXPECT_GT(seconds, 0.0) << lowrank::strategyName(s);
    EXPECT_LT(seconds, 1.0) << lowrank::strategyName(s);
    const Eigen::MatrixXd reference = lowrank::referenceRangeQuery(left, right, 4, 30, x);
    EXPECT_LT((prepared->query(4, 30, x, s).cast<double>() - reference).norm() / reference.norm(), 1e-5);
  }
  EXPECT_THROW(prepared->timeQuery(5, 40, lowrank::Strategy::Tree), InvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, SpectraParity, ::testing::Values("cpu", "cuda"),
                         [](const auto& param) { return std::string(param.param); });

}  // namespace
}  // namespace rankflow
