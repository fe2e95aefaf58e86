#pragma once
// float64 references the fast paths are checked against, and fresh random inputs.
#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "core/common/vec2.h"
#include "core/flows/marginal_velocity.h"
#include "core/flows/rk4.h"
#include "core/flows/trajectory_store.h"

namespace rankflow::testing {

// Seeds differ on every run (fresh inputs), and are printed by the tests that use them so
// a failure can be replayed with RANKFLOW_TEST_SEED.
inline std::uint64_t freshSeed() {
  if (const char* fixed = std::getenv("RANKFLOW_TEST_SEED")) return std::strtoull(fixed, nullptr, 10);
  return std::random_device{}();
}

inline std::vector<Vec2f> randomPoints(std::size_t count, float spread, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, spread);
  std::vector<Vec2f> points(count);
  for (auto& p : points) p = {normal(rng), normal(rng)};
  return points;
}

inline Vec2d referenceVelocity(std::span<const Vec2f> data, Vec2d x, double t) {
  return flows::marginalVelocity<double>(data.data(), static_cast<int>(data.size()), x, t);
}

// ‖fast − reference‖₂ / ‖reference‖₂ of the velocity at every query point.
inline double relativeVelocityError(std::span<const Vec2f> data, double t, std::span<const Vec2f> queries,
                                    std::span<const Vec2f> fast) {
  double diff = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const Vec2d ref = referenceVelocity(data, queries[i].cast<double>(), t);
    diff += squaredNorm(fast[i].cast<double>() - ref);
    norm += squaredNorm(ref);
  }
  return std::sqrt(diff / norm);
}

// Frame-major positions of an RK4 integration in float64, same grid as TimeGrid.
inline std::vector<Vec2d> referenceTrajectories(std::span<const Vec2f> data, std::span<const Vec2f> start,
                                                const flows::TimeGrid& grid) {
  const std::size_t n = start.size();
  std::vector<Vec2d> frames(n * static_cast<std::size_t>(grid.steps + 1));
  const auto field = [&](Vec2d x, double t) { return referenceVelocity(data, x, t); };
  for (std::size_t p = 0; p < n; ++p) {
    Vec2d x = start[p].cast<double>();
    for (int s = 0; s < grid.steps; ++s) {
      frames[static_cast<std::size_t>(s) * n + p] = x;
      // The float grid's times, so both sides evaluate at the same t.
      x = flows::rk4Step(field, x, static_cast<double>(grid.timeAt(s)), static_cast<double>(grid.stepSize()));
    }
    frames[static_cast<std::size_t>(grid.steps) * n + p] = x;
  }
  return frames;
}

// ‖a − b‖₂ / ‖b‖₂ over all frames.
inline double relativeL2(const flows::TrajectoryStore& fast, std::span<const Vec2d> reference) {
  double diff = 0.0, norm = 0.0;
  const std::size_t n = static_cast<std::size_t>(fast.particleCount());
  for (int f = 0; f < fast.frameCount(); ++f) {
    const auto frame = fast.positions(f);
    for (std::size_t p = 0; p < n; ++p) {
      const Vec2d r = reference[static_cast<std::size_t>(f) * n + p];
      diff += squaredNorm(frame[p].cast<double>() - r);
      norm += squaredNorm(r);
    }
  }
  return std::sqrt(diff / norm);
}

}  // namespace rankflow::testing
