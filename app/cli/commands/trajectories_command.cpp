// rankflow trajectories: a model's trajectories read as the window reads them (--trajectories),
// their PCA plane and metrics summarised, and written as arrays with --out.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/viewer/cli_error.h"
#include "core/common/error.h"
#include "core/flows/trajectory_import.h"
#include "core/io/atomic_file.h"
#include "core/io/npy.h"

namespace rankflow::app {
namespace {

// Every metric's 10th, 50th and 90th percentile at each frame.
nlohmann::json metricBands(const flows::ImportedTrajectories& imported) {
  nlohmann::json out = nlohmann::json::object();
  for (int m = 0; m < flows::kTrajectoryMetricCount; ++m) {
    const auto metric = static_cast<flows::TrajectoryMetric>(m);
    const auto bands = imported.percentiles(metric);
    std::vector<float> p10, p50, p90;
    for (const auto& b : bands) {
      p10.push_back(b[0]);
      p50.push_back(b[1]);
      p90.push_back(b[2]);
    }
    out[flows::metricName(metric)] = {{"p10", p10}, {"median", p50}, {"p90", p90}};
  }
  return out;
}

void writeArrays(const std::string& prefix, const flows::ImportedTrajectories& imported) {
  const auto frames = static_cast<std::int64_t>(imported.frames), n = static_cast<std::int64_t>(imported.particles);
  // (S+1, N, 4): speed, acceleration, jerk, deviation of every trajectory at every frame.
  std::vector<float> metrics(static_cast<std::size_t>(frames * n * flows::kTrajectoryMetricCount));
  for (std::int64_t f = 0; f < frames; ++f)
    for (int m = 0; m < flows::kTrajectoryMetricCount; ++m) {
      const auto values = imported.metric(static_cast<flows::TrajectoryMetric>(m), static_cast<int>(f));
      for (std::int64_t p = 0; p < n; ++p)
        metrics[static_cast<std::size_t>((f * n + p) * flows::kTrajectoryMetricCount + m)] =
            values[static_cast<std::size_t>(p)];
    }
  io::writeNpyFloat32(prefix + "-metrics.npy", {frames, n, flows::kTrajectoryMetricCount}, metrics);
  io::writeNpyFloat32(prefix + "-straightness.npy", {n}, imported.straightness);
  std::vector<float> projected(static_cast<std::size_t>(frames * n * 2));
  for (std::int64_t f = 0; f < frames; ++f) {
    const auto drawn = imported.store.positions(static_cast<int>(f));
    for (std::int64_t p = 0; p < n; ++p) {
      projected[static_cast<std::size_t>((f * n + p) * 2)] = drawn[static_cast<std::size_t>(p)].x;
      projected[static_cast<std::size_t>((f * n + p) * 2 + 1)] = drawn[static_cast<std::size_t>(p)].y;
    }
  }
  io::writeNpyFloat32(prefix + "-projected.npy", {frames, n, 2}, projected);
  io::writeFileAtomic(prefix + "-projection.json", imported.projection.toJson() + "\n");
}

}  // namespace

int runTrajectoriesCommand(const std::vector<std::string>& args) {
  std::vector<OptionSpec> specs = trajectoryOptions();
  specs.erase(specs.end() - 1);  // --colour-by: a view option
  specs.push_back({"out", "PREFIX",
                   "write PREFIX-metrics.npy (S+1, N, 4: |v|, |a|, |j|, deviation), PREFIX-straightness.npy (N,), "
                   "PREFIX-projected.npy (S+1, N, 2) and PREFIX-projection.json",
                   ""});
  specs.push_back({"json", "", "print the summary as JSON (with every metric's 10/50/90% bands per frame)", ""});
  CommandLine cmd("trajectories",
                  "rankflow trajectories --trajectories T.npy [--times F] [--velocities F] [--labels F] [--out PREFIX] "
                  "[--json]",
                  "Reads a model's trajectories (S+1, N, D) as `rankflow gui --trajectories` does: D > 2 projected to "
                  "its PCA plane, and |v|, |a|, |j|, the deviation from the straight path and the straightness in all "
                  "D (from the given velocities, or derivatives of the positions through 5 frames: "
                  "docs/MATHEMATICS.md section 8). Prints a summary and the time it took.",
                  specs);
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const auto files = trajectoryFilesFor(cmd);
  if (!files) cmd.fail("--trajectories T.npy is required");
  const auto begin = std::chrono::steady_clock::now();
  flows::ImportedTrajectories imported;
  try {
    imported = flows::loadTrajectories(*files);
  } catch (const InvalidArgument& e) {
    cmd.fail(e.what());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (cmd.has("out")) writeArrays(cmd.text("out"), imported);

  const flows::PcaProjection& pca = imported.projection;
  if (cmd.has("json")) {
    nlohmann::json out = {{"positions", files->positions},
                          {"frames", imported.frames},
                          {"trajectories", imported.particles},
                          {"dims", imported.dims},
                          {"times", {imported.times.front(), imported.times.back()}},
                          {"times_given", imported.timesGiven},
                          {"derivatives", imported.derivativeSource()},
                          {"projection",
                           {{"identity", pca.identity},
                            {"explained_share", {pca.explainedShare(0), pca.explainedShare(1)}},
                            {"variance", pca.variance},
                            {"total_variance", pca.totalVariance}}},
                          {"mean_straightness", imported.meanStraightness},
                          {"seconds", seconds},
                          {"bands", metricBands(imported)}};
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::printf("%s: %d trajectories x %d frames in %d dimensions, time %.4g .. %.4g%s\n", files->positions.c_str(),
              imported.particles, imported.frames, imported.dims, imported.times.front(), imported.times.back(),
              imported.timesGiven ? "" : " (no times given: 0..1 evenly)");
  if (pca.identity)
    std::printf("drawn as is (D = 2)\n");
  else
    std::printf("drawn in the PCA plane: %.1f%% + %.1f%% of the variance\n", 100 * pca.explainedShare(0),
                100 * pca.explainedShare(1));
  std::printf("v, a, j: %s\n", imported.derivativeSource().c_str());
  std::printf("mean straightness %.4g\n", imported.meanStraightness);
  std::printf("%-13s %12s %12s %12s   (median over trajectories at the first, middle and last frame)\n", "metric",
              "first", "middle", "last");
  for (int m = 0; m < flows::kTrajectoryMetricCount; ++m) {
    const auto metric = static_cast<flows::TrajectoryMetric>(m);
    const auto bands = imported.percentiles(metric);
    std::printf("%-13s %12.4g %12.4g %12.4g\n", flows::metricName(metric), bands.front()[1], bands[bands.size() / 2][1],
                bands.back()[1]);
  }
  std::printf("read and derived in %.3f s\n", seconds);
  return kExitOk;
}

}  // namespace rankflow::app
