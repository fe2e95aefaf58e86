#pragma once
// float64 references the fast paths are checked against, and fresh random inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "core/common/vec2.h"
#include "core/flows/field_model.h"
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

inline Vec2d referenceVelocity(std::span<const Vec2f> data, Vec2d x, double t,
                               flows::Schedule schedule = flows::Schedule::Linear) {
  flows::DataView<float> view;
  view.points = data.data();
  view.count = static_cast<int>(data.size());
  return flows::velocityField(view, schedule, x, t);
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

// Stated tolerance of a float32 velocity against the float64 reference: 1e-5 relative,
// loosened near t = 1 because the field divides an O(1) float difference x − t·m by
// 1 − t (clamped at 1e-3), which multiplies its rounding error by up to 0.1 / (1 − t).
inline double velocityTolerance(double t) {
  return 1e-5 * std::max(1.0, 0.1 / std::max(1.0 - t, 1e-3));
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
      // The float grid's times, so both sides evaluate at the same t; past kTimeMax the
      // particle coasts at its velocity there, as the samplers do.
      const double t = grid.timeAt(s);
      const double tNext = grid.timeAt(s + 1);
      const double tMax = flows::kTimeMax;
      if (tNext <= tMax) {
        x = flows::rk4Step(field, x, t, tNext - t);
      } else {
        if (t < tMax) x = flows::rk4Step(field, x, t, tMax - t);
        x = x + (tNext - std::max(t, tMax)) * field(x, tMax);
      }
    }
    frames[static_cast<std::size_t>(grid.steps) * n + p] = x;
  }
  return frames;
}

// How two integrations of the same particles agree. The flow map of an empirical
// distribution is nearly discontinuous: a particle on the boundary between the basins of
// two data (or two clusters) is sent to one or the other by rounding differences, from
// t ≈ 0.85 on (measured: one particle in 256 ends 1.06 away, every other one agrees to
// 1e-6 at every frame). So agreement is counted per particle: a particle agrees when
// every frame before the last is within 1e-5 × the frame's RMS radius and the last frame
// (the step that crosses the β clamp) within 1e-4.
struct TrajectoryAgreement {
  double agreeingShare = 0.0;         // fraction of particles that agree
  double relativeL2OfAgreeing = 0.0;  // over every frame of the agreeing particles
};

template <class ReferenceAt>  // ReferenceAt(frame, particle) -> Vec2d
TrajectoryAgreement compareTrajectoriesWith(const flows::TrajectoryStore& fast, ReferenceAt referenceAt) {
  const std::size_t n = static_cast<std::size_t>(fast.particleCount());
  const int last = fast.frameCount() - 1;
  std::vector<double> radius(static_cast<std::size_t>(last + 1));
  for (int f = 0; f <= last; ++f) {
    double sum = 0.0;
    for (std::size_t p = 0; p < n; ++p) sum += squaredNorm(referenceAt(f, p));
    radius[static_cast<std::size_t>(f)] = std::sqrt(sum / static_cast<double>(n));
  }
  std::size_t agreeing = 0;
  double diff = 0.0, norm = 0.0;
  for (std::size_t p = 0; p < n; ++p) {
    bool agrees = true;
    double particleDiff = 0.0, particleNorm = 0.0;
    for (int f = 0; f <= last; ++f) {
      const Vec2d r = referenceAt(f, p);
      const double d2 = squaredNorm(fast.positions(f)[p].cast<double>() - r);
      const double allowed = f < last ? 1e-5 * radius[static_cast<std::size_t>(f)] : 1e-4;
      agrees = agrees && std::sqrt(d2) <= allowed;
      particleDiff += d2;
      particleNorm += squaredNorm(r);
    }
    if (agrees) {
      ++agreeing;
      diff += particleDiff;
      norm += particleNorm;
    }
  }
  TrajectoryAgreement agreement;
  agreement.agreeingShare = static_cast<double>(agreeing) / static_cast<double>(n);
  agreement.relativeL2OfAgreeing = norm > 0.0 ? std::sqrt(diff / norm) : 1.0;
  return agreement;
}

inline TrajectoryAgreement compareTrajectories(const flows::TrajectoryStore& fast, std::span<const Vec2d> reference) {
  const std::size_t n = static_cast<std::size_t>(fast.particleCount());
  return compareTrajectoriesWith(fast,
                                 [&](int f, std::size_t p) { return reference[static_cast<std::size_t>(f) * n + p]; });
}

inline TrajectoryAgreement compareTrajectories(const flows::TrajectoryStore& fast,
                                               const flows::TrajectoryStore& other) {
  return compareTrajectoriesWith(fast, [&](int f, std::size_t p) { return other.positions(f)[p].cast<double>(); });
}

// The stated tolerance of one float32 integration against another or against float64:
// at least 98% of the particles agree (see above), to 1e-5 relative over all frames
// (measured on 600 fresh seeds of 256 particles: at most 3 disagree, usually 0 or 1).
inline void expectTrajectoriesAgree(const TrajectoryAgreement& a) {
  EXPECT_GE(a.agreeingShare, 0.98);
  EXPECT_LT(a.relativeL2OfAgreeing, 1e-5);
}

}  // namespace rankflow::testing
