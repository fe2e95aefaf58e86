#pragma once
#include <cstddef>
#include <span>
#include <vector>

#include "core/common/vec2.h"

namespace rankflow::flows {

// Uniform time grid t_s = t0 + s (t1 − t0) / steps, s = 0..steps.
struct TimeGrid {
  float t0 = 0.0f;
  float t1 = 1.0f;
  int steps = 100;

  float stepSize() const { return (t1 - t0) / static_cast<float>(steps); }
  float timeAt(int s) const { return t0 + static_cast<float>(s) * stepSize(); }
  void validate() const;
};

// N particles × (S + 1) stored frames of position and velocity, frame-major so that one
// frame is contiguous (what the renderer uploads). Scrubbing to any t, forward or
// backward, is a cubic Hermite interpolation between the two neighbouring frames —
// third-order accurate and free of re-integration.
class TrajectoryStore {
 public:
  TrajectoryStore() = default;
  TrajectoryStore(int particleCount, const TimeGrid& grid);

  int particleCount() const { return particleCount_; }
  int frameCount() const { return grid_.steps + 1; }
  const TimeGrid& grid() const { return grid_; }

  std::span<Vec2f> positions(int frame);
  std::span<const Vec2f> positions(int frame) const;
  std::span<Vec2f> velocities(int frame);
  std::span<const Vec2f> velocities(int frame) const;

  // Positions of all particles at time t (clamped to the grid), written to out.
  void positionsAt(float t, std::span<Vec2f> out) const;
  // Positions at t of particles first .. first + out.size() − 1 (for callers that split the
  // particles among threads).
  void positionsAt(float t, std::size_t first, std::span<Vec2f> out) const;
  Vec2f positionAt(int particle, float t) const;

 private:
  struct Bracket {
    int frame;  // left frame index
    float tau;  // 0..1 within [frame, frame + 1]
    float h;    // step size
  };
  Bracket bracket(float t) const;
  Vec2f hermite(const Bracket& b, std::size_t particle) const;

  int particleCount_ = 0;
  TimeGrid grid_{};
  std::vector<Vec2f> positions_;
  std::vector<Vec2f> velocities_;
};

}  // namespace rankflow::flows
