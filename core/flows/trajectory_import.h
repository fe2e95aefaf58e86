#pragma once
// Trajectories of any model, brought into Rankflow: positions (S+1, N, D) with optional times,
// velocities and labels become a 2-D TrajectoryStore the window scrubs (D > 2 projected by
// PCA) and per-frame metrics computed in all D dimensions (docs/MATHEMATICS.md §8).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/common/vec2.h"
#include "core/flows/principal_plane.h"
#include "core/flows/trajectory_store.h"

namespace rankflow::flows {

// What the window colours particles by and the Timeline plots over t. Per frame and particle:
// |v|, |a|, |j| in the file's time units, and the deviation ‖dx/ds − (x(1) − x(0))‖ from the
// straight path, with s the time rescaled to [0, 1] (its square integrated over s is the
// trajectory's straightness, as docs/MATHEMATICS.md §4 defines it for built-in flows).
enum class TrajectoryMetric { Speed, Acceleration, Jerk, Deviation };
inline constexpr int kTrajectoryMetricCount = 4;
const char* metricName(TrajectoryMetric metric);    // "speed", "acceleration", "jerk", "deviation"
const char* metricSymbol(TrajectoryMetric metric);  // "|v|", "|a|", "|j|", "dev"
// Throws InvalidArgument listing the names for an unknown one.
TrajectoryMetric parseTrajectoryMetric(const std::string& name);

// Views on the caller's arrays, C order. Positions are (frames, particles, dims).
struct TrajectoryInput {
  int frames = 0;
  int particles = 0;
  int dims = 0;
  std::span<const float> positions;
  std::span<const double> times;         // empty (t = 0..1 evenly) or one per frame, strictly monotonic
  std::span<const float> velocities;     // empty or like positions: dx/dt in the times' units
  std::span<const std::int64_t> labels;  // empty or one per particle, 0 .. 2^31 − 1
};

struct TrajectoryFiles {
  std::string positions{};   // .npy (S+1, N, D), float32 or float64
  std::string times{};       // optional .npy (S+1,)
  std::string velocities{};  // optional .npy like positions
  std::string labels{};      // optional .npy (N,), integer
};

struct ImportedTrajectories {
  int frames = 0;
  int particles = 0;
  int dims = 0;
  std::vector<double> times;  // one per frame, as given (or 0..1 evenly)
  bool timesGiven = false;
  bool velocitiesGiven = false;
  PcaProjection projection;
  // The drawn plane, frame f at t = f / (frames − 1): the window's t runs over frames, and
  // timeAt() gives the file's time (the velocities are d/dt of the drawn positions in that t).
  TrajectoryStore store;
  std::vector<int> labels;  // one per particle (all 0 when none were given)
  int labelCount = 1;       // the largest label + 1 (at most 2^31 − 1)
  // Frame-major (frames × particles), one array per TrajectoryMetric.
  std::array<std::vector<float>, kTrajectoryMetricCount> metrics;
  // The 2nd and 98th percentiles of each metric over every frame and particle: the colour
  // scale, so a few extreme values do not wash it out.
  std::array<std::array<float, 2>, kTrajectoryMetricCount> metricRange{};
  std::vector<float> straightness;  // per particle: ∫₀¹ deviation² ds (trapezoid rule)
  double meanStraightness = 0.0;
  TrajectoryFiles files;  // what loadTrajectories read (empty for arrays given in memory)

  // "given velocities" or "derivatives of the positions" (docs/MATHEMATICS.md §8 says how).
  std::string derivativeSource() const;
  std::span<const float> metric(TrajectoryMetric metric, int frame) const;
  // The metric of every particle at window time t (linear between frames).
  void metricAt(TrajectoryMetric metric, float t, std::span<float> out) const;
  float metricAt(TrajectoryMetric metric, int particle, float t) const;
  double timeAt(float t) const;  // the file's time at window time t
  // The 10th, 50th and 90th percentiles of a metric over the particles at each frame.
  std::vector<std::array<float, 3>> percentiles(TrajectoryMetric metric) const;
};

// Validates (sizes, finite values, monotonic times, labels) and derives everything; throws
// InvalidArgument naming the argument ("positions: …", "times: …", …). Progress covers the
// PCA and the metrics; cancelling throws Cancelled.
ImportedTrajectories importTrajectories(const TrajectoryInput& input, const ProgressFn& progress = {});

// [SECTION] Files

// Bytes importTrajectories holds at its peak for these sizes (the arrays read, the store, the
// metrics), so a caller can refuse before allocating.
std::uint64_t importPeakBytes(std::int64_t frames, std::int64_t particles, std::int64_t dims, bool velocities);
// The most a load may take: three quarters of this machine's memory.
std::uint64_t importMemoryLimitBytes();

// Reads the files' headers, checks shapes against each other and the memory the import needs
// against `memoryLimitBytes` (an error before anything large is allocated), then reads and
// imports. Errors name the file.
ImportedTrajectories loadTrajectories(const TrajectoryFiles& files, const ProgressFn& progress = {},
                                      std::uint64_t memoryLimitBytes = importMemoryLimitBytes());

}  // namespace rankflow::flows
