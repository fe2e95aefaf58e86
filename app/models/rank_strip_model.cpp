#include "app/models/rank_strip_model.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

#include "app/viewer/lowrank_engine.h"
#include "core/common/background_lane.h"
#include "core/matfun/derivative_grid.h"
#include "core/theory/matrix_scenes.h"

namespace rankflow::app {

// [SECTION] Requests and their outcomes

// The UI thread sets `stop` (superseded, cancelled, model destroyed); the worker counts samples.
struct RankStripModel::Job {
  explicit Job(int samples) : total(samples) {}
  std::atomic<bool> stop{false};
  std::atomic<int> done{0};
  const int total;
};

namespace {

struct StripRequest {
  std::uint64_t generation = 0;
  std::string scene;
  std::map<std::string, std::string> parameters;
  int maxOrder = 0;
  double tMin = 0.0;
  double tMax = 1.0;
  int samples = 0;
  std::optional<double> tolerance;
};

// A finished request: its strip, or why it has none.
struct StripOutcome {
  std::uint64_t generation = 0;
  std::optional<RankStrip> strip;
  std::string error;
};

// One submission to the low-rank backend: every order at every time (on CUDA the matrices
// are generated and their SVDs run on the device; only the ranks come back). A stop request
// is honoured before and after it; nothing is returned once stopped, since nobody wants
// that strip.
std::optional<StripOutcome> sampleStrip(const StripRequest& request, lowrank::LowRankBackend& backend,
                                        const std::string& whyNotCuda, const std::atomic<bool>& stop,
                                        std::atomic<int>& done) {
  StripOutcome outcome{request.generation, std::nullopt, {}};
  try {
    const theory::MatrixScene scene = theory::buildMatrixScene(request.scene, request.parameters);
    if (stop) return std::nullopt;
    const matfun::DerivativeTermTable table = matfun::flattenDerivatives(scene.b, request.maxOrder);
    RankStrip strip;
    strip.generation = request.generation;
    strip.scene = request.scene;
    strip.parameters = request.parameters;
    strip.statement = scene.statement;
    strip.rows = scene.b.rows();
    strip.cols = scene.b.cols();
    strip.maxOrder = request.maxOrder;
    strip.tMin = request.tMin;
    strip.tMax = request.tMax;
    strip.tolerance = request.tolerance;
    strip.times = matfun::evenlySpacedTimes(request.tMin, request.tMax, request.samples);
    if (stop) return std::nullopt;
    const matfun::RankGrid grid = backend.rankGrid(table, strip.times, request.tolerance, false);
    if (stop) return std::nullopt;
    strip.ranks.assign(static_cast<std::size_t>(table.orders()), std::vector<int>(strip.times.size()));
    for (std::size_t i = 0; i < strip.times.size(); ++i)
      for (int k = 0; k < table.orders(); ++k)
        strip.ranks[static_cast<std::size_t>(k)][i] = grid.rank(static_cast<int>(i), k);
    strip.computedOn = grid.backend;
    strip.computeSeconds = grid.endToEndSeconds;
    strip.computeNote = !grid.note.empty() ? grid.note : whyNotCuda;
    done = static_cast<int>(strip.times.size());
    outcome.strip = std::move(strip);
  } catch (const compute::DeviceFault&) {
    throw;  // the worker moves to the CPU and samples again (runWithCpuFallback)
  } catch (const std::exception& e) {
    if (stop) return std::nullopt;
    outcome.error = e.what();
  }
  return outcome;
}

}  // namespace

// [SECTION] Worker

// The lane runs the newest request only, so a burst of edits samples once; the finished
// outcome waits in `outcome` for poll().
struct RankStripModel::Worker {
  std::mutex mutex;
  std::optional<StripOutcome> outcome;
  WindowLowRankBackend engine;  // made on the lane's thread at its first request, used only there
  BackgroundLane lane;          // last: destroyed first, which joins it before the rest goes

  void submit(StripRequest request, std::shared_ptr<Job> job) {
    lane.post([this, request = std::move(request), job = std::move(job)] {
      std::optional<StripOutcome> finished = runWithCpuFallback(engine, [&](lowrank::LowRankBackend& backend) {
        return sampleStrip(request, backend, engine.whyNotCuda, job->stop, job->done);
      });
      if (!finished) return;
      const std::lock_guard lock(mutex);
      outcome = std::move(finished);
    });
  }

  std::optional<StripOutcome> take() {
    const std::lock_guard lock(mutex);
    return std::exchange(outcome, std::nullopt);
  }

  bool idle() { return lane.idle(); }
};

// [SECTION] RankStrip

int RankStrip::sampleAt(double t) const {
  if (times.empty()) return -1;
  const int last = sampleCount() - 1;
  if (!(t > tMin)) return 0;  // NaN lands here too
  if (t >= tMax) return last;
  const double position = (t - tMin) / (tMax - tMin) * last;
  return std::clamp(static_cast<int>(std::lround(position)), 0, last);
}

std::vector<int> RankStrip::ranksAtSample(int i) const {
  std::vector<int> out;
  if (i < 0 || i >= sampleCount()) return out;
  for (const auto& order : ranks) out.push_back(order[static_cast<std::size_t>(i)]);
  return out;
}

int RankStrip::highestRank() const {
  int highest = 0;
  for (const auto& order : ranks)
    if (!order.empty()) highest = std::max(highest, *std::max_element(order.begin(), order.end()));
  return highest;
}

// [SECTION] RankStripModel

RankStripModel::RankStripModel() : worker_(std::make_unique<Worker>()) {}

RankStripModel::~RankStripModel() {
  if (job_) job_->stop = true;  // the worker leaves its loop after at most one sample
  worker_.reset();
}

std::uint64_t RankStripModel::request(const std::string& scene, const std::map<std::string, std::string>& parameters,
                                      int maxOrder, double tMin, double tMax, int samples,
                                      std::optional<double> tolerance) {
  // Even a refused request is the newest one: what was running answered an older question.
  ++generation_;
  if (job_) job_->stop = true;
  job_.reset();

  std::string refusal;
  if (!std::isfinite(tMin) || !std::isfinite(tMax) || !(tMin < tMax)) {
    refusal = "the t range must be finite with t_min < t_max";
  } else if (std::max(std::abs(tMin), std::abs(tMax)) > kMaxAbsT) {
    refusal = "the t range must lie in [-" + std::to_string(static_cast<int>(kMaxAbsT)) + ", " +
              std::to_string(static_cast<int>(kMaxAbsT)) + "]";
  } else if (maxOrder < 0 || maxOrder > kMaxOrder) {
    refusal = "max order K must be in [0, " + std::to_string(kMaxOrder) + "]";
  } else if (samples < kMinSamples || samples > kMaxSamples) {
    refusal = "samples must be in [" + std::to_string(kMinSamples) + ", " + std::to_string(kMaxSamples) + "]";
  } else if (tolerance && !(*tolerance > 0.0 && std::isfinite(*tolerance))) {
    refusal = "the tolerance must be positive and finite";
  }
  if (!refusal.empty()) {
    state_ = TaskState::Failed;
    message_ = refusal;
    return 0;
  }

  job_ = std::make_shared<Job>(samples);
  state_ = TaskState::Running;
  message_.clear();
  worker_->submit({generation_, scene, parameters, maxOrder, tMin, tMax, samples, tolerance}, job_);
  return generation_;
}

void RankStripModel::cancel() {
  if (state_ != TaskState::Running) return;
  if (job_) job_->stop = true;
  cancelledGeneration_ = generation_;
  state_ = TaskState::Cancelled;
}

bool RankStripModel::poll() {
  std::optional<StripOutcome> outcome = worker_->take();
  if (!outcome || outcome->generation != generation_ || cancelledGeneration_ == generation_) return false;
  if (outcome->strip) {
    strip_ = std::move(*outcome->strip);
    state_ = TaskState::Done;
    message_.clear();
  } else {
    state_ = TaskState::Failed;  // the previous strip stays on screen
    message_ = outcome->error;
  }
  return true;
}

float RankStripModel::progress() const {
  if (state_ != TaskState::Running || !job_) return 1.0f;
  return static_cast<float>(job_->done.load()) / static_cast<float>(std::max(job_->total, 1));
}

bool RankStripModel::waitForIdle(std::chrono::milliseconds timeout) {
  return pollUntilIdle(
      timeout, std::chrono::milliseconds(2), [this] { return worker_->idle(); }, [this] { poll(); });
}

std::string RankStripModel::exportJson() const {
  using nlohmann::json;
  const RankStrip& s = strip_;
  json out = {{"scene", s.scene},
              {"parameters", s.parameters},
              {"statement", s.statement},
              {"rows", s.rows},
              {"cols", s.cols},
              {"max_order", s.maxOrder},
              {"t_min", s.tMin},
              {"t_max", s.tMax},
              {"samples", s.sampleCount()},
              {"tolerance", s.tolerance ? json(*s.tolerance) : json(nullptr)},
              {"times", s.times},
              {"ranks", s.ranks},
              {"computed_on", s.computedOn},
              {"compute_seconds", s.computeSeconds},
              {"state", taskStateName(state_)}};
  if (!message_.empty()) out["message"] = message_;
  return out.dump(1);
}

std::string RankStripModel::exportCsv() const {
  const RankStrip& s = strip_;
  std::string csv = "t";
  for (std::size_t k = 0; k < s.ranks.size(); ++k) csv += ",rank_k" + std::to_string(k);
  csv += "\n";
  for (int i = 0; i < s.sampleCount(); ++i) {
    char t[32];
    std::snprintf(t, sizeof t, "%.17g", s.times[static_cast<std::size_t>(i)]);
    csv += t;
    for (const auto& order : s.ranks) csv += "," + std::to_string(order[static_cast<std::size_t>(i)]);
    csv += "\n";
  }
  return csv;
}

}  // namespace rankflow::app
