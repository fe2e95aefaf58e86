// The Workbench's scripting values: what `gui --script` sets, reads and lists by name
// (docs/cli.md). The view's own are here; a panel's (fit.*, learned.*, theory.*) are asked of
// the panel through the registry (app/ui/panel.h).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "app/ui/script_values.h"
#include "app/ui/workbench.h"
#include "app/viewer/imported_view.h"
#include "core/flows/trajectory_import.h"

namespace rankflow::app {
namespace {

// "panel.NAME" for a window that is always shown: accepted, and nothing changes.
bool isChromeWindow(const std::string& name) {
  return name == "control" || name == "performance";
}

}  // namespace

// [SECTION] Scripting values

std::string Workbench::setValue(const std::string& name, const std::string& value) {
  if (name == "ui.scale") {  // what a monitor of another DPI does (the shell rebuilds the fonts)
    const auto v = parseScriptNumber(value);
    if (!v || *v < kMinUiScale || *v > kMaxUiScale) return "ui.scale takes a number in [0.5, 4], got '" + value + "'";
    uiScaleRequest_ = static_cast<float>(*v);
    return "";
  }
  if (name == "t" || name == "speed") {
    const auto v = parseScriptNumber(value);
    if (!v || *v < 0.0 || *v > (name == "t" ? 1.0 : 10.0))
      return name + " takes a number in [0, " + (name == "t" ? "1" : "10") + "], got '" + value + "'";
    (name == "t" ? view_.t : view_.playSpeed) = static_cast<float>(*v);
    return "";
  }
  if (name == "sketch") {
    const auto on = parseScriptSwitch(value);
    if (!on) return "sketch takes on or off, got '" + value + "'";
    view_.sketchOpen = *on;
    sketchPanel_.setSketching(*on);
    return "";
  }
  if (name == "sketch.apply") {
    // What "use as data" does: the strokes become the scene's data, re-integrated.
    try {
      rebuildScene(sketchPanel_.sketch().sceneChoice(controlPanel_.choice()));
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }
  if (name == "cascade.tab") {  // the view's choice; the Cascade panel selects it when drawn
    if (value != "fit" && value != "learned") return "cascade.tab takes fit or learned, got '" + value + "'";
    view_.cascadeTab = value == "fit" ? 0 : 1;
    return "";
  }
  if (name == "session.load") return startSessionLoad(value);  // the control panel's Load (wait-idle for it)
  if (name == "export") {                                      // what "Export view" writes, beside the prefix given
    try {
      exportView(value);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }
  if (name == "colour") {  // what particles are coloured by (metrics: imported trajectories)
    try {
      view_.particleColour = parseParticleColour(value);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }
  if (name == "field.order") {
    const auto v = parseScriptNumber(value);
    if (!v || (*v != 1 && *v != 2 && *v != 3)) return "field.order takes 1, 2 or 3, got '" + value + "'";
    view_.fieldOrder = static_cast<int>(*v);
    return "";
  }
  const auto flag = parseScriptSwitch(value);
  bool* target = nullptr;
  if (name == "playing") target = &view_.playing;
  if (name == "heatmap") target = &view_.showHeatmap;
  if (name == "density") target = &view_.showDensity;
  if (name == "arrows") target = &view_.showArrows;
  if (name == "trails") target = &view_.showTrails;
  if (name == "particles") target = &view_.showParticles;
  if (name == "lecture") target = &view_.lectureMode;
  if (name == "field.lagrangian") {
    if (!flag) return name + " takes on or off, got '" + value + "'";
    view_.fieldKind = *flag ? flows::FieldKind::Lagrangian : flows::FieldKind::Marginal;
    return "";
  }
  if (name.rfind("panel.", 0) == 0) {
    const std::string panel = name.substr(6);
    if (!findPanelInfo(panel) && !isChromeWindow(panel)) return "unknown panel '" + panel + "'";
    if (!flag) return name + " takes on or off, got '" + value + "'";
    if (findPanelInfo(panel)) view_.openPanels[panel] = *flag;
    return "";
  }
  if (target) {
    if (!flag) return name + " takes on or off, got '" + value + "'";
    *target = *flag;
    return "";
  }
  for (auto& slot : panels_)
    if (panelAnswersTo(*slot.info, name))
      if (auto refused = ensurePanel(slot).setValue(*this, name, value)) return *refused;
  return "unknown setting '" + name + "'";
}

std::string Workbench::filesDropped(const std::vector<std::string>& paths) {
  if (paths.empty()) return "nothing was dropped";
  const std::string& first = paths.front();
  for (auto& slot : panels_) {
    for (const std::string& ending : slot.info->dropExtensions) {
      if (first.size() < ending.size() || first.compare(first.size() - ending.size(), ending.size(), ending) != 0)
        continue;
      if (auto refused = ensurePanel(slot).filesDropped(*this, paths)) return *refused;
    }
  }
  return "no panel opens '" + first + "'";
}

std::optional<double> Workbench::value(const std::string& name) const {
  if (name == "t") return view_.t;
  if (name == "speed") return view_.playSpeed;
  if (name == "playing") return view_.playing ? 1.0 : 0.0;
  if (name == "field.order") return view_.fieldOrder;
  if (name == "lecture") return view_.lectureMode ? 1.0 : 0.0;
  if (name == "ui.scale") return fonts_.scale;
  if (name == "particles") return static_cast<double>(scene_.start.size());
  if (name == "integrated") return scene_.integrated() ? 1.0 : 0.0;
  if (name == "session.loading") return pendingLoad_ ? 1.0 : 0.0;
  if (name == "scene.custom") return scene_.name == kCustomSceneName ? 1.0 : 0.0;
  if (name == "data.points") return static_cast<double>(scene_.data.points.size());
  if (name == "colour") return static_cast<double>(view_.particleColour);
  if (scene_.imported) {
    // Imported trajectories: their sizes, straightness and the colouring metric's median at t.
    const flows::ImportedTrajectories& imported = *scene_.imported;
    if (name == "trajectories") return imported.particles;
    if (name == "trajectories.frames") return imported.frames;
    if (name == "trajectories.dims") return imported.dims;
    if (name == "trajectories.explained")
      return imported.projection.explainedShare(0) + imported.projection.explainedShare(1);
    if (name == "straightness") return imported.meanStraightness;
    if (name == "metric.median") {
      std::vector<float> values(static_cast<std::size_t>(imported.particles));
      imported.metricAt(metricOf(view_.particleColour), view_.t, values);
      std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2), values.end());
      return values[values.size() / 2];
    }
  }
  if (name == "trajectories") return 0.0;
  if (name == "straightness" && scene_.integrated()) return scene_.straightness.straightness;
  if (name == "mean_acceleration" && scene_.integrated()) return scene_.straightness.meanAcceleration;
  if (name == "frame.ms") return readout_.frameMs;
  if (name == "heatmap.high" && view_.showHeatmap) return heatmap_.high();
  if (name == "field.max") return field_.maxSpeed();
  if (name == "density.high" && view_.showDensity && !density_.computing()) return density_.highLogDensity();
  if (name == "sketch.points") return static_cast<double>(sketchPanel_.sketch().points().size());
  for (const auto& slot : panels_)
    if (slot.panel)
      if (auto v = slot.panel->value(name)) return v;
  if (name.rfind("panel.", 0) == 0) {
    if (findPanelInfo(name.substr(6))) return view_.panelOpen(name.substr(6)) ? 1.0 : 0.0;
  }
  return std::nullopt;
}

std::vector<std::string> Workbench::settableNames() {
  std::vector<std::string> names = {
      "t",       "speed",   "sketch",   "sketch.apply", "cascade.tab", "field.order", "field.lagrangian",
      "playing", "heatmap", "density",  "arrows",       "trails",      "particles",   "lecture",
      "colour",  "export",  "ui.scale", "panel.NAME",   "session.load"};
  for (const PanelInfo& info : panelRegistry()) names.insert(names.end(), info.settable.begin(), info.settable.end());
  return names;
}

namespace {
// "panel.NAME" takes a panel's id; "x.y.K" (or ".I") any number in place of K.
bool matchesName(const std::string& pattern, const std::string& name) {
  if (pattern == name) return true;
  if (pattern == "panel.NAME")
    return name.rfind("panel.", 0) == 0 && (findPanelInfo(name.substr(6)) || isChromeWindow(name.substr(6)));
  if (!pattern.empty() && pattern.back() == '.') return name.rfind(pattern, 0) == 0 && name.size() > pattern.size();
  const auto dot = pattern.rfind('.');
  if (dot == std::string::npos) return false;
  const std::string placeholder = pattern.substr(dot + 1);
  if (placeholder != "K" && placeholder != "I") return false;
  return name.rfind(pattern.substr(0, dot + 1), 0) == 0 && parseScriptNumber(name.substr(dot + 1)).has_value();
}
}  // namespace

bool Workbench::knowsValue(const std::string& name) {
  for (const auto& pattern : valueNames())
    if (matchesName(pattern, name)) return true;
  return false;
}

bool Workbench::knowsSetting(const std::string& name) {
  for (const auto& pattern : settableNames())
    if (matchesName(pattern, name)) return true;
  return false;
}

std::vector<std::string> Workbench::valueNames() {
  std::vector<std::string> names = {
      "t",          "speed",        "playing",           "field.order", "lecture",      "particles",
      "integrated", "straightness", "mean_acceleration", "frame.ms",    "heatmap.high", "field.max",
      "panel.NAME"};
  for (const PanelInfo& info : panelRegistry()) names.insert(names.end(), info.readable.begin(), info.readable.end());
  names.insert(names.end(), {"density.high", "sketch.points", "colour", "trajectories", "trajectories.frames",
                             "trajectories.dims", "trajectories.explained", "metric.median", "scene.custom",
                             "data.points", "ui.scale", "session.loading"});
  return names;
}

}  // namespace rankflow::app
