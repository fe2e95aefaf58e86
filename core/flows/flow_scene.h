#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/vec2.h"
#include "core/compute/flow_backend.h"
#include "core/flows/empirical_data.h"
#include "core/flows/samplers.h"
#include "core/flows/schedule.h"
#include "core/flows/solvers.h"
#include "core/flows/trajectory_store.h"

namespace rankflow::flows {

struct ImportedTrajectories;

// Everything the default scene needs, with the values the README and the golden image
// were made with.
struct DefaultSceneSpec {
  EightGaussiansSpec data{};
  int particles = 4096;
  std::uint64_t noiseSeed = 2;
  TimeGrid grid{0.0f, 1.0f, 100};
  int fieldGridSize = 24;       // velocity arrows on a fieldGridSize² lattice
  float viewHalfHeight = 3.0f;  // world units shown above and below the origin
};

// A sampled flow: data, particles integrated once and stored, and the labels that colour
// each particle by the mixture component it lands on.
struct FlowScene {
  std::string name;
  std::string description;
  EmpiricalData data;
  Schedule schedule = Schedule::Linear;
  Solver solver = Solver::Rk4;
  std::vector<Vec2f> start;
  std::uint64_t noiseSeed = 2;  // the seed `start` was drawn with
  TimeGrid grid{};
  TrajectoryStore trajectories;
  std::vector<int> particleLabels;
  int fieldGridSize = 24;
  float viewHalfHeight = 3.0f;
  Vec2f viewCenter{0.0f, 0.0f};
  // Trajectories of another model (core/flows/trajectory_import.h): no data and no field, so
  // the window draws the particles and their metrics only. Null for every built-in scene.
  std::shared_ptr<const ImportedTrajectories> imported;
  double integrationSeconds = 0.0;
  std::string integratedBy;
  // Straightness and mean ‖a‖ of the integrated trajectories (docs/MATHEMATICS.md §4); measured by the
  // window's background job, not by integrateScene (render and bench do not show it).
  StraightnessReport straightness{};

  bool integrated() const { return trajectories.particleCount() > 0; }
  // A flow with data: fields, arrows, heatmaps and densities exist (not for imported ones).
  bool hasField() const { return !imported; }
};

std::vector<std::string> sceneNames();

// A scene's data and particle starts, not yet integrated (cheap: the GUI shows it while
// the integration runs in the background). "default" is 8 gaussians; every other name
// is a data set of flows::datasetNames() with the default scene's sizes. Throws
// InvalidArgument for an unknown name, listing the known ones.
FlowScene prepareScene(const std::string& name);
FlowScene prepareDefaultScene(const DefaultSceneSpec& spec = {});

// Integrates the particles with the scene's solver and schedule and labels each by the
// datum it reaches.
void integrateScene(FlowScene& scene, const compute::FlowBackend& backend, const compute::ProgressFn& progress = {});

// The scene of imported trajectories: their drawn store moves into the scene (which is then
// integrated), the camera frames every frame's positions, particles are coloured by label.
FlowScene importedScene(ImportedTrajectories&& imported, const std::string& sourceName);

// prepareScene + integrateScene.
FlowScene buildScene(const std::string& name, const compute::FlowBackend& backend);

// Cell centres of an n × n lattice covering [−halfWidth, halfWidth] × [−halfHeight, halfHeight].
std::vector<Vec2f> fieldLattice(int n, float halfWidth, float halfHeight);

}  // namespace rankflow::flows
