#pragma once
// What the Queries panel shows (docs/MATHEMATICS.md §3, §6), without ImGui: a seeded random low-rank range
// tree, every strategy timed on the current interval next to the cost model's prediction,
// the router's choice and trace, a float64 check, a time-vs-length sweep with its
// crossovers, point updates, and CUDA when a low-rank backend exists.
//
// One BackgroundLane owns the tree and does all the timing, so measurements never compete
// with each other and the UI thread never waits on a GEMM. Requests are queued per kind
// (build, update, query, sweep); a newer request of a kind supersedes the older one, a
// rebuild supersedes everything. The UI calls poll() once a frame and reads view().
#include <Eigen/Core>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "app/models/task.h"
#include "core/common/background_lane.h"
#include "core/lowrank/lowrank_backend.h"
#include "core/lowrank/range_tree.h"

namespace rankflow::app {

struct QuerySizes {
  int m = 1024;  // factor pairs (leaves)
  int d = 64;    // A_i, B_i ∈ R^{d×r}
  int r = 8;
  int n = 64;  // columns of X
  std::uint64_t seed = 1;
  bool operator==(const QuerySizes&) const = default;
};

// Interactive limits: beyond them a query or a sweep stops being interactive (or the node
// matrices stop fitting comfortably next to everything else the application holds).
inline constexpr int kQueriesMaxM = 1 << 16;
inline constexpr int kQueriesMaxD = 1024;
inline constexpr int kQueriesMaxRank = 256;
inline constexpr int kQueriesMaxColumns = 1024;
inline constexpr double kQueriesMaxBytes = 512.0 * 1024 * 1024;
inline constexpr double kQueriesMaxMultiplyAdds = 1e9;  // the slowest strategy on the full range

// The factors and X a build uses: a pure function of the sizes (and their seed).
struct QueryInputs {
  std::vector<Eigen::MatrixXf> left, right;
  Eigen::MatrixXf x;
};

enum class QueryJob { Build = 0, Update = 1, Query = 2, Sweep = 3 };
inline constexpr int kQueryJobCount = 4;

struct JobStatus {
  TaskState state = TaskState::Idle;
  float progress = 0.0f;  // 0..1 while running
  std::string message;    // why it failed or was cancelled, or a short summary
  std::uint64_t id = 0;   // the submission it describes
};

// The answer to a request*: accepted with an id, or refused with the reason.
struct Submission {
  bool accepted = false;
  std::uint64_t id = 0;
  std::string message;
};

// CUDA's prefix strategy answers with sum, so only the first three are timed there.
inline constexpr int kCudaStrategyCount = 3;

struct QueryReport {
  std::uint64_t id = 0;
  std::uint64_t treeVersion = 0;  // build and updates it ran on
  int l = 0, h = 0, n = 0;
  lowrank::QueryPlan routerPlan;  // as the router saw it: canonical nodes and its predictions
  lowrank::Strategy routerChoice = lowrank::Strategy::Tree;
  double routerMeasuredSeconds = 0.0;
  double routerRelativeError = 0.0;
  Eigen::MatrixXf routerResult;  // Σ_{i=l}^{h} A_i B_iᵀ X as the router computed it
  // Steady state (prefix sums current): best-of-`repetitions` time, the cost model's
  // prediction and the relative error against the float64 reference, per strategy.
  std::array<double, lowrank::kStrategyCount> measuredSeconds{};
  std::array<double, lowrank::kStrategyCount> predictedSeconds{};
  std::array<double, lowrank::kStrategyCount> relativeError{};
  std::array<int, lowrank::kStrategyCount> repetitions{};
  double maxStrategyDifference = 0.0;  // max_s ‖Y_s − Y_router‖ / ‖Y_router‖
  bool cudaTimed = false;
  std::array<double, kCudaStrategyCount> cudaSeconds{};
  std::array<double, kCudaStrategyCount> cudaRelativeError{};
};

struct SweepPoint {
  int length = 0;
  int l = 0;
  std::array<double, lowrank::kStrategyCount> measuredSeconds{};
  std::array<double, lowrank::kStrategyCount> predictedSeconds{};
  std::array<double, kCudaStrategyCount> cudaSeconds{};  // when the sweep's cudaTimed
};

// Where on-the-fly stops being cheaper than a node-based strategy, interpolated on the log
// grid; NaN when the sign does not change inside [1, m].
struct SweepCrossover {
  lowrank::Strategy against = lowrank::Strategy::Tree;
  double predictedLength = 0.0;
  double measuredLength = 0.0;
};

struct SweepReport {
  std::uint64_t id = 0;
  QuerySizes sizes;
  int plannedPoints = 0;
  bool complete = false;
  bool cudaTimed = false;
  std::vector<SweepPoint> points;
  std::vector<SweepCrossover> crossovers;  // against tree, sum and prefix
  double paperCrossoverLength = 0.0;       // Remark 1.11: tree once L·r ≳ d·log₂ m
};

struct UpdateReport {
  std::uint64_t id = 0;
  int index = 0;
  int l = 0, h = 0;  // the interval checked right after the update
  bool insideInterval = false;
  double updateSeconds = 0.0;         // the tree's O(d² r + d² log m) leaf-to-root update
  double prefixRebuildSeconds = 0.0;  // the next prefix query's O(m d²) rebuild, for contrast
  std::array<double, lowrank::kStrategyCount> relativeError{};  // on [l, h] against a fresh float64 reference
  double maxRelativeError = 0.0;
  int updatesSinceBuild = 0;
};

struct QueriesView {
  QuerySizes sizes;        // of the tree queries run on
  QuerySizes targetSizes;  // of the tree being built (== sizes when none is)
  bool treeReady = false;
  std::uint64_t treeVersion = 0;
  int l = 0, h = 0;  // the interval last asked for (clamped to the tree)
  std::array<JobStatus, kQueryJobCount> jobs;
  std::shared_ptr<const QueryReport> query;
  std::shared_ptr<const SweepReport> sweep;
  std::shared_ptr<const UpdateReport> update;
  std::uint64_t supersededQueries = 0;  // requests replaced before their report was published
  lowrank::CostModel costs;
  std::string cpuBackend;  // "CPU · Eigen · 2 threads"
  std::string cudaLine;    // "CUDA: <device>" or "CUDA: none (<reason>)"
  bool cudaAvailable = false;

  const JobStatus& job(QueryJob kind) const { return jobs[static_cast<std::size_t>(kind)]; }
};

class QueriesModel {
 public:
  // Probes the backends and builds `initial` (when valid) on its lane, in the background.
  explicit QueriesModel(const QuerySizes& initial = {});
  ~QueriesModel();
  QueriesModel(const QueriesModel&) = delete;
  QueriesModel& operator=(const QueriesModel&) = delete;

  // Empty when the sizes are acceptable, else the reason (m = 0, too much memory, …).
  static std::string validateSizes(const QuerySizes& sizes);
  // Seeded normal factors and X: the same ones a build with these sizes uses. Throws
  // InvalidArgument for sizes validateSizes refuses (the request* calls never throw).
  static QueryInputs makeInputs(const QuerySizes& sizes);

  // All of these return at once; the work runs on the lane.
  Submission requestBuild(const QuerySizes& sizes);
  Submission requestInterval(int l, int h);  // 0-based, inclusive
  Submission requestSweep(int points = 16);  // lengths on a log grid over [1, m]
  Submission requestPointUpdate(int index);  // new random A_i, B_i; index < 0: a random one
  void cancel(QueryJob job);

  // Copies what the lane has published; true when anything changed since the last call.
  bool poll();
  const QueriesView& view() const { return view_; }
  bool busy() const;
  // Blocks until no job is queued or running, or the timeout passes (tests, exports).
  bool waitIdle(std::chrono::milliseconds timeout) const;

  // The data behind the view as JSON (sizes, interval, per-strategy times, trace, sweep).
  std::string exportJson() const;

 private:
  struct PendingBuild {
    std::uint64_t id;
    QuerySizes sizes;
  };
  struct PendingQuery {
    std::uint64_t id;
    int l, h;
  };
  struct PendingSweep {
    std::uint64_t id;
    int points;
  };
  struct PendingUpdate {
    std::uint64_t id;
    int index;
  };

  void drainPending();
  void probeBackends();
  void runBuild(const PendingBuild& job);
  void abandonBuild(std::uint64_t id);
  void runQuery(const PendingQuery& job);
  void runSweep(const PendingSweep& job);
  void runUpdate(const PendingUpdate& job);
  // Runs a job, turning an exception into a Failed status instead of ending the drain.
  void guarded(QueryJob kind, std::uint64_t id, const std::function<void()>& job);
  // Runs the updates and queries waiting, so a sweep never holds them up; false when a
  // rebuild (or shutdown) is waiting, which ends the sweep.
  bool serviceInterruptions();
  bool wanted(QueryJob kind, std::uint64_t id) const;
  void setStatus(QueryJob kind, TaskState state, float progress, std::string message, std::uint64_t id);
  void setStatusLocked(QueryJob kind, TaskState state, float progress, std::string message, std::uint64_t id);
  void setProgress(QueryJob kind, std::uint64_t id, float progress);
  void queueQueryLocked(int l, int h);
  void prepareCuda();
  void disableCuda(const std::string& why);
  bool anyPendingLocked() const;
  std::uint64_t nextIdLocked() { return ++lastId_; }

  // [UI thread]
  QueriesView view_;
  std::uint64_t viewStamp_ = 0;

  // [shared, under mutex_]
  mutable std::mutex mutex_;
  mutable std::condition_variable settled_;  // waitIdle: a job finished
  std::uint64_t lastId_ = 0;
  std::optional<PendingBuild> pendingBuild_;
  std::deque<PendingUpdate> pendingUpdates_;
  std::optional<PendingQuery> pendingQuery_;
  std::optional<PendingSweep> pendingSweep_;
  std::array<std::uint64_t, kQueryJobCount> cancelBelow_{};  // running jobs with a smaller id stop
  bool workerBusy_ = false;                                  // a job has been taken and is not finished
  bool workerBuilding_ = false;
  std::uint64_t runningQueryId_ = 0;  // 0 when no query is running
  bool stop_ = false;
  QueriesView published_;
  std::uint64_t publishedStamp_ = 0;

  // [lane tasks only]
  std::optional<lowrank::LowRankRangeTree> tree_;
  QueryInputs inputs_;  // the model's own copy of the factors: the float64 reference reads it
  QuerySizes treeSizes_;
  std::uint64_t treeVersion_ = 0;
  int updatesSinceBuild_ = 0;
  std::mt19937_64 updateRng_;
  lowrank::CostModel costs_;
  std::unique_ptr<lowrank::LowRankBackend> cuda_;
  std::unique_ptr<lowrank::PreparedRangeTree> cudaTree_;

  // Slot 0 probes the backends once; slot 1 drains the pending jobs (a post there replaces a
  // drain still waiting, so requests never pile up tasks).
  static constexpr std::size_t kProbeSlot = 0, kDrainSlot = 1;
  BackgroundLane lane_{2};  // last: joined before the members its jobs use go
};

}  // namespace rankflow::app
