#pragma once
#include <cstddef>
// Launchers for the flow kernels (docs/MATHEMATICS.md §4 on the GPU); device pointers only. This header
// is C++17 without <span> because nvcc compiles flow_kernels.cu as C++17, and it names no
// CUDA type, so cuda_backend.cpp includes it with the host compiler.
#include <cstdint>

#include "core/common/vec2.h"
#include "core/flows/schedule.h"
#include "core/flows/solvers.h"

namespace rankflow::kernels {

// out[p·(maxOrder + 1) + k] = the order-k field at points[p]: the marginal u_k, or (when
// lagrangian) x, v, a, j along the ODE. Every pointer is a device pointer.
// `scratch` holds fieldScratchFloats(dataCount, pointCount) floats of device memory: the
// marginal fields split the data among blocks when the points alone would leave the GPU
// idle (a few thousand points fill 32 of 132 SMs), each block writing its partial online
// softmax there before one merge pass.
void launchFields(const Vec2f* data, int dataCount, const Vec2f* points, int pointCount, flows::Schedule schedule,
                  bool lagrangian, float t, int maxOrder, Vec2f* out, float* scratch);

// Blocks along the data for the marginal fields (1: no split), and the scratch they need.
int fieldDataSplits(int dataCount, int pointCount);
std::size_t fieldScratchFloats(int dataCount, int pointCount);

// What one sampling launch needs; the layout of every output is that of flows::SampleResult.
struct SampleLaunch {
  const Vec2f* data = nullptr;
  int dataCount = 0;
  const Vec2f* start = nullptr;
  int particleCount = 0;
  flows::Solver solver = flows::Solver::Rk4;
  flows::Schedule schedule = flows::Schedule::Linear;
  // The grid: frameTimes[f] = TimeGrid::timeAt(f) for f = 0..steps in device memory,
  // computed on the host by the function the CPU driver calls rather than recomputed by
  // nvcc, whose fused multiply-add could move a time by an ulp (and a frame across
  // kTimeMax); t1 and stepSize as TimeGrid has them.
  const float* frameTimes = nullptr;
  float t1 = 1.0f;
  float stepSize = 0.01f;  // Dormand–Prince's first trial step
  int steps = 100;
  bool trackDensity = false;
  Vec2f* positions = nullptr;   // (steps + 1) × particleCount, frame-major
  Vec2f* velocities = nullptr;  // same
  float* logDensity = nullptr;  // same, when trackDensity

  // Dormand–Prince only.
  float absoluteTolerance = 1e-5f;
  float relativeTolerance = 1e-5f;
  int maxStepsPerFrame = 10000;
  int* acceptedSteps = nullptr;       // per particle
  int* rejectedSteps = nullptr;       // per particle
  int* exhaustedParticles = nullptr;  // one counter, zeroed by the caller
  // Accepted step times, in one of two layouts. With stepOffsets (CSR, particleCount + 1
  // entries) particle p writes stepTimes[stepOffsets[p] ..]; without, it writes
  // stepTimes[p·stepCapacity ..] and drops the times past stepCapacity (its count in
  // acceptedSteps is still exact, so the caller can size the CSR and launch again).
  float* stepTimes = nullptr;
  const std::uint64_t* stepOffsets = nullptr;
  int stepCapacity = 0;
};

// Integrates every particle through every frame of the grid (one thread per particle).
void launchSample(const SampleLaunch& launch);

// Copies the padded step times of a launch without stepOffsets into CSR order:
// out[offsets[p] + k] = padded[p·capacity + k] for k < offsets[p + 1] − offsets[p].
void launchCompactStepTimes(const float* padded, int capacity, const std::uint64_t* offsets, int particleCount,
                            float* out);

}  // namespace rankflow::kernels
