#pragma once
// What the Ranks panel shows (docs/MATHEMATICS.md §2, §6), without ImGui: a matrix-function scene with its
// parameters, the ranks of B^(k) for k = 0..K (at t, numerically generic, exactly generic
// over GF(p)), the Fact 1.4 / 1.7 ceilings, and the feasibility checker. The work runs on
// background threads so the UI never stalls; results reach the UI thread only through
// poll(), which swaps in whole published snapshots, so what is drawn is never half-updated.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/models/task.h"
#include "core/matfun/rank.h"
#include "core/theory/feasibility.h"
#include "core/theory/matrix_scenes.h"

namespace rankflow {
class BackgroundLane;  // core/common/background_lane.h
}  // namespace rankflow

namespace rankflow::app {

struct OrderRanks {
  int k = 0;
  matfun::NumericalRank atT;    // B^(k)(t): rank, tolerance and spectrum
  matfun::GenericRank generic;  // max over random t in [-1, 1], with the spectrum at the best t
  std::optional<matfun::ExactRank> exact;
  std::string exactUnavailable;  // why there is no exact rank (sin/cos, non-integer rates)
  // Ceilings on the generic rank from the generic ranks of lower orders (exact where known):
  // Fact 1.4: 2·rank B^(k−1) (none at k = 0); Fact 1.7: (k+1)·rank B.
  std::optional<int> ceilingFact14;
  int ceilingFact17 = 0;

  // The best generic rank known: exact when computed, else the numerical one.
  int genericRank() const { return exact ? exact->rank : generic.rank; }
};

struct RanksProfile {
  std::uint64_t generation = 0;  // of the request that produced it; 0 before any result
  std::string scene;
  std::string statement;
  std::vector<theory::SceneParameter> parameters;
  int rows = 0;
  int cols = 0;
  double t = 0.0;
  int maxOrder = 0;
  std::optional<double> tolerance;  // the user's tolerance; none means σ_max · max(m, n) · ε
  std::vector<OrderRanks> orders;   // k = 0..maxOrder once computed; empty on error
  TaskState exactState = TaskState::Idle;
  std::string error;            // a bad parameter or scene; the profile is empty then
  std::string computedOn;       // the backend of the numerical stage ("CUDA · …" or "CPU · Eigen · …")
  double computeSeconds = 0.0;  // its evaluation and SVDs, end to end
  std::string computeNote;      // why not CUDA, or why the device fell back to the CPU

  // Orders whose exact rank is settled (computed or unavailable), for the progress bar.
  int exactSettled() const;
};

// error: malformed input, shown instead of a verdict.
struct FeasibilityView : TaskStatus {
  std::string input;
  std::vector<int> ranks;
  theory::Feasibility result;  // valid when state is Done
};

class RanksModel {
 public:
  // Highest derivative order the panel offers, and the longest sequence the checker takes
  // (the CLI's limit: the base-block library grows quickly with the length).
  static constexpr int kMaxOrder = 12;
  static constexpr int kMaxFeasibilityLength = 9;
  // e^t and t^p stay far from overflow here, so the spectra at t are finite.
  static constexpr double kMaxAbsT = 20.0;

  // Starts on the lemma1.3 scene with K = 4, t = 0.5 and the exact rank on; nothing runs
  // until the first setter or recompute().
  RanksModel();
  ~RanksModel();
  RanksModel(const RanksModel&) = delete;
  RanksModel& operator=(const RanksModel&) = delete;

  // Inputs. Each setter that changes something submits a new request, which supersedes
  // (cancels) the one running; bad values are not thrown but reported in profile().error
  // (scene, parameters) or clamped (K to [0, kMaxOrder], t to [-kMaxAbsT, kMaxAbsT], NaN ignored).
  const std::vector<theory::MatrixSceneInfo>& scenes() const { return scenes_; }
  const std::string& scene() const { return scene_; }
  const std::vector<theory::SceneParameter>& parameters() const { return parameters_; }
  int maxOrder() const { return maxOrder_; }
  double t() const { return t_; }
  bool exactEnabled() const { return exact_; }
  const std::optional<double>& tolerance() const { return tolerance_; }

  void setScene(const std::string& name);  // parameters go back to the scene's defaults
  void setParameter(const std::string& name, const std::string& value);
  void setMaxOrder(int k);
  void setT(double t);
  void setExactEnabled(bool on);
  void setTolerance(std::optional<double> tolerance);  // non-positive or NaN means the default
  void recompute();                                    // resubmits the current inputs

  // Stops the exact stage of the current request. Exact ranks of that request that arrive
  // afterwards are dropped, so the view shows "cancelled" whatever the worker's timing.
  void cancelExact();

  // Takes the newest published results onto the UI thread (call once per frame). Results of
  // superseded requests are discarded. Returns true when the view changed.
  bool poll();

  const RanksProfile& profile() const { return profile_; }
  std::uint64_t requestedGeneration() const { return generation_; }
  // The numerical stage of the latest request has not been published yet.
  bool computing() const { return profile_.generation != generation_; }
  // Fraction of orders whose exact rank is settled (1 when not running).
  float exactProgress() const;

  // Feasibility of r_0..r_K given as "2,1,5". Malformed input sets feasibility().error at
  // once (no exception); a valid sequence is checked in the background.
  void checkFeasibility(const std::string& sequence);
  const FeasibilityView& feasibility() const { return feasibility_; }

  // Polls until both workers are idle and everything is published, or the timeout passes;
  // true when idle. For tests and for exports that must be complete.
  bool waitForIdle(std::chrono::milliseconds timeout);

  // The data behind the view: inputs, the profile with spectra and ceilings, the verdict.
  std::string exportJson() const;

 private:
  struct Mailbox;  // results handed from the workers to poll()
  struct Job;      // the flags of one request, read by its task between steps

  void submitProfile();

  std::vector<theory::MatrixSceneInfo> scenes_;
  std::string scene_;
  std::vector<theory::SceneParameter> parameters_;
  int maxOrder_ = 4;
  double t_ = 0.5;
  bool exact_ = true;
  std::optional<double> tolerance_;

  std::uint64_t generation_ = 0;
  std::uint64_t exactCancelledGeneration_ = 0;
  std::uint64_t feasibilityGeneration_ = 0;
  RanksProfile profile_;
  FeasibilityView feasibility_;

  std::shared_ptr<Mailbox> mailbox_;
  std::shared_ptr<Job> job_;  // the latest profile request's
  std::unique_ptr<BackgroundLane> profileWorker_;
  std::unique_ptr<BackgroundLane> feasibilityWorker_;
};

}  // namespace rankflow::app
