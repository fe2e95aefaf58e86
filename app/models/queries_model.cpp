#include "app/models/queries_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/common/timing.h"
#include "core/lowrank/crossover.h"
#include "kernels/cuda_backend.h"
#include "kernels/cuda_lowrank.h"

namespace rankflow::app {
namespace {

using lowrank::Strategy;

constexpr int kMaxQueuedUpdates = 64;
// The node-based strategies on-the-fly is compared with in the sweep.
constexpr std::array<Strategy, 3> kCrossoverAgainst = {Strategy::Tree, Strategy::SumThenMultiply, Strategy::PrefixSums};

std::size_t index(Strategy s) {
  return static_cast<std::size_t>(s);
}

std::size_t index(QueryJob job) {
  return static_cast<std::size_t>(job);
}

int leavesFor(int m) {
  int leaves = 1;
  while (leaves < m) leaves *= 2;
  return leaves;
}

// Seeded inputs, one factor pair at a time so that a build can report progress and stop.
std::optional<QueryInputs> generateInputs(const QuerySizes& sizes, const std::function<bool(float)>& progress) {
  std::mt19937_64 rng(sizes.seed);
  std::normal_distribution<float> normal;
  const auto random = [&](int rows, int cols) {
    return Eigen::MatrixXf(Eigen::MatrixXf::NullaryExpr(rows, cols, [&] { return normal(rng); }));
  };
  QueryInputs inputs;
  inputs.left.reserve(static_cast<std::size_t>(sizes.m));
  inputs.right.reserve(static_cast<std::size_t>(sizes.m));
  const int every = std::max(1, sizes.m / 64);
  for (int i = 0; i < sizes.m; ++i) {
    inputs.left.push_back(random(sizes.d, sizes.r));
    inputs.right.push_back(random(sizes.d, sizes.r));
    if (progress && i % every == 0 && !progress(static_cast<float>(i) / static_cast<float>(sizes.m)))
      return std::nullopt;
  }
  inputs.x = random(sizes.d, sizes.n);
  return inputs;
}

// The first length at which `against` becomes cheaper than on-the-fly.
template <class Times>
double crossoverLength(const std::vector<SweepPoint>& points, Strategy against, Times&& times) {
  std::vector<double> lengths, fly, other;
  for (const SweepPoint& p : points) {
    lengths.push_back(p.length);
    fly.push_back(times(p)[index(Strategy::OnTheFly)]);
    other.push_back(times(p)[index(against)]);
  }
  return lowrank::logCrossing(lengths, fly, other);
}

std::vector<SweepCrossover> crossovers(const std::vector<SweepPoint>& points) {
  std::vector<SweepCrossover> out;
  for (Strategy against : kCrossoverAgainst) {
    SweepCrossover c;
    c.against = against;
    c.predictedLength = crossoverLength(points, against, [](const SweepPoint& p) { return p.predictedSeconds; });
    c.measuredLength = crossoverLength(points, against, [](const SweepPoint& p) { return p.measuredSeconds; });
    out.push_back(c);
  }
  return out;
}

std::string formatLength(double length) {
  if (!std::isfinite(length)) return "none";
  char text[32];
  std::snprintf(text, sizeof text, "%.0f", length);
  return text;
}

}  // namespace

// [SECTION] Sizes and inputs

std::string QueriesModel::validateSizes(const QuerySizes& s) {
  const auto outside = [](const char* name, int value, int high) {
    return std::string(name) + " must be in [1, " + std::to_string(high) + "], got " + std::to_string(value);
  };
  if (s.m < 1 || s.m > kQueriesMaxM) return outside("m", s.m, kQueriesMaxM);
  if (s.d < 1 || s.d > kQueriesMaxD) return outside("d", s.d, kQueriesMaxD);
  if (s.r < 1 || s.r > kQueriesMaxRank) return outside("r", s.r, kQueriesMaxRank);
  if (s.n < 1 || s.n > kQueriesMaxColumns) return outside("n", s.n, kQueriesMaxColumns);
  const double m = s.m, d = s.d, r = s.r, n = s.n, leaves = leavesFor(s.m);
  // Node matrices (2·leaves), prefix sums (m + 1), the tree's and the model's factors, X.
  const double bytes = sizeof(float) * (2.0 * leaves * d * d + (m + 1.0) * d * d + 4.0 * m * d * r + d * n);
  char text[200];
  if (bytes > kQueriesMaxBytes) {
    std::snprintf(text, sizeof text, "m = %d, d = %d need about %.0f MiB (limit %.0f MiB): lower m or d", s.m, s.d,
                  bytes / (1 << 20), kQueriesMaxBytes / (1 << 20));
    return text;
  }
  const double fly = m * 2.0 * d * r * n;
  const double tree = 2.0 * std::log2(leaves) * d * d * n;
  const double worst = std::max(fly, tree);
  if (worst > kQueriesMaxMultiplyAdds) {
    std::snprintf(text, sizeof text,
                  "a full-range %s query would take about %.1e multiply-adds (limit %.0e): lower m, d, r or n",
                  fly >= tree ? "on-the-fly" : "tree", worst, kQueriesMaxMultiplyAdds);
    return text;
  }
  return {};
}

QueryInputs QueriesModel::makeInputs(const QuerySizes& sizes) {
  if (const std::string problem = validateSizes(sizes); !problem.empty()) throw InvalidArgument(problem);
  return *generateInputs(sizes, {});
}

// [SECTION] Life cycle

QueriesModel::QueriesModel(const QuerySizes& initial) {
  published_.sizes = initial;
  published_.targetSizes = initial;
  published_.l = std::max(0, initial.m / 4);
  published_.h = std::max(published_.l, initial.m - 1 - initial.m / 4);
  published_.cpuBackend = "CPU";
  published_.cudaLine = "CUDA: probing...";
  if (const std::string problem = validateSizes(initial); problem.empty()) {
    pendingBuild_ = PendingBuild{nextIdLocked(), initial};
    published_.jobs[index(QueryJob::Build)] = {TaskState::Queued, 0.0f, "", lastId_};
  } else {
    published_.jobs[index(QueryJob::Build)] = {TaskState::Failed, 0.0f, problem, 0};
  }
  view_ = published_;
  // Busy until the lane has probed the backends, so waitIdle() sees the CUDA line settled.
  workerBusy_ = true;
  lane_.post(kProbeSlot, [this] {
    probeBackends();
    {
      const std::lock_guard lock(mutex_);
      workerBusy_ = false;
      settled_.notify_all();
    }
    drainPending();
  });
}

QueriesModel::~QueriesModel() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    cancelBelow_.fill(std::numeric_limits<std::uint64_t>::max());
  }
  // The lane's destructor drops what waits and joins the running job, which stops at its next
  // check of wanted() or stop_.
}

bool QueriesModel::anyPendingLocked() const {
  return pendingBuild_ || !pendingUpdates_.empty() || pendingQuery_ || pendingSweep_;
}

bool QueriesModel::busy() const {
  std::lock_guard lock(mutex_);
  return workerBusy_ || anyPendingLocked();
}

bool QueriesModel::waitIdle(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return settled_.wait_for(lock, timeout, [&] { return stop_ || (!workerBusy_ && !anyPendingLocked()); });
}

bool QueriesModel::poll() {
  std::lock_guard lock(mutex_);
  if (publishedStamp_ == viewStamp_) return false;
  view_ = published_;
  viewStamp_ = publishedStamp_;
  return true;
}

// [SECTION] Requests (UI thread)

Submission QueriesModel::requestBuild(const QuerySizes& sizes) {
  if (std::string problem = validateSizes(sizes); !problem.empty()) return {false, 0, std::move(problem)};
  std::lock_guard lock(mutex_);
  const std::uint64_t id = nextIdLocked();
  // A new tree makes every older job meaningless: their results describe the old one.
  for (auto& below : cancelBelow_) below = id;
  pendingBuild_ = PendingBuild{id, sizes};
  pendingQuery_.reset();  // re-queued for the (clamped) interval once the tree exists
  pendingUpdates_.clear();
  pendingSweep_.reset();
  for (QueryJob kind : {QueryJob::Update, QueryJob::Query, QueryJob::Sweep}) {
    auto& status = published_.jobs[index(kind)];
    if (status.state == TaskState::Queued || status.state == TaskState::Running)
      status = {TaskState::Cancelled, status.progress, "superseded by a rebuild", id};
  }
  published_.jobs[index(QueryJob::Build)] = {TaskState::Queued, 0.0f, "", id};
  published_.targetSizes = sizes;
  ++publishedStamp_;
  lane_.post(kDrainSlot, [this] { drainPending(); });
  return {true, id, ""};
}

Submission QueriesModel::requestInterval(int l, int h) {
  std::lock_guard lock(mutex_);
  if (!published_.treeReady && !pendingBuild_ && !workerBuilding_) return {false, 0, "no tree: build one first"};
  const int m = published_.targetSizes.m;
  if (l < 0 || h >= m || l > h) {
    return {false, 0,
            "need 0 <= l <= r <= " + std::to_string(m - 1) + ", got l = " + std::to_string(l) +
                ", r = " + std::to_string(h)};
  }
  published_.l = l;
  published_.h = h;
  published_.supersededQueries += (pendingQuery_ ? 1 : 0) + (runningQueryId_ != 0 ? 1 : 0);
  queueQueryLocked(l, h);
  return {true, lastId_, ""};
}

void QueriesModel::queueQueryLocked(int l, int h) {
  const std::uint64_t id = nextIdLocked();
  cancelBelow_[index(QueryJob::Query)] = id;
  pendingQuery_ = PendingQuery{id, l, h};
  published_.jobs[index(QueryJob::Query)] = {TaskState::Queued, 0.0f, "", id};
  ++publishedStamp_;
  lane_.post(kDrainSlot, [this] { drainPending(); });
}

Submission QueriesModel::requestSweep(int points) {
  if (points < 2 || points > 64) return {false, 0, "a sweep needs 2 to 64 lengths, got " + std::to_string(points)};
  std::lock_guard lock(mutex_);
  if (!published_.treeReady && !pendingBuild_ && published_.job(QueryJob::Build).state != TaskState::Running)
    return {false, 0, "no tree to sweep: build one first"};
  const std::uint64_t id = nextIdLocked();
  cancelBelow_[index(QueryJob::Sweep)] = id;
  pendingSweep_ = PendingSweep{id, points};
  published_.jobs[index(QueryJob::Sweep)] = {TaskState::Queued, 0.0f, "", id};
  ++publishedStamp_;
  lane_.post(kDrainSlot, [this] { drainPending(); });
  return {true, id, ""};
}

Submission QueriesModel::requestPointUpdate(int at) {
  std::lock_guard lock(mutex_);
  const int m = published_.targetSizes.m;
  if (at >= m) return {false, 0, "index " + std::to_string(at) + " is outside [0, " + std::to_string(m - 1) + "]"};
  if (!published_.treeReady && !pendingBuild_ && published_.job(QueryJob::Build).state != TaskState::Running)
    return {false, 0, "no tree to update: build one first"};
  if (pendingUpdates_.size() >= kMaxQueuedUpdates)
    return {false, 0, "already " + std::to_string(kMaxQueuedUpdates) + " updates queued"};
  const std::uint64_t id = nextIdLocked();
  pendingUpdates_.push_back({id, at});
  published_.jobs[index(QueryJob::Update)] = {TaskState::Queued, 0.0f, "", id};
  ++publishedStamp_;
  lane_.post(kDrainSlot, [this] { drainPending(); });
  return {true, id, ""};
}

void QueriesModel::cancel(QueryJob kind) {
  std::lock_guard lock(mutex_);
  cancelBelow_[index(kind)] = lastId_ + 1;
  switch (kind) {
    case QueryJob::Build:
      pendingBuild_.reset();
      break;
    case QueryJob::Update:
      pendingUpdates_.clear();
      break;
    case QueryJob::Query:
      pendingQuery_.reset();
      break;
    case QueryJob::Sweep:
      pendingSweep_.reset();
      break;
  }
  auto& status = published_.jobs[index(kind)];
  if (status.state == TaskState::Queued || status.state == TaskState::Running) {
    // The id of the newest request: the job being stopped cannot overwrite this status.
    status = {TaskState::Cancelled, status.progress, "cancelled", lastId_};
    ++publishedStamp_;
  }
  if (kind == QueryJob::Build && !workerBuilding_ && published_.treeReady) {
    // The build never started: the old tree stays, and the query it lost is asked again.
    published_.targetSizes = published_.sizes;
    published_.l = std::min(published_.l, published_.sizes.m - 1);
    published_.h = std::clamp(published_.h, published_.l, published_.sizes.m - 1);
    queueQueryLocked(published_.l, published_.h);
  }
  settled_.notify_all();
}

// [SECTION] Worker

bool QueriesModel::wanted(QueryJob kind, std::uint64_t id) const {
  std::lock_guard lock(mutex_);
  return !stop_ && id >= cancelBelow_[index(kind)];
}

void QueriesModel::setStatusLocked(QueryJob kind, TaskState state, float progress, std::string message,
                                   std::uint64_t id) {
  auto& status = published_.jobs[index(kind)];
  if (id < status.id) return;  // a newer request (or a cancel) owns the status now
  status = {state, progress, std::move(message), id};
  ++publishedStamp_;
}

void QueriesModel::setStatus(QueryJob kind, TaskState state, float progress, std::string message, std::uint64_t id) {
  std::lock_guard lock(mutex_);
  setStatusLocked(kind, state, progress, std::move(message), id);
}

void QueriesModel::setProgress(QueryJob kind, std::uint64_t id, float progress) {
  std::lock_guard lock(mutex_);
  auto& status = published_.jobs[index(kind)];
  if (status.id != id || status.state != TaskState::Running) return;
  status.progress = progress;
  ++publishedStamp_;
}

void QueriesModel::probeBackends() {
  const std::string cpu = lowrank::makeCpuLowRankBackend()->description();
  const kernels::CudaProbe probe = kernels::probeCuda();
  std::string line;
  if (!probe.available) {
    line = "CUDA: none (" + probe.reason + ")";
  } else {
    try {
      cuda_ = kernels::makeCudaLowRankBackend();
    } catch (const std::exception& e) {
      line = std::string("CUDA: none (the low-rank backend failed to start: ") + e.what() + ")";
    }
    if (cuda_) {
      line = "CUDA: " + cuda_->description();
    } else if (line.empty()) {
      line = "CUDA: none (" + probe.device + " was found, but this build has no CUDA low-rank backend)";
    }
  }
  std::lock_guard lock(mutex_);
  published_.cpuBackend = cpu;
  published_.cudaLine = line;
  published_.cudaAvailable = cuda_ != nullptr;
  ++publishedStamp_;
}

void QueriesModel::disableCuda(const std::string& why) {
  cudaTree_.reset();
  cuda_.reset();
  std::lock_guard lock(mutex_);
  published_.cudaLine = "CUDA: none (the low-rank backend failed: " + why + ")";
  published_.cudaAvailable = false;
  ++publishedStamp_;
}

void QueriesModel::prepareCuda() {
  if (!cuda_ || !tree_) return;
  try {
    cudaTree_.reset();  // the device copy holds the factors as they were: re-made after every change
    cudaTree_ = cuda_->prepare(*tree_);
  } catch (const std::exception& e) {
    disableCuda(e.what());
  }
}

// One lane task takes every job waiting, in priority order: a build, then updates and
// queries, then a sweep (which itself lets updates and queries run between its timings).
void QueriesModel::drainPending() {
  std::unique_lock lock(mutex_);
  while (!stop_ && anyPendingLocked()) {
    workerBusy_ = true;
    if (pendingBuild_) {
      const PendingBuild job = *pendingBuild_;
      pendingBuild_.reset();
      workerBuilding_ = true;
      lock.unlock();
      guarded(QueryJob::Build, job.id, [&] { runBuild(job); });
      lock.lock();
      workerBuilding_ = false;
      if (!pendingBuild_ && published_.job(QueryJob::Build).state != TaskState::Done)
        published_.targetSizes = published_.sizes;
    } else if (!pendingUpdates_.empty() || pendingQuery_) {
      lock.unlock();
      serviceInterruptions();
      lock.lock();
    } else if (pendingSweep_) {
      const PendingSweep job = *pendingSweep_;
      pendingSweep_.reset();
      lock.unlock();
      guarded(QueryJob::Sweep, job.id, [&] { runSweep(job); });
      lock.lock();
    }
    workerBusy_ = false;
    settled_.notify_all();
  }
}

void QueriesModel::guarded(QueryJob kind, std::uint64_t id, const std::function<void()>& job) {
  try {
    job();
  } catch (const std::exception& e) {
    setStatus(kind, TaskState::Failed, 0.0f, e.what(), id);
  }
}

bool QueriesModel::serviceInterruptions() {
  while (true) {
    std::unique_lock lock(mutex_);
    if (stop_ || pendingBuild_) return false;
    if (!pendingUpdates_.empty()) {
      const PendingUpdate job = pendingUpdates_.front();
      pendingUpdates_.pop_front();
      lock.unlock();
      guarded(QueryJob::Update, job.id, [&] { runUpdate(job); });
    } else if (pendingQuery_) {
      const PendingQuery job = *pendingQuery_;
      pendingQuery_.reset();
      runningQueryId_ = job.id;
      lock.unlock();
      guarded(QueryJob::Query, job.id, [&] { runQuery(job); });
      lock.lock();
      runningQueryId_ = 0;
    } else {
      return true;
    }
  }
}

void QueriesModel::runBuild(const PendingBuild& job) {
  const auto begin = std::chrono::steady_clock::now();
  setStatus(QueryJob::Build, TaskState::Running, 0.0f, "generating factors", job.id);
  const auto keepGoing = [&](float fraction) {
    setProgress(QueryJob::Build, job.id, 0.5f * fraction);
    return wanted(QueryJob::Build, job.id);
  };
  std::optional<QueryInputs> inputs = generateInputs(job.sizes, keepGoing);
  if (!inputs) return abandonBuild(job.id);
  setStatus(QueryJob::Build, TaskState::Running, 0.5f, "building the node matrices", job.id);
  lowrank::LowRankRangeTree tree(inputs->left, inputs->right);
  if (!wanted(QueryJob::Build, job.id)) return abandonBuild(job.id);
  setStatus(QueryJob::Build, TaskState::Running, 0.9f, "cost model", job.id);
  // Measured once per machine (about 50 ms) and cached on disk afterwards.
  costs_ = lowrank::CostModel::forThisMachine();

  tree_.emplace(std::move(tree));
  inputs_ = std::move(*inputs);
  treeSizes_ = job.sizes;
  ++treeVersion_;
  updatesSinceBuild_ = 0;
  updateRng_.seed(job.sizes.seed ^ 0x5DEECE66DULL);  // updates replay identically for one seed
  prepareCuda();

  const double seconds = secondsSince(begin);
  std::lock_guard lock(mutex_);
  published_.sizes = job.sizes;
  published_.targetSizes = pendingBuild_ ? pendingBuild_->sizes : job.sizes;
  published_.treeReady = true;
  published_.treeVersion = treeVersion_;
  published_.costs = costs_;
  published_.query.reset();  // reports of the old tree would mislabel the new one
  published_.sweep.reset();
  published_.update.reset();
  char text[96];
  std::snprintf(text, sizeof text, "built m = %d, d = %d, r = %d, n = %d in %.0f ms", job.sizes.m, job.sizes.d,
                job.sizes.r, job.sizes.n, seconds * 1e3);
  setStatusLocked(QueryJob::Build, TaskState::Done, 1.0f, text, job.id);
  if (!pendingBuild_) {
    published_.l = std::min(published_.l, job.sizes.m - 1);
    published_.h = std::clamp(published_.h, published_.l, job.sizes.m - 1);
    queueQueryLocked(published_.l, published_.h);
  }
}

void QueriesModel::abandonBuild(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  setStatusLocked(QueryJob::Build, TaskState::Cancelled, 0.0f, pendingBuild_ ? "superseded" : "cancelled", id);
  if (pendingBuild_ || !tree_) return;
  // The old tree stays: bring the interval back inside it and show its numbers again.
  const int m = tree_->count();
  published_.l = std::min(published_.l, m - 1);
  published_.h = std::clamp(published_.h, published_.l, m - 1);
  queueQueryLocked(published_.l, published_.h);
}

void QueriesModel::runQuery(const PendingQuery& job) {
  if (!tree_) {
    setStatus(QueryJob::Query, TaskState::Failed, 0.0f, "no tree: the build failed or was cancelled", job.id);
    return;
  }
  setStatus(QueryJob::Query, TaskState::Running, 0.0f, "", job.id);
  const auto keepGoing = [&] { return wanted(QueryJob::Query, job.id); };
  const auto abandon = [&] { setStatus(QueryJob::Query, TaskState::Cancelled, 0.0f, "cancelled", job.id); };
  const lowrank::LowRankRangeTree& tree = *tree_;
  const int m = tree.count();
  const int l = std::clamp(job.l, 0, m - 1), h = std::clamp(job.h, l, m - 1);
  const Eigen::MatrixXf& x = inputs_.x;

  auto report = std::make_shared<QueryReport>();
  report->id = job.id;
  report->treeVersion = treeVersion_;
  report->l = l;
  report->h = h;
  report->n = static_cast<int>(x.cols());
  lowrank::QueryTrace trace;
  report->routerResult = tree.query(l, h, x, std::nullopt, costs_, &trace);
  report->routerPlan = trace.plan;
  report->routerChoice = trace.used;
  report->routerMeasuredSeconds = trace.measuredSeconds;
  const Eigen::MatrixXd reference = lowrank::referenceRangeQuery(inputs_.left, inputs_.right, l, h, x);
  report->routerRelativeError = lowrank::relativeError(report->routerResult, reference);
  const double routerNorm = std::max(static_cast<double>(report->routerResult.norm()), 1e-300);

  const int steps = lowrank::kStrategyCount + (cudaTree_ ? kCudaStrategyCount : 0);
  int step = 0;
  for (Strategy s : lowrank::kAllStrategies) {
    if (!keepGoing()) return abandon();
    // An untimed first run warms the caches (and rebuilds prefix sums left stale by an update).
    const Eigen::MatrixXf y = tree.query(l, h, x, s);
    report->relativeError[index(s)] = lowrank::relativeError(y, reference);
    report->maxStrategyDifference =
        std::max(report->maxStrategyDifference, (y - report->routerResult).cast<double>().norm() / routerNorm);
    const auto timing = bestWithinBudget(
        [&] {
          lowrank::QueryTrace t;
          tree.query(l, h, x, s, costs_, &t);
          return t.measuredSeconds;
        },
        keepGoing, 5, 0.1);
    if (!timing) return abandon();
    report->measuredSeconds[index(s)] = timing->first;
    report->repetitions[index(s)] = timing->second;
    setProgress(QueryJob::Query, job.id, static_cast<float>(++step) / static_cast<float>(steps));
  }
  // Predicted after the runs, so the prefix prediction, like its measurement, has current sums.
  report->predictedSeconds = tree.plan(l, h, report->n, costs_).predictedSeconds;

  if (cudaTree_) {
    try {
      for (int c = 0; c < kCudaStrategyCount; ++c) {
        const Strategy s = lowrank::kAllStrategies[static_cast<std::size_t>(c)];
        report->cudaRelativeError[static_cast<std::size_t>(c)] =
            lowrank::relativeError(cudaTree_->query(l, h, x, s), reference);
        // X is resident from the query above; the device time alone (CUDA events).
        const auto timing = bestWithinBudget([&] { return cudaTree_->timeQuery(l, h, s); }, keepGoing, 5, 0.1);
        if (!timing) return abandon();
        report->cudaSeconds[static_cast<std::size_t>(c)] = timing->first;
        setProgress(QueryJob::Query, job.id, static_cast<float>(++step) / static_cast<float>(steps));
      }
      report->cudaTimed = true;
    } catch (const std::exception& e) {
      disableCuda(e.what());
    }
  }

  std::lock_guard lock(mutex_);
  if (stop_ || job.id < cancelBelow_[index(QueryJob::Query)]) {
    setStatusLocked(QueryJob::Query, TaskState::Cancelled, 0.0f, "cancelled", job.id);
    return;
  }
  published_.query = std::move(report);
  const auto& q = *published_.query;
  setStatusLocked(QueryJob::Query, TaskState::Done, 1.0f,
                  std::string("router chose ") + lowrank::strategyName(q.routerChoice), job.id);
}

void QueriesModel::runUpdate(const PendingUpdate& job) {
  if (!tree_) {
    setStatus(QueryJob::Update, TaskState::Failed, 0.0f, "no tree: the build failed or was cancelled", job.id);
    return;
  }
  setStatus(QueryJob::Update, TaskState::Running, 0.0f, "", job.id);
  const int m = tree_->count();
  const int at = job.index < 0 ? std::uniform_int_distribution<int>(0, m - 1)(updateRng_) : job.index;
  if (at >= m) {
    setStatus(QueryJob::Update, TaskState::Failed, 0.0f, "index " + std::to_string(at) + " is outside the tree",
              job.id);
    return;
  }
  std::normal_distribution<float> normal;
  const auto random = [&](int rows, int cols) {
    return Eigen::MatrixXf(Eigen::MatrixXf::NullaryExpr(rows, cols, [&] { return normal(updateRng_); }));
  };
  Eigen::MatrixXf left = random(treeSizes_.d, treeSizes_.r);
  Eigen::MatrixXf right = random(treeSizes_.d, treeSizes_.r);
  inputs_.left[static_cast<std::size_t>(at)] = left;
  inputs_.right[static_cast<std::size_t>(at)] = right;
  const auto begin = std::chrono::steady_clock::now();
  tree_->update(at, std::move(left), std::move(right));
  const double updateSeconds = secondsSince(begin);
  ++treeVersion_;
  ++updatesSinceBuild_;
  prepareCuda();

  int l = 0, h = 0;
  {
    std::lock_guard lock(mutex_);
    l = std::clamp(published_.l, 0, m - 1);
    h = std::clamp(published_.h, l, m - 1);
  }
  auto report = std::make_shared<UpdateReport>();
  report->id = job.id;
  report->index = at;
  report->l = l;
  report->h = h;
  report->insideInterval = l <= at && at <= h;
  report->updateSeconds = updateSeconds;
  report->updatesSinceBuild = updatesSinceBuild_;
  // The reference is recomputed from the model's own copy of the factors, not from the tree.
  const Eigen::MatrixXd reference = lowrank::referenceRangeQuery(inputs_.left, inputs_.right, l, h, inputs_.x);
  for (Strategy s : lowrank::kAllStrategies) {
    lowrank::QueryTrace trace;
    const Eigen::MatrixXf y = tree_->query(l, h, inputs_.x, s, costs_, &trace);
    if (s == Strategy::PrefixSums) report->prefixRebuildSeconds = trace.measuredSeconds;
    report->relativeError[index(s)] = lowrank::relativeError(y, reference);
    report->maxRelativeError = std::max(report->maxRelativeError, report->relativeError[index(s)]);
  }

  std::lock_guard lock(mutex_);
  published_.update = std::move(report);
  published_.treeVersion = treeVersion_;
  char text[96];
  std::snprintf(text, sizeof text, "A_%d, B_%d replaced; worst error on [%d, %d]: %.1e", at, at, l, h,
                published_.update->maxRelativeError);
  setStatusLocked(QueryJob::Update, TaskState::Done, 1.0f, text, job.id);
  // The bars and the router's choice describe the tree as it is now.
  if (!pendingQuery_) queueQueryLocked(l, h);
}

void QueriesModel::runSweep(const PendingSweep& job) {
  if (!tree_) {
    setStatus(QueryJob::Sweep, TaskState::Failed, 0.0f, "no tree: the build failed or was cancelled", job.id);
    return;
  }
  setStatus(QueryJob::Sweep, TaskState::Running, 0.0f, "", job.id);
  const int m = tree_->count();
  const Eigen::MatrixXf& x = inputs_.x;
  const int n = static_cast<int>(x.cols());
  const std::vector<int> lengths = lowrank::logSpacedLengths(m, job.points);
  SweepReport report;
  report.id = job.id;
  report.sizes = treeSizes_;
  report.plannedPoints = static_cast<int>(lengths.size());
  report.cudaTimed = cudaTree_ != nullptr;
  report.paperCrossoverLength = treeSizes_.d * std::log2(static_cast<double>(std::max(m, 2))) / treeSizes_.r;

  const auto publish = [&](TaskState state, std::string message) {
    auto shared = std::make_shared<const SweepReport>(report);
    std::lock_guard lock(mutex_);
    // A sweep superseded by a newer one leaves the chart to it; a cancelled one shows what it got.
    const bool current = !stop_ && job.id >= cancelBelow_[index(QueryJob::Sweep)];
    if (current || (state == TaskState::Cancelled && !pendingSweep_)) {
      published_.sweep = std::move(shared);
      ++publishedStamp_;  // the status below may belong to a newer id and then stamps nothing
    }
    const float progress = static_cast<float>(report.points.size()) / static_cast<float>(lengths.size());
    setStatusLocked(QueryJob::Sweep, state, progress, std::move(message), job.id);
  };
  const auto keepGoing = [&] { return wanted(QueryJob::Sweep, job.id); };
  const auto abandon = [&] {
    std::unique_lock lock(mutex_);
    const bool rebuilt = pendingBuild_.has_value();
    lock.unlock();
    publish(TaskState::Cancelled, rebuilt ? "superseded by a rebuild" : "cancelled");
  };

  for (const int length : lengths) {
    SweepPoint point;
    point.length = length;
    point.l = (m - length) / 2;
    const int l = point.l, h = point.l + length - 1;
    for (Strategy s : lowrank::kAllStrategies) {
      // Updates and queries asked for meanwhile run first: the sweep must not make the UI wait.
      if (!serviceInterruptions() || !keepGoing()) return abandon();
      if (s == Strategy::PrefixSums && tree_->prefixSumsStale()) tree_->query(l, h, x, s);
      const auto timing = bestWithinBudget(
          [&] {
            lowrank::QueryTrace t;
            tree_->query(l, h, x, s, costs_, &t);
            return t.measuredSeconds;
          },
          keepGoing, 3, 0.03);
      if (!timing) return abandon();
      point.measuredSeconds[index(s)] = timing->first;
    }
    point.predictedSeconds = tree_->plan(l, h, n, costs_).predictedSeconds;
    if (report.cudaTimed && cudaTree_) {
      try {
        cudaTree_->setInput(x);  // once per length; then device time alone (CUDA events)
        for (int c = 0; c < kCudaStrategyCount; ++c) {
          const Strategy s = lowrank::kAllStrategies[static_cast<std::size_t>(c)];
          cudaTree_->timeQuery(l, h, s);  // warm-up
          const auto timing = bestWithinBudget([&] { return cudaTree_->timeQuery(l, h, s); }, keepGoing, 3, 0.03);
          if (!timing) return abandon();
          point.cudaSeconds[static_cast<std::size_t>(c)] = timing->first;
        }
      } catch (const std::exception& e) {
        disableCuda(e.what());
        report.cudaTimed = false;
      }
    }
    report.points.push_back(point);
    report.crossovers = crossovers(report.points);
    publish(TaskState::Running, "");
  }
  report.complete = true;
  const SweepCrossover& tree = report.crossovers.front();
  publish(TaskState::Done, "fly vs tree crossover: predicted L = " + formatLength(tree.predictedLength) +
                               ", measured L = " + formatLength(tree.measuredLength));
}

}  // namespace rankflow::app
