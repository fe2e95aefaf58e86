#pragma once
// Sampling a flow on the CPU (docs/MATHEMATICS.md §4): N particles from x_0 through the ODE ẋ = u_1 with
// Euler, Heun, RK4, adaptive Dormand–Prince or Taylor-3, stored on a time grid so time can
// be scrubbed both ways; optionally the log-density along each trajectory; the density
// on a grid; straightness and mean acceleration.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/common/vec2.h"
#include "core/flows/flow_fields.h"
#include "core/flows/solvers.h"
#include "core/flows/trajectory_store.h"

namespace rankflow::flows {

const char* solverName(Solver solver);        // "euler", "heun", "rk4", "dopri5", "taylor3"
Solver parseSolver(const std::string& name);  // throws InvalidArgument listing the names
std::vector<Solver> allSolvers();
// Evaluations of u_1 per step (Taylor-3 counts its three AD passes; Dormand–Prince its six
// stages per accepted step, rejected ones extra).
int fieldEvaluationsPerStep(Solver solver);

struct SamplerOptions {
  Solver solver = Solver::Rk4;
  Schedule schedule = Schedule::Linear;
  TimeGrid grid{};                  // stored frames; fixed-step solvers take one step per frame
  float absoluteTolerance = 1e-5f;  // Dormand–Prince
  float relativeTolerance = 1e-5f;
  int maxStepsPerFrame = 10000;  // Dormand–Prince: attempts per frame interval before giving up
  bool trackDensity = false;     // integrate log p along each trajectory
  void validate() const;
};

struct SampleResult {
  TrajectoryStore store;
  // frame-major (frameCount × N) log p(x_t) when trackDensity, else empty.
  std::vector<float> logDensity;
  // Dormand–Prince: per particle, accepted and rejected steps and the accepted step
  // times (particle p's times are stepTimes[stepOffsets[p] .. stepOffsets[p + 1])).
  std::vector<int> acceptedSteps;
  std::vector<int> rejectedSteps;
  std::vector<std::uint64_t> stepOffsets;
  std::vector<float> stepTimes;
  int exhaustedParticles = 0;  // particles whose step limit was hit (their path is cut short)
  std::uint64_t fieldEvaluations = 0;
};

// log N(x; 0, I) in 2-D: the density every flow starts from.
inline double standardNormalLogDensity(Vec2d x) {
  return -0.5 * (x.x * x.x + x.y * x.y) - 1.8378770664093453;  // log 2π
}

SampleResult sampleFlow(const FlowData& data, std::span<const Vec2f> start, const SamplerOptions& options,
                        const ProgressFn& progress = {});

struct DensityGrid {
  int size = 0;
  float extent = 0.0f;
  float t = 0.0f;
  std::vector<float> logDensity;  // size × size, row-major from the bottom-left (squareGrid's order)
};

// log p_t at `points`: each is carried back to t = 0 by RK4 (ceil(t · stepsPerUnitTime)
// steps) while −∇·v is integrated, then log p_t(x) = log N(x_0) − ∫ ∇·v (docs/MATHEMATICS.md
// §4). `progress` is called every `progressEvery` points (1: each, for the slow points near
// t = 1); throws Cancelled when it returns false.
std::vector<float> logDensityAt(const FlowData& data, Schedule schedule, float t, std::span<const Vec2f> points,
                                int stepsPerUnitTime = 100, const ProgressFn& progress = {}, int progressEvery = 1);

// log p_t on a size × size grid over [−extent, extent]²: each node is carried back to t = 0
// by RK4 (steps per unit time) while −∇·v is integrated, then log p_t(x) = log N(x_0) − ∫ ∇·v.
DensityGrid densityOnGrid(const FlowData& data, Schedule schedule, float t, int size, float extent,
                          int stepsPerUnitTime = 100, const ProgressFn& progress = {});

struct StraightnessReport {
  // E ∫ ‖ẋ(t) − (x(1) − x(0))‖² dt over the stored frames (trapezoid rule).
  double straightness = 0.0;
  // Mean ‖a‖ over the frames of up to `accelerationParticles` particles, a by AD.
  double meanAcceleration = 0.0;
  int particles = 0;
  int accelerationParticles = 0;
};

StraightnessReport measureStraightness(const FlowData& data, Schedule schedule, const TrajectoryStore& store,
                                       int accelerationParticles = 256);

}  // namespace rankflow::flows
