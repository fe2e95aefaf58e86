// The randomized truncated SVD against the full float64 SVD, and the cascade fit of a family
// of checkpoints: exact where the family is low-rank step by step (and independent LoRA is
// not), the factors file re-read and checked, every bad input refused with the tensor named.
#include "core/learn/checkpoint_cascade.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <random>

#include "core/common/error.h"
#include "core/io/safetensors.h"
#include "core/lowrank/randomized_svd.h"
#include "tests/support/gaussian_matrix.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using testing::freshSeed;
using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

using testing::gaussianMatrix;

// U diag(σ) Vᵀ with random orthonormal U, V and the given spectrum.
Eigen::MatrixXd withSpectrum(Eigen::Index rows, Eigen::Index cols, const Eigen::VectorXd& sigma, std::mt19937_64& rng) {
  const Eigen::HouseholderQR<Eigen::MatrixXd> qu(gaussianMatrix(rows, sigma.size(), rng)),
      qv(gaussianMatrix(cols, sigma.size(), rng));
  const Eigen::MatrixXd u = qu.householderQ() * Eigen::MatrixXd::Identity(rows, sigma.size());
  const Eigen::MatrixXd v = qv.householderQ() * Eigen::MatrixXd::Identity(cols, sigma.size());
  return u * sigma.asDiagonal() * v.transpose();
}

// ‖A − best rank-r‖_F from the float64 SVD (Eckart–Young).
double optimalError(const Eigen::MatrixXd& a, int rank) {
  const Eigen::VectorXd s = Eigen::BDCSVD<Eigen::MatrixXd>(a).singularValues();
  return std::sqrt(s.tail(s.size() - rank).squaredNorm());
}

double truncationError(const Eigen::MatrixXd& a, const lowrank::TruncatedSvd& t) {
  const Eigen::MatrixXd approx = t.u.cast<double>() * t.s.cast<double>().asDiagonal() * t.v.cast<double>().transpose();
  return (a - approx).norm();
}

TEST(RandomizedSvd, MatchesTheFullSvdOnAFreshDecayingSpectrum) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  Eigen::VectorXd sigma(150);
  for (Eigen::Index i = 0; i < sigma.size(); ++i) sigma(i) = std::pow(0.93, static_cast<double>(i));
  const Eigen::MatrixXd a = withSpectrum(400, 300, sigma, rng);
  for (int rank : {5, 20, 40}) {
    const lowrank::TruncatedSvd t = lowrank::randomizedSvd(a.cast<float>(), rank, {.seed = seed});
    ASSERT_EQ(t.rank(), rank);
    // Within 1% of the best possible error, and the leading singular values to 0.5% of σ_1 (a
    // spectrum this flat is the hard case: rank 5 keeps σ_5/σ_6 = 1.08).
    EXPECT_LT(truncationError(a, t), 1.01 * optimalError(a, rank)) << "rank " << rank;
    for (int i = 0; i < rank; ++i) EXPECT_NEAR(t.s(i), sigma(i), 5e-3 * sigma(0)) << "rank " << rank << " i " << i;
    // Orthonormal factors.
    EXPECT_LT((t.u.transpose() * t.u - Eigen::MatrixXf::Identity(rank, rank)).norm(), 1e-4f);
    EXPECT_LT((t.v.transpose() * t.v - Eigen::MatrixXf::Identity(rank, rank)).norm(), 1e-4f);
  }
}

TEST(RandomizedSvd, IsExactOnAnExactlyLowRankMatrixAndReproducibleBySeed) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const Eigen::MatrixXd a = gaussianMatrix(500, 12, rng) * gaussianMatrix(12, 350, rng);
  const lowrank::TruncatedSvd t = lowrank::randomizedSvd(a.cast<float>(), 12, {.seed = 3});
  EXPECT_LT(truncationError(a, t), 2e-5 * a.norm());
  const lowrank::TruncatedSvd again = lowrank::randomizedSvd(a.cast<float>(), 12, {.seed = 3});
  EXPECT_EQ(t.u, again.u);
  EXPECT_EQ(t.s, again.s);
}

TEST(RandomizedSvd, SmallMatricesUseTheFullSvdAndBadInputIsRefused) {
  std::mt19937_64 rng(freshSeed());
  const Eigen::MatrixXd a = gaussianMatrix(30, 20, rng);
  const lowrank::TruncatedSvd t = lowrank::randomizedSvd(a.cast<float>(), 8);  // 8 + 10 ≥ 20 / 2
  EXPECT_NEAR(truncationError(a, t), optimalError(a, 8), 1e-4 * a.norm());
  EXPECT_THROW(lowrank::randomizedSvd(a.cast<float>(), 21), InvalidArgument);
  EXPECT_THROW(lowrank::randomizedSvd(a.cast<float>(), -1), InvalidArgument);
  Eigen::MatrixXf bad = a.cast<float>();
  bad(3, 4) = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(lowrank::randomizedSvd(bad, 2), InvalidArgument);
  EXPECT_EQ(lowrank::randomizedSvd(a.cast<float>(), 0).rank(), 0);
}

// [SECTION] checkpoint families

io::Tensor encodedTensor(const Eigen::MatrixXd& m, io::Dtype dtype = io::Dtype::F32) {
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows = m;
  return io::Tensor::encode(dtype, {m.rows(), m.cols()}, std::span<const double>(rows.data(), rows.size()));
}

Eigen::MatrixXd matrixOf(const io::Tensor& t) {
  const std::vector<double> values = t.toDouble();
  return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      values.data(), t.shape[0], t.shape[1]);
}

struct Family {
  io::SafeTensorsFile base, tune1, tune2;
  std::vector<const io::SafeTensorsFile*> targets() const { return {&tune1, &tune2}; }
};

const std::vector<std::string> kNames = {"base.safetensors", "tune1.safetensors", "tune2.safetensors"};

// Two weights (one wide, one tall) and a bias; T_1 = T_0 + rank r1, T_2 = T_1 + rank r2.
Family exactFamily(std::uint64_t seed, int r1, int r2) {
  std::mt19937_64 rng(seed);
  Family f;
  for (const auto& [name, rows, cols] : {std::tuple{"layers.0.q.weight", 120, 200}, {"layers.1.up.weight", 260, 90}}) {
    const Eigen::MatrixXd t0 = gaussianMatrix(rows, cols, rng);
    const Eigen::MatrixXd t1 =
        t0 + 0.5 * gaussianMatrix(rows, r1, rng) * gaussianMatrix(r1, cols, rng) / std::sqrt(cols);
    const Eigen::MatrixXd t2 =
        t1 + 0.3 * gaussianMatrix(rows, r2, rng) * gaussianMatrix(r2, cols, rng) / std::sqrt(cols);
    f.base.tensors[name] = encodedTensor(t0);
    f.tune1.tensors[name] = encodedTensor(t1);
    f.tune2.tensors[name] = encodedTensor(t2);
  }
  const std::vector<float> bias = {1, 2, 3};
  f.base.tensors["layers.0.q.bias"] = io::Tensor::fromFloat({3}, bias);
  f.tune1.tensors["layers.0.q.bias"] = io::Tensor::fromFloat({3}, bias);
  f.tune2.tensors["layers.0.q.bias"] = io::Tensor::fromFloat({3}, bias);
  return f;
}

TEST(CheckpointCascade, IsExactOnAStepwiseLowRankFamilyWhereIndependentLoraIsNot) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const Family f = exactFamily(seed, 6, 4);
  const learn::CheckpointCascade fit =
      learn::cascadeCheckpoints(f.base, f.targets(), kNames, {.ranks = {6, 4}, .svd = {.seed = seed}});
  ASSERT_EQ(fit.tensors.size(), 2u);
  EXPECT_EQ(fit.skipped, std::vector<std::string>{"layers.0.q.bias"});
  for (const auto& t : fit.tensors) {
    ASSERT_EQ(t.orders.size(), 2u);
    EXPECT_LT(t.orders[0].cascadeError, 1e-4) << t.name;
    EXPECT_LT(t.orders[1].cascadeError, 1e-4) << t.name;
    // T_2 − T_0 has rank 10: the best rank-4 part leaves a visible error.
    EXPECT_GT(t.orders[1].independentError, 0.1) << t.name;
    EXPECT_EQ(t.orders[0].independentError, t.orders[0].cascadeError);  // order 1 fits the same matrix
  }
  EXPECT_LT(fit.totals[1].cascadeError, 1e-4);
  EXPECT_GT(fit.totals[1].independentError, 0.1);
  EXPECT_EQ(fit.totals[0].parameters, 6 * (120 + 200) + 6 * (260 + 90));
  EXPECT_EQ(fit.denseParameters, 120 * 200 + 260 * 90);
}

TEST(CheckpointCascade, ErrorsMatchAFloat64ReferenceOnAGenericFamily) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  Family f;
  // Deltas with a decaying spectrum over 60 directions: no rank fits them exactly.
  Eigen::VectorXd sigma(60);
  for (Eigen::Index i = 0; i < sigma.size(); ++i) sigma(i) = std::pow(0.9, static_cast<double>(i));
  const Eigen::MatrixXd t0 = gaussianMatrix(300, 240, rng);
  const Eigen::MatrixXd t1 = t0 + withSpectrum(300, 240, sigma, rng);
  const Eigen::MatrixXd t2 = t1 + 0.5 * withSpectrum(300, 240, sigma, rng);
  f.base.tensors["w"] = encodedTensor(t0);
  f.tune1.tensors["w"] = encodedTensor(t1);
  f.tune2.tensors["w"] = encodedTensor(t2);
  const learn::CheckpointCascade fit =
      learn::cascadeCheckpoints(f.base, f.targets(), kNames, {.ranks = {12, 8}, .svd = {.seed = seed}});

  // The reference: full float64 SVDs of the same residuals.
  const auto truncate = [](const Eigen::MatrixXd& m, int r) {
    const Eigen::BDCSVD<Eigen::MatrixXd> svd(m, Eigen::ComputeThinU | Eigen::ComputeThinV);
    return Eigen::MatrixXd(svd.matrixU().leftCols(r) * svd.singularValues().head(r).asDiagonal() *
                           svd.matrixV().leftCols(r).transpose());
  };
  const Eigen::MatrixXd w1 = t0 + truncate(t1 - t0, 12);
  const Eigen::MatrixXd w2 = w1 + truncate(t2 - w1, 8);
  const double cascade1 = (t1 - w1).norm() / (t1 - t0).norm();
  const double cascade2 = (t2 - w2).norm() / (t2 - t0).norm();
  const double independent2 = (t2 - t0 - truncate(t2 - t0, 8)).norm() / (t2 - t0).norm();
  const auto& o = fit.tensors.at(0).orders;
  EXPECT_NEAR(o[0].cascadeError, cascade1, 0.01 * cascade1);
  EXPECT_NEAR(o[1].cascadeError, cascade2, 0.01 * cascade2);
  EXPECT_NEAR(o[1].independentError, independent2, 0.01 * independent2);
  EXPECT_NEAR(o[1].deltaNorm, (t2 - t0).norm(), 1e-4 * (t2 - t0).norm());
  // The cascade fits what independent LoRA leaves: never worse at order 2 here.
  EXPECT_LT(o[1].cascadeError, o[1].independentError);

  // --exact gives the reference's numbers to float precision.
  const learn::CheckpointCascade exact =
      learn::cascadeCheckpoints(f.base, f.targets(), kNames, {.ranks = {12, 8}, .exactSvd = true});
  EXPECT_NEAR(exact.tensors[0].orders[1].cascadeError, cascade2, 1e-4 * cascade2);
}

TEST(CheckpointCascade, FactorsFileRebuildsEveryOrderInTheBaseDtype) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Family f = exactFamily(seed, 5, 3);
  // A BF16 base: the factors follow its dtype.
  f.base.tensors["layers.1.up.weight"] = encodedTensor(matrixOf(f.base.tensors["layers.1.up.weight"]), io::Dtype::BF16);
  const learn::CheckpointCascade fit =
      learn::cascadeCheckpoints(f.base, f.targets(), kNames, {.ranks = {5, 3}, .svd = {.seed = seed}});
  const io::SafeTensorsFile factors =
      io::parseSafeTensors(io::serializeSafeTensors(learn::cascadeFactorsFile(fit)), "cascade.safetensors");
  EXPECT_EQ(factors.metadata.at("format"), "rankflow-cascade");
  EXPECT_EQ(factors.metadata.at("ranks"), "5,3");
  EXPECT_EQ(factors.tensors.size(), 2u * 2u * 2u);
  const auto& up2 = factors.tensors.at("layers.1.up.weight.cascade.2.up");
  EXPECT_EQ(up2.dtype, io::Dtype::BF16);
  EXPECT_EQ(up2.shape, (std::vector<std::int64_t>{260, 3}));
  EXPECT_EQ(factors.tensors.at("layers.1.up.weight.cascade.2.down").shape, (std::vector<std::int64_t>{3, 90}));
  // F32 weight: W_2 = T_0 + up_1·down_1 + up_2·down_2 reproduces T_2.
  const std::string q = "layers.0.q.weight";
  Eigen::MatrixXd w = matrixOf(f.base.tensors.at(q));
  for (int k = 1; k <= 2; ++k) {
    const std::string prefix = q + ".cascade." + std::to_string(k);
    w += matrixOf(factors.tensors.at(prefix + ".up")) * matrixOf(factors.tensors.at(prefix + ".down"));
  }
  const Eigen::MatrixXd t2 = matrixOf(f.tune2.tensors.at(q)), t0 = matrixOf(f.base.tensors.at(q));
  EXPECT_LT((w - t2).norm(), 1e-4 * (t2 - t0).norm());
}

TEST(CheckpointCascade, RefusesFamiliesThatDoNotMatchNamingTheTensorAndTheFile) {
  const Family good = exactFamily(freshSeed(), 3, 2);
  const auto refusal = [&](Family f, std::vector<int> ranks) -> std::string {
    try {
      learn::cascadeCheckpoints(f.base, f.targets(), kNames, {.ranks = std::move(ranks)});
    } catch (const InvalidArgument& e) {
      return e.what();
    }
    return "accepted";
  };
  Family missing = good;
  missing.tune2.tensors.erase("layers.1.up.weight");
  EXPECT_EQ(refusal(missing, {3, 2}),
            "tune2.safetensors: has no tensor 'layers.1.up.weight', which base.safetensors has");
  Family extra = good;
  extra.tune1.tensors["layers.9.extra.weight"] = encodedTensor(Eigen::MatrixXd::Ones(4, 4));
  EXPECT_NE(refusal(extra, {3, 2}).find("'layers.9.extra.weight' that base.safetensors lacks"), std::string::npos);
  Family reshaped = good;
  reshaped.tune1.tensors["layers.0.q.weight"] = encodedTensor(Eigen::MatrixXd::Ones(200, 120));
  EXPECT_NE(refusal(reshaped, {3, 2}).find("'layers.0.q.weight' has shape [200, 120]"), std::string::npos);
  Family nan = good;
  Eigen::MatrixXd m = matrixOf(nan.tune2.tensors.at("layers.0.q.weight"));
  m(7, 9) = std::numeric_limits<double>::quiet_NaN();
  nan.tune2.tensors["layers.0.q.weight"] = encodedTensor(m);
  EXPECT_NE(refusal(nan, {3, 2}).find("tune2.safetensors: tensor 'layers.0.q.weight' holds NaN"), std::string::npos);
  EXPECT_NE(refusal(good, {3, 91}).find("outside 1..90 for tensor 'layers.1.up.weight'"), std::string::npos);
  EXPECT_NE(refusal(good, {3}).find("give one rank per target"), std::string::npos);
  Family noWeights;
  noWeights.base.tensors["b"] = io::Tensor::fromFloat({3}, std::vector<float>{1, 2, 3});
  noWeights.tune1 = noWeights.tune2 = noWeights.base;
  EXPECT_NE(refusal(noWeights, {1, 1}).find("no 2-D float weight"), std::string::npos);
}

TEST(CheckpointCascade, ReportsProgressAndCancels) {
  const Family f = exactFamily(freshSeed(), 3, 2);
  std::vector<double> seen;
  std::mutex lock;
  learn::CheckpointCascadeOptions options{.ranks = {3, 2}};
  options.progress = [&](double fraction) {
    std::lock_guard<std::mutex> hold(lock);
    seen.push_back(fraction);
    return true;
  };
  learn::cascadeCheckpoints(f.base, f.targets(), kNames, options);
  ASSERT_EQ(seen.size(), 4u);  // two tensors × two orders
  EXPECT_DOUBLE_EQ(*std::max_element(seen.begin(), seen.end()), 1.0);
  options.progress = [](double) { return false; };
  EXPECT_THROW(learn::cascadeCheckpoints(f.base, f.targets(), kNames, options), Cancelled);
}

}  // namespace
}  // namespace rankflow
