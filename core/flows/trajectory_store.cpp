#include "core/flows/trajectory_store.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/common/error.h"

namespace rankflow::flows {

void TimeGrid::validate() const {
  if (steps <= 0) throw InvalidArgument("time grid: step count must be positive, got " + std::to_string(steps));
  if (!std::isfinite(t0) || !std::isfinite(t1) || !(t1 > t0)) throw InvalidArgument("time grid: need finite t0 < t1");
  if (t0 < 0.0f || t1 > 1.0f) throw InvalidArgument("time grid: [t0, t1] must lie in [0, 1]");
}

TrajectoryStore::TrajectoryStore(int particleCount, const TimeGrid& grid) : particleCount_(particleCount), grid_(grid) {
  grid.validate();
  if (particleCount <= 0)
    throw InvalidArgument("trajectory store: particle count must be positive, got " + std::to_string(particleCount));
  const std::size_t total = static_cast<std::size_t>(particleCount) * static_cast<std::size_t>(grid.steps + 1);
  positions_.assign(total, Vec2f{0.0f, 0.0f});
  velocities_.assign(total, Vec2f{0.0f, 0.0f});
}

std::span<Vec2f> TrajectoryStore::positions(int frame) {
  return {positions_.data() + static_cast<std::size_t>(frame) * particleCount_,
          static_cast<std::size_t>(particleCount_)};
}
std::span<const Vec2f> TrajectoryStore::positions(int frame) const {
  return {positions_.data() + static_cast<std::size_t>(frame) * particleCount_,
          static_cast<std::size_t>(particleCount_)};
}
std::span<Vec2f> TrajectoryStore::velocities(int frame) {
  return {velocities_.data() + static_cast<std::size_t>(frame) * particleCount_,
          static_cast<std::size_t>(particleCount_)};
}
std::span<const Vec2f> TrajectoryStore::velocities(int frame) const {
  return {velocities_.data() + static_cast<std::size_t>(frame) * particleCount_,
          static_cast<std::size_t>(particleCount_)};
}

TrajectoryStore::Bracket TrajectoryStore::bracket(float t) const {
  if (!std::isfinite(t)) throw InvalidArgument("trajectory store: time is not finite");
  if (particleCount_ == 0) throw InvalidArgument("trajectory store: nothing has been integrated");
  const float h = grid_.stepSize();
  const float u = std::clamp((t - grid_.t0) / h, 0.0f, static_cast<float>(grid_.steps));
  const int frame = std::min(static_cast<int>(u), grid_.steps - 1);
  return {frame, u - static_cast<float>(frame), h};
}

Vec2f TrajectoryStore::hermite(const Bracket& b, std::size_t particle) const {
  const std::size_t i0 = static_cast<std::size_t>(b.frame) * particleCount_ + particle;
  const std::size_t i1 = i0 + static_cast<std::size_t>(particleCount_);
  const float s = b.tau;
  const float s2 = s * s;
  const float s3 = s2 * s;
  const float h00 = 2 * s3 - 3 * s2 + 1;
  const float h10 = s3 - 2 * s2 + s;
  const float h01 = -2 * s3 + 3 * s2;
  const float h11 = s3 - s2;
  return h00 * positions_[i0] + (h10 * b.h) * velocities_[i0] + h01 * positions_[i1] + (h11 * b.h) * velocities_[i1];
}

void TrajectoryStore::positionsAt(float t, std::span<Vec2f> out) const {
  if (out.size() != static_cast<std::size_t>(particleCount_))
    throw InvalidArgument("positionsAt: output size does not match the particle count");
  const Bracket b = bracket(t);
  for (std::size_t p = 0; p < out.size(); ++p) out[p] = hermite(b, p);
}

void TrajectoryStore::positionsAt(float t, std::size_t first, std::span<Vec2f> out) const {
  if (first > static_cast<std::size_t>(particleCount_) || out.size() > static_cast<std::size_t>(particleCount_) - first)
    throw InvalidArgument("positionsAt: particle range out of range");
  const Bracket b = bracket(t);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = hermite(b, first + i);
}

Vec2f TrajectoryStore::positionAt(int particle, float t) const {
  if (particle < 0 || particle >= particleCount_) throw InvalidArgument("positionAt: particle index out of range");
  return hermite(bracket(t), static_cast<std::size_t>(particle));
}

}  // namespace rankflow::flows
