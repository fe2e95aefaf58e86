#pragma once
// The learned model of docs/MATHEMATICS.md §5: an MLP g(x, t) (Fourier time embedding, L hidden SiLU
// layers of width H, output R²) whose order 1 (velocity) uses the base weights, and whose
// orders k ≥ 2 (acceleration, jerk) add low-rank adapters to every linear layer:
//
//   cascade      W + Σ_{2≤j≤k} U_j V_jᵀ   (the cascade of docs/MATHEMATICS.md §1)
//   independent  W + U_k V_kᵀ
//   separate     a dense network of its own per order, sized to the same parameter budget
//
// with biases per order. Forward and backward are written here on Eigen (no framework).
//
// [SECTION] Configuration
// [SECTION] Parameters
// [SECTION] Forward and backward
#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/common/vec2.h"
#include "core/flows/schedule.h"

namespace rankflow::learn {

// [SECTION] Configuration

enum class Variant { Cascade, Independent, Separate };
const char* variantName(Variant variant);  // "cascade", "independent", "separate"
Variant parseVariant(const std::string& name);

inline constexpr int kMaxOrders = 3;  // velocity, acceleration, jerk

struct ModelConfig {
  int hiddenLayers = 3;
  int width = 128;
  int frequencies = 8;  // time features sin(2π f t), cos(2π f t), f = 1..frequencies
  Variant variant = Variant::Cascade;
  std::vector<int> ranks = {16, 8};  // r_2, …, r_K: K = ranks.size() + 1 orders (≤ 3)
  std::uint64_t seed = 1;
  // The path the targets follow: order k's output is preconditioned by β(t)^k (below).
  flows::Schedule schedule = flows::Schedule::Linear;
  // The largest t the model was trained at (1 − ε). Beyond it the model is evaluated at
  // timeMax, as the exact fields are beyond kTimeMax: a network's extrapolation times the
  // 1/β^k preconditioning would blow up, while the frozen field carries a particle where
  // its velocity points (for the linear schedule, onto the posterior mean).
  float timeMax = 0.8f;
  void validate() const;  // throws InvalidArgument
  int orders() const { return static_cast<int>(ranks.size()) + 1; }
  int inputDim() const { return 3 + 2 * frequencies; }  // x, y, t and the Fourier pairs
};

// [SECTION] Parameters

struct DenseLayer {
  Eigen::MatrixXf w;  // out × in
  Eigen::VectorXf b;
};

struct LowRankAdapter {
  Eigen::MatrixXf u;  // out × r
  Eigen::MatrixXf v;  // in × r
};

// A flat view of one trainable tensor, for the optimiser and for checkpoints.
struct ParameterBlock {
  std::string name;  // "base.layers.0.weight", "order2.layers.1.lora_U", … (checkpoints map these to PEFT names)
  float* data;       // column-major rows × cols (a vector: cols = 1)
  Eigen::Index rows;
  Eigen::Index cols;
  Eigen::Index size() const { return rows * cols; }
};

class FlowNetwork {
 public:
  explicit FlowNetwork(const ModelConfig& config);

  const ModelConfig& config() const { return config_; }
  int orders() const { return config_.orders(); }

  // Input features (inputDim × n) of points x at times t.
  Eigen::MatrixXf features(std::span<const Vec2f> x, std::span<const float> t) const;

  // The dense layers order k actually uses (merged weights and its biases).
  std::vector<DenseLayer> effectiveLayers(int order) const;

  // Raw output (2 × n) of order k, 1 ≤ k ≤ orders(): the target divided by outputScales.
  Eigen::MatrixXf forward(int order, const Eigen::MatrixXf& features) const;
  // The order-k field itself: forward × outputFactor(k, t) column by column.
  Eigen::MatrixXf predict(int order, const Eigen::MatrixXf& features) const;
  // u_k grows like 1/β(t)^k where the posterior is sharp (v ~ (y − x)/β, a ~ 1/β², j ~
  // 1/β³), so order k learns β^k u_k / s_k, which is O(1) at every t; this is the factor
  // back: s_k / max(β, 0.02)^k.
  float outputFactor(int order, float t) const;

  // Changes r_k (k ≥ 2) of the cascade or independent variant, warm-starting from the
  // current adapter: truncated by SVD of U Vᵀ (best rank-r approximation) or padded with
  // zero columns of U (so U Vᵀ is unchanged). Separate networks are re-initialised.
  void setRank(int order, int rank);

  // Trainable blocks of one order: the base for order 1, that order's adapter and biases
  // (or its separate network) above.
  std::vector<ParameterBlock> trainableBlocks(int order);
  // Every block of every order, for checkpoints.
  std::vector<ParameterBlock> allBlocks();

  // Parameters order k adds on top of orders < k (order 1: the whole base).
  std::int64_t parameterCount(int order) const;
  std::int64_t totalParameterCount() const;

  // Public so tests and the trainer can reach them; the invariants are the shapes the
  // constructor set.
  std::vector<DenseLayer> base;                       // hiddenLayers + 1 layers
  std::vector<std::vector<LowRankAdapter>> adapters;  // [order − 2][layer]
  std::vector<std::vector<Eigen::VectorXf>> biases;   // [order − 2][layer]
  std::vector<std::vector<DenseLayer>> separate;      // [order − 2][layer], Separate variant
  std::vector<int> separateWidths;                    // [order − 2]
  // s_k: the RMS of β^k u_k over the training set, so every order's output is O(1).
  std::vector<float> outputScales;  // [order − 1]

 private:
  void initAdapter(int order, std::uint64_t seed);
  void initSeparate(int order, std::uint64_t seed);
  std::vector<int> layerSizes(int width) const;

  ModelConfig config_;
};

// [SECTION] Forward and backward

// Gradients of ½·mean‖g_k(features) − target‖² with respect to order k's trainable blocks,
// in trainableBlocks(order) order, each a flat vector of that block's size. Computed over
// both cores (the batch is split, partial gradients summed in a fixed order, so a run is
// reproducible).
struct LossAndGradients {
  double loss = 0.0;
  std::vector<Eigen::VectorXf> gradients;
};
LossAndGradients lossAndGradients(FlowNetwork& network, int order, const Eigen::MatrixXf& features,
                                  const Eigen::MatrixXf& target);

}  // namespace rankflow::learn
