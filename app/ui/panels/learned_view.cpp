#include "app/ui/panels/learned_view.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/ui/imgui_style.h"
#include "app/ui/widgets/imgui_charts.h"
#include "app/ui/widgets/math_text.h"
#include "app/ui/widgets/plot_capture.h"
#include "app/viewer/units_text.h"
#include "core/flows/samplers.h"

namespace rankflow::app {
namespace {

constexpr const char* kFieldNames[] = {"velocity v", "acceleration a", "jerk j"};
constexpr ImU32 kVariantColors[] = {IM_COL32(67, 147, 195, 255), IM_COL32(244, 165, 60, 255),
                                    IM_COL32(214, 96, 77, 255)};
constexpr ImU32 kDataColor = IM_COL32(150, 150, 150, 110);
constexpr ImU32 kLearnedColor = IM_COL32(90, 190, 240, 220);
constexpr ImU32 kExactFlowColour = IM_COL32(245, 200, 90, 220);
constexpr ImU32 kErrorBarColor = IM_COL32(214, 96, 77, 255);

// A horizontal bar for a relative error inside a table cell: full width at `scale`.
void errorBar(double error, double scale, ImU32 color) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float width = std::max(ImGui::GetContentRegionAvail().x, 40.0f);
  const float h = ImGui::GetTextLineHeight();
  const float fill = scale > 0.0 ? static_cast<float>(std::clamp(error / scale, 0.0, 1.0)) : 0.0f;
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  draw->AddRectFilled({p.x, p.y + 2.0f}, {p.x + width, p.y + h - 2.0f}, charts::kChartFrame);
  draw->AddRectFilled({p.x, p.y + 2.0f}, {p.x + width * fill, p.y + h - 2.0f}, color);
  char label[32];
  std::snprintf(label, sizeof label, "%.4f", error);
  draw->AddText({p.x + 4.0f, p.y}, IM_COL32(255, 255, 255, 255), label);
  ImGui::Dummy({width, h});
}

struct ScatterBounds {
  float lo = -3.0f;
  float hi = 3.0f;
};

// Square bounds around the data, so both scatter plots share one scale.
ScatterBounds boundsOf(const std::vector<Vec2f>& points) {
  float extent = 1.0f;
  for (const Vec2f& p : points)
    if (std::isfinite(p.x) && std::isfinite(p.y)) extent = std::max({extent, std::abs(p.x), std::abs(p.y)});
  return {-1.15f * extent, 1.15f * extent};
}

void scatterPlot(const char* id, const char* title, const std::vector<Vec2f>& data, const std::vector<Vec2f>& points,
                 ImU32 color, ScatterBounds bounds) {
  ImGui::TextUnformatted(title);
  const charts::ChartFrame frame = reserveCaptureChart(id, 220.0f, 8.0f, 8.0f);
  const ScopedPlotCapture capture(id, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  const charts::PlotArea& a = frame.area;
  const float side = std::min(a.width(), a.height());
  const ImVec2 origin{a.min.x + 0.5f * (a.width() - side), a.min.y + 0.5f * (a.height() - side)};
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  draw->PushClipRect(a.min, a.max, true);
  auto plot = [&](const std::vector<Vec2f>& set, ImU32 c) {
    for (const Vec2f& p : set) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      const float u = (p.x - bounds.lo) / (bounds.hi - bounds.lo);
      const float v = (p.y - bounds.lo) / (bounds.hi - bounds.lo);
      const ImVec2 s{origin.x + u * side, origin.y + (1.0f - v) * side};
      draw->AddRectFilled({s.x - 1.0f, s.y - 1.0f}, {s.x + 1.0f, s.y + 1.0f}, c);
    }
  };
  plot(data, kDataColor);
  plot(points, color);
  draw->PopClipRect();
}

}  // namespace

const char* learnedOverlayName(LearnedOverlayKind kind) {
  switch (kind) {
    case LearnedOverlayKind::None:
      return "none";
    case LearnedOverlayKind::LearnedField:
      return "learned field";
    case LearnedOverlayKind::PerParticleError:
      return "per-particle error";
  }
  return "?";
}

LearnedView::LearnedView(LearnedSettings settings) : model_(std::move(settings)) {}

void LearnedView::setOverlay(LearnedOverlay overlay) {
  overlay.order = std::clamp(overlay.order, 1, LearnedModel::kOrders);
  overlay_ = overlay;
}

void LearnedView::draw(const flows::FlowScene& scene, float t) {
  model_.setScene(scene);
  model_.poll();
  ImGui::PushID("learned");
  ImGui::TextWrapped(
      "An MLP g(x, t) learns the exact Lagrangian v, a, j of this scene: the base for v, then low-rank "
      "adapters r_2, r_3 cascading on it (W + sum U_j V_j^T). t = %.3f.",
      t);
  drawStatus();
  ImGui::Separator();
  drawRanks();
  drawOrderTable();
  drawOverlayChoice();
  if (ImGui::CollapsingHeader("Compare variants", ImGuiTreeNodeFlags_DefaultOpen)) drawCompare();
  if (ImGui::CollapsingHeader("Few-step samples", ImGuiTreeNodeFlags_DefaultOpen)) drawSamples();
  ImGui::PopID();
}

void LearnedView::drawStatus() {
  const LearnedProgress& p = model_.progress();
  if (model_.training()) {
    char overlay[96];
    if (p.steps > 0)
      std::snprintf(overlay, sizeof overlay, "order %d: step %d/%d, loss %.3g", p.order, p.step, p.steps, p.loss);
    else
      std::snprintf(overlay, sizeof overlay, "%s", p.activity.empty() ? "starting" : p.activity.c_str());
    ImGui::TextUnformatted(p.activity.empty() ? "training" : p.activity.c_str());
    ImGui::ProgressBar(p.fraction, {-90.0f, 0.0f}, overlay);
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) model_.cancelTraining();
  } else {
    switch (p.state) {
      case TaskState::Failed:
        ImGui::TextColored({1.0f, 0.45f, 0.4f, 1.0f}, "training failed: %s", p.error.c_str());
        break;
      case TaskState::Cancelled:
        ImGui::TextUnformatted(model_.hasModel() ? "cancelled: showing the last finished model" : "cancelled");
        break;
      default:
        if (model_.hasModel())
          ImGui::Text("trained on %s (%d extra round%s; targets took %.1f s)", model_.snapshot().engine.c_str(),
                      model_.snapshot().rounds, model_.snapshot().rounds == 1 ? "" : "s",
                      model_.snapshot().targetSeconds);
        else
          ImGui::TextUnformatted("waiting for a scene");
    }
    if (p.state == TaskState::Cancelled || p.state == TaskState::Failed) {
      if (ImGui::Button("Resume training")) model_.train();
      ImGui::SameLine();
    }
    if (ImGui::Button("Train longer")) model_.trainLonger();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Another round from the current weights with twice the steps of the last one.");
  }
  if (!model_.message().empty()) ImGui::TextColored({1.0f, 0.7f, 0.3f, 1.0f}, "%s", model_.message().c_str());
}

void LearnedView::drawRanks() {
  const int maxRank = model_.maxRank();
  for (int k = 2; k <= LearnedModel::kOrders; ++k) {
    int r = model_.rank(k);
    char label[48];
    std::snprintf(label, sizeof label, "r_%d (%s)", k, kFieldNames[k - 1]);
    // Ctrl+click types a value; out-of-range ones reach setRank, which explains the refusal.
    if (ImGui::SliderInt(label, &r, 0, maxRank)) model_.setRank(k, r);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("%s", mathFormat("Moving r%s retrains orders ≥ %d only, warm-started from the current adapter.",
                                         subscript(k).c_str(), k)
                                  .c_str());
  }
}

void LearnedView::drawOrderTable() {
  if (!model_.hasModel()) return;
  const LearnedSnapshot& s = model_.snapshot();
  double worst = 1.0;
  for (const auto& o : s.orders) worst = std::max(worst, o.heldOutRelativeError);
  constexpr ImGuiTableFlags kFlags =
      ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
  if (ImGui::BeginTable("orders", 6, kFlags)) {
    ImGui::TableSetupColumn("order");
    ImGui::TableSetupColumn("rank");
    ImGui::TableSetupColumn("held-out rel. error", ImGuiTableColumnFlags_WidthStretch, 3.0f);
    ImGui::TableSetupColumn("parameters");
    ImGui::TableSetupColumn("FLOPs / point");
    ImGui::TableSetupColumn("train s");
    ImGui::TableHeadersRow();
    for (const auto& o : s.orders) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%d %s", o.order, kFieldNames[o.order - 1]);
      ImGui::TableNextColumn();
      if (o.order == 1)
        ImGui::TextUnformatted("base");
      else
        ImGui::Text("%d", o.rank);
      ImGui::TableNextColumn();
      errorBar(o.heldOutRelativeError, worst, kErrorBarColor);
      ImGui::TableNextColumn();
      ImGui::Text("%lld", static_cast<long long>(o.parameters));
      ImGui::TableNextColumn();
      ImGui::Text("%lld", static_cast<long long>(o.flopsPerEvaluation));
      ImGui::TableNextColumn();
      ImGui::Text("%.2f", o.trainSeconds);
    }
    ImGui::EndTable();
  }
  // The meter: what the cascade stores against one dense network per order.
  const std::int64_t total = s.network->totalParameterCount();
  const std::int64_t naive =
      static_cast<std::int64_t>(s.orders.size()) * (s.orders.empty() ? 0 : s.orders[0].parameters);
  ImGui::Text("parameters: %lld (cascade) vs %lld (a dense network per order), %.0f%%", static_cast<long long>(total),
              static_cast<long long>(naive),
              naive > 0 ? 100.0 * static_cast<double>(total) / static_cast<double>(naive) : 0.0);
  ImGui::ProgressBar(naive > 0 ? static_cast<float>(total) / static_cast<float>(naive) : 0.0f, {-1.0f, 0.0f}, "");
}

void LearnedView::drawOverlayChoice() {
  const char* kinds[] = {learnedOverlayName(LearnedOverlayKind::None),
                         learnedOverlayName(LearnedOverlayKind::LearnedField),
                         learnedOverlayName(LearnedOverlayKind::PerParticleError)};
  int kind = static_cast<int>(overlay_.kind);
  ImGui::SetNextItemWidth(uiScaled(180.0f));
  if (ImGui::Combo("show in flow view", &kind, kinds, 3)) overlay_.kind = static_cast<LearnedOverlayKind>(kind);
  ImGui::SameLine();
  int order = overlay_.order - 1;
  ImGui::SetNextItemWidth(uiScaled(150.0f));
  if (ImGui::Combo("order##overlay", &order, kFieldNames, LearnedModel::kOrders)) overlay_.order = order + 1;
}

void LearnedView::drawCompare() {
  const CompareResult& c = model_.comparison();
  if (c.state == TaskState::Running) {
    ImGui::ProgressBar(c.fraction, {-90.0f, 0.0f}, c.activity.c_str());
    ImGui::SameLine();
    if (ImGui::Button("Cancel##compare")) model_.cancelCompare();
  } else {
    if (ImGui::Button("Compare variants")) model_.compareVariants();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "Trains the cascade, independent LoRA and separate dense networks (equal parameter budget and "
          "steps) on the current base.");
    if (c.state == TaskState::Cancelled) ImGui::TextUnformatted("comparison cancelled");
    if (c.state == TaskState::Failed) ImGui::TextColored({1.0f, 0.45f, 0.4f, 1.0f}, "%s", c.error.c_str());
  }
  if (c.rows.empty()) return;
  double worst = 1.0;
  for (const auto& r : c.rows) worst = std::max(worst, r.heldOutRelativeError);
  constexpr ImGuiTableFlags kFlags =
      ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
  if (ImGui::BeginTable("variants", 5, kFlags)) {
    ImGui::TableSetupColumn("variant");
    ImGui::TableSetupColumn("order");
    ImGui::TableSetupColumn("held-out rel. error", ImGuiTableColumnFlags_WidthStretch, 3.0f);
    ImGui::TableSetupColumn("parameters");
    ImGui::TableSetupColumn("train s");
    ImGui::TableHeadersRow();
    for (const auto& r : c.rows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(learn::variantName(r.variant));
      ImGui::TableNextColumn();
      ImGui::Text("%d", r.order);
      ImGui::TableNextColumn();
      errorBar(r.heldOutRelativeError, worst, kVariantColors[static_cast<int>(r.variant)]);
      ImGui::TableNextColumn();
      ImGui::Text("%lld", static_cast<long long>(r.parameters));
      ImGui::TableNextColumn();
      ImGui::Text("%.2f", r.trainSeconds);
    }
    ImGui::EndTable();
  }
}

void LearnedView::drawSamples() {
  const SamplesResult& s = model_.samples();
  const char* stepLabels[] = {"1", "2", "4", "8", "16"};
  ImGui::SetNextItemWidth(uiScaled(80.0f));
  ImGui::Combo("Taylor-3 steps", &sampleStepsIndex_, stepLabels, 5);
  ImGui::SameLine();
  if (s.state == TaskState::Running) {
    ImGui::TextUnformatted("sampling...");
    ImGui::SameLine();
    if (ImGui::Button("Cancel##samples")) model_.cancelSamples();
  } else if (ImGui::Button("Sample")) {
    model_.requestSamples(LearnedModel::kSampleSteps[sampleStepsIndex_]);
  }
  if (s.state == TaskState::Failed) ImGui::TextColored({1.0f, 0.45f, 0.4f, 1.0f}, "%s", s.error.c_str());
  if (s.runs.empty()) return;
  ImGui::Text(
      "RK4/Heun/Euler use learned v at the 3N = %d network evaluations of Taylor-3; exact: RK4, 100 steps "
      "(SW to data %.4f)",
      3 * s.requestedSteps, s.exactSwdToData);
  constexpr ImGuiTableFlags kFlags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg;
  if (ImGui::BeginTable("solvers", 5, kFlags)) {
    ImGui::TableSetupColumn("show / solver");
    ImGui::TableSetupColumn("steps");
    ImGui::TableSetupColumn("evaluations");
    ImGui::TableSetupColumn("SW to data");
    ImGui::TableSetupColumn("SW to exact");
    ImGui::TableHeadersRow();
    for (std::size_t i = 0; i < s.runs.size(); ++i) {
      const SolverSamples& r = s.runs[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::RadioButton(flows::solverName(r.solver), &shownRun_, static_cast<int>(i));
      ImGui::TableNextColumn();
      ImGui::Text("%d", r.steps);
      ImGui::TableNextColumn();
      ImGui::Text("%d", r.networkEvaluations);
      ImGui::TableNextColumn();
      ImGui::Text("%.4f", r.swdToData);
      ImGui::TableNextColumn();
      ImGui::Text("%.4f", r.swdToExact);
    }
    ImGui::EndTable();
  }
  shownRun_ = std::clamp(shownRun_, 0, static_cast<int>(s.runs.size()) - 1);
  const SolverSamples& shown = s.runs[static_cast<std::size_t>(shownRun_)];
  const std::vector<Vec2f>& data = s.dataPoints;
  const ScatterBounds bounds = boundsOf(s.exactSamples);
  if (ImGui::BeginTable("scatter", 2)) {
    char title[96];
    ImGui::TableNextColumn();
    std::snprintf(title, sizeof title, "learned, %s %d steps (SW %.3f)", flows::solverName(shown.solver), shown.steps,
                  shown.swdToData);
    scatterPlot("learned_scatter", title, data, shown.samples, kLearnedColor, bounds);
    ImGui::TableNextColumn();
    std::snprintf(title, sizeof title, "exact, RK4 100 steps (SW %.3f)", s.exactSwdToData);
    scatterPlot("exact_scatter", title, data, s.exactSamples, kExactFlowColour, bounds);
    ImGui::EndTable();
  }
}

std::string LearnedView::exportJson() const {
  nlohmann::json j = nlohmann::json::parse(model_.exportJson());
  j["overlay"] = {{"kind", learnedOverlayName(overlay_.kind)}, {"order", overlay_.order}};
  j["sample_steps"] = LearnedModel::kSampleSteps[sampleStepsIndex_];
  const auto& runs = model_.samples().runs;
  if (!runs.empty())
    j["shown_solver"] =
        flows::solverName(runs[static_cast<std::size_t>(std::clamp(shownRun_, 0, int(runs.size()) - 1))].solver);
  return j.dump(2);
}

}  // namespace rankflow::app
