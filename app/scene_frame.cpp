#include "app/scene_frame.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

namespace rankflow::app {

render::PackedColor labelColor(int label, uint8_t alpha) {
  // A qualitative palette chosen to stay distinct on the dark background.
  static constexpr std::array<std::array<uint8_t, 3>, 8> kPalette = {{
      {78, 163, 230},   // blue
      {250, 151, 58},   // orange
      {232, 86, 96},    // red
      {96, 205, 190},   // teal
      {120, 200, 90},   // green
      {240, 212, 82},   // yellow
      {186, 130, 220},  // purple
      {255, 160, 190},  // pink
  }};
  const auto& c = kPalette[static_cast<std::size_t>(((label % 8) + 8) % 8)];
  return render::packColor(c[0], c[1], c[2], alpha);
}

FieldViewKey FieldViewKey::of(const flows::FlowScene& scene, const ViewState& view, float aspect) {
  return {view.t, aspect, view.fieldOrder, view.fieldKind, view.camera, &scene, scene.data.points.size()};
}

bool FieldViewKey::operator==(const FieldViewKey& o) const {
  return t == o.t && aspect == o.aspect && order == o.order && kind == o.kind && camera.centerX == o.camera.centerX &&
         camera.centerY == o.camera.centerY && camera.halfHeight == o.camera.halfHeight && scene == o.scene &&
         dataCount == o.dataCount;
}

render::PackedColor heatColor(float u, uint8_t alpha) {
  // Anchors of a dark-to-light ramp with monotone lightness, interpolated linearly.
  static constexpr std::array<std::array<float, 3>, 5> kRamp = {{
      {20, 24, 60}, {38, 82, 140}, {32, 150, 140}, {130, 200, 90}, {245, 225, 80},
  }};
  const float x = std::clamp(u, 0.0f, 1.0f) * static_cast<float>(kRamp.size() - 1);
  const auto i = std::min(static_cast<std::size_t>(x), kRamp.size() - 2);
  const float f = x - static_cast<float>(i);
  auto channel = [&](int c) {
    return static_cast<uint8_t>(kRamp[i][static_cast<std::size_t>(c)] * (1 - f) +
                                kRamp[i + 1][static_cast<std::size_t>(c)] * f);
  };
  return render::packColor(channel(0), channel(1), channel(2), alpha);
}

bool LatticeField::update(const compute::FlowBackend& backend, const flows::FlowScene& scene, const ViewState& view,
                          float aspect) {
  const FieldViewKey key = FieldViewKey::of(scene, view, aspect);
  if (key == key_ && !points_.empty()) return false;
  const auto begin = std::chrono::steady_clock::now();
  const float halfHeight = view.camera.halfHeight;
  const float halfWidth = halfHeight * aspect;
  points_ = flows::fieldLattice(scene.fieldGridSize, halfWidth, halfHeight);
  for (auto& p : points_) p = p + Vec2f{view.camera.centerX, view.camera.centerY};
  cellWidth_ = 2.0f * halfWidth / static_cast<float>(scene.fieldGridSize);
  cellHeight_ = 2.0f * halfHeight / static_cast<float>(scene.fieldGridSize);
  const int order = std::clamp(view.fieldOrder, 1, 3);
  std::vector<Vec2f> all(points_.size() * static_cast<std::size_t>(order + 1));
  backend.fields({scene.data.points, scene.schedule, view.fieldKind, view.t, order}, points_, all);
  velocities_.resize(points_.size());
  for (std::size_t i = 0; i < points_.size(); ++i) velocities_[i] = all[i * static_cast<std::size_t>(order + 1) + static_cast<std::size_t>(order)];
  std::vector<float> speeds(velocities_.size());
  for (std::size_t i = 0; i < speeds.size(); ++i) speeds[i] = std::sqrt(squaredNorm(velocities_[i]));
  maxSpeed_ = speeds.empty() ? 0.0f : *std::max_element(speeds.begin(), speeds.end());
  if (!speeds.empty()) {
    const auto rank = speeds.begin() + static_cast<std::ptrdiff_t>(speeds.size() / 2);
    std::nth_element(speeds.begin(), rank, speeds.end());
    referenceSpeed_ = *rank;
  }
  key_ = key;
  lastEvaluationMs_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  return true;
}

bool FieldHeatmap::update(const flows::FlowScene& scene, const ViewState& view, float aspect) {
  const FieldViewKey key = FieldViewKey::of(scene, view, aspect);
  const int cells = view.playing ? kCellsWhilePlaying : kCells;
  if (key == key_ && cells == cells_ && !triangles_.empty()) return false;
  const auto begin = std::chrono::steady_clock::now();
  const float halfHeight = view.camera.halfHeight;
  const float halfWidth = halfHeight * aspect;
  // Values at the lattice's corners (cells + 1 per side), shaded across each cell.
  const int n = cells + 1;
  std::vector<Vec2f> corners;
  corners.reserve(static_cast<std::size_t>(n * n));
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i)
      corners.push_back({view.camera.centerX + halfWidth * (2.0f * static_cast<float>(i) / static_cast<float>(cells) - 1.0f),
                         view.camera.centerY + halfHeight * (2.0f * static_cast<float>(j) / static_cast<float>(cells) - 1.0f)});
  const int order = std::clamp(view.fieldOrder, 1, 3);
  const auto fields = flows::evaluateFields(flows::FlowData::empirical(scene.data.points),
                                            {scene.schedule, view.fieldKind, view.t, order}, corners);
  std::vector<float> logMagnitude(corners.size());
  for (std::size_t i = 0; i < corners.size(); ++i) {
    const Vec2f v = fields[i * static_cast<std::size_t>(order + 1) + static_cast<std::size_t>(order)];
    logMagnitude[i] = std::log10(std::max(std::sqrt(squaredNorm(v)), 1e-6f));
  }
  // The scale spans the 2nd to 98th percentile, so a few extreme cells do not wash it out.
  std::vector<float> sorted = logMagnitude;
  std::sort(sorted.begin(), sorted.end());
  const float lo = sorted[sorted.size() / 50];
  const float hi = std::max(sorted[sorted.size() - 1 - sorted.size() / 50], lo + 1e-3f);
  low_ = std::pow(10.0f, lo);
  high_ = std::pow(10.0f, hi);
  triangles_.clear();
  triangles_.reserve(static_cast<std::size_t>(cells * cells * 6));
  auto vertex = [&](int i, int j) {
    const std::size_t k = static_cast<std::size_t>(j * n + i);
    return render::ColoredVertex{corners[k].x, corners[k].y, heatColor((logMagnitude[k] - lo) / (hi - lo), 200)};
  };
  for (int j = 0; j < cells; ++j) {
    for (int i = 0; i < cells; ++i) {
      triangles_.insert(triangles_.end(), {vertex(i, j), vertex(i + 1, j), vertex(i + 1, j + 1)});
      triangles_.insert(triangles_.end(), {vertex(i, j), vertex(i + 1, j + 1), vertex(i, j + 1)});
    }
  }
  key_ = key;
  cells_ = cells;
  lastEvaluationMs_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  return true;
}

render::SceneDrawData SceneFrameBuilder::build(const ViewState& view, const LatticeField& field,
                                               float targetHeightPixels, const FieldHeatmap* heatmap) {
  const auto& store = scene_.trajectories;
  const std::size_t n = static_cast<std::size_t>(store.particleCount());
  arrows_.clear();
  strips_.clear();
  points_.clear();

  if (view.showArrows && field.referenceSpeed() > 0.0f) {
    // Normalised per frame, so the field's shape stays readable from t = 0 (slow) to
    // t → 1 (fast); lengths saturate at the reference speed, the panel prints it.
    const float cell = std::min(field.cellWidth(), field.cellHeight());
    const auto pts = field.points();
    const auto vel = field.velocities();
    for (std::size_t i = 0; i < pts.size(); ++i) {
      const float speed = std::sqrt(squaredNorm(vel[i]));
      const float strength = std::min(1.0f, speed / field.referenceSpeed());
      const float length = 0.9f * cell * strength;
      const float dx = speed > 0.0f ? vel[i].x / speed * length : 0.0f;
      const float dy = speed > 0.0f ? vel[i].y / speed * length : 0.0f;
      const auto shade = static_cast<uint8_t>(90 + 130 * strength);
      arrows_.push_back({pts[i].x - 0.5f * dx, pts[i].y - 0.5f * dy, dx, dy,
                         render::packColor(shade, static_cast<uint8_t>(shade + 10 > 255 ? 255 : shade + 10), 255,
                                           static_cast<uint8_t>(110 + 110 * strength))});
    }
  }

  if (view.showData) {
    for (const auto& p : scene_.data.points) points_.push_back({p.x, p.y, render::packColor(235, 238, 245, 70)});
  }

  scratch_.resize(n);
  if (!scene_.integrated()) {
    // Still integrating in the background: show the data and the field only.
  } else if (view.showTrails && view.trailVertices >= 2 && view.trailSpan > 0.0f) {
    // Vertex k of every trail is at time t − (L−1−k)·Δ, oldest first; alpha rises to the head.
    const int length = view.trailVertices;
    strips_.resize(n * static_cast<std::size_t>(length));
    for (int k = 0; k < length; ++k) {
      const float back = static_cast<float>(length - 1 - k) / static_cast<float>(length - 1);
      store.positionsAt(std::max(0.0f, view.t - back * view.trailSpan), scratch_);
      const auto alpha = static_cast<uint8_t>(150.0f * (1.0f - back));
      for (std::size_t p = 0; p < n; ++p) {
        strips_[p * length + static_cast<std::size_t>(k)] = {scratch_[p].x, scratch_[p].y,
                                                             labelColor(scene_.particleLabels[p], alpha)};
      }
    }
  }

  if (view.showParticles && scene_.integrated()) {
    store.positionsAt(view.t, scratch_);
    for (std::size_t p = 0; p < n; ++p)
      points_.push_back({scratch_[p].x, scratch_[p].y, labelColor(scene_.particleLabels[p], 235)});
  }

  render::SceneDrawData frame;
  if (heatmap && view.showHeatmap) frame.triangles = heatmap->triangles();
  frame.arrows = arrows_;
  frame.stripVertices = strips_;
  frame.stripLength = strips_.empty() ? 0 : static_cast<uint32_t>(view.trailVertices);
  frame.points = points_;
  // Points scale with the target so the offscreen figures and the window look alike.
  frame.pointSizePixels = std::max(2.0f, targetHeightPixels / 300.0f);
  frame.arrowHalfWidth = 0.004f * view.camera.halfHeight;
  frame.camera = view.camera;
  return frame;
}

ViewState initialViewState(const flows::FlowScene& scene, float t) {
  ViewState view;
  view.t = t;
  view.camera.halfHeight = scene.viewHalfHeight;
  return view;
}

}  // namespace rankflow::app
