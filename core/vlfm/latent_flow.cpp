#include "core/vlfm/latent_flow.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>

#include "core/common/error.h"
#include "core/common/memory_limit.h"

namespace rankflow::vlfm {
namespace {

SigmaSchedule checkedSchedule(SigmaSchedule schedule) {
  if (!(schedule.sigmaMin > 0.0 && schedule.sigmaMin < 1.0))
    throw InvalidArgument("sigma_min must lie in (0, 1), got " + std::to_string(schedule.sigmaMin));
  if (!(schedule.alpha >= 0.0) || !std::isfinite(schedule.alpha))
    throw InvalidArgument("alpha must be a finite number >= 0, got " + std::to_string(schedule.alpha));
  return schedule;
}

}  // namespace

VideoLatentFlow::VideoLatentFlow(const Eigen::MatrixXd& keyframes, double duration, int order,
                                 Discretization discretization, SigmaSchedule schedule)
    : keyframes_(keyframes), legs_(keyframes, duration, order, discretization), schedule_(checkedSchedule(schedule)) {}

double VideoLatentFlow::sigma(double t) const {
  const double s = std::sin(std::numbers::pi * keyframeCount() * t / duration());
  return (1.0 - schedule_.sigmaMin) * (s * s + std::exp(-schedule_.alpha * t)) + schedule_.sigmaMin;
}

double VideoLatentFlow::sigmaDerivative(double t) const {
  // d/dt sin²(ω t) = ω sin(2 ω t) with ω = π N / T.
  const double omega = std::numbers::pi * keyframeCount() / duration();
  return (1.0 - schedule_.sigmaMin) *
         (omega * std::sin(2.0 * omega * t) - schedule_.alpha * std::exp(-schedule_.alpha * t));
}

void VideoLatentFlow::requireDimension(const Eigen::VectorXd& z) const {
  if (z.size() != dimension())
    throw InvalidArgument("z has dimension " + std::to_string(z.size()) +
                          ", the flow has d = " + std::to_string(dimension()));
}

Eigen::VectorXd VideoLatentFlow::psi(const Eigen::VectorXd& z, double t) const {
  requireDimension(z);
  return sigma(t) * z + mean(t);
}

Eigen::VectorXd VideoLatentFlow::field(const Eigen::VectorXd& z, double t) const {
  requireDimension(z);
  // σ_t ≥ σ_min > 0, so the ratio is finite for every t.
  return (sigmaDerivative(t) / sigma(t)) * (z - mean(t)) + mean(t, 1);
}

ReconstructionError keyframeReconstructionError(const VideoLatentFlow& flow) {
  ReconstructionError error;
  double squared = 0.0, norm = 0.0;
  for (int tau = 1; tau <= flow.keyframeCount(); ++tau) {
    const Eigen::VectorXd target = flow.keyframes().col(tau - 1);
    const Eigen::VectorXd diff = flow.mean(flow.legs().keyframeTime(tau)) - target;
    squared += diff.squaredNorm();
    norm += target.squaredNorm();
    error.max = std::max(error.max, diff.cwiseAbs().maxCoeff());
  }
  error.rms = std::sqrt(squared / (static_cast<double>(flow.keyframeCount()) * flow.dimension()));
  error.relative = norm > 0.0 ? std::sqrt(squared / norm) : std::sqrt(squared);
  return error;
}

FrameSeries sampleFrames(const VideoLatentFlow& flow, double fps, double endTime, std::int64_t maxFrames) {
  if (!(fps > 0.0) || !std::isfinite(fps)) throw InvalidArgument("frame rate must be a positive finite number");
  if (!(endTime > 0.0) || !std::isfinite(endTime)) throw InvalidArgument("end time must be a positive finite number");
  if (flow.dimension() % 2 != 0)
    throw InvalidArgument("frames hold 2-D points, but the flow has odd dimension " + std::to_string(flow.dimension()));
  // The tolerance keeps endTime itself when endTime · fps is an integer up to rounding.
  const double lastIndex = std::floor(endTime * fps + 1e-9);
  if (lastIndex + 1.0 > static_cast<double>(maxFrames))
    throw InvalidArgument("endTime x fps asks for " + std::to_string(lastIndex + 1.0) + " frames, more than " +
                          std::to_string(maxFrames));
  const auto frameCount = static_cast<std::size_t>(lastIndex) + 1;
  const auto d = static_cast<std::size_t>(flow.dimension());
  FrameSeries series;
  series.pointCount = flow.dimension() / 2;
  series.extrapolated = endTime > flow.duration();
  series.times.resize(frameCount);
  for (auto* values : {&series.position, &series.velocity, &series.acceleration, &series.jerk})
    values->resize(frameCount * d);
  for (std::size_t i = 0; i < frameCount; ++i) {
    const double t = static_cast<double>(i) / fps;
    series.times[i] = t;
    const Eigen::MatrixXd m = flow.legs().meanDerivatives(t);
    for (std::size_t c = 0; c < d; ++c) {
      const auto row = static_cast<Eigen::Index>(c);
      series.position[i * d + c] = m(row, 0);
      series.velocity[i * d + c] = m(row, 1);
      series.acceleration[i * d + c] = m(row, 2);
      series.jerk[i * d + c] = m(row, 3);
    }
  }
  return series;
}

Eigen::MatrixXd keyframeMatrix(const std::vector<std::vector<Vec2f>>& keyframes) {
  if (keyframes.size() < 2) throw InvalidArgument("need at least 2 keyframes, got " + std::to_string(keyframes.size()));
  const std::size_t points = keyframes.front().size();
  if (points == 0) throw InvalidArgument("keyframe 1 has no points");
  Eigen::MatrixXd u(static_cast<Eigen::Index>(2 * points), static_cast<Eigen::Index>(keyframes.size()));
  for (std::size_t tau = 0; tau < keyframes.size(); ++tau) {
    if (keyframes[tau].size() != points)
      throw InvalidArgument("keyframe " + std::to_string(tau + 1) + " has " + std::to_string(keyframes[tau].size()) +
                            " points, keyframe 1 has " + std::to_string(points));
    for (std::size_t p = 0; p < points; ++p) {
      const Vec2f q = keyframes[tau][p];
      if (!std::isfinite(q.x) || !std::isfinite(q.y))
        throw InvalidArgument("keyframe " + std::to_string(tau + 1) + ", point " + std::to_string(p + 1) +
                              " is not finite");
      u(static_cast<Eigen::Index>(2 * p), static_cast<Eigen::Index>(tau)) = q.x;
      u(static_cast<Eigen::Index>(2 * p + 1), static_cast<Eigen::Index>(tau)) = q.y;
    }
  }
  return u;
}

void requireFeasibleFit(int keyframes, int points, int order, double fps, double endTime) {
  const double asked = endTime * fps;  // NaN or beyond 2^64 saturates: this is the guard
  const auto frames = std::isfinite(asked) && asked < 1.8e19
                          ? static_cast<std::uint64_t>(std::floor(std::max(asked, 0.0))) + 1
                          : std::numeric_limits<std::uint64_t>::max();
  requireMemory(saturatingProduct({frames, static_cast<std::uint64_t>(std::max(points, 0)), 2 * 8 * 5}),
                std::to_string(frames) + " frames of " + std::to_string(points) + " points");
  const double work = static_cast<double>(keyframes) * 2.0 * points * static_cast<double>(order) * order;
  if (work > kMaxFitOperations) {
    char text[64];
    std::snprintf(text, sizeof text, "%.2g", work);
    throw InvalidArgument("fitting order " + std::to_string(order) + " to " + std::to_string(keyframes) +
                          " keyframes of " + std::to_string(points) + " points is about " + text +
                          " operations, over the limit of 1e12 (minutes here): lower the order, keyframes or points");
  }
}

}  // namespace rankflow::vlfm
