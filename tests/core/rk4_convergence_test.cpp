#include <gtest/gtest.h>

#include <cmath>

#include "core/common/vec2.h"
#include "core/flows/rk4.h"

namespace rankflow {
namespace {

// x' = ω(t) J x with ω(t) = 1 + t: a rotation whose angle is θ(t) = t + t²/2, so the
// exact solution is known in closed form and the field depends on t (testing the stage
// times, not only the stage weights).
Vec2d rotatingField(Vec2d x, double t) {
  const double omega = 1.0 + t;
  return {-omega * x.y, omega * x.x};
}

double errorWithSteps(int steps) {
  const double tEnd = 2.0;
  const double h = tEnd / steps;
  Vec2d x{1.0, 0.5};
  for (int s = 0; s < steps; ++s) x = flows::rk4Step(rotatingField, x, s * h, h);
  const double theta = tEnd + 0.5 * tEnd * tEnd;
  const Vec2d exact{std::cos(theta) * 1.0 - std::sin(theta) * 0.5, std::sin(theta) * 1.0 + std::cos(theta) * 0.5};
  return std::sqrt(squaredNorm(x - exact));
}

TEST(Rk4, ShowsFourthOrderConvergenceOnRotationWithKnownSolution) {
  double previous = errorWithSteps(20);
  for (int steps = 40; steps <= 320; steps *= 2) {
    const double error = errorWithSteps(steps);
    const double order = std::log2(previous / error);
    EXPECT_NEAR(order, 4.0, 0.2) << "steps " << steps << ": error " << error;
    previous = error;
  }
}

TEST(Rk4, ReturnsTheFirstStageAsTheVelocityAtTheStep) {
  Vec2d k1{};
  flows::rk4Step(rotatingField, Vec2d{2.0, -1.0}, 0.5, 0.1, &k1);
  const Vec2d expected = rotatingField({2.0, -1.0}, 0.5);
  EXPECT_DOUBLE_EQ(k1.x, expected.x);
  EXPECT_DOUBLE_EQ(k1.y, expected.y);
}

}  // namespace
}  // namespace rankflow
