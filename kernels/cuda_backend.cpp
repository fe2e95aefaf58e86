// Host side of the CUDA backend: device memory, transfers and the probe. Compiled by the
// host compiler against the CUDA runtime; the kernels themselves are in flow_kernels.cu.
#include "kernels/cuda_backend.h"

#include <cuda_runtime_api.h>

#include <cstdio>
#include <span>
#include <utility>

#include "kernels/cuda_check.h"
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

class CudaFlowBackend final : public compute::FlowBackend {
 public:
  explicit CudaFlowBackend(std::string device) : device_(std::move(device)) {}

  compute::BackendKind kind() const override { return compute::BackendKind::Cuda; }
  std::string description() const override { return "CUDA · " + device_; }

 protected:
  void velocityImpl(std::span<const Vec2f> data, float t, std::span<const Vec2f> points,
                    std::span<Vec2f> out) const override {
    const auto deviceData = DeviceArray<Vec2f>::upload(data);
    const auto devicePoints = DeviceArray<Vec2f>::upload(points);
    DeviceArray<Vec2f> deviceOut(points.size());
    launchVelocity(deviceData.get(), static_cast<int>(data.size()), devicePoints.get(), static_cast<int>(points.size()),
                   t, deviceOut.get());
    CUDA_CHECK(cudaDeviceSynchronize());
    deviceOut.download(out);
  }

  void integrateRk4Impl(std::span<const Vec2f> data, std::span<const Vec2f> start, flows::TrajectoryStore& store,
                        const compute::ProgressFn& progress) const override {
    // One launch integrates everything: progress is reported at the start and at the end.
    if (progress && !progress(0.0)) throw compute::Cancelled();
    const int particles = store.particleCount();
    const int frames = store.frameCount();
    const auto deviceData = DeviceArray<Vec2f>::upload(data);
    const auto deviceStart = DeviceArray<Vec2f>::upload(start);
    const std::size_t total = static_cast<std::size_t>(particles) * static_cast<std::size_t>(frames);
    DeviceArray<Vec2f> positions(total);
    DeviceArray<Vec2f> velocities(total);
    launchRk4Advect(deviceData.get(), static_cast<int>(data.size()), deviceStart.get(), particles, store.grid().t0,
                    store.grid().stepSize(), store.grid().steps, positions.get(), velocities.get());
    CUDA_CHECK(cudaDeviceSynchronize());
    // Frames are contiguous in both layouts, so one copy fills the whole store.
    positions.download({store.positions(0).data(), total});
    velocities.download({store.velocities(0).data(), total});
  }

 private:
  std::string device_;
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
