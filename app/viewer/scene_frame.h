#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "app/viewer/view_state.h"
#include "core/compute/flow_backend.h"
#include "core/flows/flow_scene.h"
#include "render/scene_renderer.h"

namespace rankflow::app {

// What a field layer was last evaluated for: when none of it changes, the layer is reused.
struct FieldViewKey {
  float t = -1.0f;
  float aspect = 0.0f;
  int order = 0;
  flows::FieldKind kind = flows::FieldKind::Marginal;
  render::Camera2D camera{};
  const flows::FlowScene* scene = nullptr;
  // The window reuses one FlowScene object for every scene it shows: the schedule and a
  // fingerprint of the data tell a rebuilt scene from the old one at the same address.
  flows::Schedule schedule = flows::Schedule::Linear;
  std::size_t dataCount = 0;
  std::uint64_t dataFingerprint = 0;

  static FieldViewKey of(const flows::FlowScene& scene, const ViewState& view, float aspect);
  bool operator==(const FieldViewKey& o) const;
};

// The chosen field (order, marginal or Lagrangian) on the arrow lattice over the camera's
// view, re-evaluated only when t, the field, the camera or the aspect changes (scrubbing
// re-evaluates 24² points; the particles are never re-integrated).
class LatticeField {
 public:
  // Returns true when it had to re-evaluate.
  bool update(const compute::FlowBackend& backend, const flows::FlowScene& scene, const ViewState& view, float aspect);
  std::span<const Vec2f> points() const { return points_; }
  std::span<const Vec2f> velocities() const { return velocities_; }
  float maxSpeed() const { return maxSpeed_; }
  // Arrows reach a full cell at this speed (the median on screen): the field far
  // from the data is much faster than near it, and a max-normalised plot would hide the
  // part that matters.
  float referenceSpeed() const { return referenceSpeed_; }
  float cellWidth() const { return cellWidth_; }
  float cellHeight() const { return cellHeight_; }
  double lastEvaluationMs() const { return lastEvaluationMs_; }

 private:
  FieldViewKey key_{};
  std::vector<Vec2f> points_;
  std::vector<Vec2f> velocities_;
  float maxSpeed_ = 0.0f;
  float referenceSpeed_ = 0.0f;
  float cellWidth_ = 0.0f;
  float cellHeight_ = 0.0f;
  double lastEvaluationMs_ = 0.0;
};

// |field| of the chosen order on a lattice covering the camera's view, as colour-mapped
// triangles (log scale: the field spans decades between the data and far away).
class FieldHeatmap {
 public:
  static constexpr int kCells = 48;
  // While time plays the field changes every frame: a coarser lattice keeps the frame rate
  // (a Lagrangian field costs three AD passes per point).
  static constexpr int kCellsWhilePlaying = 24;
  // Returns true when it had to re-evaluate.
  bool update(const flows::FlowScene& scene, const ViewState& view, float aspect);
  std::span<const render::ColoredVertex> triangles() const { return triangles_; }
  float low() const { return low_; }    // |field| at the bottom of the colour scale
  float high() const { return high_; }  // and at its top
  double lastEvaluationMs() const { return lastEvaluationMs_; }

 private:
  FieldViewKey key_{};
  int cells_ = 0;
  std::vector<render::ColoredVertex> triangles_;
  float low_ = 0.0f;
  float high_ = 0.0f;
  double lastEvaluationMs_ = 0.0;
};

// A perceptually ordered colour map (dark blue → teal → yellow) for u in [0, 1].
render::PackedColor heatColor(float u, uint8_t alpha = 255);

// [SECTION] Heat lattices shared by the field and density heatmaps

// Values at the corners of a cells × cells lattice over the camera's view ((cells + 1)²
// points, row-major from the bottom-left), shaded across each cell.
struct HeatLattice {
  int cells = 0;
  std::vector<Vec2f> corners;
  std::vector<float> values;  // one per corner; non-finite values draw at the bottom of the scale

  static HeatLattice over(const render::Camera2D& camera, float aspect, int cells);
  // The colour scale spans the 2nd to 98th percentile of the finite values, so a few extreme
  // cells do not wash it out. {0, 1} when no value is finite.
  std::pair<float, float> percentileRange() const;
  // Two triangles per cell, coloured by heatColor on [lo, hi].
  void appendTriangles(float lo, float hi, uint8_t alpha, std::vector<render::ColoredVertex>& out) const;
};

// [SECTION] Density heatmap

struct DensityOptions {
  int cells = 32;
  int cellsWhilePlaying = 16;
  int stepsPerUnitTime = 100;  // densityOnGrid's default
};

// log p_t of the flow at the scrubbed t on a lattice over the camera's view. Integrating
// every lattice point back to t = 0 costs far more than a frame, so a worker thread computes
// it: request() never blocks, poll() swaps in the newest finished lattice, and the last one
// stays drawn meanwhile. A request made while scrubbing cancels the one running; while time
// plays the running one finishes and only the newest waiting request follows, so the map
// keeps refreshing at the rate the worker sustains.
// The density's colour scale covers this many nats below its top (values below sit at the
// bottom colour).
inline constexpr float kDensityRangeNats = 8.0f;

class DensityHeatmap {
 public:
  explicit DensityHeatmap(DensityOptions options = {});
  ~DensityHeatmap();
  DensityHeatmap(const DensityHeatmap&) = delete;
  DensityHeatmap& operator=(const DensityHeatmap&) = delete;

  // Submits the lattice for this scene and view unless it is the one last requested.
  // Returns true when it submitted.
  bool request(const flows::FlowScene& scene, const ViewState& view, float aspect);
  // Takes the newest finished lattice onto the UI thread (call once per frame); true when
  // the triangles changed.
  bool poll();
  // Polls until the latest request is published, or the timeout passes; true when it is.
  bool waitForIdle(std::chrono::milliseconds timeout);

  std::span<const render::ColoredVertex> triangles() const { return triangles_; }
  const HeatLattice& lattice() const { return lattice_; }  // what the triangles show
  float t() const { return shownT_; }
  float lowLogDensity() const { return low_; }  // log p at the bottom of the colour scale
  float highLogDensity() const { return high_; }
  double lastEvaluationMs() const { return lastEvaluationMs_; }
  bool computing() const { return shownGeneration_ != requestedGeneration_; }
  float progress() const;                              // of the lattice being computed, 0..1
  const std::string& error() const { return error_; }  // why the last request failed (bad data)
  std::uint64_t requestedGeneration() const { return requestedGeneration_; }
  std::uint64_t shownGeneration() const { return shownGeneration_; }
  // How many requests a newer one cancelled before they finished.
  int cancelledCount() const;

  // The lattice behind the view: t, cells, camera, the scale and every corner's log p.
  std::string exportJson() const;

 private:
  struct Worker;

  DensityOptions options_;
  FieldViewKey key_{};
  int cells_ = 0;
  std::uint64_t requestedGeneration_ = 0;
  std::uint64_t shownGeneration_ = 0;
  HeatLattice lattice_;
  std::vector<render::ColoredVertex> triangles_;
  float shownT_ = 0.0f;
  float low_ = 0.0f;
  float high_ = 0.0f;
  double lastEvaluationMs_ = 0.0;
  std::string error_;
  std::unique_ptr<Worker> worker_;
};

// Turns the scene at time t into draw data: arrows of the lattice field, particle trails
// read back from the trajectory store, particles coloured by destination, the data.
// What a learned model adds to the flow view (docs/MATHEMATICS.md §5 next to the exact field): its field on
// the arrow lattice, drawn as orange arrows beside the exact ones, or each particle coloured
// by its relative error against the exact field (1% dark → 100% bright, log scale).
struct LearnedLayer {
  std::span<const Vec2f> arrows;         // one per field.points(), or empty
  std::span<const float> particleError;  // one per particle, or empty
  // Imported trajectories coloured by a metric: each particle's place on heatColor's scale
  // (0..1), one per particle, or empty. Drawn in place of the labels and the error.
  std::span<const float> particleShade;
};

// The colour of a relative error on the per-particle error scale (1% → 0, 100% → 1).
float errorScalePosition(float relativeError);

class SceneFrameBuilder {
 public:
  explicit SceneFrameBuilder(const flows::FlowScene& scene) : scene_(scene) {}

  // A density heatmap, when given, is drawn instead of the field heatmap (pass it only while
  // its layer is shown).
  render::SceneDrawData build(const ViewState& view, const LatticeField& field, float targetHeightPixels,
                              const FieldHeatmap* heatmap = nullptr, const DensityHeatmap* density = nullptr,
                              const LearnedLayer& learned = {});

  // From `fromParticles` particles on, hand the particles and trails to the renderer as
  // tracks (render::ParticleTracks: interpolated by the vertex shader) when the trajectories
  // fit in `maxBytes` (the device's largest storage buffer); 0 keeps every frame on the CPU.
  void useGpuTracks(std::size_t fromParticles, std::size_t maxBytes) {
    tracksFrom_ = fromParticles;
    maxTrackBytes_ = maxBytes;
  }
  // Scenes this large draw from tracks when the device allows (measured: a million
  // particles' trails took 45 ms a frame built on 16 cores, 16 ms without trails).
  static constexpr std::size_t kGpuTracksFrom = 65536;

 private:
  bool drawsTracks(std::size_t particles) const;
  render::PackedColor particleColour(const LearnedLayer& layer, std::size_t particles, std::size_t p,
                                     uint8_t alpha) const;
  void fillTracks(const ViewState& view, const LearnedLayer& learned, render::SceneDrawData& frame);

  const flows::FlowScene& scene_;
  std::size_t tracksFrom_ = 0;
  std::size_t maxTrackBytes_ = 0;
  std::vector<render::PackedColor> trackColors_;
  std::uint64_t trackColorsGeneration_ = 0;  // label colours of these trajectories (0: none)
  std::vector<render::ArrowInstance> arrows_;
  std::vector<render::ColoredVertex> strips_;
  std::vector<render::ColoredVertex> points_;
  std::vector<Vec2f> scratch_;
};

// The view a scene opens with: whole scene in frame, everything shown, at time t.
ViewState initialViewState(const flows::FlowScene& scene, float t);

// The colour of mixture component `label` (eight distinct hues).
render::PackedColor labelColor(int label, uint8_t alpha = 255);

// Background of every scene view (RGBA, 0..1).
inline constexpr std::array<float, 4> kSceneClearColor = {0.063f, 0.071f, 0.094f, 1.0f};

}  // namespace rankflow::app
