#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/command_line.h"
#include "app/viewer/backend_selection.h"
#include "app/viewer/view_state.h"
#include "core/flows/flow_scene.h"
#include "core/flows/trajectory_import.h"
#include "core/theory/matrix_scenes.h"

namespace rankflow::app {

// Options several subcommands share, declared once so their help reads the same.
OptionSpec backendOption();
OptionSpec validationOption();
OptionSpec sceneOption();
std::string sceneList();

// --validation, or on by default in debug builds (RANKFLOW_VALIDATION_DEFAULT).
bool validationRequested(const CommandLine& cmd);

// --backend as a preference; a bad name is a usage error of this command.
BackendPreference backendPreferenceFor(const CommandLine& cmd);

// Fails the command unless --scene names a known scene.
void requireKnownScene(const CommandLine& cmd);

// For the commands that walk a checkpoint module by module (lora-ranks, lora-resize,
// cascade-fit): buffers of a few MiB, allocated and freed thousands of times, come back from
// the heap instead of being fresh zero-filled pages from the kernel each time — a third of
// lora-ranks's CPU time otherwise (docs/PERFORMANCE.md, "Real LoRA adapters"). Not for the
// window, which would keep what it frees.
void keepLargeBuffersOnTheHeap();

// Picks the backend named by --backend; a bad name or an unavailable CUDA is a usage
// error of this command.
BackendSelection selectBackendFor(const CommandLine& cmd);

// The low-rank backend named by --backend; a bad name or an unavailable CUDA is a usage
// error of this command (one line with the runtime's reason).
LowRankSelection lowRankBackendFor(const CommandLine& cmd);

// The trainer named by --backend (auto: CUDA when a device exists); a bad name or an
// unavailable CUDA is a usage error of this command.
std::shared_ptr<learn::TrainingEngine> trainingEngineFor(const CommandLine& cmd);

// Builds the scene named by --scene, printing what it cost.
flows::FlowScene buildSceneFor(const CommandLine& cmd, const compute::FlowBackend& backend, bool quiet = false);

// [SECTION] Imported trajectories (gui, render, trajectories)

// --trajectories T.npy and its companions --times, --velocities, --labels.
std::vector<OptionSpec> trajectoryOptions();
// The files named, or nullopt without --trajectories (companions without it fail the command).
std::optional<flows::TrajectoryFiles> trajectoryFilesFor(const CommandLine& cmd);
// --colour-by as a colouring; a bad name fails the command.
ParticleColour particleColourFor(const CommandLine& cmd);
// The scene of the files named (null without --trajectories); a bad file fails the command
// with one line (exit 2) before any window opens.
std::shared_ptr<flows::FlowScene> importedSceneFor(const CommandLine& cmd);

// --param NAME=VALUE options (repeatable) as a map; a malformed one fails the command.
std::map<std::string, std::string> sceneParameters(const CommandLine& cmd);

// The matrix function named by --scene (with --param) or read from --function (exactly one).
theory::MatrixScene loadMatrixFunction(const CommandLine& cmd);

}  // namespace rankflow::app
