#include "app/ui/panels/data_sketch.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "app/viewer/scene_frame.h"
#include "core/common/error.h"

namespace rankflow::app {
namespace {

bool finite(Vec2f p) {
  return std::isfinite(p.x) && std::isfinite(p.y);
}

void validateOptions(const SketchOptions& o) {
  if (!(o.spacing > 0.0f) || !std::isfinite(o.spacing)) throw InvalidArgument("sketch: spacing must be positive");
  if (!(o.jitter >= 0.0f) || !std::isfinite(o.jitter)) throw InvalidArgument("sketch: jitter must be 0 or more");
  if (o.maxPoints < 1) throw InvalidArgument("sketch: the point cap must be at least 1");
}

}  // namespace

// [SECTION] DataSketch

DataSketch::DataSketch(SketchOptions options) : options_(options), random_(options.seed) {
  validateOptions(options);
}

void DataSketch::setOptions(const SketchOptions& options) {
  validateOptions(options);
  if (options.seed != options_.seed) random_ = SeededRandom(options.seed);
  options_ = options;
}

void DataSketch::place(Vec2f onStroke) {
  if (full()) return;
  const auto offset = [&] { return static_cast<float>(random_.normal()) * options_.jitter; };
  const float dx = offset();
  const float dy = offset();
  points_.push_back({onStroke.x + dx, onStroke.y + dy});
  labels_.push_back(static_cast<int>(strokeStarts_.size()) - 1);
}

void DataSketch::beginStroke(Vec2f world) {
  if (drawing_) endStroke();
  if (!finite(world)) return;
  strokeStarts_.push_back(points_.size());
  drawing_ = true;
  last_ = world;
  place(world);
  untilNext_ = options_.spacing;
}

void DataSketch::extendStroke(Vec2f world) {
  if (!drawing_ || !finite(world)) return;
  // Walk the segment from the last mouse position, dropping a point at every multiple of
  // the spacing in arc length; the remainder carries over to the next segment.
  const Vec2f delta = world - last_;
  const float length = std::sqrt(squaredNorm(delta));
  float along = untilNext_;
  while (along <= length && !full()) {
    place(last_ + (along / length) * delta);
    along += options_.spacing;
  }
  untilNext_ = along - length;
  last_ = world;
}

void DataSketch::endStroke() {
  if (!drawing_) return;
  drawing_ = false;
  // A stroke that added nothing (the cap was reached) is not a stroke.
  if (strokeStarts_.back() == points_.size()) strokeStarts_.pop_back();
}

bool DataSketch::undoStroke() {
  if (strokeStarts_.empty()) return false;
  drawing_ = false;
  points_.resize(strokeStarts_.back());
  labels_.resize(strokeStarts_.back());
  strokeStarts_.pop_back();
  return true;
}

void DataSketch::clear() {
  points_.clear();
  labels_.clear();
  strokeStarts_.clear();
  drawing_ = false;
}

SceneChoice DataSketch::sceneChoice(const SceneChoice& base) const {
  validateCustomData(points_, labels_);
  SceneChoice choice = base;
  choice.name = kCustomSceneName;
  choice.points = points_;
  choice.labels = labels_;
  return choice;
}

std::string DataSketch::exportJson() const {
  nlohmann::json j;
  j["panel"] = "sketch";
  j["options"] = {{"spacing", options_.spacing},
                  {"jitter", options_.jitter},
                  {"seed", options_.seed},
                  {"max_points", options_.maxPoints}};
  j["strokes"] = strokeCount();
  nlohmann::json points = nlohmann::json::array();
  for (std::size_t i = 0; i < points_.size(); ++i) points.push_back({points_[i].x, points_[i].y, labels_[i]});
  j["points"] = std::move(points);  // [x, y, stroke]
  return j.dump(2);
}

// [SECTION] Screen and world

Vec2f screenToWorld(const render::Camera2D& camera, float width, float height, float px, float py) {
  const float pixelsToWorld = 2.0f * camera.halfHeight / height;
  return {camera.centerX + (px - 0.5f * width) * pixelsToWorld, camera.centerY - (py - 0.5f * height) * pixelsToWorld};
}

Vec2f worldToScreen(const render::Camera2D& camera, float width, float height, Vec2f world) {
  const float worldToPixels = height / (2.0f * camera.halfHeight);
  return {0.5f * width + (world.x - camera.centerX) * worldToPixels,
          0.5f * height - (world.y - camera.centerY) * worldToPixels};
}

// [SECTION] DataSketchPanel

void DataSketchPanel::setSketching(bool on) {
  sketching_ = on;
  if (!on) sketch_.endStroke();
}

std::optional<SceneChoice> DataSketchPanel::drawControls(const SceneChoice& base) {
  std::optional<SceneChoice> use;
  ImGui::PushID("sketch");
  bool on = sketching_;
  if (ImGui::Checkbox("draw data with the mouse", &on)) setSketching(on);
  if (sketching_) ImGui::TextDisabled("left drag draws; the camera stays put");
  SketchOptions options = sketch_.options();
  bool changed = ImGui::SliderFloat("spacing", &options.spacing, 0.01f, 0.5f, "%.3f");
  changed |= ImGui::SliderFloat("jitter", &options.jitter, 0.0f, 0.3f, "%.3f");
  if (changed) {
    try {
      sketch_.setOptions(options);
    } catch (const InvalidArgument& e) {
      message_ = e.what();
    }
  }
  ImGui::Text("%zu points in %d strokes%s", sketch_.points().size(), sketch_.strokeCount(),
              sketch_.full() ? " (full)" : "");
  if (ImGui::Button("undo stroke")) sketch_.undoStroke();
  ImGui::SameLine();
  if (ImGui::Button("clear")) {
    sketch_.clear();
    message_.clear();
  }
  ImGui::SameLine();
  if (ImGui::Button("use as data")) {
    try {
      use = sketch_.sceneChoice(base);
      message_ = "rebuilding on " + std::to_string(sketch_.points().size()) + " drawn points";
      setSketching(false);
    } catch (const InvalidArgument& e) {
      message_ = e.what();  // nothing changes
    }
  }
  if (!message_.empty()) ImGui::TextWrapped("%s", message_.c_str());
  ImGui::PopID();
  return use;
}

bool DataSketchPanel::handleMouse(const render::Camera2D& camera) {
  const ImGuiIO& io = ImGui::GetIO();
  if (!sketching_ || io.DisplaySize.y <= 0.0f) return false;
  const Vec2f world = screenToWorld(camera, io.DisplaySize.x, io.DisplaySize.y, io.MousePos.x, io.MousePos.y);
  if (sketch_.drawing()) {
    // Once a stroke has started it follows the mouse even over a panel, until release.
    if (ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
      sketch_.extendStroke(world);
    } else {
      sketch_.endStroke();
    }
    return true;
  }
  if (io.WantCaptureMouse) return false;
  if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) sketch_.beginStroke(world);
  return true;
}

void DataSketchPanel::drawOverlay(const render::Camera2D& camera) const {
  if (sketch_.points().empty()) return;
  const ImGuiIO& io = ImGui::GetIO();
  ImDrawList* list = ImGui::GetBackgroundDrawList();
  const auto& points = sketch_.points();
  const auto& labels = sketch_.labels();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Vec2f p = worldToScreen(camera, io.DisplaySize.x, io.DisplaySize.y, points[i]);
    const render::PackedColor c = labelColor(labels[i], 230);
    list->AddCircleFilled({p.x, p.y}, 2.5f, IM_COL32(c & 0xff, (c >> 8) & 0xff, (c >> 16) & 0xff, c >> 24), 8);
  }
}

}  // namespace rankflow::app
