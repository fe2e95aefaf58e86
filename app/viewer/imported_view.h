#pragma once
// What the window shows of imported trajectories (core/flows/trajectory_import.h) beyond the
// particles: their colours by metric, the hover readout, and the view export.
#include <string>
#include <vector>

#include "app/viewer/view_state.h"
#include "core/flows/flow_scene.h"
#include "core/flows/trajectory_import.h"

namespace rankflow::app {

// The metric a colouring shows (Label has none: Speed is what the Timeline plots then).
inline flows::TrajectoryMetric metricOf(ParticleColour colour) {
  return colour == ParticleColour::Label ? flows::TrajectoryMetric::Speed
                                         : static_cast<flows::TrajectoryMetric>(static_cast<int>(colour) - 1);
}
// Throws InvalidArgument listing the names ("label", "speed", …).
ParticleColour parseParticleColour(const std::string& name);

// Each particle's place (0..1) on the metric's colour range at window time t; cleared for Label.
void metricShades(const flows::ImportedTrajectories& imported, ParticleColour colour, float t,
                  std::vector<float>& shades);

// "trajectory 12 at t = 0.40 (time 0.31)\nx = …\n|v| = …" for the hover tooltip.
std::string importedHoverText(const flows::FlowScene& scene, std::size_t particle, float t);

// PREFIX-particles.csv and .npy (id, x, y, label and every metric at t, straightness),
// PREFIX-projection.json (the PCA plane, or the identity) and PREFIX-view.json. Returns the
// paths written; an unwritable path throws std::runtime_error naming the file.
inline constexpr const char* kImportedParticleColumns[] = {"id",           "x",    "y",         "label",       "speed",
                                                           "acceleration", "jerk", "deviation", "straightness"};
std::vector<std::string> exportImportedView(const std::string& prefix, const flows::FlowScene& scene,
                                            const ViewState& view);

}  // namespace rankflow::app
