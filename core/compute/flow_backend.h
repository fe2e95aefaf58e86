#pragma once
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

#include "core/common/vec2.h"
#include "core/flows/trajectory_store.h"

namespace rankflow::compute {

enum class BackendKind { Cpu, Cuda };

// Called with the fraction done (0..1) from worker threads, so it must be thread-safe;
// returning false cancels the work, which then throws Cancelled.
using ProgressFn = std::function<bool(double fraction)>;

class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

const char* backendKindName(BackendKind kind);

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

  // Exact marginal velocity u_1(x, t) of the empirical data (linear path) at each point.
  void velocity(std::span<const Vec2f> data, float t, std::span<const Vec2f> points, std::span<Vec2f> out) const;

  // RK4 from `start` at grid.t0 to grid.t1, storing every step's positions and velocities.
  flows::TrajectoryStore integrateRk4(std::span<const Vec2f> data, std::span<const Vec2f> start,
                                      const flows::TimeGrid& grid, const ProgressFn& progress = {}) const;

 protected:
  virtual void velocityImpl(std::span<const Vec2f> data, float t, std::span<const Vec2f> points,
                            std::span<Vec2f> out) const = 0;
  // progress may be empty.
  virtual void integrateRk4Impl(std::span<const Vec2f> data, std::span<const Vec2f> start,
                                flows::TrajectoryStore& store, const ProgressFn& progress) const = 0;
};

std::unique_ptr<FlowBackend> makeCpuBackend();

}  // namespace rankflow::compute
