// The Workbench's scripting values: what `gui --script` sets, reads and lists by name
// (docs/cli.md), routed to the view, the panels and the Cascade fit.
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "app/ui/panels/cascade_panel.h"
#include "app/ui/panels/theory_panel.h"
#include "app/ui/workbench.h"
#include "app/ui/workbench_panels.h"

namespace rankflow::app {
namespace {

using workbench_panels::findPanel;
using workbench_panels::panelFlagOf;

std::optional<double> parseNumber(const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<bool> parseBool(const std::string& text) {
  if (text == "1" || text == "on" || text == "true") return true;
  if (text == "0" || text == "off" || text == "false") return false;
  return std::nullopt;
}

}  // namespace

// [SECTION] Scripting values

std::string Workbench::setValue(const std::string& name, const std::string& value) {
  if (name == "t" || name == "speed") {
    const auto v = parseNumber(value);
    if (!v || *v < 0.0 || *v > (name == "t" ? 1.0 : 10.0))
      return name + " takes a number in [0, " + (name == "t" ? "1" : "10") + "], got '" + value + "'";
    (name == "t" ? view_.t : view_.playSpeed) = static_cast<float>(*v);
    return "";
  }
  if (name == "learned.overlay") {
    ensureCascadePanel().startLearned();
    LearnedOverlay overlay = cascadePanel_->learned().overlay();
    if (value == "none")
      overlay.kind = LearnedOverlayKind::None;
    else if (value == "field")
      overlay.kind = LearnedOverlayKind::LearnedField;
    else if (value == "error")
      overlay.kind = LearnedOverlayKind::PerParticleError;
    else
      return "learned.overlay takes none, field or error, got '" + value + "'";
    cascadePanel_->learned().setOverlay(overlay);
    return "";
  }
  if (name == "learned.samples") {
    // The "Sample" button: few-step samples with N steps (learned vs exact).
    const auto n = parseNumber(value);
    ensureCascadePanel().startLearned();
    LearnedModel& model = cascadePanel_->learned().model();
    if (!n || *n != std::floor(*n) || !model.requestSamples(static_cast<int>(*n)))
      return model.message().empty() ? "learned.samples takes 1, 2, 4, 8 or 16 steps" : model.message();
    return "";
  }
  if (name == "learned.order") {
    const auto v = parseNumber(value);
    if (!v || (*v != 1 && *v != 2 && *v != 3)) return "learned.order takes 1, 2 or 3";
    ensureCascadePanel().startLearned();
    LearnedOverlay overlay = cascadePanel_->learned().overlay();
    overlay.order = static_cast<int>(*v);
    cascadePanel_->learned().setOverlay(overlay);
    return "";
  }
  if (name == "sketch") {
    const auto on = parseBool(value);
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
  if (name == "cascade.tab") {
    if (value != "fit" && value != "learned") return "cascade.tab takes fit or learned, got '" + value + "'";
    view_.cascadeTab = value == "fit" ? 0 : 1;
    return "";
  }
  if (name == "field.order") {
    const auto v = parseNumber(value);
    if (!v || (*v != 1 && *v != 2 && *v != 3)) return "field.order takes 1, 2 or 3, got '" + value + "'";
    view_.fieldOrder = static_cast<int>(*v);
    return "";
  }
  const auto flag = parseBool(value);
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
    if (!findPanel(panel) || !findPanel(panel)->title) return "unknown panel '" + panel + "'";
    if (!flag) return name + " takes on or off, got '" + value + "'";
    setPanelOpen(panel, *flag);
    return "";
  }
  if (target) {
    if (!flag) return name + " takes on or off, got '" + value + "'";
    *target = *flag;
    return "";
  }
  if (name.rfind("fit.", 0) == 0) return setFitValue(name.substr(4), value);
  return "unknown setting '" + name + "'";
}

// fit.rank.K, fit.orders, fit.scene: the Matrix fit tab's controls (the panel opens).
std::string Workbench::setFitValue(const std::string& name, const std::string& value) {
  ensureCascadePanel();
  view_.cascadeOpen = true;
  CascadeFitModel& model = cascadePanel_->fit().model();
  bool accepted = false;
  if (name.rfind("rank.", 0) == 0) {
    const auto order = parseNumber(name.substr(5));
    const auto rank = parseNumber(value);
    if (!order || !rank || *order != std::floor(*order) || *rank != std::floor(*rank))
      return "fit.rank.K takes an integer order K and rank";
    accepted = model.setRank(static_cast<int>(*order), static_cast<int>(*rank));
  } else if (name == "orders") {
    const auto k = parseNumber(value);
    if (!k || *k != std::floor(*k)) return "fit.orders takes an integer";
    accepted = model.setOrders(static_cast<int>(*k));
  } else if (name == "scene") {
    accepted = model.setScene(value);
  } else if (name == "sweep" || name == "measure") {
    // The "Sweep" (r_max) and "Measure" (n columns) buttons.
    const auto n = parseNumber(value);
    if (!n || *n != std::floor(*n)) return "fit." + name + " takes an integer";
    accepted = name == "sweep" ? model.startSweep(static_cast<int>(*n)) : model.measure(static_cast<int>(*n));
  } else {
    return "unknown setting 'fit." + name + "' (fit.rank.K, fit.orders, fit.scene, fit.sweep, fit.measure)";
  }
  return accepted ? "" : model.message();
}

std::optional<double> Workbench::value(const std::string& name) const {
  if (name == "t") return view_.t;
  if (name == "speed") return view_.playSpeed;
  if (name == "playing") return view_.playing ? 1.0 : 0.0;
  if (name == "field.order") return view_.fieldOrder;
  if (name == "lecture") return view_.lectureMode ? 1.0 : 0.0;
  if (name == "particles") return static_cast<double>(scene_.start.size());
  if (name == "integrated") return scene_.integrated() ? 1.0 : 0.0;
  if (name == "scene.custom") return scene_.name == kCustomSceneName ? 1.0 : 0.0;
  if (name == "data.points") return static_cast<double>(scene_.data.points.size());
  if (name == "straightness" && scene_.integrated()) return scene_.straightness.straightness;
  if (name == "mean_acceleration" && scene_.integrated()) return scene_.straightness.meanAcceleration;
  if (name == "frame.ms") return readout_.frameMs;
  if (name == "heatmap.high" && view_.showHeatmap) return heatmap_.high();
  if (name == "field.max") return field_.maxSpeed();
  if (name == "density.high" && view_.showDensity && !density_.computing()) return density_.highLogDensity();
  if (name == "sketch.points") return static_cast<double>(sketchPanel_.sketch().points().size());
  if (name.rfind("fit.", 0) == 0 && cascadePanel_) {
    // fit.error.K (cascading), fit.independent.K, fit.rank.K, fit.parameters, fit.dim
    const FitSnapshot& fit = cascadePanel_->fit().model().fit();
    const auto order = [&](std::size_t prefix) -> const FitOrder* {
      const auto k = parseNumber(name.substr(prefix));
      if (!k) return nullptr;
      for (const auto& o : fit.orders)
        if (o.k == static_cast<int>(*k)) return &o;
      return nullptr;
    };
    if (name.rfind("fit.error.", 0) == 0) {
      if (const auto* o = order(10)) return o->cascadeError;
    } else if (name.rfind("fit.independent.", 0) == 0) {
      if (const auto* o = order(16)) return o->independentError;
    } else if (name.rfind("fit.rank.", 0) == 0) {
      if (const auto* o = order(9)) return o->rank;
    } else if (name == "fit.parameters") {
      return fit.costs.cascadeParameters;
    }
    return std::nullopt;
  }
  if (name == "theory.index" && theoryPanel_) return theoryPanel_->index();
  if (name == "theory.count" && theoryPanel_) return theoryPanel_->count();
  if (name.rfind("panel.", 0) == 0) {
    if (const bool* flag = panelFlagOf(view_, name.substr(6))) return *flag ? 1.0 : 0.0;
  }
  return std::nullopt;
}

std::vector<std::string> Workbench::valueNames() const {
  return {"t",
          "speed",
          "playing",
          "field.order",
          "lecture",
          "particles",
          "integrated",
          "straightness",
          "mean_acceleration",
          "frame.ms",
          "heatmap.high",
          "field.max",
          "panel.NAME",
          "fit.error.K",
          "fit.independent.K",
          "fit.rank.K",
          "fit.parameters",
          "theory.index",
          "theory.count",
          "density.high",
          "sketch.points"};
}

}  // namespace rankflow::app
