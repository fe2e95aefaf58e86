// Host side of the CUDA trainer: one device arena per training job, the plan's GEMMs on
// cuBLAS and its element-wise operations on training_kernels.cu, each chunk of steps
// captured once as a CUDA graph and replayed (a step is ~26 launches of a few µs each;
// the graph removes their launch gaps). Two chunk slots, each with its own pinned staging
// buffers and event, let the host draw chunk c + 1's rows while the device runs chunk c.
#include "kernels/cuda_training.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/common/random.h"
#include "kernels/cublas_check.h"
#include "kernels/cublas_library.h"
#include "kernels/cuda_backend.h"
#include "kernels/cuda_check.h"
#include "kernels/training_kernels.h"

namespace rankflow::kernels {
namespace {

// cuBLAS may not allocate while a graph is being captured: it gets its workspace up front.
constexpr std::size_t kWorkspaceBytes = 32u << 20;

template <class T>
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer() {
    if (ptr_) cudaFreeHost(ptr_);
  }
  // Callers make sure no copy from or to the old buffer is still in flight.
  void reserve(std::size_t count) {
    if (count <= count_) return;
    if (ptr_) cudaFreeHost(ptr_);
    ptr_ = nullptr;
    count_ = 0;
    CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&ptr_), count * sizeof(T)));
    count_ = count;
  }
  T* get() const { return ptr_; }

 private:
  T* ptr_ = nullptr;
  std::size_t count_ = 0;
};

class CudaPlanExecutor final : public learn::PlanExecutor {
 public:
  explicit CudaPlanExecutor(std::string device) : device_(std::move(device)) {
    try {
      CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
      CUBLAS_CHECK(cublas().create(&blas_));
      CUBLAS_CHECK(cublas().setStream(blas_, stream_));
      // FP32 throughout (no TF32): the CPU engine is the reference.
      CUBLAS_CHECK(cublas().setMathMode(blas_, CUBLAS_DEFAULT_MATH));
      CUDA_CHECK(cudaMalloc(&workspace_, kWorkspaceBytes));
      CUBLAS_CHECK(cublas().setWorkspace(blas_, workspace_, kWorkspaceBytes));
      for (auto& event : events_) CUDA_CHECK(cudaEventCreateWithFlags(&event, cudaEventDisableTiming));
    } catch (...) {
      release();
      throw;
    }
  }
  CudaPlanExecutor(const CudaPlanExecutor&) = delete;
  CudaPlanExecutor& operator=(const CudaPlanExecutor&) = delete;
  ~CudaPlanExecutor() override { release(); }

  std::string name() const override { return "CUDA · " + device_; }

  void allocate(std::size_t floats, std::size_t ints) override {
    CUDA_CHECK(cudaStreamSynchronize(stream_));
    dropGraphs();
    freeArenas();
    // At least one element each, so every pointer is valid even for an empty region.
    CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&floats_), std::max<std::size_t>(floats, 1) * sizeof(float)));
    CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&ints_), std::max<std::size_t>(ints, 1) * sizeof(std::int32_t)));
    floatCount_ = floats;
    intCount_ = ints;
  }

  void upload(std::size_t offset, std::span<const float> values) override {
    checkFloats(offset, values.size());
    CUDA_CHECK(cudaMemcpyAsync(floats_ + offset, values.data(), values.size_bytes(), cudaMemcpyHostToDevice, stream_));
    CUDA_CHECK(cudaStreamSynchronize(stream_));  // the caller's memory may go away after return
  }

  void fill(std::size_t offset, std::size_t count, float value) override {
    checkFloats(offset, count);
    launchFill(floats_ + offset, count, value, stream_);
  }

  void download(std::size_t offset, std::span<float> values) override {
    checkFloats(offset, values.size());
    CUDA_CHECK(cudaMemcpyAsync(values.data(), floats_ + offset, values.size_bytes(), cudaMemcpyDeviceToHost, stream_));
    CUDA_CHECK(cudaStreamSynchronize(stream_));
  }

  void prepare(int slot, std::vector<learn::PlanOp> ops, std::size_t lossOffset, int lossCount) override {
    Slot& s = slotAt(slot);
    for (const auto& op : ops) checkOp(op);
    checkFloats(lossOffset, static_cast<std::size_t>(lossCount));
    CUDA_CHECK(cudaEventSynchronize(events_[slot]));
    if (s.graph) cudaGraphExecDestroy(s.graph);
    s.graph = nullptr;
    CUDA_CHECK(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal));
    try {
      for (const auto& op : ops) record(op);
    } catch (...) {
      cudaGraph_t broken = nullptr;
      cudaStreamEndCapture(stream_, &broken);
      if (broken) cudaGraphDestroy(broken);
      throw;
    }
    cudaGraph_t graph = nullptr;
    CUDA_CHECK(cudaStreamEndCapture(stream_, &graph));
    const cudaError_t instantiated = cudaGraphInstantiate(&s.graph, graph, 0);
    cudaGraphDestroy(graph);
    CUDA_CHECK(instantiated);
    s.lossOffset = lossOffset;
    s.lossCount = lossCount;
    s.losses.reserve(static_cast<std::size_t>(std::max(lossCount, 1)));
  }

  void setChunkInputs(int slot, std::span<const std::int32_t> rows, std::size_t rowsOffset,
                      std::span<const float> scalars, std::size_t scalarsOffset) override {
    Slot& s = slotAt(slot);
    if (rowsOffset + rows.size() > intCount_) throw InvalidArgument("CUDA trainer: rows past the int arena");
    checkFloats(scalarsOffset, scalars.size());
    // The slot's last run (and with it the copies from these staging buffers) is done.
    CUDA_CHECK(cudaEventSynchronize(events_[slot]));
    s.rows.reserve(rows.size());
    s.scalars.reserve(scalars.size());
    std::memcpy(s.rows.get(), rows.data(), rows.size_bytes());
    std::memcpy(s.scalars.get(), scalars.data(), scalars.size_bytes());
    CUDA_CHECK(cudaMemcpyAsync(ints_ + rowsOffset, s.rows.get(), rows.size_bytes(), cudaMemcpyHostToDevice, stream_));
    CUDA_CHECK(cudaMemcpyAsync(floats_ + scalarsOffset, s.scalars.get(), scalars.size_bytes(), cudaMemcpyHostToDevice,
                               stream_));
  }

  void launch(int slot) override {
    Slot& s = slotAt(slot);
    if (!s.graph) throw InvalidArgument("CUDA trainer: slot launched before it was prepared");
    CUDA_CHECK(cudaGraphLaunch(s.graph, stream_));
    CUDA_CHECK(cudaMemcpyAsync(s.losses.get(), floats_ + s.lossOffset,
                               static_cast<std::size_t>(s.lossCount) * sizeof(float), cudaMemcpyDeviceToHost, stream_));
    CUDA_CHECK(cudaEventRecord(events_[slot], stream_));
  }

  void wait(int slot) override {
    slotAt(slot);
    CUDA_CHECK(cudaEventSynchronize(events_[slot]));
  }

  const float* hostLosses(int slot) const override { return slots_[slot].losses.get(); }

 private:
  struct Slot {
    cudaGraphExec_t graph = nullptr;
    std::size_t lossOffset = 0;
    int lossCount = 0;
    PinnedBuffer<std::int32_t> rows;
    PinnedBuffer<float> scalars;
    PinnedBuffer<float> losses;
  };

  Slot& slotAt(int slot) {
    if (slot < 0 || slot > 1) throw InvalidArgument("CUDA trainer: chunk slots are 0 and 1");
    return slots_[slot];
  }

  void checkFloats(std::size_t offset, std::size_t count) const {
    if (offset > floatCount_ || count > floatCount_ - offset)
      throw InvalidArgument("CUDA trainer: an operation reaches past the float arena");
  }
  // The elements a column-major matrix of `rows` × `cols` with leading dimension ld spans.
  static std::size_t extent(int rows, int cols, int ld) {
    if (rows == 0 || cols == 0) return 0;
    return static_cast<std::size_t>(ld) * static_cast<std::size_t>(cols - 1) + static_cast<std::size_t>(rows);
  }
  // Every region an operation touches lies inside the arenas: a wrong plan is an error,
  // never a device fault.
  void checkOp(const learn::PlanOp& op) const {
    using Kind = learn::PlanOp::Kind;
    const std::size_t matrix = static_cast<std::size_t>(op.rows) * static_cast<std::size_t>(op.cols);
    auto indices = [&](std::size_t count) {
      if (op.indices > intCount_ || count > intCount_ - op.indices)
        throw InvalidArgument("CUDA trainer: batch rows past the int arena");
    };
    switch (op.kind) {
      case Kind::Copy:
        checkFloats(op.src, op.count);
        checkFloats(op.dst, op.count);
        break;
      case Kind::Gemm:
        if (op.m < 0 || op.n < 0 || op.k < 0) throw InvalidArgument("CUDA trainer: negative GEMM size");
        checkFloats(op.a, extent(op.transA ? op.k : op.m, op.transA ? op.m : op.k, op.lda));
        checkFloats(op.b, extent(op.transB ? op.n : op.k, op.transB ? op.k : op.n, op.ldb));
        checkFloats(op.c, extent(op.m, op.n, op.ldc));
        break;
      case Kind::BiasActivation:
        checkFloats(op.dst, matrix);
        checkFloats(op.src, static_cast<std::size_t>(op.rows));
        if (op.activate) checkFloats(op.aux, matrix);
        break;
      case Kind::SiluBackward:
        checkFloats(op.src, matrix);
        checkFloats(op.aux, matrix);
        checkFloats(op.dst, matrix);
        break;
      case Kind::Gather:
        checkFloats(op.dst, matrix);
        indices(static_cast<std::size_t>(op.cols));
        // The rows' values are checked on the host where they are drawn (BatchRows).
        break;
      case Kind::Residual:
        checkFloats(op.src, matrix);
        checkFloats(op.dst, matrix);
        checkFloats(op.lossAt, 1);
        checkFloats(op.scratch, 2 * static_cast<std::size_t>(learn::kResidualPartials));
        indices(static_cast<std::size_t>(op.cols));
        break;
      case Kind::Adam:
        for (std::size_t at : {op.dst, op.src, op.aux, op.aux2}) checkFloats(at, op.count);
        checkFloats(op.scalars, 2);
        break;
    }
  }

  void record(const learn::PlanOp& op) {
    using Kind = learn::PlanOp::Kind;
    float* f = floats_;
    switch (op.kind) {
      case Kind::Copy:
        if (op.count > 0)
          CUDA_CHECK(
              cudaMemcpyAsync(f + op.dst, f + op.src, op.count * sizeof(float), cudaMemcpyDeviceToDevice, stream_));
        break;
      case Kind::Gemm:
        if (op.m == 0 || op.n == 0) break;
        if (op.k == 0) {
          // An empty product (a rank-0 adapter): C = beta · C.
          if (op.beta == 1.0f) break;
          if (op.beta != 0.0f) throw InvalidArgument("CUDA trainer: empty GEMM with beta other than 0 or 1");
          CUDA_CHECK(cudaMemset2DAsync(f + op.c, static_cast<std::size_t>(op.ldc) * sizeof(float), 0,
                                       static_cast<std::size_t>(op.m) * sizeof(float), static_cast<std::size_t>(op.n),
                                       stream_));
          break;
        }
        CUBLAS_CHECK(cublas().sgemm(blas_, op.transA ? CUBLAS_OP_T : CUBLAS_OP_N, op.transB ? CUBLAS_OP_T : CUBLAS_OP_N,
                                    op.m, op.n, op.k, &op.alpha, f + op.a, op.lda, f + op.b, op.ldb, &op.beta, f + op.c,
                                    op.ldc));
        break;
      case Kind::BiasActivation:
        launchBiasActivation(f + op.dst, f + op.src, op.activate ? f + op.aux : nullptr, op.rows, op.cols, stream_);
        break;
      case Kind::SiluBackward:
        launchSiluBackward(f + op.src, f + op.aux, f + op.dst,
                           static_cast<std::size_t>(op.rows) * static_cast<std::size_t>(op.cols), stream_);
        break;
      case Kind::Gather:
        launchGatherColumns(f + op.src, ints_ + op.indices, f + op.dst, op.rows, op.cols, stream_);
        break;
      case Kind::Residual:
        launchResidual(f + op.src, f + op.aux, ints_ + op.indices, op.cols, f + op.dst,
                       reinterpret_cast<double*>(f + op.scratch), learn::kResidualPartials, f + op.lossAt, stream_);
        break;
      case Kind::Adam:
        launchAdam(f + op.dst, f + op.src, f + op.aux, f + op.aux2, op.count, op.learningRate, f + op.scalars, stream_);
        break;
    }
  }

  void dropGraphs() {
    for (auto& s : slots_) {
      if (s.graph) cudaGraphExecDestroy(s.graph);
      s.graph = nullptr;
    }
  }
  void freeArenas() {
    if (floats_) cudaFree(floats_);
    if (ints_) cudaFree(ints_);
    floats_ = nullptr;
    ints_ = nullptr;
    floatCount_ = intCount_ = 0;
  }
  // Never throws: runs from the destructor and from a failed constructor.
  void release() {
    if (stream_) cudaStreamSynchronize(stream_);
    dropGraphs();
    freeArenas();
    for (auto& event : events_) {
      if (event) cudaEventDestroy(event);
      event = nullptr;
    }
    if (blas_) cublas().destroy(blas_);
    blas_ = nullptr;
    if (workspace_) cudaFree(workspace_);
    workspace_ = nullptr;
    if (stream_) cudaStreamDestroy(stream_);
    stream_ = nullptr;
  }

  std::string device_;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t blas_ = nullptr;
  void* workspace_ = nullptr;
  cudaEvent_t events_[2] = {nullptr, nullptr};
  float* floats_ = nullptr;
  std::int32_t* ints_ = nullptr;
  std::size_t floatCount_ = 0;
  std::size_t intCount_ = 0;
  Slot slots_[2];
};

}  // namespace

std::unique_ptr<learn::PlanExecutor> makeCudaPlanExecutor() {
  const CudaProbe probe = probeCuda();
  if (!probe.available) return nullptr;
  return std::make_unique<CudaPlanExecutor>(probe.device);
}

std::unique_ptr<learn::TrainingEngine> makeCudaTrainingEngine() {
  auto executor = makeCudaPlanExecutor();
  if (!executor) return nullptr;
  return std::make_unique<learn::PlanTrainingEngine>(std::move(executor), 32);
}

double measureCudaGemmRate(int m, int n, int k, int repeats) {
  if (!probeCuda().available) return 0.0;
  if (m < 1 || n < 1 || k < 1 || repeats < 1) throw InvalidArgument("GEMM rate: sizes and repeats must be positive");
  // Random operands (never zeros, which can run faster than real data).
  SeededRandom rng(12345);
  std::vector<float> host(std::max({static_cast<std::size_t>(m) * k, static_cast<std::size_t>(k) * n}));
  for (auto& x : host) x = static_cast<float>(rng.uniform() - 0.5);
  float *a = nullptr, *b = nullptr, *c = nullptr;
  cublasHandle_t blas = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;
  auto cleanup = [&] {
    if (a) cudaFree(a);
    if (b) cudaFree(b);
    if (c) cudaFree(c);
    if (blas) cublas().destroy(blas);
    if (start) cudaEventDestroy(start);
    if (stop) cudaEventDestroy(stop);
  };
  try {
    CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&a), static_cast<std::size_t>(m) * k * sizeof(float)));
    CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&b), static_cast<std::size_t>(k) * n * sizeof(float)));
    CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&c), static_cast<std::size_t>(m) * n * sizeof(float)));
    CUDA_CHECK(cudaMemcpy(a, host.data(), static_cast<std::size_t>(m) * k * sizeof(float), cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(b, host.data(), static_cast<std::size_t>(k) * n * sizeof(float), cudaMemcpyHostToDevice));
    CUBLAS_CHECK(cublas().create(&blas));
    CUBLAS_CHECK(cublas().setMathMode(blas, CUBLAS_DEFAULT_MATH));
    CUDA_CHECK(cudaEventCreate(&start));
    CUDA_CHECK(cudaEventCreate(&stop));
    const float one = 1.0f, zero = 0.0f;
    auto run = [&] {
      CUBLAS_CHECK(cublas().sgemm(blas, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, a, m, b, k, &zero, c, m));
    };
    for (int i = 0; i < 3; ++i) run();
    // Each sample times a batch of products, so launch gaps do not dominate small shapes.
    constexpr int kPerSample = 20;
    std::vector<float> samples;
    for (int r = 0; r < repeats; ++r) {
      CUDA_CHECK(cudaEventRecord(start));
      for (int i = 0; i < kPerSample; ++i) run();
      CUDA_CHECK(cudaEventRecord(stop));
      CUDA_CHECK(cudaEventSynchronize(stop));
      float ms = 0.0f;
      CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
      samples.push_back(ms / kPerSample);
    }
    std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(samples.size() / 2), samples.end());
    const double seconds = samples[samples.size() / 2] * 1e-3;
    cleanup();
    return 2.0 * m * static_cast<double>(n) * k / seconds;
  } catch (...) {
    cleanup();
    throw;
  }
}

}  // namespace rankflow::kernels
