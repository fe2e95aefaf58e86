// Solvers, density tracking and straightness (docs/MATHEMATICS.md §4) against closed-form solutions.
#include "core/flows/samplers.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/common/error.h"
#include "core/flows/field_model.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using flows::FlowData;
using flows::Schedule;
using flows::Solver;

flows::DataView<float> viewOf(const std::vector<Vec2f>& points) {
  flows::DataView<float> v;
  v.points = points.data();
  v.count = static_cast<int>(points.size());
  return v;
}

// One datum y: the particle from z follows x_t = α(t) y + β(t) z exactly. With the
// trigonometric schedule that path is curved, so every solver's error is visible.
struct KnownSolution {
  std::vector<Vec2f> data{{1.2f, -0.7f}};
  Vec2d z{-0.5, 0.8};
  Schedule schedule = Schedule::Trigonometric;
  double t1 = 0.9;

  Vec2d exact() const {
    const auto p = flows::pathAt(schedule, t1);
    return p.alpha[0] * data[0].cast<double>() + p.beta[0] * z;
  }
};

double solveError(const KnownSolution& problem, Solver solver, int steps) {
  const auto view = viewOf(problem.data);
  const auto velocity = [&](Vec2d x, double t) { return flows::velocityField(view, problem.schedule, x, t); };
  const auto lagrangian = [&](Vec2d x, double t) { return flows::lagrangianDerivatives(view, problem.schedule, x, t); };
  const double h = problem.t1 / steps;
  Vec2d x = problem.z;
  for (int i = 0; i < steps; ++i) {
    const double t = i * h;
    switch (solver) {
      case Solver::Euler:
        x = flows::eulerStep(velocity, x, t, h);
        break;
      case Solver::Heun:
        x = flows::heunStep(velocity, x, t, h);
        break;
      case Solver::Rk4:
        x = flows::rk4Step(velocity, x, t, h);
        break;
      case Solver::Taylor3:
        x = flows::taylor3Step(lagrangian, x, t, h);
        break;
      case Solver::DormandPrince:
        break;
    }
  }
  return std::sqrt(squaredNorm(x - problem.exact()));
}

TEST(Solvers, ConvergeAtTheirOrderOnAFieldWithAKnownSolution) {
  const KnownSolution problem;
  const struct {
    Solver solver;
    double order;
  } cases[] = {{Solver::Euler, 1.0}, {Solver::Heun, 2.0}, {Solver::Rk4, 4.0}, {Solver::Taylor3, 3.0}};
  for (const auto& c : cases) {
    const double coarse = solveError(problem, c.solver, 16);
    const double fine = solveError(problem, c.solver, 32);
    const double observed = std::log2(coarse / fine);
    EXPECT_NEAR(observed, c.order, 0.25) << flows::solverName(c.solver) << " errors " << coarse << " " << fine;
  }
}

TEST(Solvers, DormandPrinceMeetsItsToleranceAndRecordsAcceptedSteps) {
  const KnownSolution problem;
  const auto view = viewOf(problem.data);
  const auto velocity = [&](Vec2d x, double t) { return flows::velocityField(view, problem.schedule, x, t); };
  double previousError = 1.0;
  int previousSteps = 0;
  for (double tol : {1e-4, 1e-7, 1e-10}) {
    double h = 0.1;
    flows::AdaptiveCounts counts;
    std::vector<double> times;
    const Vec2d x = flows::integrateAdaptive(velocity, problem.z, 0.0, problem.t1, tol, tol, 10000, h, counts,
                                             [&](double t) { times.push_back(t); });
    const double err = std::sqrt(squaredNorm(x - problem.exact()));
    EXPECT_LT(err, 100 * tol) << "tolerance " << tol;
    EXPECT_LT(err, previousError);
    EXPECT_GT(counts.accepted, previousSteps);
    EXPECT_EQ(static_cast<int>(times.size()), counts.accepted);
    EXPECT_DOUBLE_EQ(times.back(), problem.t1);
    EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
    EXPECT_FALSE(counts.exhausted);
    previousError = err;
    previousSteps = counts.accepted;
  }
}

TEST(Sampler, EverySolverStoresFramesAndAgreesWithTheExactPath) {
  const KnownSolution problem;
  const FlowData data = FlowData::empirical(problem.data);
  const std::vector<Vec2f> start = {problem.z.cast<float>(), Vec2f{0.3f, 0.1f}};
  for (Solver solver : flows::allSolvers()) {
    flows::SamplerOptions options;
    options.solver = solver;
    options.schedule = problem.schedule;
    options.grid = {0.0f, 0.9f, 60};
    const auto result = flows::sampleFlow(data, start, options);
    ASSERT_EQ(result.store.frameCount(), 61);
    const Vec2f end = result.store.positions(60)[0];
    const double err = std::sqrt(squaredNorm(end.cast<double>() - problem.exact()));
    const double tolerance = solver == Solver::Euler ? 5e-2 : (solver == Solver::Heun ? 1e-3 : 1e-4);
    EXPECT_LT(err, tolerance) << flows::solverName(solver);
    // Scrubbing backwards to the start returns the start.
    EXPECT_LT(std::sqrt(squaredNorm(result.store.positionAt(0, 0.0f) - start[0])), 1e-6);
    if (solver == Solver::DormandPrince) {
      ASSERT_EQ(result.acceptedSteps.size(), 2u);
      EXPECT_GE(result.acceptedSteps[0], 60);
      EXPECT_EQ(result.stepOffsets.back(), result.stepTimes.size());
    }
    EXPECT_GT(result.fieldEvaluations, 0u);
  }
}

TEST(Density, GaussianToGaussianTransportMatchesTheAnalyticDensity) {
  // Data N(μ, s² I): x_t ~ N(α μ, (α² s² + β²) I), so log p along every trajectory is known.
  flows::GaussianMixture mixture;
  const Vec2f mu{0.8f, -0.5f};
  const float s2 = 0.25f;
  mixture.components = {{mu, s2, 1.0f}};
  const FlowData data = FlowData::fromMixture(mixture);
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto start = testing::randomPoints(64, 1.0f, seed);
  for (Schedule schedule : {Schedule::Linear, Schedule::Trigonometric}) {
    for (Solver solver : {Solver::Rk4, Solver::Heun, Solver::Taylor3, Solver::DormandPrince}) {
      flows::SamplerOptions options;
      options.solver = solver;
      options.schedule = schedule;
      options.grid = {0.0f, 1.0f, 50};
      options.trackDensity = true;
      const auto result = flows::sampleFlow(data, start, options);
      double worst = 0.0;
      for (int f = 0; f <= 50; f += 10) {
        // Unclamped α, β: the last frame (t = 1) checks the coast past kTimeMax too.
        const double t = options.grid.timeAt(f);
        const double alpha = schedule == Schedule::Linear ? t : std::sin(M_PI / 2 * t);
        const double beta = schedule == Schedule::Linear ? 1 - t : std::cos(M_PI / 2 * t);
        const double var = alpha * alpha * s2 + beta * beta;
        for (std::size_t i = 0; i < start.size(); ++i) {
          const Vec2d x = result.store.positions(f)[i].cast<double>();
          const Vec2d d = x - alpha * mu.cast<double>();
          const double analytic = -squaredNorm(d) / (2 * var) - std::log(2 * M_PI * var);
          worst =
              std::max(worst, std::abs(result.logDensity[static_cast<std::size_t>(f) * start.size() + i] - analytic));
        }
      }
      const double tolerance = solver == Solver::Heun ? 2e-2 : 2e-3;
      EXPECT_LT(worst, tolerance) << flows::scheduleName(schedule) << " " << flows::solverName(solver);
    }
  }
  // The same density on a grid, by carrying each node back to t = 0.
  const auto grid = flows::densityOnGrid(data, Schedule::Linear, 0.6f, 9, 2.0f, 60);
  const auto nodes = flows::squareGrid(9, 2.0f);
  const auto p = flows::pathAt(Schedule::Linear, 0.6);
  const double var = p.alpha[0] * p.alpha[0] * s2 + p.beta[0] * p.beta[0];
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Vec2d d = nodes[i].cast<double>() - p.alpha[0] * mu.cast<double>();
    EXPECT_NEAR(grid.logDensity[i], -squaredNorm(d) / (2 * var) - std::log(2 * M_PI * var), 2e-3) << "node " << i;
  }
}

TEST(Straightness, IsZeroForOneDatumOnTheLinearPathAndPositiveForAMixture) {
  const std::vector<Vec2f> start = testing::randomPoints(32, 1.0f, 5);
  flows::SamplerOptions options;
  options.grid = {0.0f, 1.0f, 40};
  const FlowData one = FlowData::empirical({{1.0f, 1.0f}});
  const auto straight = flows::measureStraightness(one, Schedule::Linear, flows::sampleFlow(one, start, options).store);
  EXPECT_LT(straight.straightness, 1e-6);
  EXPECT_LT(straight.meanAcceleration, 1e-3);
  const FlowData many = FlowData::empirical(testing::randomPoints(64, 2.0f, 9));
  const auto curved = flows::measureStraightness(many, Schedule::Linear, flows::sampleFlow(many, start, options).store);
  EXPECT_GT(curved.straightness, 1e-3);
  EXPECT_GT(curved.meanAcceleration, 1e-2);
}

TEST(Sampler, RejectsBadInputAndCancels) {
  const FlowData data = FlowData::empirical({{1.0f, 1.0f}});
  flows::SamplerOptions options;
  EXPECT_THROW(flows::sampleFlow(data, {}, options), InvalidArgument);
  const std::vector<Vec2f> nan = {{std::nanf(""), 0.0f}};
  EXPECT_THROW(flows::sampleFlow(data, nan, options), InvalidArgument);
  options.grid.steps = 0;
  const std::vector<Vec2f> start = testing::randomPoints(100, 1.0f, 1);
  EXPECT_THROW(flows::sampleFlow(data, start, options), InvalidArgument);
  options.grid = {0.0f, 1.0f, 10};
  options.absoluteTolerance = 0.0f;
  EXPECT_THROW(flows::sampleFlow(data, start, options), InvalidArgument);
  options.absoluteTolerance = 1e-5f;
  EXPECT_THROW(flows::parseSolver("leapfrog"), InvalidArgument);
  EXPECT_THROW(flows::sampleFlow(data, start, options, [](double) { return false; }), Cancelled);
  EXPECT_THROW(flows::densityOnGrid(data, Schedule::Linear, 2.0f, 8, 2.0f), InvalidArgument);
  EXPECT_THROW(flows::densityOnGrid(data, Schedule::Linear, 0.5f, 0, 2.0f), InvalidArgument);
}

}  // namespace
}  // namespace rankflow
