#pragma once
// A saved session: the scene as the pickers describe it and what the view shows — time,
// camera, layers, the field, the open tool windows — as JSON (docs/formats.md), written
// atomically. `rankflow gui --session F` opens it; the panel saves and loads it.
#include <string>
#include <vector>

#include "app/viewer/view_state.h"
#include "core/common/vec2.h"
#include "core/flows/flow_scene.h"
#include "core/flows/schedule.h"
#include "core/flows/solvers.h"
#include "core/flows/trajectory_import.h"

namespace rankflow::app {

// The scene name of data drawn with the mouse (or given as points): SceneChoice::points.
inline constexpr const char* kCustomSceneName = "custom";
// The scene name of trajectories imported from files: SceneChoice::trajectories.
inline constexpr const char* kTrajectoriesSceneName = "trajectories";
// More points than this make the exact field's softmax too slow to scrub.
inline constexpr std::size_t kMaxCustomPoints = 8192;

// A scene as the pickers describe it; applying it re-integrates in the background.
struct SceneChoice {
  std::string name = "default";
  flows::Schedule schedule = flows::Schedule::Linear;
  flows::Solver solver = flows::Solver::Rk4;
  int particles = 4096;
  std::uint64_t seed = flows::DefaultSceneSpec{}.noiseSeed;  // of the particles' starting noise
  // For name == kCustomSceneName only: the data points and, optionally, one label each
  // (particles are coloured by the label of the datum they reach; all 0 when empty).
  std::vector<Vec2f> points;
  std::vector<int> labels;
  // For name == kTrajectoriesSceneName only: the files (absolute paths once saved).
  flows::TrajectoryFiles trajectories;
};

// Throws InvalidArgument ("custom data: ...") for no points, too many, a non-finite or
// out-of-range (|x| > 1e6) point, or labels that are neither empty nor one per point in 0..1023.
void validateCustomData(const std::vector<Vec2f>& points, const std::vector<int>& labels);

// The choice to save for what is shown: `picked` (the pickers), with the scene's own data
// when the scene is a custom one (the pickers do not hold points).
SceneChoice choiceForScene(const SceneChoice& picked, const flows::FlowScene& scene);

// The Cascade panel's choices; empty fields keep the panel's defaults.
struct CascadeChoice {
  std::string fitScene;  // the matrix-function scene of the fit
  std::vector<std::pair<std::string, std::string>> fitParameters;
  std::vector<int> fitRanks;      // r_1..r_K of the matrix fit
  std::vector<int> learnedRanks;  // r_2, r_3 of the learned flow
  bool empty() const { return fitScene.empty() && fitRanks.empty() && learnedRanks.empty(); }
};

struct Session {
  SceneChoice scene;
  ViewState view;
  CascadeChoice cascade;
  // Keys the file holds that no version of the format knows ("veiw"), one line each: ignored,
  // and reported (the CLI prints them, the window's status line shows them).
  std::vector<std::string> warnings;
};

std::string serializeSession(const Session& session);
// Throws InvalidArgument naming `nameForErrors` and the field for malformed JSON, a wrong
// type, an unknown scene, schedule or solver, or a value out of range. Fields left out
// keep their defaults, so older files still open; a view without a camera has
// camera.halfHeight 0, which the window replaces by the scene's own framing.
Session parseSession(const std::string& json, const std::string& nameForErrors);

// The scene a choice describes, with its particles drawn and not yet integrated. A custom
// choice gets the default scene's sizes on its points; bad points throw (validateCustomData).
// A trajectories choice reads its files (flows::loadTrajectories) and comes back integrated.
flows::FlowScene prepareSessionScene(const SceneChoice& choice);

void saveSession(const std::string& path, const Session& session);
Session loadSession(const std::string& path);

}  // namespace rankflow::app
