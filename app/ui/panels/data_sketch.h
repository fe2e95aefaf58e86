#pragma once
// Draw your own data: mouse strokes on the flow view become a point set in
// world coordinates, and "use as data" rebuilds the scene on it (SceneChoice "custom").
// DataSketch is the model (no ImGui, tested on its own); DataSketchPanel adds the mouse
// handling, the overlay that shows the strokes and the panel section with its buttons.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/viewer/session.h"
#include "core/common/random.h"
#include "core/common/vec2.h"
#include "render/scene_renderer.h"

namespace rankflow::app {

struct SketchOptions {
  float spacing = 0.06f;  // world units between points along a stroke
  float jitter = 0.03f;   // standard deviation of the seeded Gaussian offset of each point
  std::uint64_t seed = 1;
  int maxPoints = 4096;  // later samples are dropped (full() tells the panel)
};

// Points collected from strokes. Along a drag a point is placed every `spacing` of arc
// length, however fast or slow the mouse moved, so the density drawn is what the hand meant;
// the jitter turns a line into a thin cloud, as data has. Each stroke gets its own label, so
// particles are coloured by the stroke they reach.
class DataSketch {
 public:
  explicit DataSketch(SketchOptions options = {});

  // Options apply to later strokes. Throws InvalidArgument for a non-positive or non-finite
  // spacing, a negative jitter or a cap below 1.
  void setOptions(const SketchOptions& options);
  const SketchOptions& options() const { return options_; }

  // A stroke starts with one point where the button went down; non-finite positions are
  // ignored (the stroke continues from the last good one).
  void beginStroke(Vec2f world);
  void extendStroke(Vec2f world);
  void endStroke();
  bool drawing() const { return drawing_; }

  // Removes the last stroke (the one being drawn, if any); false when there is none.
  bool undoStroke();
  void clear();

  const std::vector<Vec2f>& points() const { return points_; }
  const std::vector<int>& labels() const { return labels_; }  // stroke index per point
  int strokeCount() const { return static_cast<int>(strokeStarts_.size()); }
  bool full() const { return static_cast<int>(points_.size()) >= options_.maxPoints; }

  // The scene choice that uses these points as data, keeping `base`'s schedule, solver and
  // particle count. Throws InvalidArgument (validateCustomData's message) when the sketch
  // is empty or holds a non-finite point.
  SceneChoice sceneChoice(const SceneChoice& base) const;

  // The points, labels and options, as JSON.
  std::string exportJson() const;

 private:
  void place(Vec2f onStroke);

  SketchOptions options_;
  SeededRandom random_;
  std::vector<Vec2f> points_;
  std::vector<int> labels_;
  std::vector<std::size_t> strokeStarts_;
  bool drawing_ = false;
  Vec2f last_{};            // the last mouse position of the stroke
  float untilNext_ = 0.0f;  // arc length left before the next point
};

// The world point under a pixel of a width × height view of `camera` (y up in the world,
// down on the screen), and back.
Vec2f screenToWorld(const render::Camera2D& camera, float width, float height, float px, float py);
Vec2f worldToScreen(const render::Camera2D& camera, float width, float height, Vec2f world);

// The panel section and the mouse. While sketching is on, a left drag on the scene draws
// instead of panning the camera.
class DataSketchPanel {
 public:
  // The section's widgets, to be drawn inside an open ImGui window. Returns the choice to
  // rebuild the scene with when "use as data" was pressed and the sketch is valid; an
  // invalid sketch shows its message and returns nothing.
  std::optional<SceneChoice> drawControls(const SceneChoice& base);
  // Call once per frame after the panels are built and before the camera handles the mouse;
  // returns true when it used the mouse (the camera must then leave it alone).
  bool handleMouse(const render::Camera2D& camera);
  // The strokes over the scene (ImGui background draw list), while sketching is on or the
  // sketch holds points not yet used.
  void drawOverlay(const render::Camera2D& camera) const;

  bool sketching() const { return sketching_; }
  void setSketching(bool on);
  DataSketch& sketch() { return sketch_; }
  const DataSketch& sketch() const { return sketch_; }
  const std::string& message() const { return message_; }
  std::string exportJson() const { return sketch_.exportJson(); }

 private:
  DataSketch sketch_;
  bool sketching_ = false;
  std::string message_;
};

}  // namespace rankflow::app
