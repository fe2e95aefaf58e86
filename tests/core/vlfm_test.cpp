// The video latent flow of seed 001 (docs/MATHEMATICS.md §4): HiPPO-LegS reconstruction, its
// normalisation, timescale equivariance, the closed-form field, exact derivatives, frames
// and keyframe sources, and the refusal of bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <random>

#include "core/common/error.h"
#include "core/flows/rk4.h"
#include "core/io/point_csv.h"
#include "core/vlfm/hippo.h"
#include "core/vlfm/latent_flow.h"
#include "core/vlfm/shapes.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using vlfm::Discretization;
using vlfm::VideoLatentFlow;

// A smooth random motion of `dimension` coordinates on [0, 1]: a sinusoid per coordinate
// with frequency 6.5..9, so that s = 4 misses much of it, s = 8 most, and s = 16 nearly all.
struct SmoothSignal {
  std::vector<double> amplitude, frequency, phase;

  SmoothSignal(int dimension, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int c = 0; c < dimension; ++c) {
      amplitude.push_back(0.5 + u(rng));
      frequency.push_back(6.5 + 2.5 * u(rng));
      phase.push_back(2.0 * std::numbers::pi * u(rng));
    }
  }
  double operator()(int c, double t) const {
    const auto i = static_cast<std::size_t>(c);
    return amplitude[i] * std::sin(frequency[i] * t + phase[i]) +
           0.3 * std::cos(2.0 * t + phase[(i + 1) % phase.size()]);
  }
  // Keyframe τ at t = τ/N: the time convention of the flow with T = 1.
  Eigen::MatrixXd keyframes(int count) const {
    Eigen::MatrixXd u(static_cast<Eigen::Index>(amplitude.size()), count);
    for (int tau = 1; tau <= count; ++tau)
      for (Eigen::Index c = 0; c < u.rows(); ++c) u(c, tau - 1) = (*this)(static_cast<int>(c), double(tau) / count);
    return u;
  }
};

double relativeError(const VideoLatentFlow& flow) {
  return vlfm::keyframeReconstructionError(flow).relative;
}

// ‖Σ_τ H g(t_τ) − ũ_τ‖ / ‖ũ‖ for a basis written out here, independently of LegsReconstruction.
template <class Basis>
double relativeErrorWithBasis(const Eigen::MatrixXd& h, const Eigen::MatrixXd& u, Basis basisAt) {
  double diff = 0.0, norm = 0.0;
  for (Eigen::Index tau = 1; tau <= u.cols(); ++tau) {
    const double t = double(tau) / static_cast<double>(u.cols());
    diff += (h * basisAt(t) - u.col(tau - 1)).squaredNorm();
    norm += u.col(tau - 1).squaredNorm();
  }
  return std::sqrt(diff / norm);
}

// Fourth-order central difference, the oracle for the exact derivatives.
// The result is evaluated before return: an Eigen expression would refer to dead temporaries.
template <class F>
auto centralDifference(F f, double x, double h) {
  using Result = decltype(f(x));
  return Result((-f(x + 2 * h) + 8.0 * f(x + h) - 8.0 * f(x - h) + f(x - 2 * h)) / (12.0 * h));
}

TEST(Vlfm, HippoMatricesAreTheLegSDefinition) {
  const Eigen::MatrixXd a = vlfm::legsA(4);
  const Eigen::VectorXd b = vlfm::legsB(4);
  for (int i = 0; i < 4; ++i) {
    EXPECT_DOUBLE_EQ(b(i), std::sqrt(2.0 * i + 1.0));
    for (int j = 0; j < 4; ++j) {
      const double expected = i > j ? std::sqrt((2.0 * i + 1.0) * (2.0 * j + 1.0)) : i == j ? i + 1.0 : 0.0;
      EXPECT_DOUBLE_EQ(a(i, j), expected) << i << "," << j;
    }
  }
  // A e_0 = B: a constant input is a fixed point of the recurrence.
  EXPECT_LT((a.col(0) - b).norm(), 1e-15);
}

TEST(Vlfm, HippoReconstructionErrorFallsAsOrderGrows) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const SmoothSignal signal(4, rng);
  // The seed's forward-Euler recurrence is first order in 1/N (an error floor ≈ 5e-5 at this
  // N), so N is large enough for the projection error, not the floor, to decide s = 8 vs 16.
  const Eigen::MatrixXd u = signal.keyframes(65536);
  const double e4 = relativeError(VideoLatentFlow(u, 1.0, 4, Discretization::ForwardEuler));
  const double e8 = relativeError(VideoLatentFlow(u, 1.0, 8, Discretization::ForwardEuler));
  const double e16 = relativeError(VideoLatentFlow(u, 1.0, 16, Discretization::ForwardEuler));
  EXPECT_LT(e8, e4 / 10.0) << e4 << " " << e8;
  EXPECT_LT(e16, e8 / 3.0) << e8 << " " << e16;
  EXPECT_LT(e16, 5e-4);
}

TEST(Vlfm, BilinearVariantAlsoReconstructs) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const SmoothSignal signal(4, rng);
  const Eigen::MatrixXd u = signal.keyframes(256);
  const double e4 = relativeError(VideoLatentFlow(u, 1.0, 4, Discretization::Bilinear));
  const double e8 = relativeError(VideoLatentFlow(u, 1.0, 8, Discretization::Bilinear));
  const double e16 = relativeError(VideoLatentFlow(u, 1.0, 16, Discretization::Bilinear));
  EXPECT_LT(e8, e4 / 10.0) << e4 << " " << e8;
  EXPECT_LT(e16, e8 / 5.0) << e8 << " " << e16;
  EXPECT_LT(e16, 2e-4);
  // Second order: four times the keyframes cut the floor by about 16 (Euler: by 4).
  const double coarse = relativeError(VideoLatentFlow(signal.keyframes(128), 1.0, 24, Discretization::Bilinear));
  const double fine = relativeError(VideoLatentFlow(signal.keyframes(512), 1.0, 24, Discretization::Bilinear));
  EXPECT_GT(coarse / fine, 10.0) << coarse << " " << fine;
  // Stable for s > N, where forward Euler is refused.
  EXPECT_LT(relativeError(VideoLatentFlow(signal.keyframes(16), 1.0, 40, Discretization::Bilinear)), 0.05);
}

// The finding behind g(t) in core/vlfm/hippo.h: which basis makes H_N g(t) reproduce the
// keyframes. Only √(2n+1) P_n(2t/W − 1) does; the seed's √((2n+1)/2) P_n returns u/√2 and a
// reversed time argument returns something else entirely.
TEST(Vlfm, NormalisationFinding_RootTwoNPlusOneForwardArgumentReconstructs) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const int n = 4096, s = 16;
  const Eigen::MatrixXd u = SmoothSignal(4, rng).keyframes(n);
  const Eigen::MatrixXd h = vlfm::legsCoefficients(u, s, Discretization::ForwardEuler);
  const double window = vlfm::legsWindow(1.0, n, Discretization::ForwardEuler);
  const auto basis = [&](double scale, double direction) {
    return [=](double t) {
      const Eigen::MatrixXd p = vlfm::legendreDerivatives(s, direction * (2.0 * t / window - 1.0), 0);
      Eigen::VectorXd g(s);
      for (int i = 0; i < s; ++i) g(i) = std::sqrt((2.0 * i + 1.0) * scale) * p(0, i);
      return g;
    };
  };
  EXPECT_LT(relativeErrorWithBasis(h, u, basis(1.0, 1.0)), 2e-3);
  const double seedNormalised = relativeErrorWithBasis(h, u, basis(0.5, 1.0));
  EXPECT_NEAR(seedNormalised, 1.0 - 1.0 / std::sqrt(2.0), 2e-3);
  EXPECT_GT(relativeErrorWithBasis(h, u, basis(1.0, -1.0)), 0.3);
}

// The window finding: forward Euler is exact for straight-line motion only on the window
// [0, T(N+1)/N]; on [0, T] (the literal reading) a line is already off by O(1/N). The bilinear
// variant is exact for quadratic motion on [0, T], derivatives and extrapolation included.
TEST(Vlfm, EulerIsExactForLinearMotionOnTheStretchedWindowAndBilinearForQuadratic) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  const int d = 3, n = 10, s = 6;
  const double duration = 2.5;
  Eigen::VectorXd a(d), b(d), c(d);
  for (int i = 0; i < d; ++i) a(i) = normal(rng), b(i) = normal(rng), c(i) = normal(rng);
  const auto keyframes = [&](double curvature) {
    Eigen::MatrixXd u(d, n);
    for (int tau = 1; tau <= n; ++tau) {
      const double t = duration * tau / n;
      u.col(tau - 1) = a + b * t + curvature * c * t * t;
    }
    return u;
  };
  const VideoLatentFlow line(keyframes(0.0), duration, s, Discretization::ForwardEuler);
  EXPECT_DOUBLE_EQ(line.legs().window(), duration * (n + 1.0) / n);
  for (double t : {0.0, 0.3, 1.7, 2.5, 3.4}) {
    EXPECT_LT((line.mean(t) - (a + b * t)).norm(), 1e-12 * (1.0 + (a + b * t).norm())) << t;
    EXPECT_LT((line.mean(t, 1) - b).norm(), 1e-12 * (1.0 + b.norm())) << t;
  }
  // The same H read on [0, T]: a slope error of order 1/N.
  const Eigen::MatrixXd p = vlfm::legendreDerivatives(s, 2.0 * duration / duration - 1.0, 0);
  Eigen::VectorXd g(s);
  for (int i = 0; i < s; ++i) g(i) = std::sqrt(2.0 * i + 1.0) * p(0, i);
  EXPECT_GT((line.legs().coefficients() * g - (a + b * duration)).norm(), 1e-3 * b.norm());

  const VideoLatentFlow parabola(keyframes(1.0), duration, s, Discretization::Bilinear);
  for (double t : {0.0, 0.3, 1.7, 2.5, 3.4}) {
    const Eigen::VectorXd exact = a + b * t + c * t * t;
    EXPECT_LT((parabola.mean(t) - exact).norm(), 1e-11 * (1.0 + exact.norm())) << t;
    EXPECT_LT((parabola.mean(t, 1) - (b + 2.0 * c * t)).norm(), 1e-10 * (1.0 + exact.norm())) << t;
    EXPECT_LT((parabola.mean(t, 2) - 2.0 * c).norm(), 1e-9 * (1.0 + c.norm())) << t;
    EXPECT_LT(parabola.mean(t, 3).norm(), 1e-8 * (1.0 + c.norm())) << t;
  }
}

// What "dilating the frame index leaves H_N unchanged" means for the recurrence: H_τ depends
// on the keyframes and the index τ only — no step size Δt = T/N enters (HiPPO-LegS's
// timescale robustness). So the same frames shown over a dilated time span βT (frame spacing
// βΔt, any real β > 0) give exactly the same H_N, and μ is dilated with them:
// μ^{βT}(βt) = μ^{T}(t), its k-th derivative scaled by β^{−k}.
TEST(Vlfm, DilatingTheFrameIndexLeavesHNUnchanged) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const Eigen::MatrixXd u = SmoothSignal(6, rng).keyframes(40);
  const double beta = std::uniform_real_distribution<double>(0.2, 7.0)(rng);
  for (const Discretization d : {Discretization::ForwardEuler, Discretization::Bilinear}) {
    SCOPED_TRACE(vlfm::discretizationName(d));
    const VideoLatentFlow original(u, 1.0, 12, d), dilated(u, beta, 12, d);
    EXPECT_TRUE(original.legs().coefficients() == dilated.legs().coefficients());  // bit for bit
    for (double t : {0.05, 0.4, 0.93, 1.2}) {
      for (int k = 0; k <= 3; ++k) {
        const Eigen::VectorXd expected = original.mean(t, k) * std::pow(beta, -k);
        EXPECT_LT((dilated.mean(beta * t, k) - expected).norm(), 1e-11 * (1.0 + expected.norm()))
            << "t " << t << " k " << k;
      }
    }
  }
}

// The lemma's integer dilation τ → βτ, read as sampling the same continuous motion β times
// as densely, holds for the continuous LegS operator; the discrete H_{βN} approaches H_N at
// the order of the discretisation: about ×2 closer per doubling of N for Euler, ×4 for bilinear.
TEST(Vlfm, SamplingTheSameMotionMoreDenselyApproachesTheSameHN) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const SmoothSignal signal(4, rng);
  for (const Discretization d : {Discretization::ForwardEuler, Discretization::Bilinear}) {
    SCOPED_TRACE(vlfm::discretizationName(d));
    std::vector<double> gap;
    for (int n : {32, 64, 128}) {
      const Eigen::MatrixXd h = vlfm::legsCoefficients(signal.keyframes(n), 8, d);
      const Eigen::MatrixXd dense = vlfm::legsCoefficients(signal.keyframes(2 * n), 8, d);
      gap.push_back((dense - h).norm() / h.norm());
    }
    const double order = d == Discretization::ForwardEuler ? 2.0 : 4.0;
    for (std::size_t i = 1; i < gap.size(); ++i) {
      EXPECT_GT(gap[i - 1] / gap[i], 0.85 * order) << gap[i - 1] << " " << gap[i];
      EXPECT_LT(gap[i - 1] / gap[i], 1.15 * order) << gap[i - 1] << " " << gap[i];
    }
  }
}

TEST(Vlfm, LegendreDerivativesMatchFiniteDifferences) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> position(-1.2, 1.2);  // beyond ±1 too: extrapolation
  const int count = 16;
  for (int trial = 0; trial < 20; ++trial) {
    const double x = position(rng);
    const Eigen::MatrixXd p = vlfm::legendreDerivatives(count, x, 3);
    for (int k = 1; k <= 3; ++k)
      for (int n = 0; n < count; ++n) {
        const double fd =
            centralDifference([&](double y) { return vlfm::legendreDerivatives(count, y, k - 1)(k - 1, n); }, x, 1e-4);
        EXPECT_NEAR(p(k, n), fd, 1e-7 * (1.0 + std::abs(p(k, n)))) << "x " << x << " n " << n << " k " << k;
      }
  }
  // P_n^{(k)}(1) = (n+k)! / (2^k k! (n−k)!): exact values at the end of the window.
  const Eigen::MatrixXd atOne = vlfm::legendreDerivatives(21, 1.0, 3);
  for (int n = 0; n <= 20; ++n)
    for (int k = 0; k <= 3; ++k) {
      double expected = n >= k ? 1.0 : 0.0;
      for (int j = n - k + 1; j <= n + k && n >= k; ++j) expected *= j;
      for (int j = 1; j <= k && n >= k; ++j) expected /= 2.0 * j;
      EXPECT_NEAR(atOne(k, n), expected, 1e-12 * (1.0 + expected)) << n << " " << k;
    }
}

TEST(Vlfm, VelocityAccelerationAndJerkOfMuMatchFiniteDifferences) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const Eigen::MatrixXd u = SmoothSignal(4, rng).keyframes(24);
  for (const Discretization d : {Discretization::ForwardEuler, Discretization::Bilinear}) {
    const VideoLatentFlow flow(u, 2.0, 10, d);
    for (double t : {0.1, 0.9, 1.6, 2.0, 2.6}) {
      const Eigen::MatrixXd all = flow.legs().meanDerivatives(t);
      for (int k = 1; k <= 3; ++k) {
        const Eigen::VectorXd fd =
            centralDifference([&](double y) -> Eigen::VectorXd { return flow.mean(y, k - 1); }, t, 1e-3);
        EXPECT_LT((flow.mean(t, k) - fd).norm(), 1e-6 * (1.0 + fd.norm())) << "t " << t << " k " << k;
        EXPECT_LT((all.col(k) - flow.mean(t, k)).norm(), 1e-12 * (1.0 + fd.norm()));
      }
    }
  }
}

TEST(Vlfm, SigmaStartsAtOneAndDipsToSigmaMinTowardsTheLastKeyframe) {
  const Eigen::MatrixXd u = vlfm::keyframeMatrix(vlfm::builtinShape("rotating-star", 5, 8));
  const VideoLatentFlow flow(u, 1.0, 6, Discretization::Bilinear);
  EXPECT_DOUBLE_EQ(flow.sigma(0.0), 1.0);
  for (int tau = 1; tau <= 8; ++tau) {
    const double t = flow.legs().keyframeTime(tau);
    // At a keyframe sin² vanishes and only the decaying e^{−αt} term is left above σ_min.
    EXPECT_NEAR(flow.sigma(t), 0.01 + 0.99 * std::exp(-10.0 * t), 1e-12) << tau;
  }
  EXPECT_LT(flow.sigma(1.0), 0.0101);
  for (double t : {0.0, 0.07, 0.5, 0.93})
    EXPECT_NEAR(flow.sigmaDerivative(t), centralDifference([&](double y) { return flow.sigma(y); }, t, 1e-4),
                1e-6 * (1.0 + std::abs(flow.sigmaDerivative(t))))
        << t;
}

TEST(Vlfm, ClosedFormFieldTransportsPsi0ToPsiT) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  const Eigen::MatrixXd u = vlfm::keyframeMatrix(vlfm::builtinShape("bouncing-blob", 5, 8));
  for (const Discretization d : {Discretization::ForwardEuler, Discretization::Bilinear}) {
    SCOPED_TRACE(vlfm::discretizationName(d));
    const VideoLatentFlow flow(u, 1.0, 8, d);
    const Eigen::VectorXd z0 = Eigen::VectorXd::NullaryExpr(u.rows(), [&] { return normal(rng); });
    const auto field = [&](const Eigen::VectorXd& z, double t) -> Eigen::VectorXd { return flow.field(z, t); };
    Eigen::VectorXd z = flow.psi(z0, 0.0);
    double t = 0.0;
    // σ dips to ≈ σ_min at every keyframe over a width of ≈ 0.004, so the steps are far finer.
    constexpr double kStep = 1.0 / 16384;
    for (double target : {0.2, 0.5, 0.77, 1.0, 1.25}) {
      const int steps = static_cast<int>(std::ceil((target - t) / kStep));
      const double h = (target - t) / steps;
      for (int i = 0; i < steps; ++i) z = flows::rk4Step(field, z, t + i * h, h);
      t = target;
      const Eigen::VectorXd expected = flow.psi(z0, t);
      EXPECT_LT((z - expected).norm() / expected.norm(), 1e-6) << "t " << t;
    }
  }
}

TEST(Vlfm, FramesInterpolateAtAnyRateAndExtrapolatePastT) {
  const Eigen::MatrixXd u = vlfm::keyframeMatrix(vlfm::builtinShape("circle-to-square", 12, 8));
  const VideoLatentFlow flow(u, 1.0, 8, Discretization::Bilinear);
  // 8 fps over T = 1 puts frame τ on keyframe τ.
  const vlfm::FrameSeries onKeyframes = vlfm::sampleFrames(flow, 8.0, 1.0);
  ASSERT_EQ(onKeyframes.times.size(), 9u);
  EXPECT_FALSE(onKeyframes.extrapolated);
  EXPECT_EQ(onKeyframes.pointCount, 12);
  for (int tau = 1; tau <= 8; ++tau)
    for (Eigen::Index c = 0; c < u.rows(); ++c)
      EXPECT_NEAR(onKeyframes.position[static_cast<std::size_t>(tau * u.rows() + c)], u(c, tau - 1), 2e-3);
  // Any other rate: frames at i / fps, each the polynomial and its exact derivatives there.
  const vlfm::FrameSeries odd = vlfm::sampleFrames(flow, 7.3, 1.6);
  ASSERT_EQ(odd.times.size(), 12u);  // floor(1.6 × 7.3) + 1
  EXPECT_TRUE(odd.extrapolated);
  const std::size_t d = static_cast<std::size_t>(u.rows());
  for (std::size_t i = 0; i < odd.times.size(); ++i) {
    EXPECT_DOUBLE_EQ(odd.times[i], static_cast<double>(i) / 7.3);
    const Eigen::MatrixXd m = flow.legs().meanDerivatives(odd.times[i]);
    for (std::size_t c = 0; c < d; ++c) {
      const auto row = static_cast<Eigen::Index>(c);
      EXPECT_DOUBLE_EQ(odd.position[i * d + c], m(row, 0));
      EXPECT_DOUBLE_EQ(odd.velocity[i * d + c], m(row, 1));
      EXPECT_DOUBLE_EQ(odd.acceleration[i * d + c], m(row, 2));
      EXPECT_DOUBLE_EQ(odd.jerk[i * d + c], m(row, 3));
    }
  }
}

TEST(Vlfm, BuiltinShapesAreDeterministicAndUnknownNamesListTheValidOnes) {
  const auto names = vlfm::builtinShapeNames();
  ASSERT_EQ(names.size(), 3u);
  for (const auto& name : names) {
    const vlfm::Keyframes a = vlfm::builtinShape(name, 32, 6), b = vlfm::builtinShape(name, 32, 6);
    ASSERT_EQ(a.size(), 6u) << name;
    for (std::size_t k = 0; k < a.size(); ++k) {
      ASSERT_EQ(a[k].size(), 32u) << name;
      for (std::size_t p = 0; p < a[k].size(); ++p) {
        EXPECT_EQ(a[k][p].x, b[k][p].x);
        EXPECT_EQ(a[k][p].y, b[k][p].y);
      }
    }
    // The keyframes move: the first and last differ.
    EXPECT_GT((vlfm::keyframeMatrix(a).col(0) - vlfm::keyframeMatrix(a).col(5)).norm(), 0.1) << name;
  }
  try {
    vlfm::builtinShape("triangle", 8, 4);
    ADD_FAILURE() << "accepted an unknown shape";
  } catch (const InvalidArgument& e) {
    for (const auto& name : names) EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
  }
}

class VlfmKeyframeDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rankflow_vlfm_" + std::to_string(testing::freshSeed()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  std::string errorOf() {
    try {
      vlfm::readKeyframeDirectory(dir_.string());
    } catch (const InvalidArgument& e) {
      return e.what();
    }
    return "";
  }
  std::filesystem::path dir_;
};

TEST_F(VlfmKeyframeDirectory, IsReadInFileNameOrderSkippingOtherFiles) {
  write("k2.csv", "x,y\n2,0\n2,1\n");
  write("k1.csv", "1,0\n1,1\n");
  write("k3.csv", "3 0\n3 1\n");
  write("notes.txt", "not a keyframe");
  std::vector<std::string> files;
  const vlfm::Keyframes frames = vlfm::readKeyframeDirectory(dir_.string(), &files);
  ASSERT_EQ(frames.size(), 3u);
  ASSERT_EQ(files.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(frames[k][0].x, static_cast<float>(k + 1));
    EXPECT_NE(files[k].find("k" + std::to_string(k + 1) + ".csv"), std::string::npos);
  }
}

TEST_F(VlfmKeyframeDirectory, RejectsMismatchedPointCountsTooFewFilesAndBadCsv) {
  write("a.csv", "0,0\n1,1\n");
  EXPECT_NE(errorOf().find("need at least 2"), std::string::npos) << errorOf();
  write("b.csv", "0,0\n1,1\n2,2\n");
  EXPECT_NE(errorOf().find("b.csv' has 3 points"), std::string::npos) << errorOf();
  write("b.csv", "0,0\nfoo,1\n");
  EXPECT_NE(errorOf().find("b.csv:2: 'foo' is not a number"), std::string::npos) << errorOf();
  write("b.csv", "");
  EXPECT_NE(errorOf().find("no points"), std::string::npos) << errorOf();
  EXPECT_THROW(vlfm::readKeyframeDirectory((dir_ / "missing").string()), InvalidArgument);
}

TEST(Vlfm, BadInputIsRefusedWithInvalidArgument) {
  const Eigen::MatrixXd u = Eigen::MatrixXd::Random(4, 6);
  const auto eul = Discretization::ForwardEuler, bil = Discretization::Bilinear;
  EXPECT_THROW(vlfm::legsCoefficients(u, 0, bil), InvalidArgument);                        // s < 1
  EXPECT_THROW(vlfm::legsCoefficients(u, vlfm::kMaxLegsOrder + 1, bil), InvalidArgument);  // s too large
  EXPECT_THROW(vlfm::legsCoefficients(u, 7, eul), InvalidArgument);                        // Euler with s > N
  EXPECT_NO_THROW(vlfm::legsCoefficients(u, 7, bil));
  EXPECT_THROW(vlfm::legsCoefficients(Eigen::MatrixXd::Random(4, 1), 1, eul), InvalidArgument);  // N < 2
  EXPECT_THROW(vlfm::legsCoefficients(Eigen::MatrixXd(0, 4), 1, eul), InvalidArgument);          // d = 0
  Eigen::MatrixXd withNan = u;
  withNan(2, 3) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(vlfm::legsCoefficients(withNan, 3, eul), InvalidArgument);
  EXPECT_THROW(VideoLatentFlow(u, 0.0, 3, eul), InvalidArgument);  // T <= 0
  EXPECT_THROW(VideoLatentFlow(u, std::nan(""), 3, eul), InvalidArgument);
  EXPECT_THROW(VideoLatentFlow(u, 1.0, 3, eul, {1.5, 10.0}), InvalidArgument);   // σ_min outside (0, 1)
  EXPECT_THROW(VideoLatentFlow(u, 1.0, 3, eul, {0.01, -1.0}), InvalidArgument);  // α < 0
  const VideoLatentFlow flow(u, 1.0, 3, eul);
  EXPECT_THROW(flow.psi(Eigen::VectorXd::Zero(5), 0.5), InvalidArgument);  // mismatched sizes
  EXPECT_THROW(flow.field(Eigen::VectorXd::Zero(3), 0.5), InvalidArgument);
  EXPECT_THROW(flow.mean(0.5, 4), InvalidArgument);
  EXPECT_THROW(flow.mean(std::numeric_limits<double>::infinity()), InvalidArgument);
  EXPECT_THROW(flow.legs().keyframeTime(7), InvalidArgument);
  EXPECT_THROW(vlfm::sampleFrames(flow, 0.0, 1.0), InvalidArgument);
  EXPECT_THROW(vlfm::sampleFrames(flow, 30.0, -1.0), InvalidArgument);
  EXPECT_THROW(vlfm::sampleFrames(flow, 1e9, 1e9), InvalidArgument);
  EXPECT_THROW(vlfm::sampleFrames(VideoLatentFlow(Eigen::MatrixXd::Random(3, 4), 1.0, 2, eul), 10.0, 1.0),
               InvalidArgument);  // odd d is not a set of 2-D points
  EXPECT_THROW(vlfm::parseDiscretization("rk4"), InvalidArgument);
  EXPECT_THROW(vlfm::builtinShape("rotating-star", 0, 8), InvalidArgument);
  EXPECT_THROW(vlfm::builtinShape("rotating-star", 8, 1), InvalidArgument);
  // keyframeMatrix: too few keyframes, differing point counts, non-finite points.
  EXPECT_THROW(vlfm::keyframeMatrix({{{0.0f, 0.0f}}}), InvalidArgument);
  EXPECT_THROW(vlfm::keyframeMatrix({{{0.0f, 0.0f}}, {{0.0f, 0.0f}, {1.0f, 1.0f}}}), InvalidArgument);
  EXPECT_THROW(vlfm::keyframeMatrix({{{0.0f, 0.0f}}, {{0.0f, std::numeric_limits<float>::quiet_NaN()}}}),
               InvalidArgument);
}

}  // namespace
}  // namespace rankflow
