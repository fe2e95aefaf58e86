#include "app/cli/common_options.h"

#include <malloc.h>

#include <cstdio>

#include "app/viewer/cli_error.h"
#include "app/viewer/imported_view.h"
#include "app/viewer/session.h"
#include "core/common/error.h"
#include "core/matfun/json_format.h"

namespace rankflow::app {

void keepLargeBuffersOnTheHeap() {
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

OptionSpec backendOption() {
  return {"backend", "auto|cpu|cuda", "compute backend: CUDA when a device exists, else the CPU", "auto"};
}

OptionSpec validationOption() {
  return {"validation", "", "enable Vulkan validation layers; any message makes the command fail (exit 3)", ""};
}

OptionSpec sceneOption() {
  return {"scene", "NAME", "scene to load: " + sceneList(), "default"};
}

bool validationRequested(const CommandLine& cmd) {
  return cmd.has("validation") || RANKFLOW_VALIDATION_DEFAULT;
}

std::string sceneList() {
  std::string out;
  for (const auto& name : flows::sceneNames()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

BackendPreference backendPreferenceFor(const CommandLine& cmd) {
  try {
    return parseBackendPreference(cmd.text("backend"));
  } catch (const CliError& e) {
    cmd.fail(e.what());
  }
}

LowRankSelection lowRankBackendFor(const CommandLine& cmd) {
  const BackendPreference preference = backendPreferenceFor(cmd);
  try {
    return selectLowRankBackend(preference);
  } catch (const CliError& e) {
    cmd.fail(e.what());
  }
}

std::shared_ptr<learn::TrainingEngine> trainingEngineFor(const CommandLine& cmd) {
  const BackendPreference preference = backendPreferenceFor(cmd);
  try {
    return selectTrainingEngine(preference);
  } catch (const CliError& e) {
    cmd.fail(e.what());
  }
}

std::vector<OptionSpec> trajectoryOptions() {
  return {{"trajectories", "T.npy", "trajectories of your own model: positions (S+1, N, D), float32 or float64", ""},
          {"times", "TIMES.npy", "with --trajectories: the time of each frame (S+1,), strictly monotonic", ""},
          {"velocities", "V.npy", "with --trajectories: dx/dt at every point, like T (else derived from T)", ""},
          {"labels", "LABELS.npy", "with --trajectories: an integer label per trajectory (N,), colours them", ""},
          {"colour-by", "label|speed|acceleration|jerk|deviation",
           "with --trajectories: what colours the particles (and the Timeline plots)", "label"}};
}

std::optional<flows::TrajectoryFiles> trajectoryFilesFor(const CommandLine& cmd) {
  if (!cmd.has("trajectories")) {
    for (const char* companion : {"times", "velocities", "labels", "colour-by"})
      if (cmd.has(companion)) cmd.fail(std::string("--") + companion + " needs --trajectories");
    return std::nullopt;
  }
  flows::TrajectoryFiles files;
  files.positions = cmd.text("trajectories");
  files.times = cmd.text("times");
  files.velocities = cmd.text("velocities");
  files.labels = cmd.text("labels");
  return files;
}

ParticleColour particleColourFor(const CommandLine& cmd) {
  try {
    return parseParticleColour(cmd.text("colour-by"));
  } catch (const InvalidArgument& e) {
    cmd.fail(std::string("--colour-by: ") + e.what());
  }
}

std::shared_ptr<flows::FlowScene> importedSceneFor(const CommandLine& cmd) {
  const auto files = trajectoryFilesFor(cmd);
  if (!files) return nullptr;
  try {
    SceneChoice choice;
    choice.name = kTrajectoriesSceneName;
    choice.trajectories = *files;
    return std::make_shared<flows::FlowScene>(prepareSessionScene(choice));
  } catch (const InvalidArgument& e) {
    cmd.fail(e.what());
  }
}

void requireKnownScene(const CommandLine& cmd) {
  const std::string name = cmd.text("scene");
  for (const auto& n : flows::sceneNames())
    if (n == name) return;
  cmd.fail("unknown scene '" + name + "' (known: " + sceneList() + ")");
}

BackendSelection selectBackendFor(const CommandLine& cmd) {
  const BackendPreference preference = backendPreferenceFor(cmd);
  try {
    return selectBackend(preference);
  } catch (const CliError& e) {
    cmd.fail(e.what());
  }
}

flows::FlowScene buildSceneFor(const CommandLine& cmd, const compute::FlowBackend& backend, bool quiet) {
  requireKnownScene(cmd);
  flows::FlowScene scene = flows::buildScene(cmd.text("scene"), backend);
  if (!quiet) {
    std::printf("scene '%s': %s\n  integrated %d particles in %.0f ms on %s\n", scene.name.c_str(),
                scene.description.c_str(), scene.trajectories.particleCount(), scene.integrationSeconds * 1e3,
                scene.integratedBy.c_str());
  }
  return scene;
}

std::map<std::string, std::string> sceneParameters(const CommandLine& cmd) {
  std::map<std::string, std::string> params;
  for (const auto& p : cmd.all("param")) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) cmd.fail("--param takes NAME=VALUE, got '" + p + "'");
    params[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return params;
}

theory::MatrixScene loadMatrixFunction(const CommandLine& cmd) {
  if (cmd.has("scene") == cmd.has("function")) cmd.fail("give exactly one of --scene NAME and --function FILE.json");
  if (cmd.has("function")) return {"file", cmd.text("function"), matfun::readMatrixFunctionJson(cmd.text("function"))};
  return theory::buildMatrixScene(cmd.text("scene"), sceneParameters(cmd));
}

}  // namespace rankflow::app
