#include "app/models/ranks_model.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

#include "app/viewer/lowrank_engine.h"
#include "core/common/background_lane.h"
#include "core/common/error.h"
#include "core/matfun/derivative_grid.h"
#include "core/matfun/json_format.h"
#include "core/matfun/rank.h"

namespace rankflow::app {

// A newer request sets `superseded` on the older one; cancelExact() sets `exactCancelled`.
struct RanksModel::Job {
  std::atomic<bool> superseded{false};
  std::atomic<bool> exactCancelled{false};
};

struct RanksModel::Mailbox {
  WindowLowRankBackend engine;  // made and used on the profile worker's thread only
  std::mutex mutex;
  std::optional<RanksProfile> profile;
  std::optional<FeasibilityView> feasibility;
};

namespace {

using nlohmann::json;

struct ProfileRequest {
  std::uint64_t generation = 0;
  std::string scene;
  std::vector<theory::SceneParameter> parameters;
  int maxOrder = 0;
  double t = 0.0;
  bool exact = false;
  std::optional<double> tolerance;
};

void updateCeilings(RanksProfile& p) {
  if (p.orders.empty()) return;
  const int r0 = p.orders.front().genericRank();
  for (std::size_t k = 0; k < p.orders.size(); ++k) {
    OrderRanks& o = p.orders[k];
    o.ceilingFact14 = k == 0 ? std::nullopt : std::optional<int>(2 * p.orders[k - 1].genericRank());
    o.ceilingFact17 = static_cast<int>(k + 1) * r0;
  }
}

// Drops exact results the user no longer wants: the ceilings fall back to numerical ranks.
void stripExact(RanksProfile& p) {
  for (OrderRanks& o : p.orders) {
    o.exact.reset();
    o.exactUnavailable.clear();
  }
  p.exactState = TaskState::Cancelled;
  updateCeilings(p);
}

using Publish = std::function<void(const RanksProfile&)>;

// The spectrum and rank of one cell of a rank grid, as matfun::numericalRank reports them.
matfun::NumericalRank cellRank(const matfun::RankGrid& grid, int time, int order) {
  const std::size_t cell = static_cast<std::size_t>(time * grid.orders() + order);
  matfun::NumericalRank out;
  out.rank = grid.ranks[cell];
  out.tolerance = grid.tolerances[cell];
  out.singularValues = Eigen::Map<const Eigen::VectorXd>(
      grid.singularValues.data() + cell * static_cast<std::size_t>(grid.spectrumLength()), grid.spectrumLength());
  return out;
}

// Runs one request; stops without publishing once superseded, since nobody wants that result.
void computeProfile(const ProfileRequest& request, WindowLowRankBackend& engine, const std::atomic<bool>& superseded,
                    const std::atomic<bool>& exactCancelled, const Publish& publish) {
  RanksProfile p;
  p.generation = request.generation;
  p.scene = request.scene;
  p.parameters = request.parameters;
  p.t = request.t;
  p.maxOrder = request.maxOrder;
  p.tolerance = request.tolerance;
  p.exactState = request.exact ? TaskState::Running : TaskState::Idle;
  try {
    std::map<std::string, std::string> params;
    for (const auto& parameter : request.parameters) params[parameter.name] = parameter.value;
    const theory::MatrixScene scene = theory::buildMatrixScene(request.scene, params);
    p.statement = scene.statement;
    p.rows = scene.b.rows();
    p.cols = scene.b.cols();

    // Numerical stage first: it is what the charts need, and it is fast. B^(k) at t and at
    // the generic samples, every order, in one submission to the low-rank backend (CUDA:
    // generated and decomposed on the device in float64).
    const matfun::DerivativeTermTable table = matfun::flattenDerivatives(scene.b, request.maxOrder);
    std::vector<double> times = {request.t};
    const std::vector<double> generic =
        matfun::genericSampleTimes(matfun::kGenericSamples, matfun::kGenericSeed, -1.0, 1.0);
    times.insert(times.end(), generic.begin(), generic.end());
    if (superseded) return;
    const matfun::RankGrid grid = runWithCpuFallback(engine, [&](lowrank::LowRankBackend& backend) {
      return backend.rankGrid(table, times, request.tolerance, true);
    });
    p.computedOn = grid.backend;
    p.computeSeconds = grid.endToEndSeconds;
    p.computeNote = !grid.note.empty() ? grid.note : engine.whyNotCuda;
    std::vector<matfun::MatrixFunction> derivatives;
    matfun::MatrixFunction current = scene.b;
    for (int k = 0; k <= request.maxOrder; ++k) {
      OrderRanks o;
      o.k = k;
      o.atT = cellRank(grid, 0, k);
      // The first sample that reaches the maximum, as matfun::numericalGenericRank picks it.
      o.generic.rank = -1;
      for (int i = 1; i < static_cast<int>(times.size()); ++i) {
        matfun::NumericalRank r = cellRank(grid, i, k);
        o.generic.sampleTimes.push_back(times[static_cast<std::size_t>(i)]);
        o.generic.sampleRanks.push_back(r.rank);
        if (r.rank > o.generic.rank) {
          o.generic.rank = r.rank;
          o.generic.best = std::move(r);
        }
      }
      p.orders.push_back(std::move(o));
      if (request.exact) derivatives.push_back(current);
      if (request.exact && k < request.maxOrder) current = current.derivative();
    }
    updateCeilings(p);
    if (superseded) return;
    publish(p);
    if (!request.exact) return;

    // Exact stage, published order by order so the table fills in and the progress moves.
    for (std::size_t k = 0; k < derivatives.size(); ++k) {
      if (superseded) return;
      if (exactCancelled) {
        stripExact(p);
        publish(p);
        return;
      }
      try {
        p.orders[k].exact = matfun::exactGenericRank(derivatives[k]);
      } catch (const InvalidArgument& e) {
        p.orders[k].exactUnavailable = e.what();
      }
      updateCeilings(p);
      if (k + 1 == derivatives.size()) p.exactState = TaskState::Done;
      if (superseded) return;
      publish(p);
    }
  } catch (const std::exception& e) {
    if (superseded) return;
    RanksProfile failed;
    failed.generation = p.generation;
    failed.scene = p.scene;
    failed.parameters = p.parameters;
    failed.t = p.t;
    failed.maxOrder = p.maxOrder;
    failed.tolerance = p.tolerance;
    failed.error = e.what();
    publish(failed);
  }
}

FeasibilityView computeFeasibility(FeasibilityView view) {
  try {
    view.result = theory::checkFeasibility(view.ranks);
    view.state = TaskState::Done;
  } catch (const std::exception& e) {
    view.state = TaskState::Failed;
    view.error = e.what();
  }
  return view;
}

// The exact stage is optional: not asked for reads "off" in the export, not "idle".
const char* exactStateName(TaskState s) {
  return s == TaskState::Idle ? "off" : taskStateName(s);
}

json spectrumJson(const matfun::NumericalRank& r) {
  return std::vector<double>(r.singularValues.data(), r.singularValues.data() + r.singularValues.size());
}

}  // namespace

int RanksProfile::exactSettled() const {
  int settled = 0;
  for (const OrderRanks& o : orders) settled += o.exact.has_value() || !o.exactUnavailable.empty();
  return settled;
}

RanksModel::RanksModel()
    : scenes_(theory::matrixScenes()),
      mailbox_(std::make_shared<Mailbox>()),
      profileWorker_(std::make_unique<BackgroundLane>()),
      feasibilityWorker_(std::make_unique<BackgroundLane>()) {
  scene_ = "lemma1.3";
  for (const auto& info : scenes_)
    if (info.name == scene_) parameters_ = theory::parseSceneParameters(info.parameters);
}

RanksModel::~RanksModel() {
  // The running task stops at its next check; joining then waits for at most one step.
  if (job_) job_->superseded = true;
  profileWorker_.reset();
  feasibilityWorker_.reset();
}

void RanksModel::setScene(const std::string& name) {
  if (name == scene_) return;
  scene_ = name;
  parameters_.clear();
  for (const auto& info : scenes_)
    if (info.name == name) parameters_ = theory::parseSceneParameters(info.parameters);
  submitProfile();
}

void RanksModel::setParameter(const std::string& name, const std::string& value) {
  for (theory::SceneParameter& p : parameters_) {
    if (p.name != name) continue;
    if (p.value == value) return;
    p.value = value;
    submitProfile();
    return;
  }
  // Unknown names go through, so the scene's own message ("has no parameter") is shown.
  parameters_.push_back({name, value});
  submitProfile();
}

void RanksModel::setMaxOrder(int k) {
  k = std::clamp(k, 0, kMaxOrder);
  if (k == maxOrder_) return;
  maxOrder_ = k;
  submitProfile();
}

void RanksModel::setT(double t) {
  if (std::isnan(t)) return;
  t = std::clamp(t, -kMaxAbsT, kMaxAbsT);
  if (t == t_) return;
  t_ = t;
  submitProfile();
}

void RanksModel::setExactEnabled(bool on) {
  if (on == exact_) return;
  exact_ = on;
  submitProfile();
}

void RanksModel::setTolerance(std::optional<double> tolerance) {
  if (tolerance && !(*tolerance > 0.0 && std::isfinite(*tolerance))) tolerance.reset();
  if (tolerance == tolerance_) return;
  tolerance_ = tolerance;
  submitProfile();
}

void RanksModel::recompute() {
  submitProfile();
}

void RanksModel::submitProfile() {
  ProfileRequest request{++generation_, scene_, parameters_, maxOrder_, t_, exact_, tolerance_};
  if (job_) job_->superseded = true;
  job_ = std::make_shared<Job>();
  profileWorker_->post([request = std::move(request), job = job_, box = mailbox_] {
    computeProfile(request, box->engine, job->superseded, job->exactCancelled, [&box](const RanksProfile& p) {
      const std::lock_guard lock(box->mutex);
      box->profile = p;
    });
  });
}

void RanksModel::cancelExact() {
  if (job_) job_->exactCancelled = true;
  exactCancelledGeneration_ = generation_;
  if (profile_.generation == generation_ && profile_.exactState == TaskState::Running) stripExact(profile_);
}

bool RanksModel::poll() {
  std::optional<RanksProfile> profile;
  std::optional<FeasibilityView> feasibility;
  {
    const std::lock_guard lock(mailbox_->mutex);
    profile.swap(mailbox_->profile);
    feasibility.swap(mailbox_->feasibility);
  }
  bool changed = false;
  if (profile && profile->generation == generation_) {
    if (exactCancelledGeneration_ == generation_ && profile->exactState != TaskState::Idle) stripExact(*profile);
    profile_ = std::move(*profile);
    changed = true;
  }
  if (feasibility && feasibility->generation == feasibilityGeneration_) {
    feasibility_ = std::move(*feasibility);
    changed = true;
  }
  return changed;
}

float RanksModel::exactProgress() const {
  if (profile_.exactState != TaskState::Running || profile_.orders.empty()) return 1.0f;
  return static_cast<float>(profile_.exactSettled()) / static_cast<float>(profile_.orders.size());
}

void RanksModel::checkFeasibility(const std::string& sequence) {
  FeasibilityView view;
  view.generation = ++feasibilityGeneration_;
  view.input = sequence;
  std::string trimmed;
  for (char c : sequence)
    if (c != ' ' && c != '\t' && c != '(' && c != ')') trimmed += c;
  try {
    view.ranks = theory::parseRankList(trimmed);
    if (view.ranks.size() > static_cast<std::size_t>(kMaxFeasibilityLength)) {
      throw InvalidArgument("at most " + std::to_string(kMaxFeasibilityLength) + " ranks (r_0..r_" +
                            std::to_string(kMaxFeasibilityLength - 1) + ")");
    }
  } catch (const std::exception& e) {
    view.state = TaskState::Failed;
    view.error = e.what();
    feasibility_ = std::move(view);
    return;
  }
  view.state = TaskState::Running;
  feasibility_ = view;
  feasibilityWorker_->post([view = std::move(view), box = mailbox_] {
    FeasibilityView done = computeFeasibility(view);
    const std::lock_guard lock(box->mutex);
    box->feasibility = std::move(done);
  });
}

bool RanksModel::waitForIdle(std::chrono::milliseconds timeout) {
  return pollUntilIdle(
      timeout, std::chrono::milliseconds(2), [this] { return profileWorker_->idle() && feasibilityWorker_->idle(); },
      [this] { poll(); });
}

std::string RanksModel::exportJson() const {
  const RanksProfile& p = profile_;
  json parameters = json::object();
  for (const auto& parameter : p.parameters) parameters[parameter.name] = parameter.value;
  json orders = json::array();
  for (const OrderRanks& o : p.orders) {
    json order = {{"k", o.k},
                  {"rank_at_t", o.atT.rank},
                  {"tolerance_at_t", o.atT.tolerance},
                  {"singular_values_at_t", spectrumJson(o.atT)},
                  {"numerical_rank", o.generic.rank},
                  {"tolerance", o.generic.best.tolerance},
                  {"singular_values", spectrumJson(o.generic.best)},
                  {"ceiling_fact_1_4", o.ceilingFact14 ? json(*o.ceilingFact14) : json(nullptr)},
                  {"ceiling_fact_1_7", o.ceilingFact17}};
    if (o.exact) {
      order["exact_rank"] = o.exact->rank;
      order["failure_bound"] = o.exact->failureBound;
      order["draws"] = o.exact->draws;
    } else if (!o.exactUnavailable.empty()) {
      order["exact_rank"] = nullptr;
      order["exact_unavailable"] = o.exactUnavailable;
    }
    orders.push_back(std::move(order));
  }
  json out = {{"scene", p.scene},
              {"statement", p.statement},
              {"parameters", parameters},
              {"rows", p.rows},
              {"cols", p.cols},
              {"t", p.t},
              {"max_order", p.maxOrder},
              {"tolerance", p.tolerance ? json(*p.tolerance) : json(nullptr)},
              {"exact_state", exactStateName(p.exactState)},
              {"orders", orders}};
  if (!p.error.empty()) out["error"] = p.error;

  const FeasibilityView& f = feasibility_;
  if (f.state == TaskState::Failed) {
    out["feasibility"] = {{"input", f.input}, {"error", f.error}};
  } else if (f.state == TaskState::Done) {
    json verdict = {{"input", f.input},
                    {"ranks", f.ranks},
                    {"verdict", theory::verdictName(f.result.verdict)},
                    {"reason", f.result.reason},
                    {"blocks", f.result.blocks}};
    if (f.result.verdict == theory::Verdict::Feasible) {
      verdict["realized"] = f.result.realized;
      verdict["construction"] = json::parse(matfun::toJson(f.result.construction));
    }
    out["feasibility"] = std::move(verdict);
  }
  return out.dump(1);
}

}  // namespace rankflow::app
