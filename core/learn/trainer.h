#pragma once
// Training the learned cascade (docs/MATHEMATICS.md §5): exact Lagrangian targets v, a, j sampled at
// x = α y + β z, t ~ U[0, 1 − ε]; Adam; the base first, then each order's adapter with
// everything below it frozen, so moving r_k retrains orders ≥ k only.
#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/flows/flow_fields.h"
#include "core/learn/flow_network.h"
#include "core/learn/training_engine.h"

namespace rankflow::learn {

// [SECTION] Targets

struct TargetOptions {
  flows::Schedule schedule = flows::Schedule::Linear;
  float epsilon = 0.2f;  // t ~ U[0, 1 − ε]: a and j grow like 1/β², 1/β³ towards t = 1
  int count = 65536;
  std::uint64_t seed = 1;
};

// Samples and their exact Lagrangian derivatives (orders 1..3), computed once: the exact
// targets cost a softmax over the data per AD pass, far more than a training step, so
// batches are drawn from this pool.
struct TargetSet {
  std::vector<Vec2f> x;
  std::vector<float> t;
  std::array<std::vector<Vec2f>, kMaxOrders> target;  // v, a, j
  std::size_t size() const { return x.size(); }
};

// At most this many (sample, datum) pairs: about a minute of targets on 2 cores (measured:
// 1.3e9 pairs in 29 s). Throws InvalidArgument with the count beyond it.
inline constexpr double kMaxTargetPairs = 4e9;
TargetSet makeTargets(const flows::FlowData& data, const TargetOptions& options);

// [SECTION] Training

struct TrainOptions {
  int baseSteps = 1500;
  int baseBatch = 4096;
  float baseLearningRate = 2e-3f;
  int adapterSteps = 300;
  int adapterBatch = 1024;
  float adapterLearningRate = 3e-3f;
  std::uint64_t seed = 1;
  void validate() const;
};

struct OrderReport {
  int order = 1;
  double heldOutRelativeError = 0.0;  // ‖g_k − target‖ / ‖target‖ on the held-out set
  std::int64_t parameters = 0;        // added by this order
  double trainSeconds = 0.0;
  int steps = 0;
};

class Trainer {
 public:
  // Sets the network's output scales from `train` (RMS of each order's target). Steps run
  // on `engine` (the CPU one when null).
  Trainer(FlowNetwork& network, TargetSet train, TargetSet heldOut, TrainOptions options,
          std::shared_ptr<TrainingEngine> engine = nullptr);

  // Trains order k alone (everything else frozen).
  OrderReport trainOrder(int order, const TrainProgressFn& progress = {});
  // Base, then orders 2..K.
  std::vector<OrderReport> trainAll(const TrainProgressFn& progress = {});
  // After network.setRank(k, r): retrains orders k..K (the rank of order k changed, and
  // with the cascade every higher order's merged weights contain it).
  std::vector<OrderReport> retrainFrom(int order, const TrainProgressFn& progress = {});

  double heldOutRelativeError(int order) const;
  const TargetSet& heldOut() const { return heldOut_; }
  std::string engineName() const { return engine_->name(); }

 private:
  FlowNetwork& network_;
  TargetSet train_;
  TargetSet heldOut_;
  TrainOptions options_;
  std::shared_ptr<TrainingEngine> engine_;
  Eigen::MatrixXf trainFeatures_;
  Eigen::MatrixXf heldOutFeatures_;
};

// [SECTION] Spectra

struct LayerSpectrum {
  int order = 2;
  int layer = 0;
  std::vector<float> singularValues;  // descending
  int rankAt90 = 0;                   // smallest rank keeping 90% of Σσ²
  int rankAt99 = 0;
};

// Singular values of each adapter's U Vᵀ (cascade and independent variants).
std::vector<LayerSpectrum> adapterSpectra(const FlowNetwork& network);

// The empirical derivative ranks: dense copies of the network fine-tuned order by order
// from the previous order's weights, then the spectra of W_k − W_{k−1} per layer, and the
// schedule they suggest (per order, the largest 90%-energy rank over the layers).
struct DenseDerivativeReport {
  std::vector<LayerSpectrum> spectra;
  std::vector<int> suggestedRanks;  // r_2, …, r_K
};
DenseDerivativeReport denseDerivativeSpectra(const FlowNetwork& trainedBase, const TargetSet& train,
                                             const TrainOptions& options, const TrainProgressFn& progress = {},
                                             std::shared_ptr<TrainingEngine> engine = nullptr);

int rankForEnergy(const std::vector<float>& singularValues, double energy);

}  // namespace rankflow::learn
