#include "core/flows/samplers.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>

#include "core/common/error.h"
#include "core/common/parallel_for.h"
#include "core/flows/column_posterior.h"

namespace rankflow::flows {
namespace {

// The velocity of the data through the fastest CPU path for it.
class CpuVelocity {
 public:
  CpuVelocity(const FlowData& data, Schedule schedule) : view_(data.view()), schedule_(schedule) {
    if (data.isEmpirical()) column_ = std::make_unique<ColumnVelocity>(data.points, schedule);
  }
  Vec2f operator()(Vec2f x, float t) const {
    return column_ ? (*column_)(x, t) : velocityField(view_, schedule_, x, t);
  }

 private:
  DataView<float> view_;
  Schedule schedule_;
  // A pointer, not std::optional: GCC 12 with sanitizers misreads an optional Eigen
  // array's destructor as maybe-uninitialised.
  std::unique_ptr<ColumnVelocity> column_;
};

// (v, −∇·v) for the augmented state: one Dual evaluation gives both.
struct DensityField {
  DataView<float> data;
  Schedule schedule;
  FlowState<float> operator()(const FlowState<float>& s, float t) const {
    const auto vj = velocityJacobian(data, schedule, s.x, t);
    return {vj.velocity, -vj.divergence()};
  }
};

struct LagrangianField {
  DataView<float> data;
  Schedule schedule;
  LagrangianDerivatives<float> operator()(Vec2f x, float t) const {
    return lagrangianDerivatives(data, schedule, x, t);
  }
};

// Counts finished particles over all threads and reports every `every` of them; returns
// false once the caller has cancelled.
class ParticleProgress {
 public:
  ParticleProgress(const ProgressFn& progress, std::size_t total, std::size_t every = 32)
      : progress_(progress), total_(total), every_(every) {}
  bool finishedOne() {
    const std::size_t finished = done_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (progress_ && finished % every_ == 0 && !progress_(static_cast<double>(finished) / static_cast<double>(total_)))
      cancelled_ = true;
    return !cancelled_.load(std::memory_order_relaxed);
  }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  const ProgressFn& progress_;
  std::size_t total_;
  std::size_t every_;
  std::atomic<std::size_t> done_{0};
  std::atomic<bool> cancelled_{false};
};

// The fixed-step solvers as generic callables, so one body serves x and (x, log p).
constexpr auto kEuler = [](const auto& f, const auto& x, float at, float step, auto* k) {
  return eulerStep(f, x, at, step, k);
};
constexpr auto kHeun = [](const auto& f, const auto& x, float at, float step, auto* k) {
  return heunStep(f, x, at, step, k);
};
constexpr auto kRk4 = [](const auto& f, const auto& x, float at, float step, auto* k) {
  return rk4Step(f, x, at, step, k);
};

}  // namespace

const char* solverName(Solver solver) {
  switch (solver) {
    case Solver::Euler:
      return "euler";
    case Solver::Heun:
      return "heun";
    case Solver::Rk4:
      return "rk4";
    case Solver::DormandPrince:
      return "dopri5";
    case Solver::Taylor3:
      return "taylor3";
  }
  return "?";
}

std::vector<Solver> allSolvers() {
  return {Solver::Euler, Solver::Heun, Solver::Rk4, Solver::DormandPrince, Solver::Taylor3};
}

Solver parseSolver(const std::string& name) {
  for (Solver s : allSolvers()) {
    if (name == solverName(s)) return s;
  }
  if (name == "dormand-prince") return Solver::DormandPrince;
  throw InvalidArgument("unknown solver '" + name + "' (solvers: euler, heun, rk4, dopri5, taylor3)");
}

int fieldEvaluationsPerStep(Solver solver) {
  switch (solver) {
    case Solver::Euler:
      return 1;
    case Solver::Heun:
      return 2;
    case Solver::Rk4:
      return 4;
    case Solver::DormandPrince:
      return 6;
    case Solver::Taylor3:
      return 3;
  }
  return 0;
}

void SamplerOptions::validate() const {
  grid.validate();
  if (!(grid.t0 >= 0.0f && grid.t1 <= 1.0f)) throw InvalidArgument("sample: the time grid must lie in [0, 1]");
  if (!(absoluteTolerance > 0.0f) || !(relativeTolerance >= 0.0f) || !std::isfinite(absoluteTolerance) ||
      !std::isfinite(relativeTolerance))
    throw InvalidArgument("sample: tolerances must be positive and finite");
  if (maxStepsPerFrame < 1) throw InvalidArgument("sample: the step limit must be at least 1");
}

SampleResult sampleFlow(const FlowData& data, std::span<const Vec2f> start, const SamplerOptions& options,
                        const ProgressFn& progress) {
  data.validate();
  options.validate();
  if (start.empty()) throw InvalidArgument("sample: no particles");
  requireFinitePoints(start, "particle start");
  const std::size_t n = start.size();
  const TimeGrid& grid = options.grid;
  const float h = grid.stepSize();
  const bool adaptive = options.solver == Solver::DormandPrince;

  SampleResult result;
  result.store = TrajectoryStore(static_cast<int>(n), grid);
  if (options.trackDensity) result.logDensity.assign(n * static_cast<std::size_t>(grid.steps + 1), 0.0f);
  std::vector<std::vector<float>> stepTimes;
  if (adaptive) {
    result.acceptedSteps.assign(n, 0);
    result.rejectedSteps.assign(n, 0);
    stepTimes.resize(n);
  }
  std::atomic<int> exhausted{0};
  ParticleProgress counter(progress, n);
  const DataView<float> view = data.view();
  const DensityField densityField{view, options.schedule};
  const LagrangianField lagrangian{view, options.schedule};

  parallelFor(n, [&](std::size_t begin, std::size_t end) {
    const CpuVelocity velocity(data, options.schedule);
    for (std::size_t p = begin; p < end; ++p) {
      if (counter.cancelled()) return;
      FlowState<float> s{start[p], static_cast<float>(standardNormalLogDensity(start[p].cast<double>()))};
      if (grid.t0 > 0.0f && options.trackDensity) {
        // Starting later than t = 0 the initial density is unknown; log p is then relative.
        s.logDensity = 0.0f;
      }
      float hAdaptive = h;
      AdaptiveCounts counts;
      // One solver step (or adaptive integration) of length dt from t; returns v at t.
      // A fixed-step solver on the particle, with log p as part of the state when tracked;
      // returns v at t (the solver's first stage).
      auto fixedStep = [&](const auto& solverStep, float t, float dt) -> Vec2f {
        if (options.trackDensity) {
          FlowState<float> k{};
          s = solverStep(densityField, s, t, dt, &k);
          return k.x;
        }
        Vec2f v{};
        s.x = solverStep(velocity, s.x, t, dt, &v);
        return v;
      };
      // One solver step (or adaptive integration) of length dt from t; returns v at t.
      auto advance = [&](float t, float dt) -> Vec2f {
        Vec2f v{};
        switch (options.solver) {
          case Solver::Euler:
            return fixedStep(kEuler, t, dt);
          case Solver::Heun:
            return fixedStep(kHeun, t, dt);
          case Solver::Rk4:
            return fixedStep(kRk4, t, dt);
          case Solver::Taylor3: {
            const auto d = lagrangian(s.x, t);
            const Vec2f next = taylor3Polynomial(s.x, d, dt);
            if (options.trackDensity) {
              // Simpson's rule for log p, with the midpoint on the same Taylor polynomial.
              const Vec2f mid = taylor3Polynomial(s.x, d, 0.5f * dt);
              const float d0 = velocityJacobian(view, options.schedule, s.x, t).divergence();
              const float d1 = velocityJacobian(view, options.schedule, mid, t + 0.5f * dt).divergence();
              const float d2 = velocityJacobian(view, options.schedule, next, t + dt).divergence();
              s.logDensity -= dt / 6.0f * (d0 + 4.0f * d1 + d2);
            }
            s.x = next;
            return d.velocity;
          }
          case Solver::DormandPrince: {
            v = velocity(s.x, t);
            auto record = [&](float at) { stepTimes[p].push_back(at); };
            if (options.trackDensity) {
              s = integrateAdaptive(densityField, s, t, t + dt, options.absoluteTolerance, options.relativeTolerance,
                                    options.maxStepsPerFrame, hAdaptive, counts, record);
            } else {
              s.x = integrateAdaptive(velocity, s.x, t, t + dt, options.absoluteTolerance, options.relativeTolerance,
                                      options.maxStepsPerFrame, hAdaptive, counts, record);
            }
            return v;
          }
        }
        return v;
      };
      // Past kTimeMax the field is evaluated at kTimeMax and no longer knows where a
      // particle came from (at t = 1 the noise is gone: u_1 is 0/0 there), so a solver
      // stage at t = 1 would pull the particle off its path. Particles therefore coast
      // from kTimeMax at their velocity there: exact on straight paths, O((1 − kTimeMax)²)
      // elsewhere.
      Vec2f coastVelocity{};
      auto coast = [&](float dt) {
        if (options.trackDensity) {
          const FlowState<float> k = densityField(s, kTimeMax);
          coastVelocity = k.x;
          s = s + dt * k;
        } else {
          coastVelocity = velocity(s.x, kTimeMax);
          s.x = s.x + dt * coastVelocity;
        }
      };
      for (int f = 0; f < grid.steps; ++f) {
        const float t = grid.timeAt(f);
        const float tNext = grid.timeAt(f + 1);
        result.store.positions(f)[p] = s.x;
        if (options.trackDensity) result.logDensity[static_cast<std::size_t>(f) * n + p] = s.logDensity;
        Vec2f v{};
        if (tNext <= kTimeMax) {
          v = advance(t, tNext - t);
        } else if (t < kTimeMax) {
          v = advance(t, kTimeMax - t);
          coast(tNext - kTimeMax);
        } else {
          coast(tNext - t);
          v = coastVelocity;
        }
        result.store.velocities(f)[p] = v;
      }
      result.store.positions(grid.steps)[p] = s.x;
      result.store.velocities(grid.steps)[p] = grid.t1 <= kTimeMax ? velocity(s.x, grid.t1) : coastVelocity;
      if (options.trackDensity) result.logDensity[static_cast<std::size_t>(grid.steps) * n + p] = s.logDensity;
      if (adaptive) {
        result.acceptedSteps[p] = counts.accepted;
        result.rejectedSteps[p] = counts.rejected;
        if (counts.exhausted) exhausted.fetch_add(1, std::memory_order_relaxed);
      }
      if (!counter.finishedOne()) return;
    }
  });
  if (counter.cancelled() || (progress && !progress(1.0))) throw Cancelled();

  result.exhaustedParticles = exhausted.load();
  const std::uint64_t perStep = static_cast<std::uint64_t>(fieldEvaluationsPerStep(options.solver));
  if (adaptive) {
    result.stepOffsets.assign(n + 1, 0);
    std::uint64_t evaluations = 0;
    for (std::size_t p = 0; p < n; ++p) {
      result.stepOffsets[p + 1] = result.stepOffsets[p] + stepTimes[p].size();
      // One k1 per frame interval, six more per attempted step.
      evaluations += static_cast<std::uint64_t>(grid.steps) +
                     6u * static_cast<std::uint64_t>(result.acceptedSteps[p] + result.rejectedSteps[p]);
    }
    result.stepTimes.reserve(result.stepOffsets[n]);
    for (auto& times : stepTimes) result.stepTimes.insert(result.stepTimes.end(), times.begin(), times.end());
    result.fieldEvaluations = evaluations;
  } else {
    result.fieldEvaluations = perStep * static_cast<std::uint64_t>(grid.steps) * n;
  }
  return result;
}

std::vector<float> logDensityAt(const FlowData& data, Schedule schedule, float t, std::span<const Vec2f> points,
                                int stepsPerUnitTime, const ProgressFn& progress, int progressEvery) {
  data.validate();
  if (!(t >= 0.0f && t <= 1.0f)) throw InvalidArgument("density: t must lie in [0, 1]");
  if (stepsPerUnitTime < 1 || stepsPerUnitTime > 100000) throw InvalidArgument("density: steps must be 1..100000");
  if (progressEvery < 1) throw InvalidArgument("density: progressEvery must be at least 1");
  requireFinitePoints(points, "density");
  std::vector<float> out(points.size());
  const int steps = std::max(1, static_cast<int>(std::ceil(t * static_cast<float>(stepsPerUnitTime))));
  const float h = -t / static_cast<float>(steps);  // backwards in time
  const DensityField field{data.view(), schedule};
  ParticleProgress counter(progress, points.size(), static_cast<std::size_t>(progressEvery));
  parallelFor(points.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      if (counter.cancelled()) return;
      // logDensity here accumulates −∫ ∇·v from t down to 0, i.e. +∫_0^t ∇·v.
      FlowState<float> s{points[i], 0.0f};
      for (int k = 0; k < steps; ++k) s = rk4Step(field, s, t + static_cast<float>(k) * h, h);
      out[i] = static_cast<float>(standardNormalLogDensity(s.x.cast<double>()) - s.logDensity);
      if (!counter.finishedOne()) return;
    }
  });
  if (counter.cancelled() || (progress && !progress(1.0))) throw Cancelled();
  return out;
}

DensityGrid densityOnGrid(const FlowData& data, Schedule schedule, float t, int size, float extent,
                          int stepsPerUnitTime, const ProgressFn& progress) {
  DensityGrid out;
  out.size = size;
  out.extent = extent;
  out.t = t;
  out.logDensity = logDensityAt(data, schedule, t, squareGrid(size, extent), stepsPerUnitTime, progress, 32);
  return out;
}

StraightnessReport measureStraightness(const FlowData& data, Schedule schedule, const TrajectoryStore& store,
                                       int accelerationParticles) {
  data.validate();
  const int n = store.particleCount();
  if (n < 1) throw InvalidArgument("straightness: no trajectories");
  const TimeGrid& grid = store.grid();
  const float h = grid.stepSize();
  StraightnessReport report;
  report.particles = n;
  double total = 0.0;
  for (int p = 0; p < n; ++p) {
    const Vec2f chord =
        store.positions(grid.steps)[static_cast<std::size_t>(p)] - store.positions(0)[static_cast<std::size_t>(p)];
    double integral = 0.0;
    for (int f = 0; f <= grid.steps; ++f) {
      const double e = squaredNorm(store.velocities(f)[static_cast<std::size_t>(p)] - chord);
      integral += (f == 0 || f == grid.steps ? 0.5 : 1.0) * e;
    }
    total += integral * h;
  }
  report.straightness = total / n;

  // The acceleration needs two AD passes over the data per frame: a strided subset of
  // particles keeps this interactive while covering the whole set.
  const int sampleCount = std::clamp(accelerationParticles, 1, n);
  const int stride = n / sampleCount;
  const DataView<float> view = data.view();
  std::vector<double> sums(static_cast<std::size_t>(sampleCount), 0.0);
  parallelFor(static_cast<std::size_t>(sampleCount), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const std::size_t p = i * static_cast<std::size_t>(stride);
      double s = 0.0;
      for (int f = 0; f <= grid.steps; ++f) {
        const auto d = lagrangianDerivatives(view, schedule, store.positions(f)[p], grid.timeAt(f), 2);
        s += std::sqrt(static_cast<double>(squaredNorm(d.acceleration)));
      }
      sums[i] = s / (grid.steps + 1);
    }
  });
  double acc = 0.0;
  for (double s : sums) acc += s;
  report.meanAcceleration = acc / sampleCount;
  report.accelerationParticles = sampleCount;
  return report;
}

}  // namespace rankflow::flows
