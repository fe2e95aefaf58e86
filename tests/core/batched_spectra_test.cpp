// The logic of the device spectra path, run on the CPU: the round-robin schedule and the
// one-sided Jacobi rotations the CUDA kernel uses (its sequential twin), the flattened
// derivative terms the grid kernel evaluates, the upload ledger that decides what a device
// path copies, and the CPU backend's batched spectra, rank grid and resident cascade — each
// against a float64 reference on fresh random inputs.
#include "core/lowrank/batched_spectra.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <random>
#include <set>

#include "core/common/error.h"
#include "core/common/upload_ledger.h"
#include "core/lowrank/jacobi.h"
#include "core/lowrank/lowrank_backend.h"
#include "core/matfun/derivative_grid.h"
#include "core/matfun/rank.h"
#include "core/theory/matrix_scenes.h"
#include "tests/support/planted_spectrum.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using testing::plantedSpectrum;
using RowMajor = testing::RowMajorMatrix;

Eigen::VectorXd referenceSigma(const RowMajor& m) {
  return Eigen::JacobiSVD<Eigen::MatrixXd>(Eigen::MatrixXd(m)).singularValues();
}

TEST(RoundRobin, EveryPairMeetsOncePerSweepInDisjointRounds) {
  for (int players = 2; players <= 130; players += 2) {
    std::set<std::pair<int, int>> met;
    for (int round = 0; round < players - 1; ++round) {
      std::set<int> seated;
      for (int slot = 0; slot < players / 2; ++slot) {
        int p = -1, q = -1;
        lowrank::roundRobinPair(players, round, slot, &p, &q);
        ASSERT_LT(p, q);
        ASSERT_GE(p, 0);
        ASSERT_LT(q, players);
        EXPECT_TRUE(seated.insert(p).second && seated.insert(q).second) << "a column twice in one round";
        EXPECT_TRUE(met.insert({p, q}).second) << "pair met twice";
      }
    }
    EXPECT_EQ(met.size(), static_cast<std::size_t>(players * (players - 1) / 2)) << players;
  }
}

// The kernel's arithmetic, sequentially: planted ranks with clear gaps, ill-conditioned
// spectra, zero, rank 0 and full rank, odd and even widths, tall and square.
TEST(JacobiTwin, MatchesFloat64SvdOnPlantedSpectra) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  struct Case {
    int rows, cols;
    std::vector<double> sigma;
  };
  std::vector<Case> cases = {{1, 1, {3.0}}, {7, 3, {5.0, 2.0, 1.0}}, {32, 32, {}}, {64, 64, {}}, {65, 33, {}},
                             {40, 40, {}},  {128, 128, {}}};
  for (int i = 0; i < 20; ++i) cases[2].sigma.push_back(1.0 + i);                   // rank 20 of 32
  for (int i = 0; i < 64; ++i) cases[3].sigma.push_back(std::pow(10.0, -i * 0.2));  // σ over 13 decades
  for (int i = 0; i < 33; ++i) cases[4].sigma.push_back(i < 17 ? 1.0 : 0.0);        // planted rank 17
  for (int i = 0; i < 128; ++i) cases[6].sigma.push_back(std::exp(-0.05 * i));      // full rank
  for (const auto& c : cases) {
    const RowMajor m = plantedSpectrum(c.rows, c.cols, c.sigma, rng);
    const Eigen::VectorXd reference = referenceSigma(m);
    Eigen::MatrixXd columns = m;  // column-major, rows ≥ cols
    std::vector<double> sigma(static_cast<std::size_t>(c.cols));
    const int sweeps = lowrank::oneSidedJacobi(columns.data(), c.rows, c.cols, sigma.data());
    EXPECT_LT(sweeps, lowrank::kMaxJacobiSweeps) << c.rows << "x" << c.cols;
    std::sort(sigma.begin(), sigma.end(), std::greater<>());
    for (int i = 0; i < c.cols; ++i)
      EXPECT_NEAR(sigma[static_cast<std::size_t>(i)], reference(i), 1e-12 * reference(0) + 1e-300)
          << c.rows << "x" << c.cols << " sigma_" << i;
    // float32 on the same matrix: within float round-off of σ_max.
    Eigen::MatrixXf columns32 = m.cast<float>();
    std::vector<float> sigma32(static_cast<std::size_t>(c.cols));
    EXPECT_LT(lowrank::oneSidedJacobi(columns32.data(), c.rows, c.cols, sigma32.data()), lowrank::kMaxJacobiSweeps);
    std::sort(sigma32.begin(), sigma32.end(), std::greater<>());
    for (int i = 0; i < c.cols; ++i)
      EXPECT_NEAR(sigma32[static_cast<std::size_t>(i)], reference(i), 2e-5 * reference(0)) << c.rows << "x" << c.cols;
  }
  // The zero matrix: no rotation, every σ zero.
  Eigen::MatrixXd zero = Eigen::MatrixXd::Zero(9, 5);
  std::vector<double> sigma(5, -1.0);
  EXPECT_EQ(lowrank::oneSidedJacobi(zero.data(), 9, 5, sigma.data()), 1);
  for (double s : sigma) EXPECT_EQ(s, 0.0);
}

TEST(CpuBatchedSpectra, RanksAndSpectraOfPlantedBatches) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  // Five 24×40 matrices (wide: the narrow side is rows) of ranks 0, 1, 7, 24 and 12.
  const int rows = 24, cols = 40;
  const std::vector<int> planted = {0, 1, 7, 24, 12};
  std::vector<double> data;
  std::vector<Eigen::VectorXd> references;
  for (int rank : planted) {
    std::vector<double> sigma;
    for (int i = 0; i < rank; ++i) sigma.push_back(std::pow(10.0, -0.1 * i));  // down to 0.005: a clear gap
    const RowMajor m = plantedSpectrum(rows, cols, sigma, rng);
    data.insert(data.end(), m.data(), m.data() + m.size());
    references.push_back(referenceSigma(m));
  }
  lowrank::MatrixBatchView view;
  view.f64 = data.data();
  view.batch = static_cast<int>(planted.size());
  view.rows = rows;
  view.cols = cols;
  const lowrank::BatchedSpectra out = lowrank::cpuBatchedSpectra(view, std::nullopt);
  ASSERT_EQ(out.ranks.size(), planted.size());
  for (std::size_t b = 0; b < planted.size(); ++b) {
    EXPECT_EQ(out.ranks[b], planted[b]) << "matrix " << b;
    for (int i = 0; i < out.spectrumLength(); ++i)
      EXPECT_NEAR(out.spectrum(static_cast<int>(b))[i], references[b](i), 1e-12 * std::max(1.0, references[b](0)));
  }
  // A tolerance given overrides the default; float32 input uses float32's ε.
  EXPECT_EQ(lowrank::cpuBatchedSpectra(view, 0.5).ranks[2], 4);  // σ = 1, 0.79, 0.63, 0.501 exceed 0.5
  std::vector<float> data32(data.begin(), data.end());
  lowrank::MatrixBatchView view32 = view;
  view32.f64 = nullptr;
  view32.f32 = data32.data();
  const lowrank::BatchedSpectra out32 = lowrank::cpuBatchedSpectra(view32, std::nullopt);
  EXPECT_EQ(out32.type, lowrank::ScalarType::Float32);
  EXPECT_NEAR(out32.tolerances[3], references[3](0) * cols * 1.1920928955078125e-07, 1e-6 * references[3](0));
  for (std::size_t b = 0; b < planted.size(); ++b) EXPECT_EQ(out32.ranks[b], planted[b]) << "float32 matrix " << b;
}

TEST(CpuBatchedSpectra, RefusesBadBatchesBeforeWork) {
  std::vector<double> data(2 * 3 * 3, 1.0);
  lowrank::MatrixBatchView view;
  view.f64 = data.data();
  view.batch = 2;
  view.rows = 3;
  view.cols = 3;
  data[13] = std::nan("");
  try {
    lowrank::cpuBatchedSpectra(view, std::nullopt);
    FAIL() << "NaN accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("matrix 1 has a NaN or infinite entry at (1, 1)"), std::string::npos)
        << e.what();
  }
  view.batch = 0;  // an empty batch is no error, and no work
  EXPECT_TRUE(lowrank::cpuBatchedSpectra(view, std::nullopt).ranks.empty());
  view.batch = 1;
  view.rows = 0;
  EXPECT_THROW(lowrank::cpuBatchedSpectra(view, std::nullopt), InvalidArgument);
}

TEST(DerivativeGrid, FlattenedTermsEvaluateAsTheSymbolicDerivatives) {
  for (const auto& info : theory::matrixScenes()) {
    const theory::MatrixScene scene = theory::buildMatrixScene(info.name, {});
    const int maxOrder = 4;
    const matfun::DerivativeTermTable table = matfun::flattenDerivatives(scene.b, maxOrder);
    ASSERT_EQ(table.entryStart.size(), static_cast<std::size_t>(table.orders() * table.entriesPerOrder() + 1));
    matfun::MatrixFunction current = scene.b;
    for (int k = 0; k <= maxOrder; ++k) {
      for (double t : {-0.7, 0.0, 0.3, 1.0}) {
        const Eigen::MatrixXd expected = current.evaluate(t);
        RowMajor got(table.rows, table.cols);
        matfun::evaluateFlatMatrix(table, k, t, got.data());
        EXPECT_LE((Eigen::MatrixXd(got) - expected).norm(), 1e-12 * std::max(1.0, expected.norm()))
            << info.name << " k=" << k << " t=" << t;
      }
      current = current.derivative();
    }
  }
}

TEST(DerivativeGrid, CpuGridAgreesWithNumericalRanksAndGenericSamples) {
  for (const auto& info : theory::matrixScenes()) {
    const theory::MatrixScene scene = theory::buildMatrixScene(info.name, {});
    const int maxOrder = 3;
    const auto table = matfun::flattenDerivatives(scene.b, maxOrder);
    std::vector<double> times = matfun::evenlySpacedTimes(0.0, 1.0, 5);
    const auto generic = matfun::genericSampleTimes(8, 1, -1.0, 1.0);
    times.insert(times.end(), generic.begin(), generic.end());
    const matfun::RankGrid grid = matfun::cpuRankGrid(table, times, std::nullopt, true);
    matfun::MatrixFunction current = scene.b;
    for (int k = 0; k <= maxOrder; ++k) {
      for (std::size_t i = 0; i < 5; ++i)
        EXPECT_EQ(grid.rank(static_cast<int>(i), k), matfun::numericalRank(current.evaluate(times[i])).rank)
            << info.name << " k=" << k << " t=" << times[i];
      const auto reference = matfun::numericalGenericRank(current, 8, 1, -1.0, 1.0);
      int best = 0;
      for (int i = 5; i < static_cast<int>(times.size()); ++i) best = std::max(best, grid.rank(i, k));
      EXPECT_EQ(best, reference.rank) << info.name << " k=" << k;
      EXPECT_EQ(std::vector<double>(times.begin() + 5, times.end()), reference.sampleTimes);
      current = current.derivative();
    }
  }
}

TEST(DerivativeGrid, RefusesRequestsBeyondMemoryAndNonFiniteTimes) {
  const auto table = matfun::flattenDerivatives(theory::buildMatrixScene("lemma1.3", {}).b, 2);
  EXPECT_THROW(matfun::cpuRankGrid(table, {}, std::nullopt, false), InvalidArgument);
  EXPECT_THROW(matfun::cpuRankGrid(table, {0.0, std::nan("")}, std::nullopt, false), InvalidArgument);
  EXPECT_THROW(matfun::cpuRankGrid(table, {0.0}, -1.0, false), InvalidArgument);
  const std::size_t perTime = static_cast<std::size_t>(table.orders() * table.entriesPerOrder()) * 8;
  const std::vector<double> tooMany((std::size_t(3) << 30) / perTime, 0.0);  // 3 GiB of matrices
  try {
    matfun::validateRankGridRequest(table, tooMany, std::nullopt);
    FAIL() << "a 3 GiB grid was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("limit 2048 MiB"), std::string::npos) << e.what();
  }
}

TEST(UploadLedger, SameContentsUploadOnceChangedContentsAgain) {
  UploadLedger ledger;
  std::vector<double> times = {0.0, 0.5, 1.0};
  EXPECT_TRUE(ledger.needsUpload("times", times.data(), times.size() * sizeof(double)));
  EXPECT_FALSE(ledger.needsUpload("times", times.data(), times.size() * sizeof(double)));
  EXPECT_TRUE(ledger.needsUpload("other slot", times.data(), times.size() * sizeof(double)));
  times[1] = 0.25;
  EXPECT_TRUE(ledger.needsUpload("times", times.data(), times.size() * sizeof(double)));
  EXPECT_EQ(ledger.uploads(), 3u);
  EXPECT_EQ(ledger.bytesUploaded(), 3 * times.size() * sizeof(double));
  ledger.forget("times");
  EXPECT_TRUE(ledger.needsUpload("times", times.data(), times.size() * sizeof(double)));
  ledger.countDownload(40);
  EXPECT_EQ(ledger.bytesDownloaded(), 40u);
}

TEST(CpuPreparedCascade, MatchesReferenceAndGuardsItsOutputs) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  auto random = [&](int r, int c, float scale) {
    return Eigen::MatrixXf(Eigen::MatrixXf::NullaryExpr(r, c, [&] { return scale * normal(rng); }));
  };
  lowrank::CascadeModel model;
  const int d = 48;
  model.w = random(d, d, 0.1f);
  for (int r : {5, 3, 8}) {
    model.u.push_back(random(d, r, 0.05f));
    model.v.push_back(random(d, r, 1.0f));
  }
  auto backend = lowrank::makeCpuLowRankBackend();
  auto prepared = backend->prepareCascade(model);
  EXPECT_THROW(prepared->evaluate(lowrank::Activation::Tanh), InvalidArgument);
  EXPECT_THROW(prepared->setInput(random(d + 1, 4, 1.0f)), InvalidArgument);
  const Eigen::MatrixXf x = random(d, 37, 1.0f);
  prepared->setInput(x);
  prepared->evaluate(lowrank::Activation::Tanh);
  const auto reference = lowrank::evaluateReference(model, x, lowrank::Activation::Tanh);
  for (int k = 0; k <= model.orders(); ++k)
    EXPECT_LT((prepared->output(k).cast<double>() - reference[static_cast<std::size_t>(k)]).norm() /
                  reference[static_cast<std::size_t>(k)].norm(),
              1e-5);
  EXPECT_THROW(prepared->output(model.orders() + 1), InvalidArgument);
  EXPECT_EQ(prepared->bytesUploaded(), 0u);
}

}  // namespace
}  // namespace rankflow
