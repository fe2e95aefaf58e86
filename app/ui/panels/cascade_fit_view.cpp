#include "app/ui/panels/cascade_fit_view.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/ui/imgui_style.h"
#include "app/ui/widgets/imgui_charts.h"
#include "app/ui/widgets/math_text.h"
#include "app/ui/widgets/plot_capture.h"
#include "app/ui/widgets/scene_combo.h"
#include "app/viewer/units_text.h"

namespace rankflow::app {
namespace {

using charts::Swatch;

constexpr ImU32 kCascadeColor = IM_COL32(90, 150, 230, 255);
constexpr ImU32 kIndependentColor = IM_COL32(240, 160, 60, 255);
constexpr ImU32 kNaiveColor = IM_COL32(110, 200, 120, 255);
constexpr ImU32 kScheduleColor = IM_COL32(150, 150, 160, 150);
constexpr ImU32 kFrontColor = IM_COL32(240, 160, 60, 255);
constexpr ImU32 kCurrentColor = IM_COL32(250, 250, 250, 255);
constexpr ImU32 kHoverColor = IM_COL32(255, 255, 255, 16);
// Relative errors of float32 fits bottom out near 1e-7; lower ones sit on the chart's floor.
constexpr double kErrorFloor = 1e-7;

const ImVec4 kErrorText{0.95f, 0.45f, 0.35f, 1.0f};
const ImVec4 kKeptText{0.60f, 0.62f, 0.66f, 1.0f};
const ImVec4 kRetruncatedText{0.95f, 0.85f, 0.35f, 1.0f};
const ImVec4 kRecomputedText{0.95f, 0.45f, 0.35f, 1.0f};

std::string scheduleText(const std::vector<int>& ranks) {
  std::string s = "(";
  for (std::size_t i = 0; i < ranks.size(); ++i) s += (i ? ", " : "") + std::to_string(ranks[i]);
  return s + ")";
}

std::string countText(double v) {
  char text[32];
  if (v >= 1e6) {
    std::snprintf(text, sizeof text, "%.2fM", v / 1e6);
  } else if (v >= 1e4) {
    std::snprintf(text, sizeof text, "%.1fk", v / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.0f", v);
  }
  return text;
}

// A meter: the bar shows value / reference, the overlay the value itself.
void meter(double value, double reference, const std::string& overlay) {
  const float fraction = reference > 0.0 ? static_cast<float>(std::clamp(value / reference, 0.0, 1.0)) : 0.0f;
  ImGui::ProgressBar(fraction, {-1.0f, 0.0f}, overlay.c_str());
}

void errorLine(const std::string& text) {
  if (text.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_Text, kErrorText);
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

}  // namespace

CascadeFitView::CascadeFitView() = default;

void CascadeFitView::syncParameterBuffers() {
  buffersOf_ = model_.parameters();
  parameterBuffers_.clear();
  for (const theory::SceneParameter& p : buffersOf_) {
    std::array<char, 128> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%s", p.value.c_str());
    parameterBuffers_.push_back(buffer);
  }
}

void CascadeFitView::draw() {
  // The first frame starts the work; later frames only collect what the workers published.
  if (!started_) {
    started_ = true;
    model_.refit();
  }
  model_.poll();
  ImGui::PushID("cascade_fit");
  drawInputs();
  drawRankSliders();
  ImGui::Separator();
  drawErrorChart();
  drawRefitReport();
  if (ImGui::CollapsingHeader("Parameters and multiply-adds", ImGuiTreeNodeFlags_DefaultOpen)) drawMeters();
  if (ImGui::CollapsingHeader("Measured evaluation time", ImGuiTreeNodeFlags_DefaultOpen)) drawTiming();
  if (ImGui::CollapsingHeader("Schedule sweep", ImGuiTreeNodeFlags_DefaultOpen)) drawSweep();
  if (ImGui::CollapsingHeader("A/B comparison", ImGuiTreeNodeFlags_DefaultOpen)) drawAb();
  ImGui::PopID();
}

// [SECTION] Inputs

void CascadeFitView::drawInputs() {
  if (!sameSceneParameters(buffersOf_, model_.parameters())) syncParameterBuffers();
  sceneCombo(model_, 140.0f);
  if (!sameSceneParameters(buffersOf_, model_.parameters())) syncParameterBuffers();
  // Parameters apply when an edit is finished; a refused value goes back to the model's.
  for (std::size_t i = 0; i < buffersOf_.size(); ++i) {
    ImGui::SameLine();
    const std::string name = buffersOf_[i].name;
    ImGui::SetNextItemWidth(name == "ranks" ? 200.0f : 48.0f);
    ImGui::InputText(name.c_str(), parameterBuffers_[i].data(), parameterBuffers_[i].size());
    if (ImGui::IsItemDeactivatedAfterEdit() && !model_.setParameter(name, parameterBuffers_[i].data()))
      syncParameterBuffers();
  }
  int k = model_.orders();
  ImGui::SetNextItemWidth(uiScaled(140.0f));
  if (ImGui::SliderInt("K (orders)", &k, 1, CascadeFitModel::kMaxOrders)) model_.setOrders(k);
  ImGui::SameLine();
  const FitSnapshot& f = model_.fit();
  ImGui::Text("t = %.3f (timeline)   d = %d", model_.t(), model_.dim());
  if (f.generation > 0 && f.error.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("  %d SVDs so far, last refit %s%s", f.svdCount, formatSeconds(f.refitSeconds).c_str(),
                        f.targetsRebuilt ? " (new targets)" : "");
    // Where the per-order SVDs ran (the window's low-rank backend), and why not CUDA.
    ImGui::TextDisabled("SVDs: %s", f.svdBackend.c_str());
    if (ImGui::IsItemHovered() && !f.svdNote.empty()) ImGui::SetTooltip("%s", f.svdNote.c_str());
  }
  if (model_.fitting()) {
    ImGui::SameLine();
    ImGui::TextDisabled("fitting...");
  }
  errorLine(model_.message());
  errorLine(f.error);
}

void CascadeFitView::drawRankSliders() {
  const int k = model_.orders();
  const int perRow = k <= 4 ? k : 4;
  const float width = std::max(80.0f, ImGui::GetContentRegionAvail().x / static_cast<float>(perRow) - 50.0f);
  for (int order = 1; order <= k; ++order) {
    if ((order - 1) % perRow != 0) ImGui::SameLine();
    int r = model_.ranks()[static_cast<std::size_t>(order - 1)];
    const std::string label = mathText("r" + subscript(order));
    ImGui::SetNextItemWidth(width);
    // No clamping: a typed r > d (Ctrl+click) reaches the model, which refuses it with a message.
    if (ImGui::SliderInt(label.c_str(), &r, 0, model_.dim())) model_.setRank(order, r);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("%s", mathFormat("rank of U%s V%sᵀ; moving it keeps orders < %d and recomputes orders > %d",
                                         subscript(order).c_str(), subscript(order).c_str(), order, order)
                                  .c_str());
  }
}

// [SECTION] Errors and costs

void CascadeFitView::drawErrorChart() {
  const FitSnapshot& f = model_.fit();
  ImGui::TextUnformatted(
      mathText("Relative error ‖Tₖ − Wₖ‖_F / ‖Tₖ‖_F per order (log axis; below 1e-7 sits on the floor)").c_str());
  const charts::ChartFrame frame = reserveCaptureChart("##fit_errors", 210.0f);
  const ScopedPlotCapture capture("fit-errors", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  const charts::PlotArea& area = frame.area;
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  const int n = static_cast<int>(f.orders.size());
  if (n == 0) {
    draw->AddText({area.min.x, area.min.y + 4.0f}, charts::kChartAxis, f.error.empty() ? "fitting..." : "no fit");
  } else {
    std::vector<double> values{kErrorFloor, 1.0};
    for (const FitOrder& o : f.orders) values.insert(values.end(), {o.cascadeError, o.independentError});
    const charts::LogScale scale = charts::LogScale::enclosing(values, kErrorFloor);
    charts::drawLogYAxis(draw, area, scale);
    const float slot = area.width() / static_cast<float>(n);
    const float bar = std::min(slot * 0.25f, 26.0f);
    const auto yAt = [&](double v) { return area.max.y - area.height() * scale.fraction(v); };
    const int hovered = frame.hovered && area.contains(frame.mouse)
                            ? std::clamp(static_cast<int>((frame.mouse.x - area.min.x) / slot), 0, n - 1)
                            : -1;
    for (int i = 0; i < n; ++i) {
      const FitOrder& o = f.orders[static_cast<std::size_t>(i)];
      const float x = area.min.x + slot * (static_cast<float>(i) + 0.5f);
      if (i == hovered) draw->AddRectFilled({x - slot * 0.5f, area.min.y}, {x + slot * 0.5f, area.max.y}, kHoverColor);
      draw->AddRectFilled({x - 1.5f * bar, yAt(o.cascadeError)}, {x - 0.5f * bar, area.max.y}, kCascadeColor);
      draw->AddRectFilled({x - 0.5f * bar, yAt(o.independentError)}, {x + 0.5f * bar, area.max.y}, kIndependentColor);
      // Naive stores every T_k exactly: error 0, drawn as a sliver on the floor with its value.
      draw->AddRectFilled({x + 0.5f * bar, area.max.y - 3.0f}, {x + 1.5f * bar, area.max.y}, kNaiveColor);
      draw->AddText({x + 0.7f * bar, area.max.y - 18.0f}, kNaiveColor, "0");
      char label[32];
      std::snprintf(label, sizeof label, "k=%d r=%d", o.k, o.rank);
      draw->AddText({x - ImGui::CalcTextSize(label).x * 0.5f, area.max.y + 5.0f}, charts::kChartAxis, label);
    }
    if (hovered >= 0) {
      const FitOrder& o = f.orders[static_cast<std::size_t>(hovered)];
      ImGui::BeginTooltip();
      ImGui::TextUnformatted(mathFormat("order %d, r%s = %d", o.k, subscript(o.k).c_str(), o.rank).c_str());
      ImGui::Text("cascading:   %.4e", o.cascadeError);
      ImGui::Text("independent: %.4e", o.independentError);
      ImGui::TextUnformatted(mathFormat("naive:       0 (stores T%s)", subscript(o.k).c_str()).c_str());
      ImGui::EndTooltip();
    }
  }
  charts::legendItem("cascading", kCascadeColor, Swatch::Bar, true);
  charts::legendItem("independent LoRA", kIndependentColor, Swatch::Bar, false);
  charts::legendItem("naive (K+1 dense, error 0)", kNaiveColor, Swatch::Bar, false);
}

void CascadeFitView::drawRefitReport() {
  const FitSnapshot& f = model_.fit();
  if (f.orders.empty()) return;
  ImGui::TextUnformatted("Last refit:");
  for (const FitOrder& o : f.orders) {
    ImGui::SameLine();
    switch (o.refit) {
      case OrderRefit::Kept:
        ImGui::TextColored(kKeptText, "k=%d kept", o.k);
        break;
      case OrderRefit::Retruncated:
        ImGui::TextColored(kRetruncatedText, "k=%d re-truncated", o.k);
        break;
      case OrderRefit::Recomputed:
        ImGui::TextColored(kRecomputedText, "k=%d SVD %s", o.k, formatSeconds(o.svdSeconds).c_str());
        break;
    }
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("%s: %s", orderRefitName(o.refit),
                        o.refit == OrderRefit::Kept          ? "an earlier order: its fit is reused untouched"
                        : o.refit == OrderRefit::Retruncated ? "its cached SVD truncated to the new rank, no new SVD"
                                                             : "its residual T_k - W_(k-1) changed: a new SVD");
    }
  }
}

void CascadeFitView::drawMeters() {
  const FitSnapshot& f = model_.fit();
  if (f.orders.empty()) return;
  const FitCosts& c = f.costs;
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchSame;
  if (ImGui::BeginTable("##fit_costs", 3, flags)) {
    ImGui::TableSetupColumn("method");
    ImGui::TableSetupColumn("parameters");
    ImGui::TableSetupColumn("multiply-adds per column (FLOPs = 2x)");
    ImGui::TableHeadersRow();
    const struct {
      const char* name;
      double parameters;
      double macs;
    } rows[] = {{"naive: (K+1) d²", c.naiveParameters, c.naiveMacs},
                {"independent LoRA: d² + 2dR", c.independentParameters, c.independentMacs},
                {"cascading: d² + 2dR", c.cascadeParameters, c.cascadeMacs}};
    for (const auto& row : rows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(mathText(row.name).c_str());
      ImGui::TableNextColumn();
      meter(row.parameters, c.naiveParameters, countText(row.parameters));
      ImGui::TableNextColumn();
      meter(row.macs, c.naiveMacs, countText(row.macs));
    }
    ImGui::EndTable();
  }
  int totalRank = 0;
  for (int r : f.ranks) totalRank += r;
  ImGui::Text("ideal speedup vs naive (K+1) d / (d + 2R) = %.2fx   (d = %d, K = %d, R = %d)", c.idealSpeedup, f.dim,
              f.orderCount(), totalRank);
}

// [SECTION] Timing

void CascadeFitView::drawTiming() {
  ImGui::SetNextItemWidth(uiScaled(120.0f));
  const std::string current = "n = " + std::to_string(measureColumns_);
  if (ImGui::BeginCombo("##columns", current.c_str())) {
    for (int n = CascadeFitModel::kMinColumns; n <= CascadeFitModel::kMaxColumns; n *= 2) {
      if (ImGui::Selectable(std::to_string(n).c_str(), n == measureColumns_)) measureColumns_ = n;
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  const TimingView& t = model_.timing();
  if (t.state == TaskState::Running) {
    ImGui::ProgressBar(model_.timingProgress(), {-90.0f, 0.0f}, "measuring...");
    ImGui::SameLine();
    if (ImGui::Button("Cancel##measure", {80.0f, 0.0f})) model_.cancelMeasure();
    return;
  }
  if (ImGui::Button("Measure")) model_.measure(measureColumns_);
  ImGui::SameLine();
  ImGui::TextDisabled("naive / independent / cascading evaluation of n random columns, best of 5");
  if (t.state == TaskState::Cancelled) ImGui::TextDisabled("measurement cancelled");
  errorLine(t.error);
  if (t.state != TaskState::Done) return;
  if (!model_.timingIsCurrent())
    ImGui::TextColored(kRetruncatedText, "measured for %s at t = %.3f: not the current schedule, measure again",
                       scheduleText(t.ranks).c_str(), t.t);
  const FitCosts predicted = fitCosts(t.dim, t.ranks);
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchSame;
  if (ImGui::BeginTable("##fit_timing", 4, flags)) {
    ImGui::TableSetupColumn("method");
    ImGui::TableSetupColumn("time");
    ImGui::TableSetupColumn("predicted naive / method");
    ImGui::TableSetupColumn("measured naive / method");
    ImGui::TableHeadersRow();
    const struct {
      const char* name;
      double seconds;
      double predicted;
    } rows[] = {{"naive", t.naiveSeconds, 1.0},
                {"independent LoRA", t.independentSeconds, predicted.naiveMacs / predicted.independentMacs},
                {"cascading", t.cascadeSeconds, predicted.idealSpeedup}};
    for (const auto& row : rows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.name);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(formatSeconds(row.seconds).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%.2fx", row.predicted);
      ImGui::TableNextColumn();
      ImGui::Text("%.2fx", row.seconds > 0.0 ? t.naiveSeconds / row.seconds : 0.0);
    }
    ImGui::EndTable();
  }
}

// [SECTION] Sweep

void CascadeFitView::drawSweep() {
  const int d = std::max(model_.dim(), 0);
  sweepMaxRank_ = std::clamp(sweepMaxRank_, 0, d);
  ImGui::SetNextItemWidth(uiScaled(160.0f));
  ImGui::SliderInt(mathText("rₘₐₓ").c_str(), &sweepMaxRank_, 0, std::min(d, 32));
  ImGui::SameLine();
  const double count = CascadeFitModel::scheduleCount(model_.orders(), sweepMaxRank_);
  ImGui::TextUnformatted(
      mathFormat("(%d+1)%s = %.0f schedules", sweepMaxRank_, superscript(model_.orders()).c_str(), count).c_str());
  const SweepView& s = model_.sweep();
  if (s.state == TaskState::Running) {
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "%.0f%% of %ld", 100.0 * model_.sweepProgress(), s.total);
    ImGui::ProgressBar(model_.sweepProgress(), {-90.0f, 0.0f}, overlay);
    ImGui::SameLine();
    if (ImGui::Button("Cancel##sweep", {80.0f, 0.0f})) model_.cancelSweep();
  } else {
    ImGui::SameLine();
    if (ImGui::Button("Sweep")) model_.startSweep(sweepMaxRank_);
  }
  errorLine(s.error);
  if (s.state == TaskState::Done || s.state == TaskState::Cancelled) {
    int front = 0;
    for (const auto& r : s.results) front += r.pareto;
    ImGui::Text("%s: %zu of %ld schedules (K = %d, r_max = %d, t = %.3f), %d on the Pareto front",
                taskStateName(s.state), s.results.size(), s.total, s.orders, s.maxRank, s.t, front);
  }
  drawParetoChart();
}

void CascadeFitView::drawParetoChart() {
  const SweepView& s = model_.sweep();
  if (s.results.empty()) return;
  ImGui::TextUnformatted("Mean error vs parameters (hover a dot for its schedule, click to adopt it)");
  const charts::ChartFrame frame = reserveCaptureChart("##fit_pareto", 240.0f, 56.0f, 26.0f);
  const ScopedPlotCapture capture("fit-pareto", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  const charts::PlotArea& area = frame.area;
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;

  double pMin = INFINITY, pMax = 0.0;
  std::vector<double> errors{kErrorFloor};
  for (const auto& r : s.results) {
    pMin = std::min(pMin, r.parameters);
    pMax = std::max(pMax, r.parameters);
    errors.push_back(r.meanError);
  }
  if (pMax <= pMin) pMax = pMin + 1.0;
  const charts::LogScale scale = charts::LogScale::enclosing(errors, kErrorFloor);
  charts::drawLogYAxis(draw, area, scale);
  charts::drawLinearXAxis(draw, area, pMin, pMax, 5, "%.0f");
  const auto at = [&](const lowrank::ScheduleResult& r) {
    return ImVec2{area.min.x + area.width() * static_cast<float>((r.parameters - pMin) / (pMax - pMin)),
                  area.max.y - area.height() * scale.fraction(r.meanError)};
  };

  // Thousands of schedules land on few pixels: each pixel is drawn once.
  const int w = std::max(1, static_cast<int>(area.width()) + 1), h = std::max(1, static_cast<int>(area.height()) + 1);
  std::vector<unsigned char> drawn(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), 0);
  const lowrank::ScheduleResult* nearest = nullptr;
  float nearestDistance = 8.0f * 8.0f;
  std::vector<const lowrank::ScheduleResult*> front;
  for (const auto& r : s.results) {
    const ImVec2 p = at(r);
    if (r.pareto) front.push_back(&r);
    const int px = std::clamp(static_cast<int>(p.x - area.min.x), 0, w - 1);
    const int py = std::clamp(static_cast<int>(p.y - area.min.y), 0, h - 1);
    unsigned char& cell =
        drawn[static_cast<std::size_t>(py) * static_cast<std::size_t>(w) + static_cast<std::size_t>(px)];
    if (!cell) {
      draw->AddCircleFilled(p, 2.0f, kScheduleColor, 8);
      cell = 1;
    }
    if (frame.hovered) {
      const float dx = p.x - frame.mouse.x, dy = p.y - frame.mouse.y;
      if (dx * dx + dy * dy < nearestDistance) {
        nearestDistance = dx * dx + dy * dy;
        nearest = &r;
      }
    }
  }
  std::sort(front.begin(), front.end(), [](auto* a, auto* b) { return a->parameters < b->parameters; });
  for (std::size_t i = 0; i + 1 < front.size(); ++i) draw->AddLine(at(*front[i]), at(*front[i + 1]), kFrontColor, 2.0f);
  for (const auto* r : front) draw->AddCircleFilled(at(*r), 3.5f, kFrontColor);

  // The current schedule, where the sweep has it (same scene, t and K).
  const FitSnapshot& f = model_.fit();
  const bool sameTargets = f.scene == s.scene && f.t == s.t && f.dim == s.dim;
  for (const auto& r : s.results) {
    if (sameTargets && r.ranks == f.ranks) {
      draw->AddCircle(at(r), 7.0f, kCurrentColor, 16, 2.0f);
      break;
    }
  }
  if (nearest) {
    draw->AddCircle(at(*nearest), 5.0f, kCurrentColor, 12, 1.5f);
    ImGui::BeginTooltip();
    ImGui::Text("schedule %s%s", scheduleText(nearest->ranks).c_str(), nearest->pareto ? " (Pareto front)" : "");
    ImGui::Text("parameters %.0f, mean error %.3e", nearest->parameters, nearest->meanError);
    for (std::size_t k = 0; k < nearest->errors.size(); ++k)
      ImGui::Text("  order %zu: %.3e", k + 1, nearest->errors[k]);
    ImGui::TextDisabled("click to adopt");
    ImGui::EndTooltip();
    if (frame.clicked) model_.adoptSchedule(static_cast<std::size_t>(nearest - s.results.data()));
  }
  charts::legendItem("schedule", kScheduleColor, Swatch::Dot, true);
  charts::legendItem("Pareto front", kFrontColor, Swatch::Line, false);
  charts::legendItem("current schedule", kCurrentColor, Swatch::Dot, false);
}

// [SECTION] A/B

void CascadeFitView::drawAb() {
  if (ImGui::Button("Pin as A")) model_.pinA();
  ImGui::SameLine();
  const auto& pinned = model_.pinned();
  if (!pinned) {
    ImGui::TextDisabled("pin the current schedule, then move the sliders: B is always the current one");
    return;
  }
  if (ImGui::Button("Clear A")) model_.clearA();
  ImGui::SameLine();
  ImGui::Text("A = %s (pinned at t = %.3f), B = %s; both fitted at t = %.3f", scheduleText(pinned->ranks).c_str(),
              pinned->pinnedAtT, scheduleText(model_.fit().ranks).c_str(), model_.fit().t);
  const std::vector<AbRow> rows = model_.abRows();
  if (rows.empty()) return;
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchSame;
  if (ImGui::BeginTable("##fit_ab", 4, flags)) {
    ImGui::TableSetupColumn("");
    ImGui::TableSetupColumn("A");
    ImGui::TableSetupColumn("B (current)");
    ImGui::TableSetupColumn("B - A");
    ImGui::TableHeadersRow();
    for (const AbRow& row : rows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.label.c_str());
      for (const std::optional<double>& v : {row.a, row.b, row.difference()}) {
        ImGui::TableNextColumn();
        if (v) {
          ImGui::Text("%.4g", *v);
        } else {
          ImGui::TextDisabled("-");
        }
      }
    }
    ImGui::EndTable();
  }
}

std::string CascadeFitView::exportJson() const {
  nlohmann::json out = nlohmann::json::parse(model_.exportJson());
  out["view"] = {{"measure_columns", measureColumns_}, {"sweep_max_rank", sweepMaxRank_}};
  return out.dump(1);
}

}  // namespace rankflow::app
