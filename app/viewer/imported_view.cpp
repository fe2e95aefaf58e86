#include "app/viewer/imported_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/viewer/view_export.h"
#include "core/common/error.h"
#include "core/io/npy.h"

namespace rankflow::app {
namespace {

void writeExport(const std::string& path, const std::string& bytes, std::vector<std::string>& written) {
  writeExportFile(path, bytes);
  written.push_back(path);
}

}  // namespace

ParticleColour parseParticleColour(const std::string& name) {
  for (std::size_t i = 0; i < std::size(kParticleColourNames); ++i)
    if (name == kParticleColourNames[i]) return static_cast<ParticleColour>(i);
  throw InvalidArgument("unknown particle colouring '" + name + "' (label, speed, acceleration, jerk, deviation)");
}

void metricShades(const flows::ImportedTrajectories& imported, ParticleColour colour, float t,
                  std::vector<float>& shades) {
  if (colour == ParticleColour::Label) {
    shades.clear();
    return;
  }
  const flows::TrajectoryMetric metric = metricOf(colour);
  shades.resize(static_cast<std::size_t>(imported.particles));
  imported.metricAt(metric, t, shades);
  const auto [lo, hi] = imported.metricRange[static_cast<std::size_t>(metric)];
  const float width = hi - lo;
  for (float& s : shades) s = width > 0.0f ? std::clamp((s - lo) / width, 0.0f, 1.0f) : 0.5f;
}

std::string importedHoverText(const flows::FlowScene& scene, std::size_t particle, float t) {
  const flows::ImportedTrajectories& imported = *scene.imported;
  const Vec2f x = scene.trajectories.positionAt(static_cast<int>(particle), t);
  char text[512];
  const int p = static_cast<int>(particle);
  std::snprintf(text, sizeof text,
                "trajectory %zu (label %d) at t = %.3f (time %.4g)\n%s = (%.3f, %.3f)\n|v| = %.4g   |a| = %.4g   "
                "|j| = %.4g\ndeviation from straight %.4g\nstraightness %.4g",
                particle, imported.labels[particle], t, imported.timeAt(t),
                imported.projection.identity ? "x" : "PCA (x, y)", x.x, x.y,
                imported.metricAt(flows::TrajectoryMetric::Speed, p, t),
                imported.metricAt(flows::TrajectoryMetric::Acceleration, p, t),
                imported.metricAt(flows::TrajectoryMetric::Jerk, p, t),
                imported.metricAt(flows::TrajectoryMetric::Deviation, p, t), imported.straightness[particle]);
  return text;
}

std::vector<std::string> exportImportedView(const std::string& prefix, const flows::FlowScene& scene,
                                            const ViewState& view) {
  if (!scene.imported) throw InvalidArgument("export: the scene holds no imported trajectories");
  const flows::ImportedTrajectories& imported = *scene.imported;
  const auto n = static_cast<std::size_t>(imported.particles);
  std::vector<Vec2f> positions(n);
  scene.trajectories.positionsAt(view.t, positions);
  std::array<std::vector<float>, flows::kTrajectoryMetricCount> metrics;
  for (int m = 0; m < flows::kTrajectoryMetricCount; ++m) {
    metrics[static_cast<std::size_t>(m)].resize(n);
    imported.metricAt(static_cast<flows::TrajectoryMetric>(m), view.t, metrics[static_cast<std::size_t>(m)]);
  }
  constexpr std::size_t kColumns = std::size(kImportedParticleColumns);
  std::vector<double> table;
  table.reserve(n * kColumns);
  std::string csv =
      "# rankflow view export: imported trajectories '" + imported.files.positions + "', t = " + exportNumber(view.t) +
      " (time " + exportNumber(imported.timeAt(view.t)) +
      ")\n# x, y: " + (imported.projection.identity ? "the positions" : "the PCA plane (PREFIX-projection.json)") +
      "; metrics in all " + std::to_string(imported.dims) + " dimensions from " + imported.derivativeSource() + "\n";
  for (std::size_t c = 0; c < kColumns; ++c) csv += (c ? "," : "") + std::string(kImportedParticleColumns[c]);
  csv += "\n";
  for (std::size_t p = 0; p < n; ++p) {
    const double row[kColumns] = {
        static_cast<double>(p),  positions[p].x, positions[p].y, static_cast<double>(imported.labels[p]),
        metrics[0][p],           metrics[1][p],  metrics[2][p],  metrics[3][p],
        imported.straightness[p]};
    for (std::size_t c = 0; c < kColumns; ++c) {
      csv +=
          (c ? "," : "") + (c == 0 || c == 3 ? std::to_string(static_cast<long long>(row[c])) : exportNumber(row[c]));
      table.push_back(row[c]);
    }
    csv += "\n";
  }
  std::vector<std::string> written;
  writeExport(prefix + "-particles.csv", csv, written);
  writeExport(prefix + "-particles.npy",
              io::serializeNpy({static_cast<std::int64_t>(n), static_cast<std::int64_t>(kColumns)}, table,
                               io::NpyType::Float64),
              written);
  writeExport(prefix + "-projection.json", imported.projection.toJson() + "\n", written);
  nlohmann::json summary;
  summary["scene"] = {{"name", scene.name},
                      {"description", scene.description},
                      {"positions", imported.files.positions},
                      {"times", imported.files.times},
                      {"velocities", imported.files.velocities},
                      {"labels", imported.files.labels},
                      {"frames", imported.frames},
                      {"trajectories", imported.particles},
                      {"dims", imported.dims},
                      {"derivatives", imported.derivativeSource()},
                      {"mean_straightness", imported.meanStraightness}};
  summary["t"] = view.t;
  summary["time"] = imported.timeAt(view.t);
  summary["colour_by"] = kParticleColourNames[static_cast<std::size_t>(view.particleColour)];
  summary["camera"] = {
      {"center_x", view.camera.centerX}, {"center_y", view.camera.centerY}, {"half_height", view.camera.halfHeight}};
  nlohmann::json ranges = nlohmann::json::object();
  for (int m = 0; m < flows::kTrajectoryMetricCount; ++m)
    ranges[flows::metricName(static_cast<flows::TrajectoryMetric>(m))] =
        imported.metricRange[static_cast<std::size_t>(m)];
  summary["colour_ranges"] = ranges;
  writeExport(prefix + "-view.json", summary.dump(2) + "\n", written);
  return written;
}

}  // namespace rankflow::app
