#pragma once
// CPU fast path shared by the field evaluation and the samplers (not for CUDA).
#include <Eigen/Core>
#include <span>

#include "core/common/vec2.h"
#include "core/flows/schedule.h"

namespace rankflow::flows {

// The empirical posterior mean with the data as structure-of-arrays columns, so the
// logits, their exp and the three weighted sums are each one vectorised Eigen pass.
class ColumnPosterior {
 public:
  explicit ColumnPosterior(std::span<const Vec2f> data) : xs_(data.size()), ys_(data.size()), work_(data.size()) {
    for (std::size_t i = 0; i < data.size(); ++i) {
      xs_[static_cast<Eigen::Index>(i)] = data[i].x;
      ys_[static_cast<Eigen::Index>(i)] = data[i].y;
    }
  }

  Vec2f mean(Vec2f x, float alpha, float beta) {
    const float halfInvBetaSq = 0.5f / (beta * beta);
    work_ = -((x.x - alpha * xs_).square() + (x.y - alpha * ys_).square()) * halfInvBetaSq;
    work_ = (work_ - work_.maxCoeff()).exp();
    const float inv = 1.0f / work_.sum();
    return {(work_ * xs_).sum() * inv, (work_ * ys_).sum() * inv};
  }

 private:
  Eigen::ArrayXf xs_;
  Eigen::ArrayXf ys_;
  Eigen::ArrayXf work_;  // scratch: one ColumnPosterior per worker
};

// The velocity u_1 of empirical data through ColumnPosterior, as an ODE right-hand side.
class ColumnVelocity {
 public:
  ColumnVelocity(std::span<const Vec2f> data, Schedule schedule) : posterior_(data), schedule_(schedule) {}

  Vec2f operator()(Vec2f x, float t) const {
    const PathDerivatives<float> p = pathAt(schedule_, t);
    const Vec2f m = posterior_.mean(x, p.alpha[0], p.beta[0]);
    return p.alpha[1] * m + (p.beta[1] / p.beta[0]) * (x - p.alpha[0] * m);
  }

 private:
  mutable ColumnPosterior posterior_;  // owns scratch: one per worker
  Schedule schedule_;
};

}  // namespace rankflow::flows
