#include "core/compute/flow_backend.h"

#include <cmath>
#include <string>

#include "core/common/error.h"

namespace rankflow::compute {
namespace {

// Squared distances of float coordinates beyond this overflow, and every softmax weight
// would underflow to 0/0; such input is rejected rather than turned into NaN.
constexpr float kMaxCoordinate = 1e6f;

void requireFinite(std::span<const Vec2f> points, const char* what) {
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!std::isfinite(points[i].x) || !std::isfinite(points[i].y))
      throw InvalidArgument(std::string(what) + ": point " + std::to_string(i) + " is not finite");
    if (std::abs(points[i].x) > kMaxCoordinate || std::abs(points[i].y) > kMaxCoordinate)
      throw InvalidArgument(std::string(what) + ": point " + std::to_string(i) + " lies beyond ±1e6");
  }
}

void requireData(std::span<const Vec2f> data) {
  if (data.empty()) throw InvalidArgument("flow: the data set is empty");
  // int indices in the kernels; 2^31 data points would not fit in memory anyway.
  if (data.size() > (1u << 30)) throw InvalidArgument("flow: too many data points");
  requireFinite(data, "data");
}

}  // namespace

const char* backendKindName(BackendKind kind) {
  return kind == BackendKind::Cuda ? "cuda" : "cpu";
}

void FlowBackend::velocity(std::span<const Vec2f> data, float t, std::span<const Vec2f> points,
                           std::span<Vec2f> out) const {
  requireData(data);
  if (!(t >= 0.0f && t <= 1.0f)) throw InvalidArgument("velocity: t must lie in [0, 1]");
  if (out.size() != points.size()) throw InvalidArgument("velocity: output size differs from input size");
  requireFinite(points, "velocity query");
  if (points.empty()) return;
  velocityImpl(data, t, points, out);
}

flows::TrajectoryStore FlowBackend::integrateRk4(std::span<const Vec2f> data, std::span<const Vec2f> start,
                                                 const flows::TimeGrid& grid, const ProgressFn& progress) const {
  requireData(data);
  grid.validate();
  if (start.empty()) throw InvalidArgument("integrate: no particles");
  requireFinite(start, "particle start");
  flows::TrajectoryStore store(static_cast<int>(start.size()), grid);
  integrateRk4Impl(data, start, store, progress);
  if (progress && !progress(1.0)) throw Cancelled();
  return store;
}

}  // namespace rankflow::compute
