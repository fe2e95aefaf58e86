#pragma once
// One training step of docs/MATHEMATICS.md §5 written as data: a list of GEMMs and fused element-wise
// operations over one float arena (and one int arena for the batch rows). The CUDA
// trainer replays such a list as a CUDA graph (kernels/cuda_training.h); the Eigen
// executor here runs the same list on the CPU, which is how the CUDA trainer's logic —
// the arena layout, the merged weights, the gradient chain, Adam and the chunked
// double-buffered driver — is tested on machines without a GPU.
//
// [SECTION] Operations
// [SECTION] Layout
// [SECTION] Executors
// [SECTION] The engine
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/learn/training_engine.h"

namespace rankflow::learn {

// [SECTION] Operations

// Offsets count elements of the float arena, except `indices` (int arena). Matrices are
// column-major, as in Eigen and BLAS.
struct PlanOp {
  enum class Kind {
    Copy,            // dst[0 .. count) = src[0 .. count)
    Gemm,            // C = alpha · op(A) · op(B) + beta · C; C is m × n (BLAS sgemm)
    BiasActivation,  // dst (rows × cols) += bias (src) in every column; then, if activate,
                     // out (aux) = SiLU(dst), with dst kept as the pre-activation
    SiluBackward,    // dst = src ⊙ SiLU'(aux), rows × cols
    Gather,          // dst (rows × cols) column i = src (rows × pool) column indices[i]
    Residual,        // r = src − aux[:, indices] (aux: 2 × pool targets); dst = r / cols;
                     // loss[lossAt] = ½ Σ r² / cols; scratch holds partial sums
    Adam,            // dst (params) −= Adam step from src (grads), moments aux and aux2;
                     // bias corrections c1, c2 at scalars, scalars + 1
  };
  Kind kind = Kind::Copy;
  // Gemm
  bool transA = false;
  bool transB = false;
  int m = 0, n = 0, k = 0;
  float alpha = 1.0f;
  float beta = 0.0f;
  std::size_t a = 0, b = 0, c = 0;
  int lda = 1, ldb = 1, ldc = 1;
  // Everything else
  std::size_t src = 0, dst = 0, aux = 0, aux2 = 0;
  std::size_t indices = 0;  // int arena
  std::size_t scalars = 0;
  std::size_t lossAt = 0;
  std::size_t scratch = 0;
  std::size_t count = 0;
  int rows = 0, cols = 0;
  bool activate = false;
  float learningRate = 0.0f;
};

// Partial sums the Residual operation may use in its scratch region.
inline constexpr int kResidualPartials = 256;

// [SECTION] Layout

// Where everything of one order's training lives in the arenas. Chunks of steps run in
// two slots, so the host can draw the next chunk's rows while the device runs this one.
struct TrainingLayout {
  struct Layer {
    int in = 0, out = 0, rank = 0;
    std::size_t w = 0, b = 0, u = 0, v = 0;  // in the parameter block (w: dense only; u, v: adapters only)
    std::size_t frozen = 0;                  // adapters: W + lower orders' U Vᵀ
    std::size_t weights = 0;                 // what the forward pass multiplies by (w, or the merged copy)
    std::size_t weightGradient = 0;          // dL/dW (into the gradients, or scratch for adapters)
    std::size_t input = 0;                   // in × batch activations entering the layer
    std::size_t pre = 0;                     // out × batch pre-activations
  };
  bool adapters = false;  // order ≥ 2 of the cascade or independent variant
  int inputDim = 0, poolSize = 0, batch = 0, chunk = 0;
  std::size_t floats = 0, ints = 0;
  std::size_t poolFeatures = 0, poolTargets = 0, ones = 0;
  std::size_t params = 0, grads = 0, adamM = 0, adamV = 0, parameterCount = 0;
  std::vector<std::size_t> blockOffsets;  // trainableBlocks(order)[i] at params + blockOffsets[i]
  std::vector<Layer> layers;
  std::size_t delta[2] = {0, 0};
  std::size_t back = 0;
  std::size_t residualScratch = 0;
  std::size_t scalars[2] = {0, 0};  // 2 per step of a chunk
  std::size_t losses[2] = {0, 0};   // 1 per step of a chunk
  std::size_t rows[2] = {0, 0};     // int arena: batch per step of a chunk

  std::size_t gradientOf(std::size_t paramOffset) const { return grads + (paramOffset - params); }
};

TrainingLayout layoutFor(FlowNetwork& network, int order, int poolSize, int batch, int chunk);

// The operations of `steps` consecutive training steps in chunk slot `slot`.
std::vector<PlanOp> chunkOps(const TrainingLayout& layout, int slot, int steps, float learningRate);

// The frozen part of layer l's weights for an adapter order: W + Σ U_j V_jᵀ over the lower
// orders the variant merges, summed as FlowNetwork::effectiveLayers sums them.
Eigen::MatrixXf frozenWeights(const FlowNetwork& network, int order, std::size_t layer);

// [SECTION] Executors

class PlanExecutor {
 public:
  virtual ~PlanExecutor() = default;
  virtual std::string name() const = 0;
  // Sizes the arenas (contents undefined afterwards).
  virtual void allocate(std::size_t floats, std::size_t ints) = 0;
  virtual void upload(std::size_t offset, std::span<const float> values) = 0;
  virtual void fill(std::size_t offset, std::size_t count, float value) = 0;
  // Waits for everything launched, then copies out.
  virtual void download(std::size_t offset, std::span<float> values) = 0;
  // Makes `ops` what launch(slot) runs (the CUDA executor captures them as one graph);
  // after each run the slot's `lossCount` losses at `lossOffset` become hostLosses(slot).
  virtual void prepare(int slot, std::vector<PlanOp> ops, std::size_t lossOffset, int lossCount) = 0;
  // The slot's rows and Adam scalars for its next run; waits until its last run is done.
  virtual void setChunkInputs(int slot, std::span<const std::int32_t> rows, std::size_t rowsOffset,
                              std::span<const float> scalars, std::size_t scalarsOffset) = 0;
  virtual void launch(int slot) = 0;  // asynchronous where the device is
  virtual void wait(int slot) = 0;
  virtual const float* hostLosses(int slot) const = 0;  // valid after wait(slot)
};

// Runs every operation at once on the CPU, in float like the device, with Eigen's GEMM.
std::unique_ptr<PlanExecutor> makeEigenPlanExecutor();

// [SECTION] The engine

// The training driver over any executor: uploads the pool, the order's parameters and
// frozen weights, runs chunks of `chunkSteps` steps double-buffered, reports progress per
// chunk, and writes the parameters back.
class PlanTrainingEngine final : public TrainingEngine {
 public:
  explicit PlanTrainingEngine(std::unique_ptr<PlanExecutor> executor, int chunkSteps = 32);
  std::string name() const override { return executor_->name(); }
  void train(const OrderTrainingJob& job, const TrainProgressFn& progress) override;
  PlanExecutor& executor() { return *executor_; }

 private:
  std::unique_ptr<PlanExecutor> executor_;
  int chunkSteps_;
};

// Uploads one job's pool, parameters, zero Adam moments and frozen weights into an
// executor already allocated for `layout` (shared by the engine and the tests).
void uploadJob(PlanExecutor& executor, const TrainingLayout& layout, const OrderTrainingJob& job);

}  // namespace rankflow::learn
