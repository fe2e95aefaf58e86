// Thin SVDs with vectors, as the cascading fit asks a backend for them: the vectors kernel's
// sequential twin (core/lowrank/jacobi.h, thinSvdByJacobi) and the CPU backend against a
// float64 SVD on fresh random inputs, and the fit's use of its solver (one batch for the
// independent residuals, one SVD at a time for the cascade, only the orders a move changes).
#include "core/lowrank/svd_batch.h"

#include <gtest/gtest.h>

#include <random>

#include "core/common/error.h"
#include "core/lowrank/cascade.h"
#include "core/lowrank/jacobi.h"
#include "core/lowrank/lowrank_backend.h"
#include "tests/support/gaussian_matrix.h"
#include "tests/support/planted_spectrum.h"
#include "tests/support/reference_flow.h"
#include "tests/support/svd_factor_check.h"

namespace rankflow {
namespace {

struct PlantedCase {
  int rows, cols;
  std::vector<double> sigma;
};

// Planted ranks with clear gaps, an ill-conditioned spectrum, zero, full rank; tall, wide,
// square, odd and even sizes, up to the kernel's 64 columns and past it.
std::vector<PlantedCase> plantedCases() {
  std::vector<PlantedCase> cases = {{1, 1, {3.0}},      {7, 3, {5.0, 2.0, 1.0}},
                                    {3, 7, {4.0, 1.0}}, {32, 32, {}},
                                    {64, 64, {}},       {40, 17, {}},
                                    {17, 40, {}},       {9, 5, {}}};
  for (int i = 0; i < 20; ++i) cases[3].sigma.push_back(1.0 + i);                   // rank 20 of 32
  for (int i = 0; i < 64; ++i) cases[4].sigma.push_back(std::pow(10.0, -i * 0.1));  // 6.4 decades
  for (int i = 0; i < 17; ++i) cases[5].sigma.push_back(std::exp(-0.2 * i));        // full rank
  for (int i = 0; i < 11; ++i) cases[6].sigma.push_back(i < 6 ? 2.0 : 0.0);         // rank 6, wide
  return cases;                                                                     // 9×5: zero
}

template <class T>
void expectTwinFactors(const Eigen::MatrixXd& m, double tolerance, const std::string& what) {
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  const int rows = static_cast<int>(m.rows()), cols = static_cast<int>(m.cols());
  const int narrow = std::min(rows, cols), tall = std::max(rows, cols);
  const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> a = m.cast<T>();
  Matrix u(rows, narrow), v(cols, narrow);
  Eigen::Matrix<T, Eigen::Dynamic, 1> sigma(narrow);
  std::vector<T> work(static_cast<std::size_t>(narrow) * tall + static_cast<std::size_t>(narrow) * narrow + narrow);
  const int sweeps = lowrank::thinSvdByJacobi(a.data(), rows, cols, u.data(), sigma.data(), v.data(), work.data());
  EXPECT_LT(sweeps, lowrank::kMaxJacobiSweeps) << what;
  testing::expectThinSvdOf(m, u.template cast<double>(), sigma.template cast<double>(), v.template cast<double>(),
                           tolerance, what);
}

TEST(JacobiFactorsTwin, RebuildsPlantedMatricesWithOrthonormalVectors) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (const PlantedCase& c : plantedCases()) {
    const Eigen::MatrixXd m = testing::plantedSpectrum(c.rows, c.cols, c.sigma, rng);
    const std::string shape = std::to_string(c.rows) + "x" + std::to_string(c.cols);
    expectTwinFactors<double>(m, 1e-13, shape + " float64");
    expectTwinFactors<float>(m, 1e-5, shape + " float32");
  }
}

TEST(CpuLowRankBackend, DecompositionsRebuildThePlantedMatricesAndRefuseMixedShapesAndNaN) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto backend = lowrank::makeCpuLowRankBackend();
  for (const PlantedCase& c : plantedCases()) {
    std::vector<Eigen::MatrixXd> references;
    std::vector<Eigen::MatrixXf> batch;
    for (int b = 0; b < 3; ++b) {
      references.push_back(testing::plantedSpectrum(c.rows, c.cols, c.sigma, rng));
      batch.push_back(references.back().cast<float>());
    }
    const lowrank::SvdBatch out = backend->decompositions(batch);
    EXPECT_EQ(out.backend, backend->description());
    EXPECT_TRUE(out.note.empty()) << out.note;
    ASSERT_EQ(out.factors.size(), batch.size());
    for (std::size_t b = 0; b < batch.size(); ++b)
      testing::expectThinSvdOf(references[b], out.factors[b].u.cast<double>(), out.factors[b].sigma.cast<double>(),
                               out.factors[b].v.cast<double>(), 1e-5,
                               std::to_string(c.rows) + "x" + std::to_string(c.cols) + " #" + std::to_string(b));
  }
  EXPECT_TRUE(backend->decompositions({}).factors.empty());
  EXPECT_THROW(backend->decompositions({Eigen::MatrixXf::Ones(3, 3), Eigen::MatrixXf::Ones(3, 4)}), InvalidArgument);
  Eigen::MatrixXf nan = Eigen::MatrixXf::Ones(4, 4);
  nan(2, 1) = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(backend->decompositions({nan}), InvalidArgument);
}

// A solver that records the batch sizes it was given and answers with the kernel's twin.
struct RecordingTwinSolver {
  std::shared_ptr<std::vector<std::size_t>> batches = std::make_shared<std::vector<std::size_t>>();

  lowrank::SvdBatch operator()(const std::vector<Eigen::MatrixXf>& matrices) const {
    batches->push_back(matrices.size());
    lowrank::SvdBatch out;
    out.backend = "twin";
    for (const Eigen::MatrixXf& m : matrices) {
      const int n = static_cast<int>(m.rows());
      const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> a = m;
      lowrank::SvdFactors f{Eigen::MatrixXf(n, n), Eigen::VectorXf(n), Eigen::MatrixXf(n, n)};
      std::vector<float> work(static_cast<std::size_t>(2 * n * n + n));
      lowrank::thinSvdByJacobi(a.data(), n, n, f.u.data(), f.sigma.data(), f.v.data(), work.data());
      out.factors.push_back(std::move(f));
    }
    return out;
  }
};

TEST(CascadeFitSolver, IndependentSvdsGoAsOneBatchAndAMoveRecomputesOnlyLaterOrders) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const int d = 24, orders = 4;
  std::vector<Eigen::MatrixXf> targets;
  for (int k = 0; k <= orders; ++k) targets.push_back(testing::gaussianMatrix(d, d, rng).cast<float>());
  const RecordingTwinSolver solver;
  lowrank::CascadeFit fit(targets, {3, 5, 2, 6}, solver);
  // The K independent residuals in one batch, then the cascade's one at a time.
  EXPECT_EQ(*solver.batches, (std::vector<std::size_t>{4, 1, 1, 1, 1}));
  EXPECT_EQ(fit.svdCount(), 8);
  EXPECT_EQ(fit.svdBackend(), "twin");
  solver.batches->clear();
  fit.setRank(2, 7);  // order 2 re-truncates; orders 3 and 4 get new residuals
  EXPECT_EQ(*solver.batches, (std::vector<std::size_t>{1, 1}));
  EXPECT_EQ(fit.svdCount(), 10);
  EXPECT_EQ(fit.orders()[1].singularValuesSeconds, 0.0);

  // The twin's factors give the fit Eigen's errors, to float round-off.
  const lowrank::CascadeFit onEigen(targets, {3, 7, 2, 6});
  for (std::size_t i = 0; i < fit.orders().size(); ++i) {
    EXPECT_NEAR(fit.orders()[i].cascadeError, onEigen.orders()[i].cascadeError, 1e-5) << "order " << i + 1;
    EXPECT_NEAR(fit.orders()[i].independentError, onEigen.orders()[i].independentError, 1e-5) << "order " << i + 1;
  }
  // A solver that answers the wrong count is refused, not trusted.
  const lowrank::SvdBatchSolver wrongCount = [](const std::vector<Eigen::MatrixXf>&) { return lowrank::SvdBatch{}; };
  EXPECT_THROW(lowrank::CascadeFit(targets, {1, 1, 1, 1}, wrongCount), InvalidArgument);
}

}  // namespace
}  // namespace rankflow
