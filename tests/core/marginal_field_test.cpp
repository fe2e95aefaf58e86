#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/common/error.h"
#include "core/compute/flow_backend.h"
#include "core/flows/field_model.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using testing::freshSeed;
using testing::randomPoints;
using testing::referenceVelocity;

TEST(MarginalField, SingleDataPointEqualsItsAnalyticForm) {
  // With one datum y the posterior is certain (m = y) and the linear path gives
  // u(x, t) = α' y + β' (x − α y)/β = (y − x)/(1 − t).
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto data = randomPoints(1, 2.0f, seed);
  const auto queries = randomPoints(257, 2.5f, seed + 1);
  const auto cpu = compute::makeCpuBackend();
  for (double t : {0.0, 0.1, 0.37, 0.5, 0.8, 0.95, 0.99}) {
    std::vector<Vec2f> fast(queries.size());
    cpu->velocity(data, static_cast<float>(t), queries, fast);
    for (std::size_t i = 0; i < queries.size(); ++i) {
      const Vec2d x = queries[i].cast<double>();
      const Vec2d y = data[0].cast<double>();
      const Vec2d analytic = (1.0 / (1.0 - t)) * (y - x);
      const Vec2d reference = referenceVelocity(data, x, t);
      EXPECT_NEAR(reference.x, analytic.x, 1e-12 * (1 + std::abs(analytic.x)));
      EXPECT_NEAR(reference.y, analytic.y, 1e-12 * (1 + std::abs(analytic.y)));
      // float computes y − x as a difference of O(|x| + |y|) numbers, divided by 1 − t: the
      // error scale is that, not |u| (which is tiny for a query next to the datum).
      const double scale = (std::sqrt(squaredNorm(x)) + std::sqrt(squaredNorm(y))) / (1.0 - t);
      EXPECT_LT(std::sqrt(squaredNorm(fast[i].cast<double>() - analytic)) / scale, 1e-5) << "t " << t << " i " << i;
    }
  }
}

TEST(MarginalField, CpuBackendMatchesFloat64ReferenceOnFreshRandomInputs) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto data = randomPoints(700, 1.5f, seed);
  const auto queries = randomPoints(500, 2.0f, seed + 7);
  const auto cpu = compute::makeCpuBackend();
  for (float t : {0.0f, 0.2f, 0.5f, 0.75f, 0.9f, 0.97f}) {
    std::vector<Vec2f> fast(queries.size());
    cpu->velocity(data, t, queries, fast);
    EXPECT_LT(testing::relativeVelocityError(data, t, queries, fast), testing::velocityTolerance(t)) << "t " << t;
  }
}

TEST(MarginalField, OnlineSoftmaxEqualsTwoPassSoftmax) {
  // The accumulator the CUDA kernel streams tiles through, against the textbook form.
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto data = randomPoints(300, 1.0f, seed);
  const Vec2d x{0.3, -0.2};
  const double t = 0.93;
  std::vector<double> logits;
  for (const auto& y : data) logits.push_back(-squaredNorm(x - t * y.cast<double>()) / (2 * (1 - t) * (1 - t)));
  const double maxLogit = *std::max_element(logits.begin(), logits.end());
  double sum = 0, mx = 0, my = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const double w = std::exp(logits[i] - maxLogit);
    sum += w;
    mx += w * data[i].x;
    my += w * data[i].y;
  }
  flows::OnlineSoftmaxMean<double> acc;
  for (std::size_t i = 0; i < data.size(); ++i) acc.add(logits[i], data[i].cast<double>());
  EXPECT_NEAR(acc.mean().x, mx / sum, 1e-12);
  EXPECT_NEAR(acc.mean().y, my / sum, 1e-12);
}

TEST(MarginalField, IsFiniteAtTEqualsOneAndFarFromTheData) {
  const auto data = randomPoints(64, 1.0f, 5);
  const std::vector<Vec2f> queries = {{0, 0}, {1e3f, -1e3f}, data[3], {50, 50}};
  const auto cpu = compute::makeCpuBackend();
  for (float t : {0.0f, 0.999f, 1.0f}) {
    std::vector<Vec2f> out(queries.size());
    cpu->velocity(data, t, queries, out);
    for (const auto& v : out) EXPECT_TRUE(std::isfinite(v.x) && std::isfinite(v.y)) << "t " << t;
  }
}

TEST(MarginalField, RejectsBadInputWithAMessage) {
  const auto cpu = compute::makeCpuBackend();
  const std::vector<Vec2f> data = {{0, 0}};
  std::vector<Vec2f> out(1);
  const std::vector<Vec2f> nan = {{std::numeric_limits<float>::quiet_NaN(), 0}};
  EXPECT_THROW(cpu->velocity({}, 0.5f, data, out), InvalidArgument);
  EXPECT_THROW(cpu->velocity(data, 1.5f, data, out), InvalidArgument);
  EXPECT_THROW(cpu->velocity(data, std::nanf(""), data, out), InvalidArgument);
  EXPECT_THROW(cpu->velocity(nan, 0.5f, data, out), InvalidArgument);
  EXPECT_THROW(cpu->velocity(data, 0.5f, nan, out), InvalidArgument);
  EXPECT_THROW(cpu->integrateRk4(data, data, {0.0f, 1.0f, 0}), InvalidArgument);
  EXPECT_THROW(cpu->integrateRk4(data, {}, {0.0f, 1.0f, 10}), InvalidArgument);
}

}  // namespace
}  // namespace rankflow
