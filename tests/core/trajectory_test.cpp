#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>

#include "core/common/error.h"
#include "core/compute/flow_backend.h"
#include "core/flows/empirical_data.h"
#include "core/flows/flow_scene.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using testing::freshSeed;
using testing::randomPoints;

TEST(Trajectories, CpuRk4MatchesFloat64ReferenceOnFreshRandomInputs) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  // The default scene's data and steps (measured errors 2e-7 to 8e-7), fewer particles.
  const auto data = flows::sampleEightGaussians({512, 2.0f, 0.12f, seed}).points;
  const auto start = flows::sampleStandardNormal(256, seed + 1);
  const flows::TimeGrid grid{0.0f, 1.0f, 100};
  const auto store = compute::makeCpuBackend()->integrateRk4(data, start, grid);
  testing::expectTrajectoriesAgree(
      testing::compareTrajectories(store, testing::referenceTrajectories(data, start, grid)));
}

TEST(Trajectories, ScrubbingHitsStoredFramesExactlyAndDependsOnlyOnT) {
  const auto data = randomPoints(32, 1.0f, 3);
  const auto start = randomPoints(64, 1.0f, 4);
  const flows::TimeGrid grid{0.0f, 1.0f, 20};
  const auto store = compute::makeCpuBackend()->integrateRk4(data, start, grid);
  std::vector<Vec2f> out(start.size());
  for (int f : {0, 7, 20}) {
    store.positionsAt(grid.timeAt(f), out);
    for (std::size_t p = 0; p < out.size(); ++p) {
      EXPECT_FLOAT_EQ(out[p].x, store.positions(f)[p].x);
      EXPECT_FLOAT_EQ(out[p].y, store.positions(f)[p].y);
    }
  }
  // Scrubbing is a pure function of t: forward then backward gives identical positions.
  std::vector<std::vector<Vec2f>> forward;
  for (int i = 0; i <= 40; ++i) {
    store.positionsAt(i / 40.0f, out);
    forward.push_back(out);
  }
  for (int i = 40; i >= 0; --i) {
    store.positionsAt(i / 40.0f, out);
    EXPECT_EQ(std::memcmp(out.data(), forward[static_cast<std::size_t>(i)].data(), out.size() * sizeof(Vec2f)), 0);
  }
}

TEST(Trajectories, HermiteScrubbingBetweenFramesTracksTheTrueTrajectory) {
  const auto data = flows::sampleEightGaussians({64, 2.0f, 0.12f, 9}).points;
  const auto start = flows::sampleStandardNormal(128, 10);
  const flows::TimeGrid coarse{0.0f, 1.0f, 100};
  const flows::TimeGrid fine{0.0f, 1.0f, 200};
  const auto store = compute::makeCpuBackend()->integrateRk4(data, start, coarse);
  const auto reference = testing::referenceTrajectories(data, start, fine);
  std::vector<Vec2f> out(start.size());
  double worst = 0.0;
  for (int f = 1; f < 180; f += 2) {  // odd fine frames lie halfway between coarse ones
    store.positionsAt(fine.timeAt(f), out);
    for (std::size_t p = 0; p < out.size(); ++p) {
      const Vec2d r = reference[static_cast<std::size_t>(f) * out.size() + p];
      worst = std::max(worst, std::sqrt(squaredNorm(out[p].cast<double>() - r)));
    }
  }
  EXPECT_LT(worst, 2e-3);
}

TEST(Trajectories, DefaultSceneCarriesParticlesOntoTheData) {
  flows::DefaultSceneSpec spec;
  spec.particles = 512;  // the shape of the default scene, fewer particles
  flows::FlowScene scene = flows::prepareDefaultScene(spec);
  flows::integrateScene(scene, *compute::makeCpuBackend());
  const auto end = scene.trajectories.positions(spec.grid.steps);
  int landed = 0;
  for (const auto& x : end) {
    ASSERT_TRUE(std::isfinite(x.x) && std::isfinite(x.y));
    float best = 1e30f;
    for (const auto& y : scene.data.points) best = std::min(best, squaredNorm(x - y));
    landed += std::sqrt(best) < 0.02f;
    EXPECT_LT(std::sqrt(best), 0.05f);
  }
  // The exact field of an empirical distribution memorises it: the flow ends on the data.
  // A uniform step h = 0.01 resolves the posterior only down to β ≈ h, so particles end
  // within a fraction of the data spacing (≈ 0.03 here, cluster spread 0.12) of a datum
  // (measured: median 0.003, 99% below 0.014).
  EXPECT_GE(landed, static_cast<int>(end.size()) * 99 / 100);
  for (int label : scene.particleLabels) EXPECT_TRUE(label >= 0 && label < 8);
}

TEST(Trajectories, ReportsProgressAndCanBeCancelled) {
  const auto data = randomPoints(16, 1.0f, 1);
  const auto start = randomPoints(4000, 1.0f, 2);
  const auto cpu = compute::makeCpuBackend();
  std::mutex mutex;
  std::vector<double> reported;
  cpu->integrateRk4(data, start, {0.0f, 1.0f, 5}, [&](double f) {
    std::lock_guard lock(mutex);
    reported.push_back(f);
    return true;
  });
  ASSERT_FALSE(reported.empty());
  EXPECT_DOUBLE_EQ(reported.back(), 1.0);
  // The backend itself reports along the way, not only the final 1.0.
  EXPECT_GT(std::count_if(reported.begin(), reported.end(), [](double f) { return f > 0.0 && f < 1.0; }), 10);

  // Cancelling at a quarter stops the workers: nothing much beyond it is reported.
  double furthest = 0.0;
  EXPECT_THROW(cpu->integrateRk4(data, start, {0.0f, 1.0f, 5},
                                 [&](double f) {
                                   std::lock_guard lock(mutex);
                                   furthest = std::max(furthest, f);
                                   return f < 0.25;
                                 }),
               compute::Cancelled);
  EXPECT_LT(furthest, 0.5);
}

TEST(Trajectories, RejectsNonFiniteScrubTimesAndHugeCoordinates) {
  const auto data = randomPoints(8, 1.0f, 1);
  const auto start = randomPoints(4, 1.0f, 2);
  const auto cpu = compute::makeCpuBackend();
  const auto store = cpu->integrateRk4(data, start, {0.0f, 1.0f, 4});
  std::vector<Vec2f> out(start.size());
  EXPECT_THROW(store.positionsAt(std::nanf(""), out), InvalidArgument);
  EXPECT_THROW(store.positionAt(0, std::numeric_limits<float>::infinity()), InvalidArgument);
  const std::vector<Vec2f> huge = {{1e20f, 0.0f}};
  EXPECT_THROW(cpu->integrateRk4(data, huge, {0.0f, 1.0f, 4}), InvalidArgument);
  EXPECT_THROW(cpu->integrateRk4(huge, start, {0.0f, 1.0f, 4}), InvalidArgument);
}

}  // namespace
}  // namespace rankflow
