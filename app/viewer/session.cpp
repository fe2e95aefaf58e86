#include "app/viewer/session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/viewer/units_text.h"
#include "core/common/error.h"
#include "core/common/json_input.h"
#include "core/common/memory_limit.h"
#include "core/common/text.h"
#include "core/flows/flow_scene.h"
#include "core/flows/samplers.h"
#include "core/io/atomic_file.h"
#include "core/io/text_file.h"

namespace rankflow::app {
namespace {

constexpr const char* kFormat = "rankflow-session-1";

class Reader {
 public:
  Reader(const nlohmann::json& j, std::string name) : j_(j), name_(std::move(name)) {}

  template <class T>
  void read(const char* key, T& out) const {
    const auto it = j_.find(key);
    if (it == j_.end()) return;
    try {
      out = it->template get<T>();
    } catch (const nlohmann::json::exception&) {
      fail(std::string("field '") + key + "' has the wrong type");
    }
  }
  // Compared as the float it becomes, so the bound printed (0.001) is itself accepted.
  void number(const char* key, float& out, float lo, float hi) const {
    double v = out;
    read(key, v);
    const float f = std::abs(v) < 1e30 ? static_cast<float>(v) : INFINITY;
    if (!std::isfinite(v) || !(f >= lo && f <= hi))
      fail(std::string("field '") + key + "' must lie in [" + shortNumber(lo) + ", " + shortNumber(hi) + "]");
    out = f;
  }
  void integer(const char* key, int& out, int lo, int hi) const {
    read(key, out);
    if (out < lo || out > hi)
      fail(std::string("field '") + key + "' must lie in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  // Keys this object may hold; any other is reported (a misspelt "veiw" must not pass silently).
  void warnUnknown(std::initializer_list<const char*> known, const std::string& where,
                   std::vector<std::string>& warnings) const {
    if (!j_.is_object()) return;
    for (const auto& [key, value] : j_.items()) {
      bool found = false;
      for (const char* k : known) found |= key == k;
      if (found) continue;
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      warnings.push_back(name_ + ": unknown key '" + printableText(key.substr(0, 40)) + "' in " + where +
                         " ignored (known: " + list + ")");
    }
  }
  [[noreturn]] void fail(const std::string& why) const { throw InvalidArgument(name_ + ": " + why); }

 private:
  const nlohmann::json& j_;
  std::string name_;
};

// "points": [[x, y], ...] and the optional "labels": [int, ...] of a custom scene.
void readCustomData(const nlohmann::json& scene, const Reader& r, SceneChoice& choice) {
  if (!scene.contains("points")) r.fail("a custom scene needs 'points'");
  const auto& points = scene["points"];
  if (!points.is_array()) r.fail("'points' must be an array of [x, y] pairs");
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
      r.fail("points[" + std::to_string(i) + "] must be a pair of numbers [x, y]");
    // Through double: a float cast of a value beyond float's range is undefined.
    auto coordinate = [](double v) { return std::abs(v) <= 1e30 ? static_cast<float>(v) : INFINITY; };
    choice.points.push_back({coordinate(p[0].get<double>()), coordinate(p[1].get<double>())});
  }
  r.read("labels", choice.labels);
  try {
    validateCustomData(choice.points, choice.labels);
  } catch (const InvalidArgument& e) {
    r.fail(e.what());
  }
}

}  // namespace

void validateCustomData(const std::vector<Vec2f>& points, const std::vector<int>& labels) {
  if (points.empty()) throw InvalidArgument("custom data: no points (draw some first)");
  if (points.size() > kMaxCustomPoints)
    throw InvalidArgument("custom data: " + std::to_string(points.size()) + " points, at most " +
                          std::to_string(kMaxCustomPoints));
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Vec2f p = points[i];
    if (!std::isfinite(p.x) || !std::isfinite(p.y) || std::abs(p.x) > 1e6f || std::abs(p.y) > 1e6f)
      throw InvalidArgument("custom data: point " + std::to_string(i) + " is not a finite point within ±1e6");
  }
  if (!labels.empty() && labels.size() != points.size())
    throw InvalidArgument("custom data: " + std::to_string(labels.size()) + " labels for " +
                          std::to_string(points.size()) + " points");
  for (const int label : labels)
    if (label < 0 || label > 1023) throw InvalidArgument("custom data: labels must lie in [0, 1023]");
}

SceneChoice choiceForScene(const SceneChoice& picked, const flows::FlowScene& scene) {
  SceneChoice choice = picked;
  if (scene.imported && picked.name == kTrajectoriesSceneName) choice.trajectories = scene.imported->files;
  if (scene.name == kCustomSceneName && picked.name == kCustomSceneName && picked.points.empty()) {
    choice.points = scene.data.points;
    choice.labels = scene.data.labels;
  }
  return choice;
}

std::string serializeSession(const Session& s) {
  const ViewState& v = s.view;
  nlohmann::json j;
  j["format"] = kFormat;
  j["scene"] = {{"name", s.scene.name},
                {"schedule", flows::scheduleName(s.scene.schedule)},
                {"solver", flows::solverName(s.scene.solver)},
                {"particles", s.scene.particles},
                {"seed", s.scene.seed}};
  if (s.scene.name == kCustomSceneName) {
    nlohmann::json points = nlohmann::json::array();
    for (const auto& p : s.scene.points) points.push_back({p.x, p.y});
    j["scene"]["points"] = std::move(points);
    if (!s.scene.labels.empty()) j["scene"]["labels"] = s.scene.labels;
  }
  if (s.scene.name == kTrajectoriesSceneName) {
    // Absolute, so the session opens from any directory.
    const auto absolute = [](const std::string& path) {
      return path.empty() ? path : std::filesystem::absolute(path).lexically_normal().string();
    };
    const flows::TrajectoryFiles& f = s.scene.trajectories;
    nlohmann::json files = {{"positions", absolute(f.positions)}};
    if (!f.times.empty()) files["times"] = absolute(f.times);
    if (!f.velocities.empty()) files["velocities"] = absolute(f.velocities);
    if (!f.labels.empty()) files["labels"] = absolute(f.labels);
    j["scene"]["trajectories"] = std::move(files);
  }
  j["view"] = {{"t", v.t},
               {"play_speed", v.playSpeed},
               {"camera",
                {{"center_x", v.camera.centerX}, {"center_y", v.camera.centerY}, {"half_height", v.camera.halfHeight}}},
               {"show_particles", v.showParticles},
               {"show_trails", v.showTrails},
               {"show_arrows", v.showArrows},
               {"show_data", v.showData},
               {"show_heatmap", v.showHeatmap},
               {"show_density", v.showDensity},
               {"trail_span", v.trailSpan},
               {"field_order", v.fieldOrder},
               {"colour_by", kParticleColourNames[static_cast<std::size_t>(v.particleColour)]},
               {"field_kind", flows::fieldKindName(v.fieldKind)}};
  // A view not framed yet (a session read without a camera) saves none: it frames its scene.
  if (!(v.camera.halfHeight > 0.0f)) j["view"].erase("camera");
  nlohmann::json panels = nlohmann::json::object();
  for (const auto& [id, open] : v.openPanels) panels[id] = open;
  panels["cascade_tab"] = v.cascadeTab == 1 ? "learned" : "fit";
  j["panels"] = panels;
  const CascadeChoice& c = s.cascade;
  if (!c.empty()) {
    nlohmann::json cascade;
    if (!c.fitScene.empty()) {
      cascade["fit_scene"] = c.fitScene;
      nlohmann::json parameters = nlohmann::json::object();
      for (const auto& [key, value] : c.fitParameters) parameters[key] = value;
      cascade["fit_parameters"] = std::move(parameters);
    }
    if (!c.fitRanks.empty()) cascade["fit_ranks"] = c.fitRanks;
    if (!c.learnedRanks.empty()) cascade["learned_ranks"] = c.learnedRanks;
    j["cascade"] = std::move(cascade);
  }
  return j.dump(2) + "\n";
}

Session parseSession(const std::string& text, const std::string& name) {
  const nlohmann::json j = parseJsonInput(text, name);
  if (!j.is_object()) throw InvalidArgument(name + ": a session is a JSON object");
  Reader top(j, name);
  Session s;
  top.warnUnknown({"format", "scene", "view", "panels", "cascade"}, "the session", s.warnings);
  std::string format = kFormat;
  top.read("format", format);
  if (format != kFormat) top.fail("format is '" + format + "', expected '" + kFormat + "'");
  for (const char* section : {"scene", "view", "panels"}) {
    if (j.contains(section) && !j[section].is_object()) top.fail(std::string("'") + section + "' must be an object");
  }
  if (j.contains("scene")) {
    const Reader r(j["scene"], name + ": scene");
    r.warnUnknown({"name", "schedule", "solver", "particles", "seed", "points", "labels", "trajectories"}, "scene",
                  s.warnings);
    r.read("name", s.scene.name);
    const auto names = flows::sceneNames();
    if (s.scene.name == kCustomSceneName) {
      readCustomData(j["scene"], r, s.scene);
    } else if (s.scene.name == kTrajectoriesSceneName) {
      const auto& scene = j["scene"];
      if (!scene.contains("trajectories") || !scene["trajectories"].is_object())
        r.fail("a trajectories scene needs 'trajectories': {\"positions\": \"T.npy\", ...}");
      const Reader files(scene["trajectories"], name + ": scene.trajectories");
      files.warnUnknown({"positions", "times", "velocities", "labels"}, "scene.trajectories", s.warnings);
      flows::TrajectoryFiles& f = s.scene.trajectories;
      files.read("positions", f.positions);
      files.read("times", f.times);
      files.read("velocities", f.velocities);
      files.read("labels", f.labels);
      if (f.positions.empty()) files.fail("'positions' must name the trajectory file");
    } else if (std::find(names.begin(), names.end(), s.scene.name) == names.end()) {
      r.fail("unknown scene '" + s.scene.name + "'");
    }
    std::string schedule = flows::scheduleName(s.scene.schedule), solver = flows::solverName(s.scene.solver);
    r.read("schedule", schedule);
    r.read("solver", solver);
    try {
      s.scene.schedule = flows::parseSchedule(schedule);
      s.scene.solver = flows::parseSolver(solver);
    } catch (const InvalidArgument& e) {
      r.fail(e.what());
    }
    r.integer("particles", s.scene.particles, 1, 10'000'000);
    if (j["scene"].contains("seed")) {
      const auto& seed = j["scene"]["seed"];
      if (!seed.is_number_unsigned()) r.fail("field 'seed' must be a non-negative integer");
      s.scene.seed = seed.get<std::uint64_t>();
    }
  }
  ViewState& v = s.view;
  if (j.contains("view")) {
    const auto& jv = j["view"];
    const Reader r(jv, name + ": view");
    r.warnUnknown({"t", "play_speed", "camera", "show_particles", "show_trails", "show_arrows", "show_data",
                   "show_heatmap", "show_density", "trail_span", "field_order", "field_kind", "colour_by"},
                  "view", s.warnings);
    r.number("t", v.t, 0.0f, 1.0f);
    r.number("play_speed", v.playSpeed, 0.001f, 100.0f);
    r.read("show_particles", v.showParticles);
    r.read("show_trails", v.showTrails);
    r.read("show_arrows", v.showArrows);
    r.read("show_data", v.showData);
    r.read("show_heatmap", v.showHeatmap);
    r.read("show_density", v.showDensity);
    r.number("trail_span", v.trailSpan, 0.0f, 1.0f);
    r.integer("field_order", v.fieldOrder, 1, 3);
    std::string colour = kParticleColourNames[static_cast<std::size_t>(v.particleColour)];
    r.read("colour_by", colour);
    const auto known = std::find(std::begin(kParticleColourNames), std::end(kParticleColourNames), colour);
    if (known == std::end(kParticleColourNames))
      r.fail("'colour_by' must be label, speed, acceleration, jerk or deviation, got '" + colour + "'");
    v.particleColour = static_cast<ParticleColour>(known - std::begin(kParticleColourNames));
    std::string kind = flows::fieldKindName(v.fieldKind);
    r.read("field_kind", kind);
    try {
      v.fieldKind = flows::parseFieldKind(kind);
    } catch (const InvalidArgument& e) {
      r.fail(e.what());
    }
    // A session without a camera frames its scene (0 is the mark: a given one is at least 1e-3).
    v.camera.halfHeight = 0.0f;
    if (jv.contains("camera")) {
      v.camera = render::Camera2D{};
      if (!jv["camera"].is_object()) r.fail("'camera' must be an object");
      const Reader c(jv["camera"], name + ": view.camera");
      c.warnUnknown({"center_x", "center_y", "half_height"}, "view.camera", s.warnings);
      c.number("center_x", v.camera.centerX, -1e6f, 1e6f);
      c.number("center_y", v.camera.centerY, -1e6f, 1e6f);
      c.number("half_height", v.camera.halfHeight, 1e-3f, 1e6f);
    }
  }
  if (j.contains("panels")) {
    const Reader r(j["panels"], name + ": panels");
    if (j["panels"].is_object())
      for (const auto& [id, open] : j["panels"].items()) {
        if (id == "cascade_tab") continue;
        bool flag = v.panelOpen(id);
        r.read(id.c_str(), flag);
        v.openPanels[id] = flag;
      }
    std::string tab = v.cascadeTab == 1 ? "learned" : "fit";
    r.read("cascade_tab", tab);
    if (tab != "fit" && tab != "learned") r.fail("'cascade_tab' must be \"fit\" or \"learned\", got '" + tab + "'");
    v.cascadeTab = tab == "learned" ? 1 : 0;
  }
  if (j.contains("cascade")) {
    const auto& jc = j["cascade"];
    const std::string where = name + ": cascade: ";
    if (!jc.is_object()) throw InvalidArgument(where + "must be an object");
    Reader(jc, name).warnUnknown({"fit_scene", "fit_parameters", "fit_ranks", "learned_ranks"}, "cascade", s.warnings);
    CascadeChoice& c = s.cascade;
    const auto ranks = [&](const char* key, std::vector<int>& out, std::size_t maxCount) {
      if (!jc.contains(key)) return;
      const auto& a = jc[key];
      if (!a.is_array() || a.empty() || a.size() > maxCount)
        throw InvalidArgument(where + "'" + key + "' must be an array of 1.." + std::to_string(maxCount) + " ranks");
      for (const auto& r : a) {
        if (!r.is_number_integer() || r.get<long long>() < 0 || r.get<long long>() > 4096)
          throw InvalidArgument(where + "'" + key + "' holds ranks in 0..4096");
        out.push_back(r.get<int>());
      }
    };
    if (jc.contains("fit_scene")) {
      if (!jc["fit_scene"].is_string()) throw InvalidArgument(where + "'fit_scene' must be a string");
      c.fitScene = jc["fit_scene"].get<std::string>();
    }
    if (jc.contains("fit_parameters")) {
      if (!jc["fit_parameters"].is_object()) throw InvalidArgument(where + "'fit_parameters' must be an object");
      for (const auto& [key, value] : jc["fit_parameters"].items()) {
        if (!value.is_string()) throw InvalidArgument(where + "fit parameter '" + key + "' must be a string");
        c.fitParameters.emplace_back(key, value.get<std::string>());
      }
    }
    ranks("fit_ranks", c.fitRanks, 8);
    ranks("learned_ranks", c.learnedRanks, 2);
  }
  return s;
}

flows::FlowScene prepareSessionScene(const SceneChoice& choice) {
  if (choice.name != kTrajectoriesSceneName) {
    // The stored trajectories (position and velocity of every particle at every frame), twice
    // while the integration hands them over: sized before anything is drawn (issue 16).
    const std::uint64_t frames = static_cast<std::uint64_t>(flows::DefaultSceneSpec{}.grid.steps) + 1;
    requireMemory(
        saturatingProduct({static_cast<std::uint64_t>(std::max(choice.particles, 0)), frames, 2 * 16}),
        "a scene of " + std::to_string(choice.particles) + " particles × " + std::to_string(frames) + " frames");
  }
  if (choice.name == kTrajectoriesSceneName) {
    const std::string source = std::filesystem::path(choice.trajectories.positions).filename().string();
    const auto begin = std::chrono::steady_clock::now();
    flows::FlowScene scene = flows::importedScene(flows::loadTrajectories(choice.trajectories), source);
    scene.integrationSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    return scene;
  }
  flows::FlowScene scene;
  if (choice.name == kCustomSceneName) {
    validateCustomData(choice.points, choice.labels);
    scene = flows::prepareDefaultScene();
    scene.name = kCustomSceneName;
    scene.data.points = choice.points;
    scene.data.labels = choice.labels.empty() ? std::vector<int>(choice.points.size(), 0) : choice.labels;
    scene.data.labelCount = *std::max_element(scene.data.labels.begin(), scene.data.labels.end()) + 1;
  } else {
    scene = flows::prepareScene(choice.name);
  }
  scene.schedule = choice.schedule;
  scene.solver = choice.solver;
  scene.start = flows::sampleStandardNormal(choice.particles, choice.seed);
  scene.noiseSeed = choice.seed;
  scene.description = choice.name + " · " + flows::scheduleName(choice.schedule) + " schedule · exact marginal " +
                      "velocity (softmax over " + std::to_string(scene.data.points.size()) + " data points) · " +
                      flows::solverName(choice.solver) + ", " + std::to_string(scene.grid.steps) + " steps";
  return scene;
}

void saveSession(const std::string& path, const Session& session) {
  io::writeFileAtomic(path, serializeSession(session));
}

Session loadSession(const std::string& path) {
  // A custom scene's points take ~60 bytes each as indented JSON: 8192 of them fit in 4 MiB.
  Session session = parseSession(io::readTextFile(path, std::size_t(4) << 20, "a session file"), "'" + path + "'");
  // Trajectory files named relative to the session file are found beside it.
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  for (std::string* file : {&session.scene.trajectories.positions, &session.scene.trajectories.times,
                            &session.scene.trajectories.velocities, &session.scene.trajectories.labels})
    if (!file->empty() && std::filesystem::path(*file).is_relative()) *file = (dir / *file).string();
  return session;
}

}  // namespace rankflow::app
