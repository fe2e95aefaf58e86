#pragma once
// What the Cascade panel's "Matrix fit" tab shows (docs/MATHEMATICS.md §1), without ImGui: the
// cascading truncated-SVD fit of the derivative matrices T_k = B^(k)(t), k = 0..K, of a
// square matrix-function scene, driven by per-order rank sliders; its errors per order
// against independent LoRA and naive; parameter and multiply-add meters; which orders the
// last slider move recomputed; measured evaluation times; a schedule sweep with its Pareto
// front; and an A/B comparison of two schedules.
//
// Fits, measurements and sweeps run on background threads (one each); a newer request
// supersedes an older one, and results reach the UI thread only through poll(), which swaps
// in whole snapshots. The fit thread keeps the CascadeFit with its cached SVDs between
// requests, so a move of r_k re-truncates order k and recomputes only the orders after it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/models/task.h"
#include "core/lowrank/cascade.h"
#include "core/lowrank/sweep.h"
#include "core/theory/matrix_scenes.h"

namespace rankflow {
class BackgroundLane;  // core/common/background_lane.h
}  // namespace rankflow

namespace rankflow::app {

// What the last refit did to one order.
enum class OrderRefit {
  Kept,         // untouched: an order before the one whose rank moved
  Retruncated,  // its cached SVD truncated to the new rank, no SVD computed
  Recomputed,   // its residual changed (or the targets did): a new SVD
};
const char* orderRefitName(OrderRefit refit);

struct FitOrder {
  int k = 0;  // 1..K
  int rank = 0;
  double cascadeError = 0.0;      // ‖T_k − W_k‖_F / ‖T_k‖_F
  double independentError = 0.0;  // with W + the best rank-r_k approximation of T_k − W alone
  OrderRefit refit = OrderRefit::Recomputed;
  double svdSeconds = 0.0;  // SVD time of this order at the last refit; 0 unless Recomputed
};

// Parameters and multiply-adds per input column for the three ways (lowrank::cascadeCosts;
// independent LoRA stores as much as the cascade and, with W X shared, multiplies as much).
struct FitCosts {
  double naiveParameters = 0.0;
  double independentParameters = 0.0;
  double cascadeParameters = 0.0;
  double naiveMacs = 0.0;
  double independentMacs = 0.0;
  double cascadeMacs = 0.0;
  double idealSpeedup = 1.0;  // (K+1)·d / (d + 2R)
};
FitCosts fitCosts(int d, const std::vector<int>& ranks);

bool sameSceneParameters(const std::vector<theory::SceneParameter>& a, const std::vector<theory::SceneParameter>& b);

struct FitSnapshot {
  std::uint64_t generation = 0;  // of the request that produced it; 0 before any result
  std::string scene;
  std::vector<theory::SceneParameter> parameters;
  double t = 0.0;
  int dim = 0;
  std::vector<int> ranks;  // r_1..r_K; K = ranks.size()
  std::vector<FitOrder> orders;
  FitCosts costs;
  int svdCount = 0;           // SVDs computed since the targets last changed
  std::string svdBackend;     // what computed the last SVDs: "CUDA · …" or "CPU · Eigen · …"
  std::string svdNote;        // why not CUDA (no device, a fallback's reason), or empty
  double refitSeconds = 0.0;  // wall time of the last refit (targets included when rebuilt)
  bool targetsRebuilt = false;
  // The pinned schedule A fitted to the same targets (empty when none or its K differs).
  std::vector<FitOrder> pinnedOrders;
  std::string error;  // a bad scene or parameter; the fit is empty then
  // The data of the fit, shared read-only with the measurement and the sweep threads.
  std::shared_ptr<const std::vector<Eigen::MatrixXf>> targets;  // T_0..T_K
  std::shared_ptr<const lowrank::CascadeModel> model;

  int orderCount() const { return static_cast<int>(ranks.size()); }
};

struct TimingView : TaskStatus {
  std::string scene;
  double t = 0.0;
  std::vector<int> ranks;
  int dim = 0;
  int columns = 0;
  int repetitions = 0;
  // Best of the repetitions, seconds for all n columns and every order.
  double naiveSeconds = 0.0;
  double independentSeconds = 0.0;
  double cascadeSeconds = 0.0;

  double measuredSpeedup() const { return cascadeSeconds > 0.0 ? naiveSeconds / cascadeSeconds : 0.0; }
  double measuredIndependentSpeedup() const {
    return independentSeconds > 0.0 ? naiveSeconds / independentSeconds : 0.0;
  }
};

struct SweepView : TaskStatus {
  std::string scene;
  std::vector<theory::SceneParameter> parameters;
  double t = 0.0;
  int dim = 0;
  int orders = 0;
  int maxRank = 0;
  long done = 0;
  long total = 0;
  std::vector<lowrank::ScheduleResult> results;  // partial (with its own front) when cancelled
};

// Schedule A as pinned: its ranks and what was measured for it, if anything.
struct PinnedSchedule {
  std::vector<int> ranks;
  double pinnedAtT = 0.0;
  std::optional<double> cascadeSeconds;  // measured at pin time for exactly this schedule
  int measuredColumns = 0;
};

// One row of the A/B table: A's value, B's (the current schedule) and B − A.
struct AbRow {
  std::string label;
  std::optional<double> a;
  std::optional<double> b;
  std::optional<double> difference() const { return a && b ? std::optional<double>(*b - *a) : std::nullopt; }
};

namespace cascade_fit_detail {
struct Mailbox;   // results handed from the lanes to poll()
struct FitCache;  // the fit thread's CascadeFit and what it was built for
struct Flags;     // cancel flag and progress of one measurement or sweep
}  // namespace cascade_fit_detail

class CascadeFitModel {
 public:
  static constexpr int kMaxOrders = 8;
  static constexpr int kMinColumns = 256;
  static constexpr int kMaxColumns = 8192;
  static constexpr long kMaxSweepSchedules = 100000;
  static constexpr double kMaxAbsT = 20.0;  // as the Ranks panel: e^t and t^p stay finite

  // Starts on lemma1.5 with ranks=4,8,...,32 (d = 32: a smooth error-vs-rank trade-off),
  // K = 4, r = (4, 4, 4, 4), t = 0.5. Nothing runs until the first setter or refit().
  CascadeFitModel();
  ~CascadeFitModel();
  CascadeFitModel(const CascadeFitModel&) = delete;
  CascadeFitModel& operator=(const CascadeFitModel&) = delete;

  // [SECTION] Inputs. Setters that change something submit a refit; bad values change
  // nothing and set message() instead of throwing (r > d, K outside 1..8, NaN t, a
  // non-square or unknown scene).
  const std::vector<theory::MatrixSceneInfo>& scenes() const { return scenes_; }
  const std::string& scene() const { return scene_; }
  const std::vector<theory::SceneParameter>& parameters() const { return parameters_; }
  int dim() const { return dim_; }  // d of the current scene; 0 when it does not build
  int orders() const { return static_cast<int>(ranks_.size()); }
  const std::vector<int>& ranks() const { return ranks_; }
  double t() const { return t_; }
  // The last refused input, shown in the tab; cleared by the next accepted one.
  const std::string& message() const { return message_; }

  bool setScene(const std::string& name);  // parameters go back to the scene's defaults
  bool setParameter(const std::string& name, const std::string& value);
  bool setOrders(int k);                         // new orders start at the last order's rank
  bool setRank(int order, int rank);             // order 1..K, rank 0..d
  bool setRanks(const std::vector<int>& ranks);  // the whole schedule (K may change)
  // Called every frame with the timeline's t: refits only when t actually changed.
  bool setTime(double t);
  void refit();  // resubmits the current inputs (the first frame calls it)

  // [SECTION] Results
  bool poll();  // takes the newest published results; true when anything changed
  const FitSnapshot& fit() const { return fit_; }
  bool fitting() const { return fit_.generation != fitGeneration_; }

  // Times evaluateNaiveInto / IndependentInto / CascadeInto of the current fit on `columns`
  // random columns (kMinColumns..kMaxColumns). Needs a fit; refused otherwise.
  bool measure(int columns);
  void cancelMeasure();
  const TimingView& timing() const { return timing_; }
  float timingProgress() const;
  // The measurement describes the schedule, scene and t now shown.
  bool timingIsCurrent() const;

  // Sweeps every schedule with r_k in 0..maxRank on the current targets (refused beyond
  // kMaxSweepSchedules). Progress and cancel are live; a cancelled sweep keeps its results.
  bool startSweep(int maxRank);
  void cancelSweep();
  const SweepView& sweep() const { return sweep_; }
  float sweepProgress() const;
  // Takes sweep().results[index]'s schedule (the Pareto chart's click); refused when the
  // sweep was made for another scene or d.
  bool adoptSchedule(std::size_t index);
  static double scheduleCount(int orders, int maxRank);

  // A/B: A is a pinned schedule, B the current one, both fitted to the current targets.
  void pinA();
  void clearA();
  const std::optional<PinnedSchedule>& pinned() const { return pinned_; }
  std::vector<AbRow> abRows() const;

  // Polls until every worker is idle and its results are taken, or the timeout passes.
  bool waitForIdle(std::chrono::milliseconds timeout);

  // The data behind the tab: scene, t, ranks, errors per order for the three methods, costs,
  // refit report, timing, sweep results (if any) and the A/B table.
  std::string exportJson() const;
  std::string exportSweepCsv() const;  // lowrank::schedulesCsv of the last sweep; empty before

 private:
  using Mailbox = cascade_fit_detail::Mailbox;
  using FitCache = cascade_fit_detail::FitCache;
  using Flags = cascade_fit_detail::Flags;

  bool refuse(std::string why);
  void accept() { message_.clear(); }
  void submitFit();
  // Builds the scene on the UI thread (cheap: no derivatives) to learn d and squareness,
  // and takes it only when it builds.
  bool setSceneAndParameters(const std::string& name, std::vector<theory::SceneParameter> parameters);

  std::vector<theory::MatrixSceneInfo> scenes_;
  std::string scene_;
  std::vector<theory::SceneParameter> parameters_;
  int dim_ = 0;
  std::vector<int> ranks_;
  double t_ = 0.5;
  std::string message_;
  std::optional<PinnedSchedule> pinned_;

  std::uint64_t fitGeneration_ = 0;
  std::uint64_t timingGeneration_ = 0;
  std::uint64_t sweepGeneration_ = 0;
  FitSnapshot fit_;
  TimingView timing_;
  SweepView sweep_;

  std::shared_ptr<Mailbox> mailbox_;
  std::shared_ptr<FitCache> cache_;
  std::shared_ptr<Flags> timingFlags_;
  std::shared_ptr<Flags> sweepFlags_;
  std::unique_ptr<BackgroundLane> fitLane_;
  std::unique_ptr<BackgroundLane> timingLane_;
  std::unique_ptr<BackgroundLane> sweepLane_;
};

}  // namespace rankflow::app
