#include "core/learn/training_plan.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/common/error.h"
#include "core/common/progress.h"

namespace rankflow::learn {
namespace {

// Every region starts on a 256-byte boundary: coalesced rows and cuBLAS's fast paths.
constexpr std::size_t kAlignment = 64;

class Arena {
 public:
  std::size_t take(std::size_t count) {
    const std::size_t at = size_;
    size_ += (count + kAlignment - 1) / kAlignment * kAlignment;
    return at;
  }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_ = 0;
};

std::size_t elements(Eigen::Index rows, Eigen::Index cols) {
  return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
}

PlanOp gemm(bool transA, bool transB, int m, int n, int k, float alpha, std::size_t a, int lda, std::size_t b, int ldb,
            float beta, std::size_t c, int ldc) {
  PlanOp op;
  op.kind = PlanOp::Kind::Gemm;
  op.transA = transA;
  op.transB = transB;
  op.m = m;
  op.n = n;
  op.k = k;
  op.alpha = alpha;
  op.beta = beta;
  op.a = a;
  op.b = b;
  op.c = c;
  // BLAS wants a leading dimension of at least 1 even for empty (rank 0) matrices.
  op.lda = std::max(lda, 1);
  op.ldb = std::max(ldb, 1);
  op.ldc = std::max(ldc, 1);
  return op;
}

}  // namespace

// [SECTION] Layout

TrainingLayout layoutFor(FlowNetwork& network, int order, int poolSize, int batch, int chunk) {
  if (order < 1 || order > network.orders()) throw InvalidArgument("training plan: no such order");
  if (poolSize < 1 || batch < 1 || batch > poolSize || chunk < 1)
    throw InvalidArgument("training plan: pool, batch and chunk must be positive, batch ≤ pool");
  TrainingLayout layout;
  const ModelConfig& config = network.config();
  layout.adapters = order >= 2 && config.variant != Variant::Separate;
  layout.inputDim = config.inputDim();
  layout.poolSize = poolSize;
  layout.batch = batch;
  layout.chunk = chunk;
  Arena floats;
  layout.poolFeatures = floats.take(elements(layout.inputDim, poolSize));
  layout.poolTargets = floats.take(elements(2, poolSize));
  layout.ones = floats.take(static_cast<std::size_t>(batch));

  // The trainable blocks, contiguous, in trainableBlocks order: one Adam launch covers them.
  const std::vector<ParameterBlock> blocks = network.trainableBlocks(order);
  std::size_t count = 0;
  for (const auto& block : blocks) {
    layout.blockOffsets.push_back(count);
    count += static_cast<std::size_t>(block.size());
  }
  layout.parameterCount = count;
  layout.params = floats.take(count);
  layout.grads = floats.take(count);
  layout.adamM = floats.take(count);
  layout.adamV = floats.take(count);

  const std::size_t perLayer = layout.adapters ? 3 : 2;
  const std::size_t depth = blocks.size() / perLayer;
  int widest = 0;
  std::size_t input = floats.take(elements(layout.inputDim, batch));
  for (std::size_t l = 0; l < depth; ++l) {
    TrainingLayout::Layer layer;
    const std::size_t first = l * perLayer;
    if (layout.adapters) {
      const ParameterBlock& u = blocks[first];
      const ParameterBlock& v = blocks[first + 1];
      layer.out = static_cast<int>(u.rows);
      layer.in = static_cast<int>(v.rows);
      layer.rank = static_cast<int>(u.cols);
      layer.u = layout.params + layout.blockOffsets[first];
      layer.v = layout.params + layout.blockOffsets[first + 1];
      layer.b = layout.params + layout.blockOffsets[first + 2];
      layer.frozen = floats.take(elements(layer.out, layer.in));
      layer.weights = floats.take(elements(layer.out, layer.in));
      layer.weightGradient = floats.take(elements(layer.out, layer.in));
    } else {
      const ParameterBlock& w = blocks[first];
      layer.out = static_cast<int>(w.rows);
      layer.in = static_cast<int>(w.cols);
      layer.w = layout.params + layout.blockOffsets[first];
      layer.b = layout.params + layout.blockOffsets[first + 1];
      layer.weights = layer.w;
      layer.weightGradient = layout.gradientOf(layer.w);
    }
    layer.input = input;
    layer.pre = floats.take(elements(layer.out, batch));
    // The next layer's input is SiLU of this pre-activation (the output layer has none).
    if (l + 1 < depth) input = floats.take(elements(layer.out, batch));
    widest = std::max({widest, layer.out, layer.in});
    layout.layers.push_back(layer);
  }
  layout.delta[0] = floats.take(elements(widest, batch));
  layout.delta[1] = floats.take(elements(widest, batch));
  layout.back = floats.take(elements(widest, batch));
  layout.residualScratch = floats.take(2 * kResidualPartials);  // doubles, as float pairs
  Arena ints;
  for (int slot = 0; slot < 2; ++slot) {
    layout.scalars[slot] = floats.take(2 * static_cast<std::size_t>(chunk));
    layout.losses[slot] = floats.take(static_cast<std::size_t>(chunk));
    layout.rows[slot] = ints.take(elements(batch, chunk));
  }
  layout.floats = floats.size();
  layout.ints = ints.size();
  return layout;
}

namespace {

// The operations of one step: forward, residual, backward, Adam.
void appendStep(const TrainingLayout& layout, int slot, int step, float learningRate, std::vector<PlanOp>& ops) {
  const int batch = layout.batch;
  const std::size_t rowsAt = layout.rows[slot] + static_cast<std::size_t>(step) * static_cast<std::size_t>(batch);
  const auto depth = layout.layers.size();
  {
    PlanOp gather;
    gather.kind = PlanOp::Kind::Gather;
    gather.src = layout.poolFeatures;
    gather.dst = layout.layers[0].input;
    gather.indices = rowsAt;
    gather.rows = layout.inputDim;
    gather.cols = batch;
    ops.push_back(gather);
  }
  for (std::size_t l = 0; l < depth; ++l) {
    const auto& layer = layout.layers[l];
    if (layout.adapters) {
      // W_eff = frozen + U Vᵀ, merged once per step (out·in·r) rather than applying U (Vᵀ a)
      // to every column: the merged GEMM is one launch of the batch-sized shape.
      PlanOp copy;
      copy.kind = PlanOp::Kind::Copy;
      copy.src = layer.frozen;
      copy.dst = layer.weights;
      copy.count = elements(layer.out, layer.in);
      ops.push_back(copy);
      if (layer.rank > 0)
        ops.push_back(gemm(false, true, layer.out, layer.in, layer.rank, 1.0f, layer.u, layer.out, layer.v, layer.in,
                           1.0f, layer.weights, layer.out));
    }
    ops.push_back(gemm(false, false, layer.out, batch, layer.in, 1.0f, layer.weights, layer.out, layer.input, layer.in,
                       0.0f, layer.pre, layer.out));
    PlanOp bias;
    bias.kind = PlanOp::Kind::BiasActivation;
    bias.dst = layer.pre;
    bias.src = layer.b;
    bias.rows = layer.out;
    bias.cols = batch;
    bias.activate = l + 1 < depth;
    if (bias.activate) bias.aux = layout.layers[l + 1].input;
    ops.push_back(bias);
  }
  {
    PlanOp residual;
    residual.kind = PlanOp::Kind::Residual;
    residual.src = layout.layers[depth - 1].pre;
    residual.aux = layout.poolTargets;
    residual.indices = rowsAt;
    residual.dst = layout.delta[(depth - 1) % 2];
    residual.lossAt = layout.losses[slot] + static_cast<std::size_t>(step);
    residual.scratch = layout.residualScratch;
    residual.rows = 2;
    residual.cols = batch;
    ops.push_back(residual);
  }
  for (std::size_t l = depth; l-- > 0;) {
    const auto& layer = layout.layers[l];
    const std::size_t delta = layout.delta[l % 2];
    ops.push_back(gemm(false, true, layer.out, layer.in, batch, 1.0f, delta, layer.out, layer.input, layer.in, 0.0f,
                       layer.weightGradient, layer.out));
    // Bias gradient: the row sums of δ, as a GEMM with a column of ones.
    ops.push_back(gemm(false, false, layer.out, 1, batch, 1.0f, delta, layer.out, layout.ones, batch, 0.0f,
                       layout.gradientOf(layer.b), layer.out));
    if (layout.adapters && layer.rank > 0) {
      // W_eff = … + U Vᵀ: dU = dW V, dV = dWᵀ U.
      ops.push_back(gemm(false, false, layer.out, layer.rank, layer.in, 1.0f, layer.weightGradient, layer.out, layer.v,
                         layer.in, 0.0f, layout.gradientOf(layer.u), layer.out));
      ops.push_back(gemm(true, false, layer.in, layer.rank, layer.out, 1.0f, layer.weightGradient, layer.out, layer.u,
                         layer.out, 0.0f, layout.gradientOf(layer.v), layer.in));
    }
    if (l == 0) break;
    ops.push_back(gemm(true, false, layer.in, batch, layer.out, 1.0f, layer.weights, layer.out, delta, layer.out, 0.0f,
                       layout.back, layer.in));
    PlanOp silu;
    silu.kind = PlanOp::Kind::SiluBackward;
    silu.src = layout.back;
    silu.aux = layout.layers[l - 1].pre;
    silu.dst = layout.delta[(l - 1) % 2];
    silu.rows = layer.in;
    silu.cols = batch;
    ops.push_back(silu);
  }
  PlanOp adam;
  adam.kind = PlanOp::Kind::Adam;
  adam.dst = layout.params;
  adam.src = layout.grads;
  adam.aux = layout.adamM;
  adam.aux2 = layout.adamV;
  adam.count = layout.parameterCount;
  adam.scalars = layout.scalars[slot] + 2 * static_cast<std::size_t>(step);
  adam.learningRate = learningRate;
  ops.push_back(adam);
}

}  // namespace

std::vector<PlanOp> chunkOps(const TrainingLayout& layout, int slot, int steps, float learningRate) {
  if (slot < 0 || slot > 1 || steps < 1 || steps > layout.chunk)
    throw InvalidArgument("training plan: a chunk holds 1.." + std::to_string(layout.chunk) + " steps in slot 0 or 1");
  std::vector<PlanOp> ops;
  for (int s = 0; s < steps; ++s) appendStep(layout, slot, s, learningRate, ops);
  return ops;
}

Eigen::MatrixXf frozenWeights(const FlowNetwork& network, int order, std::size_t layer) {
  Eigen::MatrixXf w = network.base[layer].w;
  const int first = network.config().variant == Variant::Cascade ? 2 : order;
  for (int j = first; j < order; ++j) {
    const auto& a = network.adapters[static_cast<std::size_t>(j - 2)][layer];
    if (a.u.cols() > 0) w.noalias() += a.u * a.v.transpose();
  }
  return w;
}

// [SECTION] Executors

namespace {

using ConstMap = Eigen::Map<const Eigen::MatrixXf, 0, Eigen::OuterStride<>>;
using MutableMap = Eigen::Map<Eigen::MatrixXf, 0, Eigen::OuterStride<>>;

class EigenPlanExecutor final : public PlanExecutor {
 public:
  std::string name() const override { return "CPU · Eigen (training plan)"; }
  void allocate(std::size_t floats, std::size_t ints) override {
    // Poisoned, so an operation that reads what nothing wrote shows up as NaN.
    floats_.assign(floats, std::numeric_limits<float>::quiet_NaN());
    ints_.assign(ints, -1);
  }
  void upload(std::size_t offset, std::span<const float> values) override {
    check(offset, values.size());
    std::copy(values.begin(), values.end(), floats_.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  void fill(std::size_t offset, std::size_t count, float value) override {
    check(offset, count);
    std::fill_n(floats_.begin() + static_cast<std::ptrdiff_t>(offset), count, value);
  }
  void download(std::size_t offset, std::span<float> values) override {
    check(offset, values.size());
    std::copy_n(floats_.begin() + static_cast<std::ptrdiff_t>(offset), values.size(), values.begin());
  }
  void prepare(int slot, std::vector<PlanOp> ops, std::size_t lossOffset, int lossCount) override {
    slots_[slot] = {std::move(ops), lossOffset, lossCount, {}};
  }
  void setChunkInputs(int slot, std::span<const std::int32_t> rows, std::size_t rowsOffset,
                      std::span<const float> scalars, std::size_t scalarsOffset) override {
    (void)slot;
    if (rowsOffset + rows.size() > ints_.size()) throw InvalidArgument("training plan: rows past the int arena");
    std::copy(rows.begin(), rows.end(), ints_.begin() + static_cast<std::ptrdiff_t>(rowsOffset));
    upload(scalarsOffset, scalars);
  }
  void launch(int slot) override {
    Slot& s = slots_[slot];
    for (const PlanOp& op : s.ops) run(op);
    s.losses.assign(floats_.begin() + static_cast<std::ptrdiff_t>(s.lossOffset),
                    floats_.begin() + static_cast<std::ptrdiff_t>(s.lossOffset) + s.lossCount);
  }
  void wait(int) override {}
  const float* hostLosses(int slot) const override { return slots_[slot].losses.data(); }

 private:
  struct Slot {
    std::vector<PlanOp> ops;
    std::size_t lossOffset = 0;
    int lossCount = 0;
    std::vector<float> losses;
  };

  void check(std::size_t offset, std::size_t count) const {
    if (offset + count > floats_.size()) throw InvalidArgument("training plan: access past the float arena");
  }
  float* at(std::size_t offset) { return floats_.data() + offset; }

  void run(const PlanOp& op) {
    switch (op.kind) {
      case PlanOp::Kind::Copy:
        std::memmove(at(op.dst), at(op.src), op.count * sizeof(float));
        break;
      case PlanOp::Kind::Gemm: {
        if (op.m == 0 || op.n == 0) break;
        const ConstMap a(at(op.a), op.transA ? op.k : op.m, op.transA ? op.m : op.k, Eigen::OuterStride<>(op.lda));
        const ConstMap b(at(op.b), op.transB ? op.n : op.k, op.transB ? op.k : op.n, Eigen::OuterStride<>(op.ldb));
        MutableMap c(at(op.c), op.m, op.n, Eigen::OuterStride<>(op.ldc));
        Eigen::MatrixXf product(op.m, op.n);
        if (op.transA && op.transB) {
          product.noalias() = a.transpose() * b.transpose();
        } else if (op.transA) {
          product.noalias() = a.transpose() * b;
        } else if (op.transB) {
          product.noalias() = a * b.transpose();
        } else {
          product.noalias() = a * b;
        }
        // BLAS reads C only when beta ≠ 0 (C may hold anything, NaN included).
        if (op.beta == 0.0f) {
          c = op.alpha * product;
        } else {
          c = op.alpha * product + op.beta * c;
        }
        break;
      }
      case PlanOp::Kind::BiasActivation:
        for (int j = 0; j < op.cols; ++j) {
          for (int i = 0; i < op.rows; ++i) {
            float& z = *at(op.dst + static_cast<std::size_t>(j) * static_cast<std::size_t>(op.rows) +
                           static_cast<std::size_t>(i));
            z += *at(op.src + static_cast<std::size_t>(i));
            if (op.activate)
              *at(op.aux + static_cast<std::size_t>(j) * static_cast<std::size_t>(op.rows) +
                  static_cast<std::size_t>(i)) = z / (1.0f + std::exp(-z));
          }
        }
        break;
      case PlanOp::Kind::SiluBackward:
        for (std::size_t e = 0; e < elements(op.rows, op.cols); ++e) {
          const float z = *at(op.aux + e);
          const float s = 1.0f / (1.0f + std::exp(-z));
          *at(op.dst + e) = *at(op.src + e) * s * (1.0f + z * (1.0f - s));
        }
        break;
      case PlanOp::Kind::Gather:
        for (int j = 0; j < op.cols; ++j) {
          const auto row = static_cast<std::size_t>(ints_[op.indices + static_cast<std::size_t>(j)]);
          std::copy_n(at(op.src + row * static_cast<std::size_t>(op.rows)), op.rows,
                      at(op.dst + static_cast<std::size_t>(j) * static_cast<std::size_t>(op.rows)));
        }
        break;
      case PlanOp::Kind::Residual: {
        double sum = 0.0;
        for (int j = 0; j < op.cols; ++j) {
          const auto row = static_cast<std::size_t>(ints_[op.indices + static_cast<std::size_t>(j)]);
          for (int i = 0; i < 2; ++i) {
            const std::size_t e = static_cast<std::size_t>(j) * 2 + static_cast<std::size_t>(i);
            const float r = *at(op.src + e) - *at(op.aux + row * 2 + static_cast<std::size_t>(i));
            sum += static_cast<double>(r) * r;
            *at(op.dst + e) = r / static_cast<float>(op.cols);
          }
        }
        *at(op.lossAt) = static_cast<float>(0.5 * sum / op.cols);
        break;
      }
      case PlanOp::Kind::Adam: {
        const float c1 = *at(op.scalars);
        const float c2 = *at(op.scalars + 1);
        for (std::size_t e = 0; e < op.count; ++e) {
          const float g = *at(op.src + e);
          float& m = *at(op.aux + e);
          float& v = *at(op.aux2 + e);
          m = kAdamBeta1 * m + kAdamGradientWeight1 * g;
          v = kAdamBeta2 * v + kAdamGradientWeight2 * (g * g);
          *at(op.dst + e) -= op.learningRate * (m / c1) / (std::sqrt(v / c2) + kAdamEpsilon);
        }
        break;
      }
    }
  }

  std::vector<float> floats_;
  std::vector<std::int32_t> ints_;
  Slot slots_[2];
};

}  // namespace

std::unique_ptr<PlanExecutor> makeEigenPlanExecutor() {
  return std::make_unique<EigenPlanExecutor>();
}

// [SECTION] The engine

void uploadJob(PlanExecutor& executor, const TrainingLayout& layout, const OrderTrainingJob& job) {
  const Eigen::MatrixXf& features = *job.poolFeatures;
  const Eigen::MatrixXf& targets = *job.poolTargets;
  executor.upload(layout.poolFeatures, {features.data(), elements(features.rows(), features.cols())});
  executor.upload(layout.poolTargets, {targets.data(), elements(2, targets.cols())});
  executor.fill(layout.ones, static_cast<std::size_t>(layout.batch), 1.0f);
  const std::vector<ParameterBlock> blocks = job.network->trainableBlocks(job.order);
  for (std::size_t i = 0; i < blocks.size(); ++i)
    executor.upload(layout.params + layout.blockOffsets[i],
                    {blocks[i].data, static_cast<std::size_t>(blocks[i].size())});
  executor.fill(layout.adamM, layout.parameterCount, 0.0f);
  executor.fill(layout.adamV, layout.parameterCount, 0.0f);
  if (layout.adapters) {
    for (std::size_t l = 0; l < layout.layers.size(); ++l) {
      const Eigen::MatrixXf frozen = frozenWeights(*job.network, job.order, l);
      executor.upload(layout.layers[l].frozen, {frozen.data(), elements(frozen.rows(), frozen.cols())});
    }
  }
}

namespace {

void writeBack(PlanExecutor& executor, const TrainingLayout& layout, const OrderTrainingJob& job) {
  std::vector<float> params(layout.parameterCount);
  executor.download(layout.params, params);
  const std::vector<ParameterBlock> blocks = job.network->trainableBlocks(job.order);
  for (std::size_t i = 0; i < blocks.size(); ++i)
    std::copy_n(params.begin() + static_cast<std::ptrdiff_t>(layout.blockOffsets[i]), blocks[i].size(), blocks[i].data);
}

}  // namespace

PlanTrainingEngine::PlanTrainingEngine(std::unique_ptr<PlanExecutor> executor, int chunkSteps)
    : executor_(std::move(executor)), chunkSteps_(chunkSteps) {
  if (!executor_ || chunkSteps_ < 1) throw InvalidArgument("training engine: needs an executor and chunks ≥ 1 step");
}

void PlanTrainingEngine::train(const OrderTrainingJob& job, const TrainProgressFn& progress) {
  job.validate();
  if (job.steps == 0) return;
  const int poolSize = static_cast<int>(job.poolFeatures->cols());
  const int chunk = std::min(chunkSteps_, job.steps);
  const TrainingLayout layout = layoutFor(*job.network, job.order, poolSize, job.batch, chunk);
  PlanExecutor& executor = *executor_;
  executor.allocate(layout.floats, layout.ints);
  uploadJob(executor, layout, job);

  BatchRows draw(job.seed, job.order, static_cast<std::size_t>(poolSize));
  const int chunks = (job.steps + chunk - 1) / chunk;
  int preparedSteps[2] = {0, 0};
  std::vector<std::int32_t> rows[2];
  std::vector<float> scalars[2];
  int chunkSteps[2] = {0, 0};
  // Draws chunk c's rows and Adam scalars on the host and hands them to its slot.
  auto stage = [&](int c) {
    const int slot = c % 2;
    const int steps = std::min(chunk, job.steps - c * chunk);
    chunkSteps[slot] = steps;
    rows[slot].resize(static_cast<std::size_t>(steps) * static_cast<std::size_t>(job.batch));
    scalars[slot].resize(2 * static_cast<std::size_t>(steps));
    for (int s = 0; s < steps; ++s) {
      draw.next(std::span(rows[slot])
                    .subspan(static_cast<std::size_t>(s) * static_cast<std::size_t>(job.batch),
                             static_cast<std::size_t>(job.batch)));
      const AdamCorrections corrections = adamCorrections(c * chunk + s + 1);
      scalars[slot][2 * static_cast<std::size_t>(s)] = corrections.c1;
      scalars[slot][2 * static_cast<std::size_t>(s) + 1] = corrections.c2;
    }
    if (preparedSteps[slot] != steps) {
      executor.prepare(slot, chunkOps(layout, slot, steps, job.learningRate), layout.losses[slot], steps);
      preparedSteps[slot] = steps;
    }
    executor.setChunkInputs(slot, rows[slot], layout.rows[slot], scalars[slot], layout.scalars[slot]);
    executor.launch(slot);
  };
  stage(0);
  for (int c = 0; c < chunks; ++c) {
    // The next chunk is queued before this one is read back, so the device never waits
    // for the host's row draws or the progress callback.
    if (c + 1 < chunks) stage(c + 1);
    const int slot = c % 2;
    executor.wait(slot);
    const double loss = executor.hostLosses(slot)[chunkSteps[slot] - 1];
    const int done = c * chunk + chunkSteps[slot];
    if (progress && !progress({job.order, done, job.steps, loss})) {
      writeBack(executor, layout, job);
      throw Cancelled();
    }
  }
  writeBack(executor, layout, job);
}

}  // namespace rankflow::learn
