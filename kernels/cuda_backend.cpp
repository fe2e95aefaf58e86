// Host side of the CUDA backend: device memory, transfers and the probe. Compiled by the
// host compiler against the CUDA runtime; the kernels themselves are in flow_kernels.cu.
#include "kernels/cuda_backend.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/common/error.h"
#include "core/flows/samplers.h"
#include "kernels/cuda_check.h"
#include "kernels/device_buffer.h"
#include "kernels/flow_kernels.h"

namespace rankflow::kernels {
namespace {

// Owning device allocation of `count` elements.
template <class T>
class DeviceArray {
 public:
  explicit DeviceArray(std::size_t count) : count_(count) {
    if (count_ > 0) CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&ptr_), count_ * sizeof(T)));
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  DeviceArray(DeviceArray&& other) noexcept : count_(other.count_), ptr_(other.ptr_) { other.ptr_ = nullptr; }
  DeviceArray& operator=(DeviceArray&&) = delete;
  ~DeviceArray() {
    if (ptr_) cudaFree(ptr_);  // no throw from a destructor; a lost device reports elsewhere
  }

  static DeviceArray upload(std::span<const T> host) {
    DeviceArray array(host.size());
    if (!host.empty()) CUDA_CHECK(cudaMemcpy(array.ptr_, host.data(), host.size_bytes(), cudaMemcpyHostToDevice));
    return array;
  }
  // Fills the first host.size() elements.
  void copyFrom(std::span<const T> host) {
    if (!host.empty()) CUDA_CHECK(cudaMemcpy(ptr_, host.data(), host.size_bytes(), cudaMemcpyHostToDevice));
  }
  void download(std::span<T> host) const {
    if (!host.empty()) CUDA_CHECK(cudaMemcpy(host.data(), ptr_, host.size_bytes(), cudaMemcpyDeviceToHost));
  }
  T* get() const { return ptr_; }

 private:
  std::size_t count_ = 0;
  T* ptr_ = nullptr;
};

std::string formatDevice(int device) {
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  char memory[32];
  std::snprintf(memory, sizeof memory, "%.1f GiB",
                static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
  return std::string(prop.name) + " · sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + " · " + memory;
}

// Device memory per particle for Dormand–Prince step times in the first launch; a
// particle that takes more steps than fit is counted exactly and the launch repeated
// with the times laid out by those counts.
constexpr std::size_t kStepTimeBudgetBytes = std::size_t{256} << 20;

int stepCapacityFor(int particles, int steps) {
  const std::size_t perParticle = kStepTimeBudgetBytes / sizeof(float) / static_cast<std::size_t>(particles);
  // A particle accepts at least one step per frame; eight per frame covers the usual case.
  const std::size_t wanted = 8 * static_cast<std::size_t>(steps) + 64;
  return static_cast<int>(std::max<std::size_t>(1, std::min(perParticle, wanted)));
}

int launchCount(std::size_t count, const char* what) {
  if (count > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw InvalidArgument(std::string(what) + ": more than 2^31 − 1 in one CUDA launch");
  return static_cast<int>(count);
}

class CudaFlowBackend final : public compute::FlowBackend {
 public:
  explicit CudaFlowBackend(std::string device) : device_(std::move(device)) {}

  compute::BackendKind kind() const override { return compute::BackendKind::Cuda; }
  std::string description() const override { return "CUDA · " + device_; }
  double lastKernelSeconds() const override { return lastKernelSeconds_; }

 protected:
  void fieldsImpl(const compute::FieldQuery& query, std::span<const Vec2f> points,
                  std::span<Vec2f> out) const override {
    const auto deviceData = DeviceArray<Vec2f>::upload(query.data);
    const auto devicePoints = DeviceArray<Vec2f>::upload(points);
    DeviceArray<Vec2f> deviceOut(out.size());
    const int pointCount = launchCount(points.size(), "fields: points");
    DeviceArray<float> scratch(fieldScratchFloats(static_cast<int>(query.data.size()), pointCount));
    EventTimer timer;
    timer.start();
    launchFields(deviceData.get(), static_cast<int>(query.data.size()), devicePoints.get(), pointCount, query.schedule,
                 query.kind == flows::FieldKind::Lagrangian, query.t, query.maxOrder, deviceOut.get(), scratch.get());
    timer.stop();
    lastKernelSeconds_ = timer.seconds();
    CUDA_CHECK(cudaDeviceSynchronize());
    deviceOut.download(out);
  }

  flows::SampleResult sampleImpl(std::span<const Vec2f> data, std::span<const Vec2f> start,
                                 const flows::SamplerOptions& options,
                                 const compute::ProgressFn& progress) const override {
    // One launch integrates every particle: progress is reported before it (and by the
    // base class after it).
    if (progress && !progress(0.0)) throw compute::Cancelled();
    const int n = launchCount(start.size(), "sample: particles");
    const flows::TimeGrid& grid = options.grid;
    const std::size_t total = static_cast<std::size_t>(n) * static_cast<std::size_t>(grid.steps + 1);
    const bool adaptive = options.solver == flows::Solver::DormandPrince;

    flows::SampleResult result;
    result.store = flows::TrajectoryStore(n, grid);
    const auto deviceData = DeviceArray<Vec2f>::upload(data);
    const auto deviceStart = DeviceArray<Vec2f>::upload(start);
    DeviceArray<Vec2f> positions(total);
    DeviceArray<Vec2f> velocities(total);
    DeviceArray<float> logDensity(options.trackDensity ? total : 0);
    if (options.trackDensity) {
      // Frame 0 carries the start log-density into the kernel, by the CPU driver's rule:
      // log N(x_0; 0, I), or 0 (relative) when the grid starts later than t = 0.
      result.logDensity.assign(total, 0.0f);
      if (!(grid.t0 > 0.0f)) {
        for (int p = 0; p < n; ++p)
          result.logDensity[static_cast<std::size_t>(p)] =
              static_cast<float>(flows::standardNormalLogDensity(start[static_cast<std::size_t>(p)].cast<double>()));
      }
      logDensity.copyFrom(std::span<const float>(result.logDensity).first(static_cast<std::size_t>(n)));
    }

    std::vector<float> frameTimes(static_cast<std::size_t>(grid.steps) + 1);
    for (int f = 0; f <= grid.steps; ++f) frameTimes[static_cast<std::size_t>(f)] = grid.timeAt(f);
    const auto deviceFrameTimes = DeviceArray<float>::upload(frameTimes);

    SampleLaunch launch;
    launch.data = deviceData.get();
    launch.dataCount = static_cast<int>(data.size());
    launch.start = deviceStart.get();
    launch.particleCount = n;
    launch.solver = options.solver;
    launch.schedule = options.schedule;
    launch.frameTimes = deviceFrameTimes.get();
    launch.t1 = grid.t1;
    launch.stepSize = grid.stepSize();
    launch.steps = grid.steps;
    launch.trackDensity = options.trackDensity;
    launch.positions = positions.get();
    launch.velocities = velocities.get();
    launch.logDensity = logDensity.get();
    launch.absoluteTolerance = options.absoluteTolerance;
    launch.relativeTolerance = options.relativeTolerance;
    launch.maxStepsPerFrame = options.maxStepsPerFrame;

    const std::size_t perParticle = adaptive ? static_cast<std::size_t>(n) : 0;
    DeviceArray<int> accepted(perParticle);
    DeviceArray<int> rejected(perParticle);
    DeviceArray<int> exhausted(adaptive ? 1 : 0);
    const int capacity = adaptive ? stepCapacityFor(n, grid.steps) : 0;
    DeviceArray<float> paddedTimes(perParticle * static_cast<std::size_t>(capacity));
    if (adaptive) {
      CUDA_CHECK(cudaMemset(exhausted.get(), 0, sizeof(int)));
      launch.acceptedSteps = accepted.get();
      launch.rejectedSteps = rejected.get();
      launch.exhaustedParticles = exhausted.get();
      launch.stepTimes = paddedTimes.get();
      launch.stepCapacity = capacity;
    }
    EventTimer timer;
    timer.start();
    launchSample(launch);
    timer.stop();
    lastKernelSeconds_ = timer.seconds();
    CUDA_CHECK(cudaDeviceSynchronize());

    if (adaptive) collectStepTimes(launch, capacity, accepted, rejected, exhausted, paddedTimes, result);
    positions.download({result.store.positions(0).data(), total});  // frames are contiguous in both layouts
    velocities.download({result.store.velocities(0).data(), total});
    if (options.trackDensity) logDensity.download(result.logDensity);

    if (adaptive) {
      // As the CPU counts: one k1 per frame interval, six more per attempted step.
      std::uint64_t evaluations = 0;
      for (int p = 0; p < n; ++p) {
        const auto i = static_cast<std::size_t>(p);
        evaluations += static_cast<std::uint64_t>(grid.steps) +
                       6u * static_cast<std::uint64_t>(result.acceptedSteps[i] + result.rejectedSteps[i]);
      }
      result.fieldEvaluations = evaluations;
    } else {
      result.fieldEvaluations = static_cast<std::uint64_t>(flows::fieldEvaluationsPerStep(options.solver)) *
                                static_cast<std::uint64_t>(grid.steps) * static_cast<std::uint64_t>(n);
    }
    return result;
  }

 private:
  // Dormand–Prince bookkeeping after the launch: per-particle counts, exhausted particles
  // and the accepted step times in CSR order (stepOffsets from the counts). When some
  // particle took more steps than the padded layout holds, the launch is repeated with the
  // exact offsets; it retraces the first one exactly (same code, same inputs, each
  // particle's arithmetic sequential), which the counts confirm.
  static void collectStepTimes(SampleLaunch launch, int capacity, const DeviceArray<int>& accepted,
                               const DeviceArray<int>& rejected, const DeviceArray<int>& exhausted,
                               const DeviceArray<float>& paddedTimes, flows::SampleResult& result) {
    const auto n = static_cast<std::size_t>(launch.particleCount);
    result.acceptedSteps.assign(n, 0);
    result.rejectedSteps.assign(n, 0);
    accepted.download(result.acceptedSteps);
    result.stepOffsets.assign(n + 1, 0);
    int most = 0;
    for (std::size_t p = 0; p < n; ++p) {
      result.stepOffsets[p + 1] = result.stepOffsets[p] + static_cast<std::uint64_t>(result.acceptedSteps[p]);
      most = std::max(most, result.acceptedSteps[p]);
    }
    const auto deviceOffsets = DeviceArray<std::uint64_t>::upload(result.stepOffsets);
    DeviceArray<float> times(result.stepOffsets[n]);
    if (most <= capacity) {
      launchCompactStepTimes(paddedTimes.get(), capacity, deviceOffsets.get(), launch.particleCount, times.get());
    } else {
      CUDA_CHECK(cudaMemset(exhausted.get(), 0, sizeof(int)));
      launch.stepTimes = times.get();
      launch.stepOffsets = deviceOffsets.get();
      launch.stepCapacity = 0;
      launchSample(launch);
      CUDA_CHECK(cudaDeviceSynchronize());
      std::vector<int> again(n);
      accepted.download(again);
      if (again != result.acceptedSteps)
        throw CudaError("Dormand–Prince: the repeated launch took different steps than the first");
    }
    CUDA_CHECK(cudaDeviceSynchronize());
    result.stepTimes.resize(result.stepOffsets[n]);
    times.download(result.stepTimes);
    rejected.download(result.rejectedSteps);
    int exhaustedCount = 0;
    exhausted.download({&exhaustedCount, 1});
    result.exhaustedParticles = exhaustedCount;
  }

  std::string device_;
  mutable std::atomic<double> lastKernelSeconds_{0.0};  // written by the calling thread, read by benchmarks
};

}  // namespace

CudaProbe probeCuda() {
  CudaProbe probe;
  probe.compiled = true;
  probe.buildInfo = RANKFLOW_CUDA_BUILD_INFO;
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    probe.reason = std::string("CUDA runtime reports ") + cudaGetErrorName(status) + ": " + cudaGetErrorString(status);
    cudaGetLastError();  // clear the sticky error so later calls are not poisoned
    return probe;
  }
  if (count == 0) {
    probe.reason = "the CUDA runtime found no device";
    return probe;
  }
  try {
    probe.device = formatDevice(0);
    probe.available = true;
  } catch (const CudaError& e) {
    probe.reason = e.what();
  }
  return probe;
}

std::unique_ptr<compute::FlowBackend> makeCudaBackend() {
  const CudaProbe probe = probeCuda();
  if (!probe.available) return nullptr;
  return std::make_unique<CudaFlowBackend>(probe.device);
}

}  // namespace rankflow::kernels
