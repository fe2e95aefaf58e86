#pragma once
// The data behind the flow view, written to files (docs/formats.md, "View exports"): the
// particles at the scrubbed t with v, a, j along the ODE (CSV and NPY), the arrow lattice
// (CSV), the density lattice (CSV) and a JSON summary of the scene and the view. Every file
// is written atomically; an unwritable path throws std::runtime_error naming the file.
#include <optional>
#include <string>
#include <vector>

#include "app/viewer/scene_frame.h"
#include "app/viewer/view_state.h"
#include "core/flows/flow_scene.h"

namespace rankflow::app {

// A number as exports write it (9 significant digits: a float read back is the float
// written; empty for a non-finite one), and a file written atomically or "export failed: …".
std::string exportNumber(double v);
void writeExportFile(const std::string& path, const std::string& bytes);

// One particle at time t: position from the trajectory store (what is drawn), derivatives
// by Taylor-mode AD along ẋ = u_1 (flows::lagrangianDerivatives).
struct ParticleSample {
  int id = 0;
  Vec2f x{};
  int label = 0;
  Vec2f velocity{};
  Vec2f acceleration{};
  Vec2f jerk{};
};

// Throws InvalidArgument while the scene is not integrated yet.
std::vector<ParticleSample> particlesAt(const flows::FlowScene& scene, float t);

// Columns of the particle CSV and of the NPY array's second axis, in this order.
inline constexpr const char* kParticleColumns[] = {"id", "x", "y", "label", "vx", "vy", "ax", "ay", "jx", "jy"};

std::string formatParticlesCsv(const std::vector<ParticleSample>& particles, const flows::FlowScene& scene, float t);
void exportParticlesCsv(const std::string& path, const flows::FlowScene& scene, const ViewState& view);
// float64, shape (N, 10), columns as kParticleColumns.
void exportParticlesNpy(const std::string& path, const flows::FlowScene& scene, const ViewState& view);

// The arrow lattice as drawn: x, y, field_x, field_y, |field| (order and kind in the header).
std::string formatLatticeCsv(const LatticeField& field, const ViewState& view);
void exportLatticeCsv(const std::string& path, const LatticeField& field, const ViewState& view);

// The density lattice last shown: x, y, log_density (empty cells for non-finite values).
void exportDensityCsv(const std::string& path, const DensityHeatmap& density);

// What the view shows, as JSON: scene (name, data count, schedule, solver, particles,
// integration), t, the field's order and kind, camera, straightness, the layers and their
// scales. The optional layers add their sections when given.
struct ViewExportInputs {
  const flows::FlowScene& scene;
  const ViewState& view;
  const LatticeField* field = nullptr;
  const FieldHeatmap* heatmap = nullptr;
  const DensityHeatmap* density = nullptr;
};
std::string viewSummaryJson(const ViewExportInputs& inputs);
void exportViewSummaryJson(const std::string& path, const ViewExportInputs& inputs);

// Everything at once beside `prefix`: PREFIX-particles.csv, PREFIX-particles.npy,
// PREFIX-lattice.csv (with a field), PREFIX-density.csv (with a density lattice) and
// PREFIX-view.json. Returns the paths written, in that order.
std::vector<std::string> exportView(const std::string& prefix, const ViewExportInputs& inputs);

}  // namespace rankflow::app
