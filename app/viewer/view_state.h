#pragma once
#include <map>
#include <string>

#include "core/flows/flow_fields.h"
#include "render/scene_renderer.h"

namespace rankflow::app {

// What particles are coloured by: the label of their destination (or the file's labels), or,
// for imported trajectories, one of their metrics at t (flows::TrajectoryMetric, + 1).
enum class ParticleColour { Label, Speed, Acceleration, Jerk, Deviation };
inline constexpr const char* kParticleColourNames[] = {"label", "speed", "acceleration", "jerk", "deviation"};

// What the person has chosen to see; the panels edit it, the frame builder reads it.
struct ViewState {
  float t = 0.5f;  // scrubbed time in [0, 1]
  bool playing = false;
  float playSpeed = 0.25f;  // t units per second
  bool showParticles = true;
  bool showTrails = true;
  bool showArrows = true;
  bool showData = true;
  float trailSpan = 0.06f;  // how far back in t a trail reaches
  int trailVertices = 5;    // 4 segments: smooth at trail lengths on screen, and lavapipe pays per line
  render::Camera2D camera{};
  // Which field the arrows and the heatmap show: order 1 velocity, 2 acceleration, 3 jerk,
  // as the marginal u_k or the Lagrangian derivative along the ODE.
  int fieldOrder = 1;
  flows::FieldKind fieldKind = flows::FieldKind::Marginal;
  bool showHeatmap = false;  // |field| on a lattice under everything, log colour scale
  bool showDensity = false;  // log p_t(x) on a lattice instead (computed in the background)
  bool sketchOpen = false;   // the "Draw your own data" window
  ParticleColour particleColour = ParticleColour::Label;  // metrics exist for imported trajectories only
  // Which tool windows beside the flow view are open, by panel id ("ranks", "timeline", …;
  // the ids and their defaults are the UI's panel registry, app/ui/panels/registry.cpp):
  // the viewer keeps the flags and the session saves them without knowing any panel.
  std::map<std::string, bool> openPanels;
  int cascadeTab = 0;  // 0: Matrix fit, 1: Learned flow
  // F5: full screen, large fonts, high contrast, only the scene (and the Theory panel when open).
  bool lectureMode = false;

  bool panelOpen(const std::string& id) const {
    const auto found = openPanels.find(id);
    return found != openPanels.end() && found->second;
  }
};

}  // namespace rankflow::app
