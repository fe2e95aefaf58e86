#pragma once
#include <span>
#include <vector>

#include "app/view_state.h"
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
  std::size_t dataCount = 0;

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

// Turns the scene at time t into draw data: arrows of the lattice field, particle trails
// read back from the trajectory store, particles coloured by destination, the data.
class SceneFrameBuilder {
 public:
  explicit SceneFrameBuilder(const flows::FlowScene& scene) : scene_(scene) {}

  render::SceneDrawData build(const ViewState& view, const LatticeField& field, float targetHeightPixels,
                              const FieldHeatmap* heatmap = nullptr);

 private:
  const flows::FlowScene& scene_;
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
