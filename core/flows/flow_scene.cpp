#include "core/flows/flow_scene.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/common/error.h"
#include "core/flows/datasets.h"
#include "core/flows/trajectory_import.h"

namespace rankflow::flows {
namespace {

std::vector<int> labelByNearestDatum(const EmpiricalData& data, std::span<const Vec2f> finalPositions) {
  std::vector<int> labels(finalPositions.size(), 0);
  for (std::size_t p = 0; p < finalPositions.size(); ++p) {
    float best = std::numeric_limits<float>::max();
    for (std::size_t i = 0; i < data.points.size(); ++i) {
      const float d = squaredNorm(finalPositions[p] - data.points[i]);
      if (d < best) {
        best = d;
        labels[p] = data.labels[i];
      }
    }
  }
  return labels;
}

}  // namespace

std::vector<std::string> sceneNames() {
  std::vector<std::string> names = {"default"};
  for (const auto& n : datasetNames()) {
    if (n != "8gaussians") names.push_back(n);
  }
  return names;
}

FlowScene prepareScene(const std::string& name) {
  if (name == "default") return prepareDefaultScene();
  const auto datasets = datasetNames();
  if (std::find(datasets.begin(), datasets.end(), name) != datasets.end()) {
    const DefaultSceneSpec spec;
    FlowScene scene = prepareDefaultScene(spec);
    DatasetSpec data;
    data.name = name;
    data.count = spec.data.count;
    data.seed = spec.data.seed;
    scene.name = name;
    scene.data = makeDataset(data);
    scene.description = name + " · linear path · exact marginal velocity (softmax over " + std::to_string(data.count) +
                        " data points) · RK4, " + std::to_string(spec.grid.steps) + " steps";
    return scene;
  }
  std::string known;
  for (const auto& n : sceneNames()) known += (known.empty() ? "" : ", ") + n;
  throw InvalidArgument("unknown scene '" + name + "' (known: " + known + ")");
}

FlowScene prepareDefaultScene(const DefaultSceneSpec& spec) {
  if (spec.fieldGridSize < 2) throw InvalidArgument("field grid must be at least 2 × 2");
  spec.grid.validate();
  FlowScene scene;
  scene.name = "default";
  scene.description = "8 gaussians · linear path · exact marginal velocity (softmax over " +
                      std::to_string(spec.data.count) + " data points) · RK4, " + std::to_string(spec.grid.steps) +
                      " steps";
  scene.data = sampleEightGaussians(spec.data);
  scene.start = sampleStandardNormal(spec.particles, spec.noiseSeed);
  scene.noiseSeed = spec.noiseSeed;
  scene.grid = spec.grid;
  scene.fieldGridSize = spec.fieldGridSize;
  scene.viewHalfHeight = spec.viewHalfHeight;
  return scene;
}

void integrateScene(FlowScene& scene, const compute::FlowBackend& backend, const compute::ProgressFn& progress) {
  const auto begin = std::chrono::steady_clock::now();
  SamplerOptions options;
  options.solver = scene.solver;
  options.schedule = scene.schedule;
  options.grid = scene.grid;
  scene.trajectories = backend.sample(scene.data.points, scene.start, options, progress).store;
  scene.integrationSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  scene.integratedBy = backend.description();
  scene.particleLabels = labelByNearestDatum(scene.data, scene.trajectories.positions(scene.grid.steps));
}

FlowScene importedScene(ImportedTrajectories&& imported, const std::string& sourceName) {
  FlowScene scene;
  scene.name = "trajectories";
  scene.description = sourceName + ": " + std::to_string(imported.particles) + " trajectories × " +
                      std::to_string(imported.frames) + " frames in " + std::to_string(imported.dims) + " dimensions" +
                      (imported.projection.identity ? "" : " (PCA plane)");
  scene.grid = imported.store.grid();
  scene.trajectories = std::move(imported.store);
  scene.particleLabels = imported.labels;
  scene.start.assign(scene.trajectories.positions(0).begin(), scene.trajectories.positions(0).end());
  scene.integratedBy = "imported";
  // Frame every position of every frame, with a margin.
  float lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
  for (int f = 0; f < scene.trajectories.frameCount(); ++f)
    for (const Vec2f& p : scene.trajectories.positions(f)) {
      lo[0] = std::min(lo[0], p.x);
      hi[0] = std::max(hi[0], p.x);
      lo[1] = std::min(lo[1], p.y);
      hi[1] = std::max(hi[1], p.y);
    }
  scene.viewCenter = {0.5f * (lo[0] + hi[0]), 0.5f * (lo[1] + hi[1])};
  // The window is 16:9 or so: the height covers the y extent and, at that aspect, the x extent.
  const float half = 0.55f * std::max(hi[1] - lo[1], (hi[0] - lo[0]) / 1.6f);
  scene.viewHalfHeight = half > 0.0f && std::isfinite(half) ? half : 1.0f;
  scene.imported = std::make_shared<const ImportedTrajectories>(std::move(imported));
  return scene;
}

FlowScene buildScene(const std::string& name, const compute::FlowBackend& backend) {
  FlowScene scene = prepareScene(name);
  integrateScene(scene, backend);
  return scene;
}

std::vector<Vec2f> fieldLattice(int n, float halfWidth, float halfHeight) {
  if (n < 1) throw InvalidArgument("field lattice size must be positive");
  std::vector<Vec2f> points;
  points.reserve(static_cast<std::size_t>(n) * n);
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      const float u = (static_cast<float>(i) + 0.5f) / static_cast<float>(n);
      const float v = (static_cast<float>(j) + 0.5f) / static_cast<float>(n);
      points.push_back({(2.0f * u - 1.0f) * halfWidth, (2.0f * v - 1.0f) * halfHeight});
    }
  }
  return points;
}

}  // namespace rankflow::flows
