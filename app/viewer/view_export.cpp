#include "app/viewer/view_export.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/common/error.h"
#include "core/common/parallel_for.h"
#include "core/flows/field_model.h"
#include "core/flows/samplers.h"
#include "core/io/atomic_file.h"
#include "core/io/npy.h"

namespace rankflow::app {
namespace {

std::string number(double v) {
  return exportNumber(v);
}

void writeExport(const std::string& path, const std::string& bytes) {
  writeExportFile(path, bytes);
}

std::string describeView(const flows::FlowScene& scene, float t) {
  return "# rankflow view export: scene '" + scene.name + "', " + flows::scheduleName(scene.schedule) + " schedule, " +
         flows::solverName(scene.solver) + ", t = " + number(t) + "\n";
}

nlohmann::json cameraJson(const render::Camera2D& c) {
  return {{"center_x", c.centerX}, {"center_y", c.centerY}, {"half_height", c.halfHeight}};
}

}  // namespace

// Enough digits that a float read back is the float written.
std::string exportNumber(double v) {
  if (!std::isfinite(v)) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", v);
  return text;
}

void writeExportFile(const std::string& path, const std::string& bytes) {
  try {
    io::writeFileAtomic(path, bytes);
  } catch (const io::WriteError& e) {
    throw io::WriteError(std::string("export failed: ") + e.what());
  }
}

std::vector<ParticleSample> particlesAt(const flows::FlowScene& scene, float t) {
  if (!scene.integrated()) throw InvalidArgument("export: the scene is still being integrated");
  if (!(t >= 0.0f && t <= 1.0f)) throw InvalidArgument("export: t must lie in [0, 1]");
  const auto n = static_cast<std::size_t>(scene.trajectories.particleCount());
  std::vector<Vec2f> positions(n);
  scene.trajectories.positionsAt(t, positions);
  flows::DataView<float> data;
  data.points = scene.data.points.data();
  data.count = static_cast<int>(scene.data.points.size());
  std::vector<ParticleSample> out(n);
  // Three AD passes over the data per particle: spread over the cores.
  parallelFor(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t p = begin; p < end; ++p) {
      const auto d = flows::lagrangianDerivatives(data, scene.schedule, positions[p], t);
      const int label = p < scene.particleLabels.size() ? scene.particleLabels[p] : 0;
      out[p] = {static_cast<int>(p), positions[p], label, d.velocity, d.acceleration, d.jerk};
    }
  });
  return out;
}

std::string formatParticlesCsv(const std::vector<ParticleSample>& particles, const flows::FlowScene& scene, float t) {
  std::string text = describeView(scene, t);
  text += "# v, a, j: derivatives of x(t) along the ODE dx/dt = u_1 (Taylor-mode AD)\n";
  for (std::size_t c = 0; c < std::size(kParticleColumns); ++c)
    text += (c ? "," : "") + std::string(kParticleColumns[c]);
  text += "\n";
  text.reserve(text.size() + particles.size() * 110);
  for (const auto& p : particles) {
    text += std::to_string(p.id) + "," + number(p.x.x) + "," + number(p.x.y) + "," + std::to_string(p.label) + "," +
            number(p.velocity.x) + "," + number(p.velocity.y) + "," + number(p.acceleration.x) + "," +
            number(p.acceleration.y) + "," + number(p.jerk.x) + "," + number(p.jerk.y) + "\n";
  }
  return text;
}

void exportParticlesCsv(const std::string& path, const flows::FlowScene& scene, const ViewState& view) {
  writeExport(path, formatParticlesCsv(particlesAt(scene, view.t), scene, view.t));
}

namespace {

std::string particlesNpy(const std::vector<ParticleSample>& particles) {
  constexpr auto kColumns = static_cast<std::int64_t>(std::size(kParticleColumns));
  std::vector<double> values;
  values.reserve(particles.size() * kColumns);
  for (const auto& p : particles) {
    values.insert(values.end(), {static_cast<double>(p.id), p.x.x, p.x.y, static_cast<double>(p.label), p.velocity.x,
                                 p.velocity.y, p.acceleration.x, p.acceleration.y, p.jerk.x, p.jerk.y});
  }
  return io::serializeNpy({static_cast<std::int64_t>(particles.size()), kColumns}, values, io::NpyType::Float64);
}

}  // namespace

void exportParticlesNpy(const std::string& path, const flows::FlowScene& scene, const ViewState& view) {
  writeExport(path, particlesNpy(particlesAt(scene, view.t)));
}

std::string formatLatticeCsv(const LatticeField& field, const ViewState& view) {
  std::string text = "# arrow lattice: order " + std::to_string(view.fieldOrder) + " " +
                     flows::fieldKindName(view.fieldKind) + " field at t = " + number(view.t) + "\n";
  text += "x,y,field_x,field_y,magnitude\n";
  const auto points = field.points();
  const auto values = field.velocities();
  for (std::size_t i = 0; i < points.size(); ++i) {
    text += number(points[i].x) + "," + number(points[i].y) + "," + number(values[i].x) + "," + number(values[i].y) +
            "," + number(std::sqrt(squaredNorm(values[i].cast<double>()))) + "\n";
  }
  return text;
}

void exportLatticeCsv(const std::string& path, const LatticeField& field, const ViewState& view) {
  if (field.points().empty()) throw InvalidArgument("export: the arrow lattice has not been evaluated yet");
  writeExport(path, formatLatticeCsv(field, view));
}

void exportDensityCsv(const std::string& path, const DensityHeatmap& density) {
  const HeatLattice& lattice = density.lattice();
  if (lattice.values.empty()) throw InvalidArgument("export: no density lattice has been computed yet");
  std::string text = "# log p_t(x), natural log, at t = " + number(density.t()) + " on a " +
                     std::to_string(lattice.cells + 1) + " x " + std::to_string(lattice.cells + 1) +
                     " lattice, row-major from the bottom-left\n";
  text += "x,y,log_density\n";
  for (std::size_t i = 0; i < lattice.values.size(); ++i)
    text += number(lattice.corners[i].x) + "," + number(lattice.corners[i].y) + "," + number(lattice.values[i]) + "\n";
  writeExport(path, text);
}

std::string viewSummaryJson(const ViewExportInputs& in) {
  const flows::FlowScene& scene = in.scene;
  const ViewState& view = in.view;
  nlohmann::json j;
  j["format"] = "rankflow-view-1";
  j["scene"] = {{"name", scene.name},
                {"description", scene.description},
                {"data_points", scene.data.points.size()},
                {"schedule", flows::scheduleName(scene.schedule)},
                {"solver", flows::solverName(scene.solver)},
                {"particles", scene.start.size()},
                {"steps", scene.grid.steps},
                {"integrated", scene.integrated()},
                {"integrated_by", scene.integratedBy},
                {"integration_seconds", scene.integrationSeconds}};
  j["t"] = view.t;
  j["field"] = {{"order", view.fieldOrder}, {"kind", flows::fieldKindName(view.fieldKind)}};
  j["camera"] = cameraJson(view.camera);
  j["layers"] = {{"particles", view.showParticles}, {"trails", view.showTrails},   {"arrows", view.showArrows},
                 {"data", view.showData},           {"heatmap", view.showHeatmap}, {"density", in.density != nullptr}};
  const auto& s = scene.straightness;
  j["straightness"] = {{"straightness", s.straightness},
                       {"mean_acceleration", s.meanAcceleration},
                       {"particles", s.particles},
                       {"acceleration_particles", s.accelerationParticles}};
  j["counts"] = {{"data_points", scene.data.points.size()},
                 {"particles", scene.trajectories.particleCount()},
                 {"frames", scene.integrated() ? scene.trajectories.frameCount() : 0}};
  if (in.field) {
    j["arrows"] = {{"lattice_points", in.field->points().size()},
                   {"reference_speed", in.field->referenceSpeed()},
                   {"max_speed", in.field->maxSpeed()}};
  }
  if (in.heatmap) j["heatmap"] = {{"quantity", "|field|"}, {"low", in.heatmap->low()}, {"high", in.heatmap->high()}};
  if (in.density) {
    j["density"] = {{"quantity", "log p_t"},
                    {"t", in.density->t()},
                    {"cells", in.density->lattice().cells},
                    {"low", in.density->lowLogDensity()},
                    {"high", in.density->highLogDensity()}};
  }
  return j.dump(2) + "\n";
}

void exportViewSummaryJson(const std::string& path, const ViewExportInputs& inputs) {
  writeExport(path, viewSummaryJson(inputs));
}

std::vector<std::string> exportView(const std::string& prefix, const ViewExportInputs& in) {
  if (prefix.empty()) throw InvalidArgument("export: the file prefix is empty");
  std::vector<std::string> written;
  // Particles are computed once for both files.
  const auto particles = particlesAt(in.scene, in.view.t);
  written.push_back(prefix + "-particles.csv");
  writeExport(written.back(), formatParticlesCsv(particles, in.scene, in.view.t));
  written.push_back(prefix + "-particles.npy");
  writeExport(written.back(), particlesNpy(particles));
  if (in.field && !in.field->points().empty()) {
    written.push_back(prefix + "-lattice.csv");
    exportLatticeCsv(written.back(), *in.field, in.view);
  }
  if (in.density && !in.density->lattice().values.empty()) {
    written.push_back(prefix + "-density.csv");
    exportDensityCsv(written.back(), *in.density);
  }
  written.push_back(prefix + "-view.json");
  exportViewSummaryJson(written.back(), in);
  return written;
}

}  // namespace rankflow::app
