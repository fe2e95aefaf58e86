#pragma once
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

#include "core/common/progress.h"
#include "core/common/vec2.h"
#include "core/flows/flow_fields.h"
#include "core/flows/samplers.h"
#include "core/flows/trajectory_store.h"

namespace rankflow::compute {

enum class BackendKind { Cpu, Cuda };

using rankflow::Cancelled;
using rankflow::ProgressFn;

const char* backendKindName(BackendKind kind);

// What fields() evaluates: u_0..u_maxOrder (marginal) or x, v, a, j (Lagrangian) of the
// empirical data set `data` under `schedule` at time t.
struct FieldQuery {
  std::span<const Vec2f> data;
  flows::Schedule schedule = flows::Schedule::Linear;
  flows::FieldKind kind = flows::FieldKind::Marginal;
  float t = 0.5f;
  int maxOrder = 1;
};

// The compute interface the app, the CLI and the tests share. The CPU backend (Eigen)
// always exists; the CUDA backend (kernels/) is chosen at run time when a device does.
// Public calls validate their input once here, then dispatch to the implementation, so
// both backends reject the same bad input with the same message.
class FlowBackend {
 public:
  virtual ~FlowBackend() = default;

  virtual BackendKind kind() const = 0;
  // For people: "CPU · Eigen · 2 threads" or "CUDA · NVIDIA H100 · sm_90".
  virtual std::string description() const = 0;

  // out[p·(maxOrder + 1) + k] = the order-k field at points[p].
  void fields(const FieldQuery& query, std::span<const Vec2f> points, std::span<Vec2f> out) const;

  // Exact marginal velocity u_1(x, t) at each point.
  void velocity(std::span<const Vec2f> data, float t, std::span<const Vec2f> points, std::span<Vec2f> out,
                flows::Schedule schedule = flows::Schedule::Linear) const;

  // Particles from `start` through the flow of `data` with options.solver, every frame of
  // options.grid stored (and log p when options.trackDensity).
  flows::SampleResult sample(std::span<const Vec2f> data, std::span<const Vec2f> start,
                             const flows::SamplerOptions& options, const ProgressFn& progress = {}) const;

  // RK4 on the linear path from `start` at grid.t0 to grid.t1 (the default scene).
  flows::TrajectoryStore integrateRk4(std::span<const Vec2f> data, std::span<const Vec2f> start,
                                      const flows::TimeGrid& grid, const ProgressFn& progress = {}) const;

  // Device time of the last fields() or sample() call (CUDA events): what benchmarks report
  // as kernel time beside their end-to-end time. 0 on the CPU, which has no such split.
  virtual double lastKernelSeconds() const { return 0.0; }

 protected:
  // Inputs are validated; out has the right size; points is not empty.
  virtual void fieldsImpl(const FieldQuery& query, std::span<const Vec2f> points, std::span<Vec2f> out) const = 0;
  // progress may be empty.
  virtual flows::SampleResult sampleImpl(std::span<const Vec2f> data, std::span<const Vec2f> start,
                                         const flows::SamplerOptions& options, const ProgressFn& progress) const = 0;
};

std::unique_ptr<FlowBackend> makeCpuBackend();

}  // namespace rankflow::compute
