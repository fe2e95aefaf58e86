#include "app/models/learned_model.h"

#include <Eigen/SVD>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/common/background_lane.h"
#include "core/common/error.h"
#include "core/common/progress.h"
#include "core/common/timing.h"
#include "core/compute/device_fault.h"
#include "core/flows/samplers.h"
#include "core/learn/learned_sampling.h"

namespace rankflow::app {

// [SECTION] Background threads

namespace {

using CancelFlag = std::shared_ptr<std::atomic<bool>>;

// What the worker threads hand to poll(). Each kind carries the generation of the request
// that produced it, so a superseded job's late words are dropped.
struct Mailbox {
  std::mutex mutex;
  std::optional<std::pair<std::uint64_t, LearnedSnapshot>> snapshot;
  std::optional<std::pair<std::uint64_t, LearnedProgress>> progress;
  std::optional<std::pair<std::uint64_t, CompareResult>> compare;
  std::optional<std::pair<std::uint64_t, SamplesResult>> samples;

  template <class T>
  void put(std::optional<std::pair<std::uint64_t, T>>& slot, std::uint64_t generation, T value) {
    const std::lock_guard lock(mutex);
    slot.emplace(generation, std::move(value));
  }
};

// The training thread's own model: the network being trained and its targets. Orders
// 1..validThrough were trained one after another with nothing changed below them since.
struct TrainingWork {
  std::unique_ptr<learn::FlowNetwork> network;
  std::shared_ptr<const learn::TargetSet> train;
  std::shared_ptr<const learn::TargetSet> heldOut;
  std::uint64_t sceneKey = 0;
  flows::Schedule schedule = flows::Schedule::Linear;
  int validThrough = 0;
  int rounds = 0;
  double targetSeconds = 0.0;
  std::string engine;
  std::string cudaFailure;  // why CUDA failed during training; then the CPU trains from then on
  std::vector<LearnedOrderStats> stats;
};

struct TrainingRequest {
  std::uint64_t generation = 0;
  std::uint64_t sceneKey = 0;
  flows::Schedule schedule = flows::Schedule::Linear;
  std::shared_ptr<const flows::FlowData> data;
  std::vector<int> ranks;
  int rounds = 0;
};

// The analysis thread's cache of the exact samples (RK4, 100 steps), per scene.
struct ExactSamplesCache {
  std::uint64_t sceneKey = 0;
  int count = 0;
  std::vector<Vec2f> start;
  std::vector<Vec2f> end;
  double swdToData = 0.0;
};

std::int64_t flopsPerEvaluation(const learn::FlowNetwork& network, int order) {
  std::int64_t macs = 0;
  const auto layers = network.effectiveLayers(order);
  const auto& ranks = network.config().ranks;
  const bool factored = order > 1 && network.config().variant != learn::Variant::Separate;
  for (const auto& l : layers) {
    macs += l.w.rows() * l.w.cols();
    if (!factored) continue;
    const int first = network.config().variant == learn::Variant::Cascade ? 2 : order;
    for (int j = first; j <= order; ++j) macs += ranks[static_cast<std::size_t>(j - 2)] * (l.w.rows() + l.w.cols());
  }
  return 2 * macs;
}

}  // namespace

learn::TrainOptions cudaLearnedTraining() {
  learn::TrainOptions o = LearnedSettings{}.train;
  o.baseSteps *= 5;
  o.baseBatch *= 2;
  o.adapterSteps *= 4;
  o.adapterBatch *= 2;
  return o;
}

struct LearnedModel::Threads {
  Mailbox mailbox;
  TrainingWork work;          // training thread only
  ExactSamplesCache exact;    // analysis thread only
  CancelFlag trainingCancel;  // UI thread only (the jobs hold their own copies)
  CancelFlag compareCancel;
  CancelFlag samplesCancel;
  std::uint64_t compareGeneration = 0;
  std::uint64_t samplesGeneration = 0;
  // Last: joined first, while everything their tasks touch still exists.
  BackgroundLane training{1};
  BackgroundLane analysis{2};  // slot 0 samples (quick), slot 1 comparisons
};

struct LearnedModel::QueryCache {
  const learn::FlowNetwork* network = nullptr;
  int order = 0;
  float t = 0.0f;
  std::uint64_t pointsHash = 0;
  std::size_t count = 0;
  std::uint64_t sceneKey = 0;
  std::vector<Vec2f> field;
  std::vector<float> error;

  bool matches(const learn::FlowNetwork* n, int k, float time, std::uint64_t hash, std::size_t size,
               std::uint64_t scene) const {
    return network == n && order == k && t == time && pointsHash == hash && count == size && sceneKey == scene;
  }
};

namespace {

// FNV-1a over the raw bytes: a cache key, not a checksum.
std::uint64_t hashBytes(const void* data, std::size_t size, std::uint64_t h = 1469598103934665603ull) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

std::uint64_t hashPoints(std::span<const Vec2f> x) {
  return hashBytes(x.data(), x.size_bytes());
}

// [SECTION] Training job

learn::TrainOptions roundOptions(const learn::TrainOptions& base, int rounds) {
  learn::TrainOptions o = base;
  if (rounds == 0) return o;
  // Round n continues from trained weights: 2^n times the steps at a smaller rate, since
  // the fresh Adam state would otherwise kick the weights away from the minimum.
  const int factor = 1 << std::min(rounds, 6);
  o.baseSteps *= factor;
  o.adapterSteps *= factor;
  o.baseLearningRate *= 0.5f;
  o.adapterLearningRate *= 0.5f;
  return o;
}

LearnedSnapshot snapshotOf(const TrainingWork& work, std::uint64_t generation) {
  LearnedSnapshot s;
  s.generation = generation;
  s.network = std::make_shared<const learn::FlowNetwork>(*work.network);
  s.train = work.train;
  s.heldOut = work.heldOut;
  s.sceneKey = work.sceneKey;
  s.schedule = work.schedule;
  s.orders = work.stats;
  s.rounds = work.rounds;
  s.targetSeconds = work.targetSeconds;
  s.engine = work.engine;
  return s;
}

std::shared_ptr<learn::TrainingEngine> makeEngine(const LearnedSettings& settings) {
  return settings.trainingEngine ? settings.trainingEngine() : nullptr;
}

void runTraining(const LearnedSettings& settings, const TrainingRequest& request, TrainingWork& work,
                 const CancelFlag& cancel, Mailbox& box) {
  const std::uint64_t generation = request.generation;
  LearnedProgress progress;
  progress.state = TaskState::Running;
  auto publish = [&] { box.put(box.progress, generation, progress); };
  try {
    const bool newScene = !work.network || work.sceneKey != request.sceneKey || work.schedule != request.schedule;
    if (newScene) {
      progress.activity = "computing the exact targets v, a, j";
      publish();
      const auto begin = std::chrono::steady_clock::now();
      learn::TargetOptions targets;
      targets.schedule = request.schedule;
      targets.epsilon = settings.epsilon;
      targets.count = settings.targetCount;
      targets.seed = settings.seed;
      work.network.reset();
      work.train = std::make_shared<const learn::TargetSet>(learn::makeTargets(*request.data, targets));
      if (*cancel) throw Cancelled();
      targets.count = settings.heldOutCount;
      targets.seed = settings.seed + 0x5eed;  // the CLI's held-out seed
      work.heldOut = std::make_shared<const learn::TargetSet>(learn::makeTargets(*request.data, targets));
      work.targetSeconds = secondsSince(begin);
      learn::ModelConfig config;
      config.hiddenLayers = settings.hiddenLayers;
      config.width = settings.width;
      config.frequencies = settings.frequencies;
      config.ranks = request.ranks;
      config.seed = settings.seed;
      config.schedule = request.schedule;
      config.timeMax = 1.0f - settings.epsilon;
      work.network = std::make_unique<learn::FlowNetwork>(config);
      work.sceneKey = request.sceneKey;
      work.schedule = request.schedule;
      work.validThrough = 0;
      work.rounds = 0;
      work.stats.assign(static_cast<std::size_t>(work.network->orders()), {});
    } else {
      for (int k = 2; k <= work.network->orders(); ++k) {
        const int r = request.ranks[static_cast<std::size_t>(k - 2)];
        if (work.network->config().ranks[static_cast<std::size_t>(k - 2)] == r) continue;
        work.network->setRank(k, r);
        work.validThrough = std::min(work.validThrough, k - 1);
      }
    }
    learn::FlowNetwork& network = *work.network;
    const int orders = network.orders();
    const bool longer = request.rounds > work.rounds;
    const learn::TrainOptions options = roundOptions(settings.train, longer ? request.rounds : 0);
    // A device lost or out of memory during training (compute::DeviceFault) moves this
    // model's training to the CPU for good; the orders not yet finished train again there and
    // the view says why beside the trainer's name (docs/RELIABILITY.md, "Faults").
    const auto trainOn = [&](const std::shared_ptr<learn::TrainingEngine>& engine) {
      const int from = longer ? 1 : work.validThrough + 1;
      learn::Trainer trainer(network, *work.train, *work.heldOut, options, engine);
      work.engine = trainer.engineName();
      if (!work.cudaFailure.empty())
        work.engine += " (CUDA failed, the CPU trains from now on: " + work.cudaFailure + ")";
      if (from <= orders) {
        progress.activity = newScene ? "training"
                            : longer ? "training longer (round " + std::to_string(request.rounds) + ")"
                                     : "retraining from order " + std::to_string(from);
        auto work_of = [&](int k) {
          return k == 1 ? double(options.baseSteps) * options.baseBatch
                        : double(options.adapterSteps) * options.adapterBatch;
        };
        double total = 0.0;
        for (int k = from; k <= orders; ++k) total += work_of(k);
        const learn::TrainProgressFn onProgress = [&](const learn::TrainProgress& p) {
          if (*cancel) return false;
          // An order under way makes every order above it stale.
          work.validThrough = std::min(work.validThrough, p.order - 1);
          double done = 0.0;
          for (int k = from; k < p.order; ++k) done += work_of(k);
          done += p.steps > 0 ? work_of(p.order) * p.step / p.steps : 0.0;
          progress.order = p.order;
          progress.step = p.step;
          progress.steps = p.steps;
          progress.loss = p.loss;
          progress.fraction = total > 0.0 ? static_cast<float>(done / total) : 1.0f;
          publish();
          return true;
        };
        for (const learn::OrderReport& r : trainer.retrainFrom(from, onProgress)) {
          LearnedOrderStats& s = work.stats[static_cast<std::size_t>(r.order - 1)];
          s.trainSeconds = r.trainSeconds;
          s.steps = longer ? s.steps + r.steps : r.steps;
        }
        work.validThrough = orders;
        if (longer) work.rounds = request.rounds;
      }
      for (int k = 1; k <= orders; ++k) {
        LearnedOrderStats& s = work.stats[static_cast<std::size_t>(k - 1)];
        s.order = k;
        s.rank = k == 1 ? 0 : network.config().ranks[static_cast<std::size_t>(k - 2)];
        s.heldOutRelativeError = trainer.heldOutRelativeError(k);
        s.parameters = network.parameterCount(k);
        s.flopsPerEvaluation = flopsPerEvaluation(network, k);
      }
    };
    const std::shared_ptr<learn::TrainingEngine> engine = work.cudaFailure.empty() ? makeEngine(settings) : nullptr;
    try {
      trainOn(engine);
    } catch (const compute::DeviceFault& fault) {
      if (!engine) throw;
      work.cudaFailure = fault.what();
      progress.activity = "CUDA failed; training on the CPU";
      publish();
      trainOn(nullptr);
    }
    {
      // Snapshot before the progress says "done", so poll() never sees done without it.
      const std::lock_guard lock(box.mutex);
      box.snapshot.emplace(generation, snapshotOf(work, generation));
    }
    progress.state = TaskState::Done;
    progress.fraction = 1.0f;
    progress.activity = "trained";
    publish();
  } catch (const Cancelled&) {
    progress.state = TaskState::Cancelled;
    progress.activity = "cancelled";
    publish();
  } catch (const std::exception& e) {
    // A half-built model is not reused: the next request starts from the scene again.
    work.network.reset();
    progress.state = TaskState::Failed;
    progress.error = e.what();
    publish();
  }
}

// [SECTION] Analysis jobs

void runCompare(const LearnedSettings& settings, const LearnedSnapshot& snapshot, std::uint64_t generation,
                const CancelFlag& cancel, Mailbox& box) {
  CompareResult result;
  result.state = TaskState::Running;
  result.ranks = snapshot.network->config().ranks;
  result.adapterSteps = settings.train.adapterSteps;
  const int orders = snapshot.network->orders();
  const learn::Variant variants[] = {learn::Variant::Cascade, learn::Variant::Independent, learn::Variant::Separate};
  const int jobs = 3 * (orders - 1);
  int finished = 0;
  try {
    for (const learn::Variant variant : variants) {
      // Every variant's higher orders start fresh on the published base with the same steps
      // and batches: equal budget, and the cascade's own "Train longer" rounds do not count.
      learn::ModelConfig config = snapshot.network->config();
      config.variant = variant;
      learn::FlowNetwork net(config);
      net.base = snapshot.network->base;
      learn::Trainer trainer(net, *snapshot.train, *snapshot.heldOut, settings.train, makeEngine(settings));
      result.rows.push_back({variant, 1, trainer.heldOutRelativeError(1), net.parameterCount(1),
                             snapshot.orders.empty() ? 0.0 : snapshot.orders.front().trainSeconds});
      for (int k = 2; k <= orders; ++k) {
        result.activity = std::string(learn::variantName(variant)) + ", order " + std::to_string(k);
        const learn::OrderReport r = trainer.trainOrder(k, [&](const learn::TrainProgress& p) {
          if (*cancel) return false;
          result.fraction = (static_cast<float>(finished) + static_cast<float>(p.step) / std::max(p.steps, 1)) / jobs;
          box.put(box.compare, generation, result);
          return true;
        });
        ++finished;
        result.rows.push_back({variant, k, r.heldOutRelativeError, r.parameters, r.trainSeconds});
      }
    }
    result.state = TaskState::Done;
    result.fraction = 1.0f;
    result.activity = "done";
  } catch (const Cancelled&) {
    result.state = TaskState::Cancelled;
    result.activity = "cancelled";
  } catch (const std::exception& e) {
    result.state = TaskState::Failed;
    result.error = e.what();
  }
  box.put(box.compare, generation, std::move(result));
}

struct SamplesRequest {
  std::uint64_t generation = 0;
  std::shared_ptr<const learn::FlowNetwork> network;
  std::shared_ptr<const flows::FlowData> data;
  std::uint64_t sceneKey = 0;
  flows::Schedule schedule = flows::Schedule::Linear;
  int steps = 1;
};

void runSamples(const LearnedSettings& settings, const SamplesRequest& request, ExactSamplesCache& exact,
                const CancelFlag& cancel, Mailbox& box) {
  SamplesResult result;
  result.state = TaskState::Running;
  result.requestedSteps = request.steps;
  box.put(box.samples, request.generation, result);
  try {
    if (exact.sceneKey != request.sceneKey || exact.count != settings.sampleCount || exact.end.empty()) {
      exact.start = flows::sampleStandardNormal(settings.sampleCount, settings.seed + 17);
      flows::SamplerOptions options;
      options.schedule = request.schedule;
      options.grid = {0.0f, 1.0f, 100};
      const auto sampled = flows::sampleFlow(*request.data, exact.start, options, [&](double) { return !*cancel; });
      const auto end = sampled.store.positions(options.grid.steps);
      exact.end.assign(end.begin(), end.end());
      exact.swdToData = learn::slicedWasserstein(exact.end, request.data->points);
      exact.sceneKey = request.sceneKey;
      exact.count = settings.sampleCount;
    }
    result.exactSamples = exact.end;
    result.exactSwdToData = exact.swdToData;
    result.dataPoints = request.data->points;
    // Taylor-3 takes N steps of 3 evaluations; the learned-v solvers get as many steps as
    // 3N evaluations allow (at least one), so the comparison is at equal cost.
    const int evaluations = 3 * request.steps;
    for (const flows::Solver solver :
         {flows::Solver::Taylor3, flows::Solver::Rk4, flows::Solver::Heun, flows::Solver::Euler}) {
      if (*cancel) throw Cancelled();
      SolverSamples run;
      run.solver = solver;
      const int perStep = learn::networkEvaluationsPerStep(solver);
      run.steps = solver == flows::Solver::Taylor3
                      ? request.steps
                      : std::max(1, static_cast<int>(std::lround(double(evaluations) / perStep)));
      run.networkEvaluations = run.steps * perStep;
      run.samples = learn::sampleLearned(*request.network, solver, run.steps, exact.start);
      run.swdToData = learn::slicedWasserstein(run.samples, request.data->points);
      run.swdToExact = learn::slicedWasserstein(run.samples, exact.end);
      result.runs.push_back(std::move(run));
    }
    result.state = TaskState::Done;
  } catch (const Cancelled&) {
    result.state = TaskState::Cancelled;
  } catch (const std::exception& e) {
    result.state = TaskState::Failed;
    result.error = e.what();
  }
  box.put(box.samples, request.generation, std::move(result));
}

}  // namespace

// [SECTION] LearnedModel

LearnedModel::LearnedModel(LearnedSettings settings)
    : settings_(std::move(settings)),
      ranks_(settings_.ranks),
      fieldCache_(std::make_unique<QueryCache>()),
      errorCache_(std::make_unique<QueryCache>()),
      threads_(std::make_unique<Threads>()) {
  settings_.train.validate();
  if (ranks_.size() != kOrders - 1) throw InvalidArgument("learned model: two ranks (r_2, r_3) expected");
}

LearnedModel::~LearnedModel() {
  // Running jobs stop at their next progress check; the threads then join.
  for (const CancelFlag& f : {threads_->trainingCancel, threads_->compareCancel, threads_->samplesCancel})
    if (f) *f = true;
  threads_.reset();
}

std::uint64_t LearnedModel::sceneKey(const flows::FlowScene& scene) {
  const auto schedule = static_cast<int>(scene.schedule);
  return hashBytes(&schedule, sizeof schedule, hashPoints(scene.data.points));
}

int LearnedModel::maxRank() const {
  learn::ModelConfig c;
  c.width = settings_.width;
  c.frequencies = settings_.frequencies;
  return std::min(c.width, c.inputDim());
}

int LearnedModel::rank(int order) const {
  if (order < 2 || order > kOrders) return 0;
  return ranks_[static_cast<std::size_t>(order - 2)];
}

void LearnedModel::setScene(const flows::FlowScene& scene) {
  const std::uint64_t key = sceneKey(scene);
  if (haveScene_ && key == requestedSceneKey_) return;
  try {
    auto data = std::make_shared<const flows::FlowData>(flows::FlowData::empirical(scene.data.points));
    data->validate();
    requestedData_ = std::move(data);
  } catch (const std::exception& e) {
    message_ = std::string("scene not usable for training: ") + e.what();
    return;
  }
  haveScene_ = true;
  requestedSceneKey_ = key;
  requestedSchedule_ = scene.schedule;
  rounds_ = 0;
  message_.clear();
  submitTraining();
}

bool LearnedModel::setRank(int order, int rank) {
  if (order < 2 || order > kOrders) {
    message_ = "r_" + std::to_string(order) + ": only orders 2 (acceleration) and 3 (jerk) have a rank";
    return false;
  }
  if (rank < 0 || rank > maxRank()) {
    message_ = "r_" + std::to_string(order) + " = " + std::to_string(rank) + " refused: it must lie in 0.." +
               std::to_string(maxRank()) + " (at most the smallest layer dimension)";
    return false;
  }
  message_.clear();
  int& current = ranks_[static_cast<std::size_t>(order - 2)];
  if (current == rank) return true;
  current = rank;
  if (haveScene_) submitTraining();
  return true;
}

void LearnedModel::trainLonger() {
  if (!haveScene_) {
    message_ = "no scene to train on yet";
    return;
  }
  message_.clear();
  ++rounds_;
  submitTraining();
}

void LearnedModel::submitTraining() {
  if (threads_->trainingCancel) *threads_->trainingCancel = true;
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  threads_->trainingCancel = cancel;
  TrainingRequest request{++generation_, requestedSceneKey_, requestedSchedule_, requestedData_, ranks_, rounds_};
  pendingTraining_ = true;
  // The tasks hold the Threads pointer itself: threads_ is already null while it is destroyed.
  threads_->training.post(0, [this, threads = threads_.get(), request = std::move(request), cancel] {
    runTraining(settings_, request, threads->work, cancel, threads->mailbox);
  });
}

void LearnedModel::train() {
  if (!haveScene_) {
    message_ = "no scene to train on yet";
    return;
  }
  message_.clear();
  submitTraining();
}

void LearnedModel::cancelTraining() {
  if (threads_->trainingCancel) *threads_->trainingCancel = true;
  // A request still waiting for the thread is dropped with it.
  threads_->training.post(0, nullptr);
  if (pendingTraining_ || progress_.state == TaskState::Running) {
    pendingTraining_ = false;
    progress_.state = TaskState::Cancelled;
    progress_.activity = "cancelled";
  }
  // Anything the cancelled job still publishes belongs to a superseded generation.
  ++generation_;
}

void LearnedModel::compareVariants() {
  if (!hasModel()) {
    message_ = "compare variants: no trained model yet";
    return;
  }
  message_.clear();
  if (threads_->compareCancel) *threads_->compareCancel = true;
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  threads_->compareCancel = cancel;
  const std::uint64_t generation = ++threads_->compareGeneration;
  compare_ = {};
  compare_.state = TaskState::Running;
  compare_.activity = "waiting";
  threads_->analysis.post(1, [this, threads = threads_.get(), snapshot = snapshot_, generation, cancel] {
    runCompare(settings_, snapshot, generation, cancel, threads->mailbox);
  });
}

void LearnedModel::cancelCompare() {
  if (threads_->compareCancel) *threads_->compareCancel = true;
  threads_->analysis.post(1, nullptr);
  ++threads_->compareGeneration;
  if (compare_.state == TaskState::Running) {
    compare_.state = TaskState::Cancelled;
    compare_.activity = "cancelled";
  }
}

bool LearnedModel::requestSamples(int steps) {
  if (std::find(std::begin(kSampleSteps), std::end(kSampleSteps), steps) == std::end(kSampleSteps)) {
    message_ = "few-step samples: steps must be 1, 2, 4, 8 or 16, got " + std::to_string(steps);
    return false;
  }
  if (!hasModel() || !requestedData_) {
    message_ = "few-step samples: no trained model yet";
    return false;
  }
  // The snapshot's own scene, so samples and data always belong together.
  if (snapshot_.sceneKey != requestedSceneKey_) {
    message_ = "few-step samples: the model is still training on the new scene";
    return false;
  }
  message_.clear();
  if (threads_->samplesCancel) *threads_->samplesCancel = true;
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  threads_->samplesCancel = cancel;
  SamplesRequest request{
      ++threads_->samplesGeneration, snapshot_.network, requestedData_, snapshot_.sceneKey, snapshot_.schedule, steps};
  samples_ = {};
  samples_.state = TaskState::Running;
  samples_.requestedSteps = steps;
  threads_->analysis.post(0, [this, threads = threads_.get(), request = std::move(request), cancel] {
    runSamples(settings_, request, threads->exact, cancel, threads->mailbox);
  });
  return true;
}

void LearnedModel::cancelSamples() {
  if (threads_->samplesCancel) *threads_->samplesCancel = true;
  threads_->analysis.post(0, nullptr);
  ++threads_->samplesGeneration;
  if (samples_.state == TaskState::Running) samples_.state = TaskState::Cancelled;
}

bool LearnedModel::poll() {
  Mailbox& box = threads_->mailbox;
  decltype(box.snapshot) snapshot;
  decltype(box.progress) progress;
  decltype(box.compare) compare;
  decltype(box.samples) samples;
  {
    const std::lock_guard lock(box.mutex);
    snapshot.swap(box.snapshot);
    progress.swap(box.progress);
    compare.swap(box.compare);
    samples.swap(box.samples);
  }
  bool changed = false;
  // A snapshot of an older request is still a finished, consistent model: better shown
  // than nothing while the newer request trains.
  if (snapshot && snapshot->first >= snapshot_.generation) {
    snapshot_ = std::move(snapshot->second);
    changed = true;
  }
  if (progress && progress->first == generation_) {
    progress_ = std::move(progress->second);
    pendingTraining_ = false;
    changed = true;
  }
  if (compare && compare->first == threads_->compareGeneration) {
    compare_ = std::move(compare->second);
    changed = true;
  }
  if (samples && samples->first == threads_->samplesGeneration) {
    samples_ = std::move(samples->second);
    changed = true;
  }
  return changed;
}

bool LearnedModel::waitForIdle(std::chrono::milliseconds timeout) {
  return pollUntilIdle(
      timeout, std::chrono::milliseconds(5), [this] { return threads_->training.idle() && threads_->analysis.idle(); },
      [this] { poll(); });
}

// [SECTION] Queries for the flow view

bool LearnedModel::learnedField(int order, std::span<const Vec2f> x, float t, std::vector<Vec2f>& out) const {
  const learn::FlowNetwork* network = snapshot_.network.get();
  if (!network || order < 1 || order > network->orders() || !std::isfinite(t)) return false;
  const std::uint64_t hash = hashPoints(x);
  QueryCache& cache = *fieldCache_;
  if (!cache.matches(network, order, t, hash, x.size(), 0)) {
    const std::vector<float> times(x.size(), t);
    const Eigen::MatrixXf y = network->predict(order, network->features(x, times));
    cache.field.resize(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      const auto c = static_cast<Eigen::Index>(i);
      cache.field[i] = {y(0, c), y(1, c)};
    }
    cache.network = network;
    cache.order = order;
    cache.t = t;
    cache.pointsHash = hash;
    cache.count = x.size();
  }
  out = cache.field;
  return true;
}

bool LearnedModel::perParticleError(int order, std::span<const Vec2f> x, float t, const flows::FlowScene& scene,
                                    std::vector<float>& relErr) const {
  const learn::FlowNetwork* network = snapshot_.network.get();
  if (!network || order < 1 || order > network->orders() || !(t >= 0.0f && t <= 1.0f)) return false;
  const std::uint64_t hash = hashPoints(x);
  const std::uint64_t key = sceneKey(scene);
  QueryCache& cache = *errorCache_;
  if (!cache.matches(network, order, t, hash, x.size(), key)) {
    std::vector<Vec2f> learned;
    learnedField(order, x, t, learned);
    flows::FieldRequest request;
    request.schedule = scene.schedule;
    request.kind = flows::FieldKind::Lagrangian;
    request.t = t;
    request.maxOrder = order;
    const std::vector<Vec2f> exact = flows::evaluateFields(flows::FlowData::empirical(scene.data.points), request, x);
    cache.error.resize(x.size());
    const auto stride = static_cast<std::size_t>(order + 1);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const Vec2f e = exact[i * stride + static_cast<std::size_t>(order)];
      cache.error[i] = std::sqrt(squaredNorm(learned[i] - e)) / (std::sqrt(squaredNorm(e)) + settings_.errorFloor);
    }
    cache.network = network;
    cache.order = order;
    cache.t = t;
    cache.pointsHash = hash;
    cache.count = x.size();
    cache.sceneKey = key;
  }
  relErr = cache.error;
  return true;
}

// [SECTION] Export

std::string LearnedModel::exportJson() const {
  using nlohmann::json;
  json j;
  j["settings"] = {{"hidden_layers", settings_.hiddenLayers},
                   {"width", settings_.width},
                   {"frequencies", settings_.frequencies},
                   {"base_steps", settings_.train.baseSteps},
                   {"base_batch", settings_.train.baseBatch},
                   {"adapter_steps", settings_.train.adapterSteps},
                   {"adapter_batch", settings_.train.adapterBatch},
                   {"targets", settings_.targetCount},
                   {"held_out", settings_.heldOutCount},
                   {"epsilon", settings_.epsilon},
                   {"seed", settings_.seed}};
  j["ranks"] = ranks_;
  j["max_rank"] = maxRank();
  j["message"] = message_;
  j["progress"] = {{"state", taskStateName(progress_.state)},
                   {"activity", progress_.activity},
                   {"order", progress_.order},
                   {"step", progress_.step},
                   {"steps", progress_.steps},
                   {"loss", progress_.loss},
                   {"fraction", progress_.fraction},
                   {"error", progress_.error}};
  j["has_model"] = hasModel();
  if (hasModel()) {
    j["model"] = {{"ranks", snapshot_.network->config().ranks},
                  {"schedule", flows::scheduleName(snapshot_.schedule)},
                  {"rounds", snapshot_.rounds},
                  {"target_seconds", snapshot_.targetSeconds},
                  {"engine", snapshot_.engine},
                  {"total_parameters", snapshot_.network->totalParameterCount()}};
    for (const auto& o : snapshot_.orders)
      j["model"]["orders"].push_back({{"order", o.order},
                                      {"rank", o.rank},
                                      {"held_out_relative_error", o.heldOutRelativeError},
                                      {"parameters", o.parameters},
                                      {"flops_per_evaluation", o.flopsPerEvaluation},
                                      {"train_seconds", o.trainSeconds},
                                      {"steps", o.steps}});
  }
  j["compare"] = {{"state", taskStateName(compare_.state)},
                  {"error", compare_.error},
                  {"ranks", compare_.ranks},
                  {"adapter_steps", compare_.adapterSteps},
                  {"rows", json::array()}};
  for (const auto& r : compare_.rows)
    j["compare"]["rows"].push_back({{"variant", learn::variantName(r.variant)},
                                    {"order", r.order},
                                    {"held_out_relative_error", r.heldOutRelativeError},
                                    {"parameters", r.parameters},
                                    {"train_seconds", r.trainSeconds}});
  j["samples"] = {{"state", taskStateName(samples_.state)},
                  {"error", samples_.error},
                  {"steps", samples_.requestedSteps},
                  {"exact_swd_to_data", samples_.exactSwdToData},
                  {"runs", json::array()}};
  for (const auto& r : samples_.runs)
    j["samples"]["runs"].push_back({{"solver", flows::solverName(r.solver)},
                                    {"steps", r.steps},
                                    {"network_evaluations", r.networkEvaluations},
                                    {"swd_to_data", r.swdToData},
                                    {"swd_to_exact", r.swdToExact}});
  return j.dump(2);
}

}  // namespace rankflow::app
