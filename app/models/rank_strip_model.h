#pragma once
// The data behind the Timeline's rank-vs-t strip chart (docs/MATHEMATICS.md §2), without ImGui: the
// numerical rank of B^(k)(t) for k = 0..K at evenly spaced t, for a matrix-function scene
// of the Ranks panel. The sampling runs on a background thread; a newer request supersedes
// (cancels) the running one, cancel() stops it, and poll() takes finished strips onto the UI
// thread as whole snapshots. A request that fails (unknown scene, bad parameter) leaves the
// previous strip in place and only sets the message.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/models/task.h"

namespace rankflow::app {

struct RankStrip {
  std::uint64_t generation = 0;  // of the request that produced it; 0 before any result
  std::string scene;
  std::map<std::string, std::string> parameters;
  std::string statement;
  int rows = 0;
  int cols = 0;
  int maxOrder = 0;
  double tMin = 0.0;
  double tMax = 1.0;
  std::optional<double> tolerance;      // none: σ_max · max(m, n) · ε per matrix
  std::vector<double> times;            // samples, evenly spaced, first tMin and last tMax
  std::vector<std::vector<int>> ranks;  // ranks[k][i] = numerical rank of B^(k)(times[i])
  std::string computedOn;       // the backend that computed it ("CUDA · NVIDIA H200 · …" or "CPU · Eigen · …")
  double computeSeconds = 0.0;  // evaluation and SVDs of every matrix, end to end
  std::string computeNote;      // why not CUDA, or why the device fell back to the CPU

  bool empty() const { return times.empty(); }
  int sampleCount() const { return static_cast<int>(times.size()); }
  // The sample nearest t (clamped to the ends): the chart draws sample i over the cells of
  // half a spacing either side of times[i], so this is the sample under a cursor at t.
  int sampleAt(double t) const;
  // The ranks of every order at one sample (r_0..r_K).
  std::vector<int> ranksAtSample(int i) const;
  // Highest rank in the strip (the chart's y range), 0 when empty.
  int highestRank() const;
};

class RankStripModel {
 public:
  static constexpr int kMaxOrder = 12;  // the Ranks panel's
  static constexpr int kMinSamples = 2;
  static constexpr int kMaxSamples = 4096;
  static constexpr int kDefaultSamples = 201;  // spacing 0.005 on [0, 1]: every 0.005 multiple is a sample
  // e^t and t^p stay far from overflow here (the Ranks panel's bound).
  static constexpr double kMaxAbsT = 20.0;

  RankStripModel();
  ~RankStripModel();
  RankStripModel(const RankStripModel&) = delete;
  RankStripModel& operator=(const RankStripModel&) = delete;

  // Submits a strip of `samples` evenly spaced t in [tMin, tMax] for B^(k), k = 0..maxOrder,
  // superseding any request still running. Returns the request's generation, or 0 when the
  // arguments themselves are out of range (NaN, tMin >= tMax, |t| > kMaxAbsT, maxOrder outside
  // [0, kMaxOrder], samples outside [kMinSamples, kMaxSamples]): then nothing is submitted,
  // state() is Failed with the reason in message(), and the running request goes on.
  // Scene and parameter errors are found on the worker and reported the same way.
  std::uint64_t request(const std::string& scene, const std::map<std::string, std::string>& parameters, int maxOrder,
                        double tMin = 0.0, double tMax = 1.0, int samples = kDefaultSamples,
                        std::optional<double> tolerance = std::nullopt);

  // Stops the running request; a result of it that arrives afterwards is dropped.
  void cancel();

  // Takes the newest published result onto the UI thread (call once per frame); results of
  // superseded or cancelled requests are discarded. Returns true when the view changed.
  bool poll();

  const RankStrip& strip() const { return strip_; }
  TaskState state() const { return state_; }
  const std::string& message() const { return message_; }  // why the latest request failed
  std::uint64_t requestedGeneration() const { return generation_; }
  // Fraction of the latest request's samples done (1 when not running).
  float progress() const;

  // Polls until the worker is idle and its result is taken, or the timeout passes; true when
  // idle. For tests and exports that must be complete.
  bool waitForIdle(std::chrono::milliseconds timeout);

  // The strip, its inputs and the state of the latest request.
  std::string exportJson() const;
  // One row per sample: t, rank_k0, ..., rank_kK (header first); only the header when empty.
  std::string exportCsv() const;

 private:
  struct Job;     // one request's cancel flag and progress
  struct Worker;  // the background thread and its result slot

  std::uint64_t generation_ = 0;
  std::uint64_t cancelledGeneration_ = 0;
  RankStrip strip_;
  TaskState state_ = TaskState::Idle;
  std::string message_;
  std::shared_ptr<Job> job_;  // the latest request's
  std::unique_ptr<Worker> worker_;
};

}  // namespace rankflow::app
