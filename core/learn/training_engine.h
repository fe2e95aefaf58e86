#pragma once
// Where one order's optimisation runs: Adam on that order's trainable blocks over batches
// drawn from a fixed pool. The Trainer decides what to train and reports; an engine only
// runs steps. Two engines exist: the CPU one (Eigen, both cores) and the CUDA one
// (kernels/cuda_training.h: cuBLAS, fused element-wise kernels, CUDA graphs), which runs
// the plan of core/learn/training_plan.h. Both draw the same batches from BatchRows and
// start Adam from zero, so they agree step for step up to float rounding.
#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/common/random.h"
#include "core/learn/adam_constants.h"
#include "core/learn/flow_network.h"

namespace rankflow::learn {

struct TrainProgress {
  int order = 1;
  int step = 0;
  int steps = 0;
  double loss = 0.0;  // mean ½‖g − target/scale‖² of the last batch
};
// Called every few steps from the training thread; returning false cancels (Cancelled).
using TrainProgressFn = std::function<bool(const TrainProgress&)>;

// One order's training run. The pool is what the batches are drawn from: features
// (inputDim × N) and targets already divided by the order's output factor (2 × N).
struct OrderTrainingJob {
  FlowNetwork* network = nullptr;
  int order = 1;
  const Eigen::MatrixXf* poolFeatures = nullptr;
  const Eigen::MatrixXf* poolTargets = nullptr;
  int steps = 0;
  int batch = 1;  // ≤ pool size
  float learningRate = 1e-3f;
  std::uint64_t seed = 1;  // of the batch draws
  void validate() const;   // throws InvalidArgument
};

// The batch rows of every step, the same for every engine: step s takes the next `batch`
// draws of one SplitMix64 stream seeded by the job.
class BatchRows {
 public:
  BatchRows(std::uint64_t seed, int order, std::size_t poolSize);
  void next(std::span<std::int32_t> rows);

 private:
  SeededRandom rng_;
  std::size_t poolSize_;
};

// Adam's bias corrections at step t (1-based), computed on the host by every engine so
// they agree to the bit.
struct AdamCorrections {
  float c1 = 1.0f;  // 1 − β1^t
  float c2 = 1.0f;  // 1 − β2^t
};
AdamCorrections adamCorrections(int step);

class TrainingEngine {
 public:
  virtual ~TrainingEngine() = default;
  // "CPU · Eigen, 2 threads" or "CUDA · <device>", for reports and the GUI.
  virtual std::string name() const = 0;
  // Runs the job and leaves the trained parameters in job.network. Progress is reported
  // every few steps with the last batch's loss; when it returns false the parameters
  // reached so far are written back and Cancelled is thrown.
  virtual void train(const OrderTrainingJob& job, const TrainProgressFn& progress) = 0;
};

std::unique_ptr<TrainingEngine> makeCpuTrainingEngine();

}  // namespace rankflow::learn
