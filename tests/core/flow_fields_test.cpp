// The exact fields of docs/MATHEMATICS.md §4 against their definitions: Monte Carlo conditional
// expectations, finite differences (as an oracle only), closed forms, and the float64
// reference for the float fast paths.
#include "core/flows/flow_fields.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/common/error.h"
#include "core/common/jet.h"
#include "core/flows/field_model.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using flows::DataView;
using flows::FieldKind;
using flows::FieldRequest;
using flows::FlowData;
using flows::Schedule;

DataView<float> viewOf(const std::vector<Vec2f>& points) {
  DataView<float> v;
  v.points = points.data();
  v.count = static_cast<int>(points.size());
  return v;
}

double relative(Vec2d a, Vec2d b) {
  return std::sqrt(squaredNorm(a - b)) / std::max(std::sqrt(squaredNorm(b)), 1e-12);
}

// [SECTION] Jets and paths

TEST(Jet, TaylorCoefficientsOfACompositionMatchTheClosedForm) {
  // f(t) = exp(sin t) / sqrt(1 + t²) + log(2 + t), derivatives by hand at t0 through
  // nested finite differences are avoided: compare with a second route, the product rule
  // on separately computed jets, and with the known value of f'(t0).
  const double t0 = 0.37;
  using J = Jet<double, 3>;
  const J t = J::variable(t0);
  const J f = rfExp(rfSin(t)) / rfSqrt(1.0 + t * t) + rfLog(2.0 + t);
  const double e = std::exp(std::sin(t0));
  const double r = 1.0 / std::sqrt(1.0 + t0 * t0);
  const double df = e * std::cos(t0) * r - e * t0 * r * r * r + 1.0 / (2.0 + t0);
  EXPECT_NEAR(f.derivative(0), e * r + std::log(2.0 + t0), 1e-14);
  EXPECT_NEAR(f.derivative(1), df, 1e-13);
  // Higher orders against a 7-point finite-difference stencil on the closed form.
  auto g = [](double s) { return std::exp(std::sin(s)) / std::sqrt(1.0 + s * s) + std::log(2.0 + s); };
  const double h = 1e-2;
  const double d2 = (2 * g(t0 + 3 * h) - 27 * g(t0 + 2 * h) + 270 * g(t0 + h) - 490 * g(t0) + 270 * g(t0 - h) -
                     27 * g(t0 - 2 * h) + 2 * g(t0 - 3 * h)) /
                    (180 * h * h);
  const double d3 =
      (-g(t0 + 3 * h) + 8 * g(t0 + 2 * h) - 13 * g(t0 + h) + 13 * g(t0 - h) - 8 * g(t0 - 2 * h) + g(t0 - 3 * h)) /
      (8 * h * h * h);
  EXPECT_NEAR(f.derivative(2), d2, 1e-8);
  EXPECT_NEAR(f.derivative(3), d3, 1e-6);
}

TEST(Jet, DualGradientMatchesTheProductAndQuotientRules) {
  using D = Dual<double, 2>;
  const D x = D::variable(0.8, 0);
  const D y = D::variable(-1.3, 1);
  const D f = x * y / (1.0 + x * x) + rfCos(y);
  EXPECT_NEAR(f.d[0], -1.3 * (1 - 0.64) / ((1 + 0.64) * (1 + 0.64)), 1e-14);
  EXPECT_NEAR(f.d[1], 0.8 / 1.64 - std::sin(-1.3), 1e-14);
}

TEST(Path, DerivativesMatchFiniteDifferencesForEverySchedule) {
  for (Schedule s : flows::allSchedules()) {
    for (double t : {0.1, 0.35, 0.6, 0.9}) {
      const auto p = flows::pathAt(s, t);
      const double h = 1e-3;
      // Five-point differences of the lower derivative: error O(h⁴).
      auto fivePoint = [&](auto&& f) {
        return (-f(t + 2 * h) + 8 * f(t + h) - 8 * f(t - h) + f(t - 2 * h)) / (12 * h);
      };
      for (int k = 1; k <= 3; ++k) {
        const double da = fivePoint([&](double u) { return flows::pathAt(s, u).alpha[k - 1]; });
        const double db = fivePoint([&](double u) { return flows::pathAt(s, u).beta[k - 1]; });
        EXPECT_NEAR(p.alpha[k], da, 1e-4 * (1 + std::abs(da))) << flows::scheduleName(s) << " t " << t << " k " << k;
        EXPECT_NEAR(p.beta[k], db, 1e-4 * (1 + std::abs(db))) << flows::scheduleName(s) << " t " << t << " k " << k;
      }
    }
    const auto start = flows::pathAt(s, 0.0);
    EXPECT_NEAR(start.alpha[0], 0.0, 1e-12) << flows::scheduleName(s);
    EXPECT_NEAR(start.beta[0], 1.0, 1e-12) << flows::scheduleName(s);
    const auto end = flows::pathAt(s, 1.0);  // clamped at kTimeMax, still close to the data
    EXPECT_NEAR(end.alpha[0], 1.0, 5e-3) << flows::scheduleName(s);
    EXPECT_GT(end.beta[0], 0.0) << flows::scheduleName(s);
  }
}

// [SECTION] Marginal fields

TEST(MarginalFields, EqualTheConditionalExpectationByMonteCarlo) {
  // u_k(x, t) = E[α^(k) y + β^(k) z | α y + β z ≈ x]: draw (y, z), keep the samples whose
  // x_t falls within δ of x, and average their conditional derivatives.
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::vector<Vec2f> data = {{1.0f, 0.5f}, {-0.8f, 0.9f}, {0.2f, -1.1f}};
  std::uniform_int_distribution<int> pick(0, 2);
  std::normal_distribution<double> normal;
  const Vec2d x{0.1, 0.2};
  const double delta = 0.05;
  for (Schedule s : {Schedule::Linear, Schedule::Trigonometric, Schedule::Cubic}) {
    const double t = 0.5;
    const auto p = flows::pathAt(s, t);
    Vec2d sums[4] = {};
    int kept = 0;
    for (int i = 0; i < 3000000 && kept < 4000; ++i) {
      const Vec2d y = data[static_cast<std::size_t>(pick(rng))].cast<double>();
      const Vec2d z{normal(rng), normal(rng)};
      const Vec2d xt = p.alpha[0] * y + p.beta[0] * z;
      if (squaredNorm(xt - x) > delta * delta) continue;
      ++kept;
      for (int k = 0; k < 4; ++k) sums[k] += p.alpha[k] * y + p.beta[k] * z;
    }
    ASSERT_GT(kept, 1000) << flows::scheduleName(s);
    Vec2d u[4];
    flows::marginalFields(viewOf(data), s, x, t, 3, u);
    for (int k = 1; k < 4; ++k) {
      const Vec2d mc = sums[k] * (1.0 / kept);
      // Standard error ≈ spread/√kept ≈ 0.03 of the field's scale, plus O(δ²) bias.
      const double scale = 1.0 + std::sqrt(squaredNorm(u[k]));
      EXPECT_LT(std::sqrt(squaredNorm(mc - u[k])), 0.12 * scale)
          << flows::scheduleName(s) << " order " << k << " kept " << kept;
    }
  }
}

TEST(MarginalFields, MixtureClosedFormMatchesMonteCarlo) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  flows::GaussianMixture mixture;
  mixture.components = {{{1.0f, 0.0f}, 0.09f, 0.3f}, {{-1.0f, 0.5f}, 0.25f, 0.7f}};
  const FlowData data = FlowData::fromMixture(mixture);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> normal;
  const Vec2d x{0.0, 0.3};
  const double t = 0.6;
  const double delta = 0.05;
  const auto p = flows::pathAt(Schedule::Linear, t);
  Vec2d sum{0, 0};
  int kept = 0;
  for (int i = 0; i < 4000000 && kept < 5000; ++i) {
    const auto& c = mixture.components[uniform(rng) < 0.3 ? 0 : 1];
    const double sd = std::sqrt(static_cast<double>(c.variance));
    const Vec2d y{c.mean.x + sd * normal(rng), c.mean.y + sd * normal(rng)};
    const Vec2d z{normal(rng), normal(rng)};
    const Vec2d xt = p.alpha[0] * y + p.beta[0] * z;
    if (squaredNorm(xt - x) > delta * delta) continue;
    ++kept;
    sum += p.alpha[1] * y + p.beta[1] * z;
  }
  ASSERT_GT(kept, 1000);
  const Vec2d v = flows::velocityField(data.view(), Schedule::Linear, x, t);
  EXPECT_LT(std::sqrt(squaredNorm(sum * (1.0 / kept) - v)), 0.1 * (1.0 + std::sqrt(squaredNorm(v))));
}

TEST(MarginalFields, CpuFastPathMatchesFloat64ReferenceOnEverySchedule) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto data = testing::randomPoints(700, 1.5f, seed);
  const auto queries = testing::randomPoints(300, 2.0f, seed + 1);
  const FlowData flow = FlowData::empirical(data);
  for (Schedule s : flows::allSchedules()) {
    for (float t : {0.0f, 0.3f, 0.7f, 0.95f}) {
      const auto fast = flows::evaluateFields(flow, {s, FieldKind::Marginal, t, 3}, queries);
      // Stated tolerance: float rounding of m (relative 1e-5, the softmax's logits reach
      // ‖x − α y‖²/2β²) carried through u_k = α^(k) m + β^(k)(x − α m)/β, so the error
      // bound per point is 1e-5 · (|α^(k)| + |β^(k)| α/β) ‖m‖ + float rounding of x/β.
      double diff[4] = {}, bound[4] = {};
      const auto path = flows::pathAt(s, static_cast<double>(t));
      for (std::size_t p = 0; p < queries.size(); ++p) {
        Vec2d ref[4];
        flows::marginalFields(viewOf(data), s, queries[p].cast<double>(), static_cast<double>(t), 3, ref);
        const Vec2d x = queries[p].cast<double>();
        for (int k = 0; k < 4; ++k) {
          diff[k] += squaredNorm(fast[p * 4 + static_cast<std::size_t>(k)].cast<double>() - ref[k]);
          const double gain = std::abs(path.alpha[k]) + std::abs(path.beta[k]) * path.alpha[0] / path.beta[0];
          const double e = 1e-5 * gain * 3.0 /* ‖m‖ ≤ 3 for this data */ +
                           1e-6 * std::abs(path.beta[k]) * std::sqrt(squaredNorm(x)) / path.beta[0];
          bound[k] += e * e;
        }
      }
      for (int k = 0; k < 4; ++k) {
        EXPECT_LT(std::sqrt(diff[k]), std::sqrt(bound[k]) + 1e-6)
            << flows::scheduleName(s) << " t " << t << " order " << k;
      }
    }
  }
}

TEST(MarginalFields, NeverNaNUpToTEqualsOneForEverySchedule) {
  const std::vector<Vec2f> data = {{1.0f, 1.0f}, {-2.0f, 0.5f}, {0.0f, -1.5f}};
  std::vector<Vec2f> queries = data;  // exactly on the data, where x − α m is 0/0-prone
  queries.push_back({5.0f, 5.0f});
  queries.push_back({0.0f, 0.0f});
  for (Schedule s : flows::allSchedules()) {
    for (FieldKind kind : {FieldKind::Marginal, FieldKind::Lagrangian}) {
      for (float t : {0.0f, 0.999f, 1.0f}) {
        const auto out = flows::evaluateFields(FlowData::empirical(data), {s, kind, t, 3}, queries);
        for (const auto& v : out) {
          EXPECT_TRUE(std::isfinite(v.x) && std::isfinite(v.y))
              << flows::scheduleName(s) << " " << flows::fieldKindName(kind) << " t " << t;
        }
      }
    }
  }
}

// [SECTION] Lagrangian derivatives and divergence

// x(t) along the ODE in float64 by fine RK4, from (x0, t0) to t0 + dt (dt may be negative).
Vec2d flowTo(const DataView<float>& data, Schedule s, Vec2d x, double t0, double dt) {
  const int steps = 400;
  const double h = dt / steps;
  auto f = [&](Vec2d p, double t) { return flows::velocityField(data, s, p, t); };
  for (int i = 0; i < steps; ++i) x = flows::rk4Step(f, x, t0 + i * h, h);
  return x;
}

TEST(Lagrangian, AdDerivativesAgreeWithHighOrderFiniteDifferencesAlongTheOde) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto data = testing::randomPoints(40, 1.2f, seed);
  const auto view = viewOf(data);
  const auto starts = testing::randomPoints(4, 1.0f, seed + 7);
  for (Schedule s : flows::allSchedules()) {
    for (const Vec2f& start : starts) {
      const double t0 = 0.4;
      const Vec2d x0 = start.cast<double>();
      const auto ad = flows::lagrangianDerivatives(view, s, x0, t0);
      // v(x(t0 + i h), t0 + i h) for i = −3..3, then 7-point stencils for v' and v''.
      const double h = 2e-3;
      Vec2d v[7];
      for (int i = -3; i <= 3; ++i) {
        const Vec2d xi = i == 0 ? x0 : flowTo(view, s, x0, t0, i * h);
        v[i + 3] = flows::velocityField(view, s, xi, t0 + i * h);
      }
      const Vec2d a =
          (-1.0 * v[0] + 9.0 * v[1] - 45.0 * v[2] + 45.0 * v[4] - 9.0 * v[5] + 1.0 * v[6]) * (1.0 / (60 * h));
      const Vec2d j =
          (2.0 * v[0] - 27.0 * v[1] + 270.0 * v[2] - 490.0 * v[3] + 270.0 * v[4] - 27.0 * v[5] + 2.0 * v[6]) *
          (1.0 / (180 * h * h));
      EXPECT_LT(relative(ad.velocity, v[3]), 1e-12) << flows::scheduleName(s);
      EXPECT_LT(std::sqrt(squaredNorm(ad.acceleration - a)), 1e-6 * (1 + std::sqrt(squaredNorm(a))))
          << flows::scheduleName(s);
      EXPECT_LT(std::sqrt(squaredNorm(ad.jerk - j)), 1e-4 * (1 + std::sqrt(squaredNorm(j)))) << flows::scheduleName(s);
    }
  }
}

TEST(Lagrangian, AccelerationDiffersFromU2InGeneralButNotForOneDataPoint) {
  // With several data the posterior moves as x moves: a = u_2 + a conditional-covariance
  // term. With one datum every path through x is the same path, and they agree.
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto data = testing::randomPoints(16, 1.5f, seed);
  const std::vector<Vec2f> single = {{0.7f, -0.4f}};
  const Vec2d x{0.3, 0.1};
  for (Schedule s : flows::allSchedules()) {
    const double t = 0.5;
    Vec2d u[4];
    flows::marginalFields(viewOf(data), s, x, t, 3, u);
    const auto lag = flows::lagrangianDerivatives(viewOf(data), s, x, t);
    EXPECT_GT(std::sqrt(squaredNorm(lag.acceleration - u[2])), 1e-3) << flows::scheduleName(s);

    flows::marginalFields(viewOf(single), s, x, t, 3, u);
    const auto one = flows::lagrangianDerivatives(viewOf(single), s, x, t);
    EXPECT_LT(std::sqrt(squaredNorm(one.acceleration - u[2])), 1e-10) << flows::scheduleName(s);
    EXPECT_LT(std::sqrt(squaredNorm(one.jerk - u[3])), 1e-9) << flows::scheduleName(s);
  }
}

TEST(Lagrangian, OneDataPointWithTheLinearScheduleHasZeroAcceleration) {
  const std::vector<Vec2f> single = {{1.5f, 0.25f}};
  for (double t : {0.0, 0.3, 0.8}) {
    const auto d = flows::lagrangianDerivatives(viewOf(single), Schedule::Linear, Vec2d{-0.4, 0.9}, t);
    EXPECT_LT(std::sqrt(squaredNorm(d.acceleration)), 1e-12);
    EXPECT_LT(std::sqrt(squaredNorm(d.jerk)), 1e-12);
    EXPECT_GT(std::sqrt(squaredNorm(d.velocity)), 0.5);
  }
}

TEST(Lagrangian, DivergenceMatchesFiniteDifferencesAndThePosteriorCovariance) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto data = testing::randomPoints(30, 1.0f, seed);
  const auto view = viewOf(data);
  const Vec2d x{0.2, -0.3};
  const double t = 0.55;
  for (Schedule s : flows::allSchedules()) {
    const auto vj = flows::velocityJacobian(view, s, x, t);
    const double h = 1e-5;
    const double dvx = (flows::velocityField(view, s, Vec2d{x.x + h, x.y}, t).x -
                        flows::velocityField(view, s, Vec2d{x.x - h, x.y}, t).x) /
                       (2 * h);
    const double dvy = (flows::velocityField(view, s, Vec2d{x.x, x.y + h}, t).y -
                        flows::velocityField(view, s, Vec2d{x.x, x.y - h}, t).y) /
                       (2 * h);
    EXPECT_NEAR(vj.divergence(), dvx + dvy, 1e-6 * (1 + std::abs(dvx + dvy))) << flows::scheduleName(s);
    // ∇m = (α/β²) Cov[y | x], so ∇·v = (α' − β'α/β) tr ∇m + 2β'/β.
    const auto p = flows::pathAt(s, t);
    double w = 0, mx = 0, my = 0, second = 0;
    for (const auto& y : data) {
      const double e = std::exp(-(std::pow(x.x - p.alpha[0] * y.x, 2) + std::pow(x.y - p.alpha[0] * y.y, 2)) /
                                (2 * p.beta[0] * p.beta[0]));
      w += e;
      mx += e * y.x;
      my += e * y.y;
      second += e * (static_cast<double>(y.x) * y.x + static_cast<double>(y.y) * y.y);
    }
    const double trCov = second / w - (mx * mx + my * my) / (w * w);
    const double trGradM = p.alpha[0] / (p.beta[0] * p.beta[0]) * trCov;
    const double expected = (p.alpha[1] - p.beta[1] * p.alpha[0] / p.beta[0]) * trGradM + 2 * p.beta[1] / p.beta[0];
    EXPECT_NEAR(vj.divergence(), expected, 1e-9 * (1 + std::abs(expected))) << flows::scheduleName(s);
  }
}

TEST(Lagrangian, FloatFieldsMatchFloat64Reference) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto data = testing::randomPoints(200, 1.5f, seed);
  const auto queries = testing::randomPoints(64, 2.0f, seed + 3);
  for (Schedule s : flows::allSchedules()) {
    const float t = 0.45f;
    const auto fast = flows::evaluateFields(FlowData::empirical(data), {s, FieldKind::Lagrangian, t, 3}, queries);
    double diff[4] = {}, norm[4] = {};
    for (std::size_t p = 0; p < queries.size(); ++p) {
      const auto ref = flows::lagrangianDerivatives(viewOf(data), s, queries[p].cast<double>(), static_cast<double>(t));
      const Vec2d r[4] = {queries[p].cast<double>(), ref.velocity, ref.acceleration, ref.jerk};
      for (int k = 1; k < 4; ++k) {
        diff[k] += squaredNorm(fast[p * 4 + static_cast<std::size_t>(k)].cast<double>() - r[k]);
        norm[k] += squaredNorm(r[k]);
      }
    }
    // Each AD order differentiates the previous one: float rounding grows with the order.
    const double tolerance[4] = {0, 1e-5, 1e-4, 1e-3};
    for (int k = 1; k < 4; ++k)
      EXPECT_LT(std::sqrt(diff[k] / norm[k]), tolerance[k]) << flows::scheduleName(s) << " order " << k;
  }
}

// [SECTION] Bad input

TEST(FlowFields, RejectBadInputWithAMessage) {
  const FlowData data = FlowData::empirical({{0.0f, 0.0f}, {1.0f, 1.0f}});
  const std::vector<Vec2f> q = {{0.5f, 0.5f}};
  EXPECT_THROW(flows::evaluateFields(data, {Schedule::Linear, FieldKind::Marginal, 1.5f, 1}, q), InvalidArgument);
  EXPECT_THROW(flows::evaluateFields(data, {Schedule::Linear, FieldKind::Marginal, -0.1f, 1}, q), InvalidArgument);
  EXPECT_THROW(flows::evaluateFields(data, {Schedule::Linear, FieldKind::Marginal, std::nanf(""), 1}, q),
               InvalidArgument);
  EXPECT_THROW(flows::evaluateFields(data, {Schedule::Linear, FieldKind::Marginal, 0.5f, 4}, q), InvalidArgument);
  const std::vector<Vec2f> nan = {{std::nanf(""), 0.0f}};
  EXPECT_THROW(flows::evaluateFields(data, {Schedule::Linear, FieldKind::Marginal, 0.5f, 1}, nan), InvalidArgument);
  EXPECT_THROW(flows::evaluateFields(FlowData::empirical({}), {}, q), InvalidArgument);
  EXPECT_THROW(flows::evaluateFields(FlowData::empirical(nan), {}, q), InvalidArgument);
  EXPECT_THROW(flows::parseSchedule("quadratic"), InvalidArgument);
  EXPECT_THROW(flows::parseFieldKind("eulerian"), InvalidArgument);
  flows::GaussianMixture bad;
  bad.components = {{{0.0f, 0.0f}, -1.0f, 1.0f}};
  EXPECT_THROW(FlowData::fromMixture(bad), InvalidArgument);
}

}  // namespace
}  // namespace rankflow
