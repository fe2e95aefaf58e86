#pragma once
// What the Cascade window's "Learned flow" tab shows (docs/MATHEMATICS.md §5, §6), without ImGui: the
// learned cascade g(x, t) trained on the current scene's exact Lagrangian v, a, j; the
// per-order rank sliders r_2, r_3 (a move retrains only orders ≥ k, warm-started); held-out
// error, parameters and FLOPs per order; "Compare variants" (cascade, independent LoRA,
// separate networks at equal budget); few-step samples scored by sliced Wasserstein.
//
// Training runs on one background thread, comparisons and samples on another; a newer
// request supersedes (cancels) the running one of its kind. Results reach the UI thread only
// through poll(), as whole snapshots: the network the flow view queries is a
// shared_ptr<const FlowNetwork> replaced when a job finishes, never one being trained.
//
// [SECTION] Settings and results
// [SECTION] LearnedModel
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "app/models/task.h"
#include "core/common/vec2.h"
#include "core/flows/flow_fields.h"
#include "core/flows/flow_scene.h"
#include "core/learn/flow_network.h"
#include "core/learn/trainer.h"

namespace rankflow::app {

// [SECTION] Settings and results

struct LearnedSettings {
  int hiddenLayers = 3;
  int width = 128;
  int frequencies = 8;
  std::vector<int> ranks = {16, 8};  // r_2, r_3
  // Measured on the 2-core machine (rankflow train, H = 128, L = 3): the base runs ~110
  // steps/s at batch 2048 and an adapter ~450 steps/s at batch 1024, and the 36k exact
  // targets take ~0.7 s, so these sizes give the first model in ~8 s (≲ 20 s with the
  // cores shared) at held-out errors near 0.07 / 0.45 / 0.85 on 8 gaussians. 400 adapter
  // steps take ~1.4 s an order on a quiet machine: moving r_3 retrains in ~1.4 s, r_2 (two
  // orders) in ~2.8 s. "Train longer" doubles the steps each round for quality.
  learn::TrainOptions train = [] {
    learn::TrainOptions o;
    o.baseSteps = 800;
    o.baseBatch = 2048;
    o.adapterSteps = 400;
    o.adapterBatch = 1024;
    return o;
  }();
  int targetCount = 32768;
  int heldOutCount = 4096;
  float epsilon = 0.2f;  // targets at t ~ U[0, 1 − ε]; the model is frozen beyond 1 − ε
  std::uint64_t seed = 1;
  int sampleCount = 1024;  // particles of the few-step samples
  // |learned − exact| / (|exact| + floor): keeps the ratio finite where the exact field
  // vanishes (the fields here are O(1)…O(100), so 1e-3 only matters near zeros).
  float errorFloor = 1e-3f;
  // Makes the trainer each training job runs on (one per job: engines keep per-run device
  // state); null, or a null result, means the CPU trainer.
  std::function<std::shared_ptr<learn::TrainingEngine>()> trainingEngine;
};

// The steps the Learned tab trains with on CUDA: five times the CPU's base steps at twice
// the batch, and four times the adapter steps at twice the batch. Measured on an H100 (the
// default scene): the first model in 0.73 + 0.60 + 0.59 s at held-out errors 0.030 / 0.243 /
// 0.678, against 6.2 + 1.1 + 1.0 s and 0.066 / 0.456 / 0.860 for the CPU's steps on two cores.
learn::TrainOptions cudaLearnedTraining();

struct LearnedOrderStats {
  int order = 1;
  int rank = 0;                       // r_k (0 for the base)
  double heldOutRelativeError = 0.0;  // Trainer::heldOutRelativeError on this snapshot's network
  std::int64_t parameters = 0;        // added by this order
  // Multiply-adds ×2 for one point through order k, adapters evaluated factored (W x plus
  // Σ_{j≤k} U_j (V_jᵀ x)), as docs/MATHEMATICS.md §1 counts; SiLU and the time features not included.
  std::int64_t flopsPerEvaluation = 0;
  double trainSeconds = 0.0;  // of its latest training
  int steps = 0;              // total steps trained on this scene (rounds add up)
};

// One published model: everything the tab shows about it, consistent with one network.
struct LearnedSnapshot {
  std::uint64_t generation = 0;  // of the training request that produced it
  std::shared_ptr<const learn::FlowNetwork> network;
  std::shared_ptr<const learn::TargetSet> train;
  std::shared_ptr<const learn::TargetSet> heldOut;
  std::uint64_t sceneKey = 0;  // hash of the data points and the schedule
  flows::Schedule schedule = flows::Schedule::Linear;
  std::vector<LearnedOrderStats> orders;
  int rounds = 0;  // "Train longer" rounds completed
  double targetSeconds = 0.0;
  std::string engine;  // the trainer of the last training ("CPU · Eigen, 2 threads", "CUDA · …")
};

struct LearnedProgress : TaskStatus {
  std::string activity;  // "exact targets", "training", "retraining from order 3", …
  int order = 0;
  int step = 0;
  int steps = 0;
  double loss = 0.0;
  float fraction = 0.0f;  // of the whole job
};

struct VariantRow {
  learn::Variant variant = learn::Variant::Cascade;
  int order = 1;
  double heldOutRelativeError = 0.0;
  std::int64_t parameters = 0;
  double trainSeconds = 0.0;
};

struct CompareResult : TaskStatus {
  std::string activity;
  float fraction = 0.0f;
  std::vector<int> ranks;
  int adapterSteps = 0;
  std::vector<VariantRow> rows;  // per variant: the shared base (order 1), then orders 2..K
};

struct SolverSamples {
  flows::Solver solver = flows::Solver::Taylor3;
  int steps = 0;
  int networkEvaluations = 0;
  std::vector<Vec2f> samples;
  double swdToData = 0.0;
  double swdToExact = 0.0;
};

struct SamplesResult : TaskStatus {
  int requestedSteps = 0;           // N: Taylor-3 steps; the others match 3N evaluations
  std::vector<SolverSamples> runs;  // Taylor-3, RK4, Heun, Euler
  std::vector<Vec2f> exactSamples;  // exact field, RK4 with 100 steps, same start points
  std::vector<Vec2f> dataPoints;    // the data the distances are measured to
  double exactSwdToData = 0.0;
};

// [SECTION] LearnedModel

class LearnedModel {
 public:
  static constexpr int kOrders = 3;  // velocity, acceleration, jerk
  static constexpr int kSampleSteps[] = {1, 2, 4, 8, 16};

  explicit LearnedModel(LearnedSettings settings = {});
  ~LearnedModel();
  LearnedModel(const LearnedModel&) = delete;
  LearnedModel& operator=(const LearnedModel&) = delete;

  const LearnedSettings& settings() const { return settings_; }

  // Trains on this scene unless its data and schedule are those of the current model (or
  // of the request under way); a newer scene supersedes a running training.
  void setScene(const flows::FlowScene& scene);
  // r_k for k = 2, 3: network.setRank(k, r) then Trainer::retrainFrom(k) in the background,
  // superseding a running retrain; orders < k are untouched. A bad rank (negative, above
  // maxRank()) or order changes nothing and returns false with message() set.
  bool setRank(int order, int rank);
  int rank(int order) const;  // the requested r_k
  // The largest rank every layer allows: min(width, input features) (ModelConfig::validate).
  int maxRank() const;
  // Another round on the same scene, continuing from the current weights with twice the
  // previous round's steps.
  void trainLonger();
  // Submits the current scene, ranks and rounds again: resumes after a cancel or a failure
  // (work already done and still valid is kept).
  void train();
  void cancelTraining();

  void compareVariants();  // needs a model; message() says so otherwise
  void cancelCompare();
  // Few-step samples with N ∈ kSampleSteps Taylor-3 steps; false with message() otherwise.
  bool requestSamples(int steps);
  void cancelSamples();

  // Takes newly published results onto the UI thread (call once per frame); true when
  // anything shown changed.
  bool poll();
  // Polls until both threads are idle or the timeout passes; true when idle.
  bool waitForIdle(std::chrono::milliseconds timeout);

  bool hasModel() const { return snapshot_.network != nullptr; }
  const LearnedSnapshot& snapshot() const { return snapshot_; }
  std::shared_ptr<const learn::FlowNetwork> network() const { return snapshot_.network; }
  const LearnedProgress& progress() const { return progress_; }
  const CompareResult& comparison() const { return compare_; }
  const SamplesResult& samples() const { return samples_; }
  const std::string& message() const { return message_; }  // the last refused input, or empty
  bool training() const { return progress_.state == TaskState::Running || pendingTraining_; }

  // The learned order-k field at points x, time t (predict with its output factor). False
  // until a model exists or for an order outside 1..3. UI thread only. Measured (H = 128,
  // L = 3, 2 shared cores): 1.1–1.9 ms per 1k points, 70–100 ms for 10k on a loaded
  // machine, so the last answer is cached: a repeated call with the same order, t and
  // points (a paused frame) costs a hash of the points (0.1 ms for 10k). Per-frame use
  // suits a lattice of arrows (32² ≈ 1k points), not 10k moving particles.
  bool learnedField(int order, std::span<const Vec2f> x, float t, std::vector<Vec2f>& out) const;
  // |learned − exact| / (|exact| + errorFloor) per point, the exact order-k field being the
  // Lagrangian derivative of the scene's data and schedule (flows::evaluateFields). False
  // without a model or for t outside [0, 1]. UI thread only. The exact AD pass (a softmax
  // over the data per point and jet order) is the costly part: 3 / 19 / 46 ms per 1k
  // points for orders 1 / 2 / 3, about 0.2 / 0.3 / 0.5 s for 10k (loaded machine); cached
  // like learnedField, so call it when t or the particles change, or on a subset.
  bool perParticleError(int order, std::span<const Vec2f> x, float t, const flows::FlowScene& scene,
                        std::vector<float>& relErr) const;

  // Everything shown: settings, progress, per-order numbers, the comparison, the samples'
  // distances (not the sample points).
  std::string exportJson() const;

  static std::uint64_t sceneKey(const flows::FlowScene& scene);

 private:
  struct Threads;

  void submitTraining();

  LearnedSettings settings_;
  std::vector<int> ranks_;  // requested r_2, r_3
  std::uint64_t generation_ = 0;
  int rounds_ = 0;  // requested "Train longer" rounds
  std::uint64_t requestedSceneKey_ = 0;
  bool haveScene_ = false;
  flows::Schedule requestedSchedule_ = flows::Schedule::Linear;
  std::shared_ptr<const flows::FlowData> requestedData_;
  bool pendingTraining_ = false;  // submitted, no progress published yet

  LearnedSnapshot snapshot_;
  LearnedProgress progress_;
  CompareResult compare_;
  SamplesResult samples_;
  std::string message_;

  struct QueryCache;
  std::unique_ptr<QueryCache> fieldCache_;
  std::unique_ptr<QueryCache> errorCache_;

  std::unique_ptr<Threads> threads_;  // last: joined first, while the rest still exists
};

}  // namespace rankflow::app
