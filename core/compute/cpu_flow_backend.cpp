// The Eigen CPU backend: each worker integrates a contiguous block of particles through
// every step (no synchronisation between steps), and each field evaluation is a
// vectorised two-pass softmax over the data held as structure-of-arrays.
#include <Eigen/Core>
#include <atomic>
#include <string>

#include "core/common/parallel_for.h"
#include "core/compute/flow_backend.h"
#include "core/flows/marginal_velocity.h"
#include "core/flows/rk4.h"

namespace rankflow::compute {
namespace {

using flows::TrajectoryStore;

// Data in structure-of-arrays form, shared read-only by all workers.
struct DataColumns {
  Eigen::ArrayXf xs;
  Eigen::ArrayXf ys;

  explicit DataColumns(std::span<const Vec2f> data) : xs(data.size()), ys(data.size()) {
    for (std::size_t i = 0; i < data.size(); ++i) {
      xs[static_cast<Eigen::Index>(i)] = data[i].x;
      ys[static_cast<Eigen::Index>(i)] = data[i].y;
    }
  }
};

// One per worker: owns the scratch the two passes write into.
class VelocityEvaluator {
 public:
  explicit VelocityEvaluator(const DataColumns& columns) : columns_(columns), logits_(columns.xs.size()) {}

  Vec2f operator()(Vec2f x, float t) const {
    const float a = flows::LinearPath::alpha(t);
    const float halfInvBetaSq = flows::halfInverseBetaSquared(t);
    logits_ = -((x.x - a * columns_.xs).square() + (x.y - a * columns_.ys).square()) * halfInvBetaSq;
    const float maxLogit = logits_.maxCoeff();
    logits_ = (logits_ - maxLogit).exp();
    const float inv = 1.0f / logits_.sum();
    const Vec2f mean{(logits_ * columns_.xs).sum() * inv, (logits_ * columns_.ys).sum() * inv};
    return flows::velocityFromPosteriorMean(x, mean, t);
  }

 private:
  const DataColumns& columns_;
  mutable Eigen::ArrayXf logits_;  // scratch: one evaluator per worker
};

class CpuFlowBackend final : public FlowBackend {
 public:
  BackendKind kind() const override { return BackendKind::Cpu; }

  std::string description() const override {
    return "CPU · Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
           std::to_string(EIGEN_MINOR_VERSION) + " · " + std::to_string(cpuWorkerCount()) + " threads";
  }

 protected:
  void velocityImpl(std::span<const Vec2f> data, float t, std::span<const Vec2f> points,
                    std::span<Vec2f> out) const override {
    const DataColumns columns(data);
    parallelFor(points.size(), [&](std::size_t begin, std::size_t end) {
      VelocityEvaluator field(columns);
      for (std::size_t i = begin; i < end; ++i) out[i] = field(points[i], t);
    });
  }

  void integrateRk4Impl(std::span<const Vec2f> data, std::span<const Vec2f> start, TrajectoryStore& store,
                        const ProgressFn& progress) const override {
    const DataColumns columns(data);
    const flows::TimeGrid& grid = store.grid();
    const float h = grid.stepSize();
    std::atomic<std::size_t> done{0};
    std::atomic<bool> cancelled{false};
    const double total = static_cast<double>(start.size());
    parallelFor(start.size(), [&](std::size_t begin, std::size_t end) {
      VelocityEvaluator field(columns);
      for (std::size_t p = begin; p < end; ++p) {
        if (cancelled.load(std::memory_order_relaxed)) return;
        Vec2f x = start[p];
        for (int s = 0; s < grid.steps; ++s) {
          Vec2f k1{};
          const Vec2f next = flows::rk4Step(field, x, grid.timeAt(s), h, &k1);
          store.positions(s)[p] = x;
          store.velocities(s)[p] = k1;
          x = next;
        }
        store.positions(grid.steps)[p] = x;
        store.velocities(grid.steps)[p] = field(x, grid.timeAt(grid.steps));
        // Counted over all workers, reported every 32 particles: smooth enough for a
        // progress bar however the particles are split among threads, and free.
        const std::size_t finished = done.fetch_add(1, std::memory_order_relaxed) + 1;
        if (progress && finished % 32 == 0 && !progress(static_cast<double>(finished) / total)) cancelled = true;
      }
    });
    if (cancelled) throw Cancelled();
  }
};

}  // namespace

std::unique_ptr<FlowBackend> makeCpuBackend() {
  return std::make_unique<CpuFlowBackend>();
}

}  // namespace rankflow::compute
