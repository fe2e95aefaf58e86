#include "app/models/cascade_fit_model.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <utility>

#include "app/viewer/lowrank_engine.h"
#include "core/common/background_lane.h"
#include "core/common/error.h"

namespace rankflow::app {

// [SECTION] What the lanes share

namespace cascade_fit_detail {

struct Mailbox {
  std::mutex mutex;
  std::optional<FitSnapshot> fit;
  std::optional<TimingView> timing;
  std::optional<SweepView> sweep;
};

struct Flags {
  std::atomic<bool> cancelled{false};
  std::atomic<long> done{0};
  std::atomic<long> total{0};
};

// Owned by the fit lane's tasks only (one at a time), so it needs no lock.
struct FitCache {
  // The SVDs' backend (CUDA when the window's preference and a device allow), made at the
  // first fit on the lane's thread and kept when the rest is cleared.
  WindowLowRankBackend engine;
  std::string key;  // scene, parameters, K and t the targets belong to
  std::shared_ptr<const std::vector<Eigen::MatrixXf>> targets;
  std::unique_ptr<lowrank::CascadeFit> fit;
  std::vector<int> ranks;
  std::vector<FitOrder> lastRefit;
  std::vector<int> pinnedRanks;
  std::vector<FitOrder> pinnedOrders;
};

}  // namespace cascade_fit_detail

namespace {

using cascade_fit_detail::FitCache;
using cascade_fit_detail::Flags;

using nlohmann::json;

constexpr lowrank::Activation kTimedActivation = lowrank::Activation::Identity;
constexpr int kTimingRepetitions = 5;
constexpr std::uint64_t kTimingSeed = 7;

struct FitRequest {
  std::uint64_t generation = 0;
  std::string scene;
  std::vector<theory::SceneParameter> parameters;
  std::vector<int> ranks;
  double t = 0.0;
  std::optional<std::vector<int>> pinned;
};

std::map<std::string, std::string> parameterMap(const std::vector<theory::SceneParameter>& parameters) {
  std::map<std::string, std::string> out;
  for (const auto& p : parameters) out[p.name] = p.value;
  return out;
}

std::string targetsKey(const FitRequest& r) {
  char t[40];
  std::snprintf(t, sizeof t, "%a", r.t);  // exact: a changed t always rebuilds
  std::string key = r.scene + "|" + t + "|K=" + std::to_string(r.ranks.size());
  for (const auto& p : r.parameters) key += "|" + p.name + "=" + p.value;
  return key;
}

std::vector<Eigen::MatrixXf> derivativeTargets(const matfun::MatrixFunction& b, double t, int orders) {
  std::vector<Eigen::MatrixXf> targets;
  matfun::MatrixFunction current = b;
  for (int k = 0; k <= orders; ++k) {
    const Eigen::MatrixXd value = current.evaluate(t);
    if (!value.allFinite())
      throw InvalidArgument("B^(" + std::to_string(k) + ")(t) is not finite at t = " + std::to_string(t));
    targets.push_back(value.cast<float>());
    if (k < orders) current = current.derivative();
  }
  return targets;
}

std::vector<FitOrder> ordersOf(const lowrank::CascadeFit& fit) {
  std::vector<FitOrder> out;
  for (std::size_t i = 0; i < fit.orders().size(); ++i) {
    const lowrank::OrderFit& o = fit.orders()[i];
    out.push_back({static_cast<int>(i) + 1, o.rank, o.cascadeError, o.independentError, OrderRefit::Recomputed,
                   o.singularValuesSeconds});
  }
  return out;
}

// Everything but the engine.
void clearFit(FitCache& cache) {
  WindowLowRankBackend engine = std::move(cache.engine);
  cache = {};
  cache.engine = std::move(engine);
}

// The fit's SVDs on the cache's engine; a device fault moves the engine to the CPU for good
// and that batch is computed again there, so the fit never sees the fault.
lowrank::SvdBatchSolver svdSolver(FitCache& cache) {
  return [&cache](const std::vector<Eigen::MatrixXf>& residuals) {
    lowrank::SvdBatch batch = runWithCpuFallback(
        cache.engine, [&](lowrank::LowRankBackend& backend) { return backend.decompositions(residuals); });
    if (batch.note.empty()) batch.note = cache.engine.whyNotCuda;
    return batch;
  };
}

// Brings the cache to the request (rebuilding the targets only when scene, K or t changed)
// and reads the snapshot off it.
FitSnapshot computeFit(const FitRequest& request, FitCache& cache) {
  FitSnapshot s;
  s.generation = request.generation;
  s.scene = request.scene;
  s.parameters = request.parameters;
  s.t = request.t;
  s.ranks = request.ranks;
  const auto begin = std::chrono::steady_clock::now();
  try {
    const std::string key = targetsKey(request);
    if (key != cache.key || !cache.fit) {
      clearFit(cache);
      const theory::MatrixScene scene = theory::buildMatrixScene(request.scene, parameterMap(request.parameters));
      if (scene.b.rows() != scene.b.cols())
        throw InvalidArgument("the fit needs a square matrix function; " + request.scene + " is " +
                              std::to_string(scene.b.rows()) + "x" + std::to_string(scene.b.cols()));
      cache.targets = std::make_shared<const std::vector<Eigen::MatrixXf>>(
          derivativeTargets(scene.b, request.t, static_cast<int>(request.ranks.size())));
      cache.fit = std::make_unique<lowrank::CascadeFit>(*cache.targets, request.ranks, svdSolver(cache));
      cache.key = key;
      cache.ranks = request.ranks;
      cache.lastRefit = ordersOf(*cache.fit);
      s.targetsRebuilt = true;
    } else if (request.ranks != cache.ranks) {
      std::size_t first = 0;
      while (request.ranks[first] == cache.ranks[first]) ++first;
      cache.fit->setRanks(request.ranks);  // re-truncates `first`, recomputes the orders after it
      cache.ranks = request.ranks;
      cache.lastRefit = ordersOf(*cache.fit);
      for (std::size_t i = 0; i <= first; ++i) {
        cache.lastRefit[i].refit = i < first ? OrderRefit::Kept : OrderRefit::Retruncated;
        cache.lastRefit[i].svdSeconds = 0.0;
      }
    }
    // Otherwise (only A changed) the last refit's report stays what it was.
    s.refitSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    s.orders = cache.lastRefit;
    s.dim = static_cast<int>(cache.targets->front().rows());
    s.costs = fitCosts(s.dim, s.ranks);
    s.svdCount = cache.fit->svdCount();
    s.svdBackend = cache.fit->svdBackend();
    s.svdNote = cache.fit->svdNote();
    s.targets = cache.targets;
    s.model = std::make_shared<const lowrank::CascadeModel>(cache.fit->model());

    if (!request.pinned || request.pinned->size() != request.ranks.size()) {
      cache.pinnedRanks.clear();
      cache.pinnedOrders.clear();
    } else if (s.targetsRebuilt || *request.pinned != cache.pinnedRanks) {
      cache.pinnedRanks = *request.pinned;
      cache.pinnedOrders = ordersOf(lowrank::CascadeFit(*cache.targets, cache.pinnedRanks, svdSolver(cache)));
    }
    s.pinnedOrders = cache.pinnedOrders;
  } catch (const std::exception& e) {
    clearFit(cache);
    FitSnapshot failed;
    failed.generation = s.generation;
    failed.scene = s.scene;
    failed.parameters = s.parameters;
    failed.t = s.t;
    failed.ranks = s.ranks;
    failed.error = e.what();
    return failed;
  }
  return s;
}

// Best of kTimingRepetitions runs after one warm-up, for each way in turn.
void computeTiming(TimingView& view, const lowrank::CascadeModel& model, Flags& flags) {
  std::mt19937_64 rng(kTimingSeed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const Eigen::MatrixXf x = Eigen::MatrixXf::NullaryExpr(model.dim(), view.columns, [&] { return normal(rng); });
  std::vector<Eigen::MatrixXf> y;
  using Evaluate = void (*)(const lowrank::CascadeModel&, const Eigen::MatrixXf&, lowrank::Activation,
                            std::vector<Eigen::MatrixXf>&);
  const std::pair<Evaluate, double*> ways[] = {{lowrank::evaluateNaiveInto, &view.naiveSeconds},
                                               {lowrank::evaluateIndependentInto, &view.independentSeconds},
                                               {lowrank::evaluateCascadeInto, &view.cascadeSeconds}};
  flags.total = 3 * (kTimingRepetitions + 1);
  for (const auto& [evaluate, seconds] : ways) {
    *seconds = INFINITY;
    for (int rep = 0; rep <= kTimingRepetitions; ++rep) {
      if (flags.cancelled) {
        view.state = TaskState::Cancelled;
        return;
      }
      const auto begin = std::chrono::steady_clock::now();
      evaluate(model, x, kTimedActivation, y);
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
      if (rep > 0) *seconds = std::min(*seconds, elapsed);
      ++flags.done;
    }
  }
  view.repetitions = kTimingRepetitions;
  view.state = TaskState::Done;
}

json ordersJson(const std::vector<FitOrder>& orders) {
  json out = json::array();
  for (const FitOrder& o : orders) {
    out.push_back({{"k", o.k},
                   {"rank", o.rank},
                   {"cascade_error", o.cascadeError},
                   {"independent_error", o.independentError},
                   {"naive_error", 0.0},
                   {"refit", orderRefitName(o.refit)},
                   {"svd_seconds", o.svdSeconds}});
  }
  return out;
}

json optionalJson(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

double meanCascadeError(const std::vector<FitOrder>& orders) {
  double sum = 0.0;
  for (const FitOrder& o : orders) sum += o.cascadeError;
  return orders.empty() ? 0.0 : sum / static_cast<double>(orders.size());
}

}  // namespace

const char* orderRefitName(OrderRefit refit) {
  switch (refit) {
    case OrderRefit::Kept:
      return "kept";
    case OrderRefit::Retruncated:
      return "re-truncated";
    case OrderRefit::Recomputed:
      return "recomputed";
  }
  return "?";
}

bool sameSceneParameters(const std::vector<theory::SceneParameter>& a, const std::vector<theory::SceneParameter>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].value != b[i].value) return false;
  return true;
}

FitCosts fitCosts(int d, const std::vector<int>& ranks) {
  const lowrank::CascadeCosts c = lowrank::cascadeCosts(d, ranks);
  FitCosts out;
  out.naiveParameters = c.naiveParameters;
  out.independentParameters = c.cascadeParameters;
  out.cascadeParameters = c.cascadeParameters;
  out.naiveMacs = c.naiveMacsPerColumn;
  out.independentMacs = c.cascadeMacsPerColumn;
  out.cascadeMacs = c.cascadeMacsPerColumn;
  out.idealSpeedup = c.idealSpeedup;
  return out;
}

// [SECTION] Inputs

CascadeFitModel::CascadeFitModel()
    : scenes_(theory::matrixScenes()),
      scene_("lemma1.5"),
      parameters_{{"ranks", "4,8,12,16,20,24,28,32,32,32"}},
      ranks_{4, 4, 4, 4},
      mailbox_(std::make_shared<Mailbox>()),
      cache_(std::make_shared<FitCache>()),
      timingFlags_(std::make_shared<Flags>()),
      sweepFlags_(std::make_shared<Flags>()),
      fitLane_(std::make_unique<BackgroundLane>()),
      timingLane_(std::make_unique<BackgroundLane>()),
      sweepLane_(std::make_unique<BackgroundLane>()) {
  dim_ = theory::buildMatrixScene(scene_, parameterMap(parameters_)).b.rows();
}

CascadeFitModel::~CascadeFitModel() {
  // Running measurements and sweeps stop at their next check; the lanes then join.
  timingFlags_->cancelled = true;
  sweepFlags_->cancelled = true;
  fitLane_.reset();
  timingLane_.reset();
  sweepLane_.reset();
}

bool CascadeFitModel::refuse(std::string why) {
  message_ = std::move(why);
  return false;
}

bool CascadeFitModel::setScene(const std::string& name) {
  if (name == scene_) return false;
  std::vector<theory::SceneParameter> defaults;
  bool known = false;
  for (const auto& info : scenes_) {
    if (info.name != name) continue;
    known = true;
    defaults = theory::parseSceneParameters(info.parameters);
  }
  if (!known) return refuse("unknown matrix scene '" + name + "'");
  return setSceneAndParameters(name, std::move(defaults));
}

bool CascadeFitModel::setParameter(const std::string& name, const std::string& value) {
  std::vector<theory::SceneParameter> parameters = parameters_;
  bool found = false;
  for (theory::SceneParameter& p : parameters) {
    if (p.name != name) continue;
    if (p.value == value) return false;
    p.value = value;
    found = true;
  }
  if (!found) parameters.push_back({name, value});
  return setSceneAndParameters(scene_, std::move(parameters));
}

bool CascadeFitModel::setSceneAndParameters(const std::string& name, std::vector<theory::SceneParameter> parameters) {
  int d = 0;
  try {
    const theory::MatrixScene scene = theory::buildMatrixScene(name, parameterMap(parameters));
    if (scene.b.rows() != scene.b.cols())
      return refuse("the fit needs a square matrix function; " + name + " is " + std::to_string(scene.b.rows()) + "x" +
                    std::to_string(scene.b.cols()));
    d = scene.b.rows();
  } catch (const std::exception& e) {
    return refuse(e.what());
  }
  scene_ = name;
  parameters_ = std::move(parameters);
  dim_ = d;
  for (int& r : ranks_) r = std::min(r, d);  // a smaller scene caps the schedule at its d
  accept();
  submitFit();
  return true;
}

bool CascadeFitModel::setOrders(int k) {
  if (k < 1 || k > kMaxOrders)
    return refuse("K must lie in 1.." + std::to_string(kMaxOrders) + ", got " + std::to_string(k));
  if (k == orders()) return false;
  ranks_.resize(static_cast<std::size_t>(k), ranks_.empty() ? std::min(4, dim_) : ranks_.back());
  accept();
  submitFit();
  return true;
}

bool CascadeFitModel::setRank(int order, int rank) {
  if (order < 1 || order > orders())
    return refuse("order " + std::to_string(order) + " is outside 1.." + std::to_string(orders()));
  if (rank < 0 || rank > dim_)
    return refuse("r_" + std::to_string(order) + " = " + std::to_string(rank) +
                  " is impossible: ranks lie in 0..d = " + std::to_string(dim_));
  if (ranks_[static_cast<std::size_t>(order - 1)] == rank) return false;
  ranks_[static_cast<std::size_t>(order - 1)] = rank;
  accept();
  submitFit();
  return true;
}

bool CascadeFitModel::setRanks(const std::vector<int>& ranks) {
  if (ranks.empty() || static_cast<int>(ranks.size()) > kMaxOrders)
    return refuse("a schedule has 1.." + std::to_string(kMaxOrders) + " ranks, got " + std::to_string(ranks.size()));
  for (std::size_t i = 0; i < ranks.size(); ++i)
    if (ranks[i] < 0 || ranks[i] > dim_)
      return refuse("r_" + std::to_string(i + 1) + " = " + std::to_string(ranks[i]) +
                    " is impossible: ranks lie in 0..d = " + std::to_string(dim_));
  if (ranks == ranks_) return false;
  ranks_ = ranks;
  accept();
  submitFit();
  return true;
}

bool CascadeFitModel::setTime(double t) {
  if (std::isnan(t)) return refuse("t is NaN; the fit keeps t = " + std::to_string(t_));
  t = std::clamp(t, -kMaxAbsT, kMaxAbsT);
  if (t == t_) return false;
  t_ = t;
  submitFit();
  return true;
}

void CascadeFitModel::refit() {
  submitFit();
}

void CascadeFitModel::submitFit() {
  FitRequest request{++fitGeneration_, scene_, parameters_, ranks_, t_, std::nullopt};
  if (pinned_) request.pinned = pinned_->ranks;
  fitLane_->post([request = std::move(request), cache = cache_, box = mailbox_] {
    FitSnapshot snapshot = computeFit(request, *cache);
    const std::lock_guard lock(box->mutex);
    box->fit = std::move(snapshot);
  });
}

// [SECTION] Results

bool CascadeFitModel::poll() {
  std::optional<FitSnapshot> fit;
  std::optional<TimingView> timing;
  std::optional<SweepView> sweep;
  {
    const std::lock_guard lock(mailbox_->mutex);
    fit.swap(mailbox_->fit);
    timing.swap(mailbox_->timing);
    sweep.swap(mailbox_->sweep);
  }
  bool changed = false;
  // Any newer fit is shown, not only the newest request's: while t plays, each frame
  // supersedes the last, and waiting for "the newest" would show nothing at all.
  if (fit && fit->generation > fit_.generation) {
    fit_ = std::move(*fit);
    changed = true;
  }
  if (timing && timing->generation == timingGeneration_) {
    timing_ = std::move(*timing);
    changed = true;
  }
  if (sweep && sweep->generation == sweepGeneration_) {
    sweep_ = std::move(*sweep);
    changed = true;
  }
  return changed;
}

bool CascadeFitModel::measure(int columns) {
  if (columns < kMinColumns || columns > kMaxColumns)
    return refuse("n must lie in " + std::to_string(kMinColumns) + ".." + std::to_string(kMaxColumns) + ", got " +
                  std::to_string(columns));
  if (!fit_.model) return refuse("nothing to measure yet: the fit has not finished");
  accept();
  timingFlags_->cancelled = true;
  timingFlags_ = std::make_shared<Flags>();
  TimingView view;
  view.generation = ++timingGeneration_;
  view.state = TaskState::Running;
  view.scene = fit_.scene;
  view.t = fit_.t;
  view.ranks = fit_.ranks;
  view.dim = fit_.dim;
  view.columns = columns;
  timing_ = view;
  timingLane_->post([view = std::move(view), model = fit_.model, flags = timingFlags_, box = mailbox_]() mutable {
    try {
      computeTiming(view, *model, *flags);
    } catch (const std::exception& e) {
      view.state = TaskState::Failed;
      view.error = e.what();
    }
    const std::lock_guard lock(box->mutex);
    box->timing = std::move(view);
  });
  return true;
}

void CascadeFitModel::cancelMeasure() {
  timingFlags_->cancelled = true;
}

float CascadeFitModel::timingProgress() const {
  if (timing_.state != TaskState::Running) return timing_.state == TaskState::Done ? 1.0f : 0.0f;
  const long total = timingFlags_->total;
  return total > 0 ? static_cast<float>(timingFlags_->done) / static_cast<float>(total) : 0.0f;
}

bool CascadeFitModel::timingIsCurrent() const {
  return timing_.state == TaskState::Done && timing_.scene == fit_.scene && timing_.t == fit_.t &&
         timing_.ranks == fit_.ranks && timing_.dim == fit_.dim;
}

double CascadeFitModel::scheduleCount(int orders, int maxRank) {
  return std::pow(maxRank + 1.0, orders);
}

bool CascadeFitModel::startSweep(int maxRank) {
  if (!fit_.targets) return refuse("nothing to sweep yet: the fit has not finished");
  const int k = fit_.orderCount();
  if (maxRank < 0 || maxRank > fit_.dim)
    return refuse("r_max must lie in 0..d = " + std::to_string(fit_.dim) + ", got " + std::to_string(maxRank));
  const double count = scheduleCount(k, maxRank);
  if (count > static_cast<double>(kMaxSweepSchedules))
    return refuse(std::to_string(static_cast<long long>(count)) + " schedules (" + std::to_string(maxRank + 1) + "^" +
                  std::to_string(k) + ") exceed the limit of " + std::to_string(kMaxSweepSchedules) +
                  "; lower r_max or K");
  accept();
  sweepFlags_->cancelled = true;
  sweepFlags_ = std::make_shared<Flags>();
  sweepFlags_->total = static_cast<long>(count);
  SweepView view;
  view.generation = ++sweepGeneration_;
  view.state = TaskState::Running;
  view.scene = fit_.scene;
  view.parameters = fit_.parameters;
  view.t = fit_.t;
  view.dim = fit_.dim;
  view.orders = k;
  view.maxRank = maxRank;
  view.total = static_cast<long>(count);
  sweep_ = view;
  sweepLane_->post([view = std::move(view), targets = fit_.targets, flags = sweepFlags_, box = mailbox_]() mutable {
    try {
      view.results =
          lowrank::sweepSchedules(*targets, view.maxRank, {}, kMaxSweepSchedules, [&](long done, long total) {
            flags->done = done;
            flags->total = total;
            return !flags->cancelled.load();
          });
      view.done = static_cast<long>(view.results.size());
      view.state = view.done < view.total ? TaskState::Cancelled : TaskState::Done;
    } catch (const std::exception& e) {
      view.state = TaskState::Failed;
      view.error = e.what();
    }
    const std::lock_guard lock(box->mutex);
    box->sweep = std::move(view);
  });
  return true;
}

void CascadeFitModel::cancelSweep() {
  sweepFlags_->cancelled = true;
}

float CascadeFitModel::sweepProgress() const {
  if (sweep_.state != TaskState::Running) return sweep_.state == TaskState::Done ? 1.0f : 0.0f;
  const long total = sweepFlags_->total;
  return total > 0 ? static_cast<float>(sweepFlags_->done) / static_cast<float>(total) : 0.0f;
}

bool CascadeFitModel::adoptSchedule(std::size_t index) {
  if (index >= sweep_.results.size()) return refuse("no schedule " + std::to_string(index) + " in the sweep");
  if (sweep_.scene != scene_ || sweep_.dim != dim_ || !sameSceneParameters(sweep_.parameters, parameters_))
    return refuse("the sweep was made for " + sweep_.scene + " (d = " + std::to_string(sweep_.dim) +
                  "), not the current scene: sweep again");
  return setRanks(sweep_.results[index].ranks);
}

// [SECTION] A/B

void CascadeFitModel::pinA() {
  PinnedSchedule a;
  a.ranks = ranks_;
  a.pinnedAtT = t_;
  if (timingIsCurrent() && timing_.ranks == ranks_) {
    a.cascadeSeconds = timing_.cascadeSeconds;
    a.measuredColumns = timing_.columns;
  }
  pinned_ = std::move(a);
  submitFit();
}

void CascadeFitModel::clearA() {
  if (!pinned_) return;
  pinned_.reset();
  submitFit();
}

std::vector<AbRow> CascadeFitModel::abRows() const {
  std::vector<AbRow> rows;
  if (!pinned_ || fit_.orders.empty()) return rows;
  const std::vector<int>& a = pinned_->ranks;
  const std::vector<int>& b = fit_.ranks;
  const bool comparable = fit_.pinnedOrders.size() == fit_.orders.size();
  const auto at = [](const std::vector<int>& v, std::size_t i) {
    return i < v.size() ? std::optional<double>(v[i]) : std::nullopt;
  };
  const std::size_t k = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < k; ++i) rows.push_back({"r_" + std::to_string(i + 1), at(a, i), at(b, i)});
  for (std::size_t i = 0; i < fit_.orders.size(); ++i) {
    rows.push_back({"cascade error, order " + std::to_string(i + 1),
                    comparable ? std::optional<double>(fit_.pinnedOrders[i].cascadeError) : std::nullopt,
                    fit_.orders[i].cascadeError});
  }
  rows.push_back({"mean cascade error",
                  comparable ? std::optional<double>(meanCascadeError(fit_.pinnedOrders)) : std::nullopt,
                  meanCascadeError(fit_.orders)});
  const FitCosts ca = fitCosts(fit_.dim, a), cb = fitCosts(fit_.dim, b);
  rows.push_back({"parameters", ca.cascadeParameters, cb.cascadeParameters});
  rows.push_back({"multiply-adds per column", ca.cascadeMacs, cb.cascadeMacs});
  rows.push_back({"ideal speedup vs naive", ca.idealSpeedup, cb.idealSpeedup});
  rows.push_back({"measured cascade time (s)", pinned_->cascadeSeconds,
                  timingIsCurrent() ? std::optional<double>(timing_.cascadeSeconds) : std::nullopt});
  return rows;
}

bool CascadeFitModel::waitForIdle(std::chrono::milliseconds timeout) {
  return pollUntilIdle(
      timeout, std::chrono::milliseconds(2),
      [this] { return fitLane_->idle() && timingLane_->idle() && sweepLane_->idle(); }, [this] { poll(); });
}

// [SECTION] Export

std::string CascadeFitModel::exportJson() const {
  const FitSnapshot& f = fit_;
  json parameters = json::object();
  for (const auto& p : f.parameters) parameters[p.name] = p.value;
  json out = {{"scene", f.scene},
              {"parameters", parameters},
              {"t", f.t},
              {"d", f.dim},
              {"K", f.orderCount()},
              {"ranks", f.ranks},
              {"orders", ordersJson(f.orders)},
              {"costs",
               {{"naive_parameters", f.costs.naiveParameters},
                {"independent_parameters", f.costs.independentParameters},
                {"cascade_parameters", f.costs.cascadeParameters},
                {"naive_macs_per_column", f.costs.naiveMacs},
                {"independent_macs_per_column", f.costs.independentMacs},
                {"cascade_macs_per_column", f.costs.cascadeMacs},
                {"ideal_speedup", f.costs.idealSpeedup}}},
              {"svd_count", f.svdCount},
              {"svd_backend", f.svdBackend},
              {"refit_seconds", f.refitSeconds},
              {"targets_rebuilt", f.targetsRebuilt}};
  if (!f.error.empty()) out["error"] = f.error;
  if (!message_.empty()) out["message"] = message_;
  if (timing_.state != TaskState::Idle) {
    out["timing"] = {{"state", taskStateName(timing_.state)},
                     {"ranks", timing_.ranks},
                     {"t", timing_.t},
                     {"columns", timing_.columns},
                     {"activation", lowrank::activationName(kTimedActivation)},
                     {"repetitions", timing_.repetitions},
                     {"current", timingIsCurrent()}};
    if (timing_.state == TaskState::Done) {
      out["timing"]["naive_seconds"] = timing_.naiveSeconds;
      out["timing"]["independent_seconds"] = timing_.independentSeconds;
      out["timing"]["cascade_seconds"] = timing_.cascadeSeconds;
      out["timing"]["measured_speedup"] = timing_.measuredSpeedup();
      out["timing"]["measured_independent_speedup"] = timing_.measuredIndependentSpeedup();
    }
    if (!timing_.error.empty()) out["timing"]["error"] = timing_.error;
  }
  if (sweep_.state != TaskState::Idle) {
    json schedules = json::array();
    for (const auto& r : sweep_.results) {
      schedules.push_back({{"ranks", r.ranks},
                           {"errors", r.errors},
                           {"mean_error", r.meanError},
                           {"parameters", r.parameters},
                           {"macs_per_column", r.macsPerColumn},
                           {"pareto", r.pareto}});
    }
    out["sweep"] = {{"state", taskStateName(sweep_.state)},
                    {"t", sweep_.t},
                    {"K", sweep_.orders},
                    {"max_rank", sweep_.maxRank},
                    {"done", sweep_.done},
                    {"total", sweep_.total},
                    {"schedules", schedules}};
    if (!sweep_.error.empty()) out["sweep"]["error"] = sweep_.error;
  }
  if (pinned_) {
    json rows = json::array();
    for (const AbRow& row : abRows())
      rows.push_back({{"label", row.label},
                      {"a", optionalJson(row.a)},
                      {"b", optionalJson(row.b)},
                      {"difference", optionalJson(row.difference())}});
    out["ab"] = {{"a_ranks", pinned_->ranks},
                 {"a_pinned_at_t", pinned_->pinnedAtT},
                 {"a_orders", ordersJson(f.pinnedOrders)},
                 {"b_ranks", f.ranks},
                 {"rows", rows}};
  }
  return out.dump(1);
}

std::string CascadeFitModel::exportSweepCsv() const {
  return sweep_.results.empty() ? std::string() : lowrank::schedulesCsv(sweep_.results);
}

}  // namespace rankflow::app
