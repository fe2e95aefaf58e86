#include "app/ui/panels/ranks_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "app/ui/imgui_style.h"
#include "app/ui/keys.h"
#include "app/ui/widgets/imgui_charts.h"
#include "app/ui/widgets/math_text.h"
#include "app/ui/widgets/plot_capture.h"
#include "app/ui/widgets/scene_combo.h"
#include "app/viewer/units_text.h"

namespace rankflow::app {
namespace {

using charts::dashedLine;
using charts::kChartAxis;
using charts::kChartGrid;
using charts::legendItem;
using charts::Swatch;

constexpr ImU32 kAtTColor = IM_COL32(90, 150, 230, 255);
constexpr ImU32 kGenericColor = IM_COL32(240, 160, 60, 255);
constexpr ImU32 kExactRankColour = IM_COL32(245, 245, 245, 255);
constexpr ImU32 kFact14Color = IM_COL32(230, 70, 70, 255);
constexpr ImU32 kFact17Color = IM_COL32(190, 110, 230, 255);
constexpr ImU32 kDimensionColor = IM_COL32(150, 150, 150, 255);
constexpr ImU32 kBelowTolColor = IM_COL32(120, 120, 120, 255);
constexpr ImU32 kHighlightColor = IM_COL32(255, 255, 255, 22);
// Narrower than the charts' default: the rank labels are short.
constexpr float kChartLeftMargin = 48.0f;

const ImVec4 kFeasibleText{0.35f, 0.85f, 0.40f, 1.0f};
const ImVec4 kInfeasibleText{0.95f, 0.35f, 0.35f, 1.0f};
const ImVec4 kUnknownText{0.65f, 0.65f, 0.65f, 1.0f};
const ImVec4 kErrorText{0.95f, 0.45f, 0.35f, 1.0f};

std::string listText(const std::vector<int>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

}  // namespace

RanksPanel::RanksPanel() {
  std::snprintf(sequenceBuffer_.data(), sequenceBuffer_.size(), "%s", "2,1,5");
}

void RanksPanel::syncParameterBuffers() {
  parametersOf_ = model_.scene();
  parameterBuffers_.clear();
  for (const theory::SceneParameter& p : model_.parameters()) {
    std::array<char, 128> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%s", p.value.c_str());
    parameterBuffers_.push_back(buffer);
  }
}

void RanksPanel::draw(bool* open) {
  if (open && !*open) return;
  // The first frame starts the work; later frames only collect what the workers published.
  if (!started_) {
    started_ = true;
    model_.recompute();
    model_.checkFeasibility(sequenceBuffer_.data());
  }
  model_.poll();
  const int orders = static_cast<int>(model_.profile().orders.size());
  selectedOrder_ = std::clamp(selectedOrder_, 0, std::max(0, orders - 1));

  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos({std::max(uiScaled(12.0f), display.x - uiScaled(12.0f + 720.0f)), uiScaled(12.0f)},
                          ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize({uiScaled(720.0f), std::max(uiScaled(300.0f), display.y - uiScaled(24.0f))},
                           ImGuiCond_FirstUseEver);
  if (ImGui::Begin("Ranks", open)) {
    drawInputs();
    ImGui::Separator();
    drawProfileChart();
    ImGui::Separator();
    drawSpectrumChart();
    ImGui::Separator();
    drawRankTable();
    ImGui::Separator();
    drawFeasibility();
  }
  ImGui::End();
}

void RanksPanel::drawInputs() {
  if (parametersOf_ != model_.scene() || parameterBuffers_.size() != model_.parameters().size()) syncParameterBuffers();

  sceneCombo(model_, 160.0f);
  if (parametersOf_ != model_.scene()) syncParameterBuffers();
  // Parameters apply when an edit is finished (Enter or leaving the field), not per keystroke.
  const auto& parameters = model_.parameters();
  for (std::size_t i = 0; i < parameters.size() && i < parameterBuffers_.size(); ++i) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(parameters[i].name == "ranks" ? 110.0f : 48.0f);
    const std::string name = parameters[i].name;
    ImGui::InputText(name.c_str(), parameterBuffers_[i].data(), parameterBuffers_[i].size());
    if (ImGui::IsItemDeactivatedAfterEdit()) model_.setParameter(name, parameterBuffers_[i].data());
  }
  for (const auto& info : model_.scenes())
    if (info.name == model_.scene()) ImGui::TextDisabled("%s", info.statement.c_str());

  int k = model_.maxOrder();
  ImGui::SetNextItemWidth(uiScaled(180.0f));
  if (ImGui::SliderInt("max order K", &k, 0, RanksModel::kMaxOrder)) model_.setMaxOrder(k);
  ImGui::SameLine();
  float t = static_cast<float>(model_.t());
  ImGui::SetNextItemWidth(uiScaled(180.0f));
  if (ImGui::SliderFloat("t", &t, -2.0f, 2.0f, "t = %.3f")) model_.setT(t);
  ImGui::SameLine();
  if (ImGui::SmallButton("t = 0")) model_.setT(0.0);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Lemma 1.5: at t = 0 any sequence is reached, generically not");

  bool exact = model_.exactEnabled();
  if (ImGui::Checkbox("exact rank over GF(p)", &exact)) model_.setExactEnabled(exact);
  ImGui::SameLine();
  if (ImGui::Checkbox("custom tolerance", &customTolerance_))
    model_.setTolerance(customTolerance_ ? std::optional<double>(std::pow(10.0, toleranceExponent_)) : std::nullopt);
  if (customTolerance_) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(uiScaled(160.0f));
    if (ImGui::SliderFloat("##tol", &toleranceExponent_, -16.0f, 2.0f, "tol = 1e%.1f"))
      model_.setTolerance(std::pow(10.0, toleranceExponent_));
  } else {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", mathText("tol = σₘₐₓ · max(m,n) · ε").c_str());
  }

  const RanksProfile& p = model_.profile();
  if (!p.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, kErrorText);
    ImGui::TextWrapped("%s", p.error.c_str());
    ImGui::PopStyleColor();
  } else if (p.generation > 0) {
    ImGui::TextUnformatted(
        mathFormat("B is %d×%d; ranks of B⁽ᵏ⁾(t) at t = %.3f and generically (max over 8 random t in [−1, 1])", p.rows,
                   p.cols, p.t)
            .c_str());
  }
  if (model_.computing()) {
    ImGui::SameLine();
    ImGui::TextDisabled("computing...");
  }
}

void RanksPanel::drawProfileChart() {
  const RanksProfile& p = model_.profile();
  ImGui::Text("Rank profile (click an order to see its spectrum)");
  const ImVec2 frameMin = ImGui::GetCursorScreenPos();
  const charts::ChartFrame chart = reserveCaptureChart("##profile", 230.0f, kChartLeftMargin);
  const charts::PlotArea& area = chart.area;
  const ScopedPlotCapture capture("ranks-profile", frameMin, ImGui::GetItemRectMax());
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  const int n = static_cast<int>(p.orders.size());
  if (n == 0) {
    draw->AddText({area.min.x, area.min.y + 4.0f}, kChartAxis, p.error.empty() ? "computing..." : "no profile");
  } else {
    // The y range shows every rank and min(m, n), and ceilings up to twice that; higher ones
    // are clipped and marked at the top, since Fact 1.7's (k+1) r_0 outgrows everything else
    // and would flatten the bars.
    const int dimension = std::min(p.rows, p.cols);
    int top = dimension, ceiling = 0;
    for (const OrderRanks& o : p.orders) {
      top = std::max({top, o.atT.rank, o.generic.rank, o.genericRank()});
      ceiling = std::max({ceiling, o.ceilingFact17, o.ceilingFact14.value_or(0)});
    }
    const float yMax =
        std::max(static_cast<float>(top) * 1.25f + 1.0f, static_cast<float>(std::min(ceiling, 2 * top)) * 1.08f);
    const float slot = area.width() / static_cast<float>(n);
    const auto xAt = [&](int k) { return area.min.x + slot * (static_cast<float>(k) + 0.5f); };
    const auto yAt = [&](double v) { return area.max.y - area.height() * static_cast<float>(v / yMax); };

    const int step = std::max(1, static_cast<int>(std::ceil(yMax / 6.0f)));
    for (int v = 0; v <= static_cast<int>(yMax); v += step) {
      draw->AddLine({area.min.x, yAt(v)}, {area.max.x, yAt(v)}, kChartGrid);
      char label[16];
      std::snprintf(label, sizeof label, "%d", v);
      draw->AddText({area.min.x - 8.0f - ImGui::CalcTextSize(label).x, yAt(v) - 7.0f}, kChartAxis, label);
    }
    const int hoveredOrder =
        chart.hovered ? std::clamp(static_cast<int>((chart.mouse.x - area.min.x) / slot), 0, n - 1) : -1;
    for (int k = 0; k < n; ++k) {
      if (k == selectedOrder_ || k == hoveredOrder) {
        draw->AddRectFilled({xAt(k) - slot * 0.5f, area.min.y}, {xAt(k) + slot * 0.5f, area.max.y},
                            k == selectedOrder_ ? kHighlightColor : IM_COL32(255, 255, 255, 12));
      }
      char label[16];
      std::snprintf(label, sizeof label, "%d", k);
      draw->AddText({xAt(k) - ImGui::CalcTextSize(label).x * 0.5f, area.max.y + 5.0f}, kChartAxis, label);
    }
    draw->AddLine({area.min.x, area.max.y}, {area.max.x, area.max.y}, kChartAxis);
    draw->AddLine({area.min.x, area.min.y}, {area.min.x, area.max.y}, kChartAxis);

    draw->PushClipRect(area.min, area.max, true);
    dashedLine(draw, {area.min.x, yAt(dimension)}, {area.max.x, yAt(dimension)}, kDimensionColor);
    const float bar = std::min(slot * 0.3f, 28.0f);
    for (int k = 0; k < n; ++k) {
      const OrderRanks& o = p.orders[static_cast<std::size_t>(k)];
      draw->AddRectFilled({xAt(k) - bar - 1.0f, yAt(o.atT.rank)}, {xAt(k) - 1.0f, area.max.y}, kAtTColor);
      draw->AddRectFilled({xAt(k) + 1.0f, yAt(o.generic.rank)}, {xAt(k) + bar + 1.0f, area.max.y}, kGenericColor);
      if (o.exact) draw->AddCircleFilled({xAt(k) + bar * 0.5f + 1.0f, yAt(o.exact->rank)}, 4.5f, kExactRankColour);
    }
    // Ceilings as polylines through the orders, with a dot on each value.
    for (int k = 0; k < n; ++k) {
      const OrderRanks& o = p.orders[static_cast<std::size_t>(k)];
      if (k + 1 < n) {
        const OrderRanks& next = p.orders[static_cast<std::size_t>(k) + 1];
        draw->AddLine({xAt(k), yAt(o.ceilingFact17)}, {xAt(k + 1), yAt(next.ceilingFact17)}, kFact17Color, 2.0f);
        if (o.ceilingFact14 && next.ceilingFact14)
          draw->AddLine({xAt(k), yAt(*o.ceilingFact14)}, {xAt(k + 1), yAt(*next.ceilingFact14)}, kFact14Color, 2.0f);
      }
      draw->AddCircleFilled({xAt(k), yAt(o.ceilingFact17)}, 3.0f, kFact17Color);
      if (o.ceilingFact14) draw->AddCircleFilled({xAt(k), yAt(*o.ceilingFact14)}, 3.0f, kFact14Color);
    }
    draw->PopClipRect();
    // Ceilings above the range: a small arrow at the top edge (the tooltip has the value).
    for (int k = 0; k < n; ++k) {
      const OrderRanks& o = p.orders[static_cast<std::size_t>(k)];
      const auto arrow = [&](float dx, ImU32 color) {
        const float x = xAt(k) + dx, y = area.min.y;
        draw->AddTriangleFilled({x - 4.0f, y + 7.0f}, {x + 4.0f, y + 7.0f}, {x, y}, color);
      };
      if (o.ceilingFact14 && static_cast<float>(*o.ceilingFact14) > yMax) arrow(-5.0f, kFact14Color);
      if (static_cast<float>(o.ceilingFact17) > yMax) arrow(5.0f, kFact17Color);
    }

    if (hoveredOrder >= 0) {
      const OrderRanks& o = p.orders[static_cast<std::size_t>(hoveredOrder)];
      ImGui::BeginTooltip();
      ImGui::TextUnformatted(mathFormat("B⁽%s⁾", superscript(o.k).c_str()).c_str());
      ImGui::Text("rank at t = %.3f: %d (tol %.2e)", p.t, o.atT.rank, o.atT.tolerance);
      ImGui::Text("generic (numerical): %d", o.generic.rank);
      if (o.exact) {
        ImGui::TextUnformatted(
            mathFormat("exact over GF(p): %d (failure ≤ %.1e)", o.exact->rank, o.exact->failureBound).c_str());
      } else if (!o.exactUnavailable.empty()) {
        ImGui::Text("exact: unavailable");
      }
      if (o.ceilingFact14)
        ImGui::TextUnformatted(
            mathFormat("Fact 1.4 ceiling 2 r%s = %d", subscript(o.k - 1).c_str(), *o.ceilingFact14).c_str());
      ImGui::TextUnformatted(mathFormat("Fact 1.7 ceiling (%d+1) r₀ = %d", o.k, o.ceilingFact17).c_str());
      ImGui::Text("min(m, n) = %d", dimension);
      ImGui::EndTooltip();
      if (chart.clicked) selectedOrder_ = hoveredOrder;
    }
  }
  legendItem("rank at t", kAtTColor, Swatch::Bar, true);
  legendItem("generic (numerical)", kGenericColor, Swatch::Bar, false);
  legendItem("exact GF(p)", kExactRankColour, Swatch::Dot, false);
  legendItem(mathText("Fact 1.4: 2 rₖ₋₁").c_str(), kFact14Color, Swatch::Line, false);
  legendItem(mathText("Fact 1.7: (k+1) r₀").c_str(), kFact17Color, Swatch::Line, false);
  legendItem("min(m, n)", kDimensionColor, Swatch::Dashed, false);
}

void RanksPanel::drawSpectrumChart() {
  const RanksProfile& p = model_.profile();
  if (p.orders.empty()) return;
  const OrderRanks& o = p.orders[static_cast<std::size_t>(selectedOrder_)];
  ImGui::TextUnformatted(
      mathFormat("Singular values of B⁽%s⁾(t) at t = %.3f (log scale)", superscript(o.k).c_str(), p.t).c_str());
  const ImVec2 frameMin = ImGui::GetCursorScreenPos();
  const charts::ChartFrame chart = reserveCaptureChart("##spectrum", 200.0f, kChartLeftMargin);
  const charts::PlotArea& area = chart.area;
  const ScopedPlotCapture capture("ranks-spectrum", frameMin, ImGui::GetItemRectMax());
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  const Eigen::VectorXd& atT = o.atT.singularValues;
  const Eigen::VectorXd& best = o.generic.best.singularValues;
  const double largest = std::max(atT.size() ? atT.maxCoeff() : 0.0, best.size() ? best.maxCoeff() : 0.0);
  if (!(largest > 0.0) || !std::isfinite(largest)) {
    draw->AddText({area.min.x, area.min.y + 4.0f}, kChartAxis,
                  mathText(largest == 0.0 ? "B⁽ᵏ⁾(t) = 0: every singular value is 0" : "no finite spectrum").c_str());
    return;
  }
  // Decades from the largest value down to the smallest positive one (or the tolerance),
  // at most 20 below: exact zeros sit on the floor instead of at -infinity.
  double smallest = largest;
  for (const Eigen::VectorXd* v : {&atT, &best}) {
    for (Eigen::Index i = 0; i < v->size(); ++i) {
      if ((*v)(i) > 0.0) smallest = std::min(smallest, (*v)(i));
    }
  }
  if (o.atT.tolerance > 0.0) smallest = std::min(smallest, o.atT.tolerance);
  const double hi = std::ceil(std::log10(largest) + 1e-9);
  const double lo = std::max(std::floor(std::log10(smallest)), hi - 20.0);
  const double span = std::max(hi - lo, 1.0);
  const auto yAt = [&](double v) {
    const double d = v > 0.0 ? std::clamp(std::log10(v), lo, hi) : lo;
    return area.max.y - area.height() * static_cast<float>((d - lo) / span);
  };
  const Eigen::Index count = std::max(atT.size(), best.size());
  const auto xAt = [&](Eigen::Index i) {
    return count <= 1 ? (area.min.x + area.max.x) * 0.5f
                      : area.min.x + area.width() * static_cast<float>(i) / static_cast<float>(count - 1);
  };

  const int labelStep = std::max(1, static_cast<int>(std::ceil(span / 6.0)));
  for (int d = static_cast<int>(lo); d <= static_cast<int>(hi); ++d) {
    const float y = yAt(std::pow(10.0, d));
    draw->AddLine({area.min.x, y}, {area.max.x, y}, kChartGrid);
    if ((static_cast<int>(hi) - d) % labelStep != 0) continue;  // the top decade always has its label
    char label[16];
    std::snprintf(label, sizeof label, "1e%d", d);
    draw->AddText({area.min.x - 8.0f - ImGui::CalcTextSize(label).x, y - 7.0f}, kChartAxis, label);
  }
  draw->AddLine({area.min.x, area.max.y}, {area.max.x, area.max.y}, kChartAxis);
  draw->AddLine({area.min.x, area.min.y}, {area.min.x, area.max.y}, kChartAxis);
  for (Eigen::Index i = 0; i < count; ++i) {
    char label[16];
    std::snprintf(label, sizeof label, "%d", static_cast<int>(i + 1));
    if (count <= 24 || i % ((count + 23) / 24) == 0)
      draw->AddText({xAt(i) - ImGui::CalcTextSize(label).x * 0.5f, area.max.y + 5.0f}, kChartAxis, label);
  }

  draw->PushClipRect({area.min.x - 6.0f, area.min.y - 6.0f}, {area.max.x + 6.0f, area.max.y + 6.0f}, true);
  for (Eigen::Index i = 0; i + 1 < best.size(); ++i)
    draw->AddLine({xAt(i), yAt(best(i))}, {xAt(i + 1), yAt(best(i + 1))}, kGenericColor, 1.0f);
  for (Eigen::Index i = 0; i < best.size(); ++i) draw->AddCircle({xAt(i), yAt(best(i))}, 3.5f, kGenericColor);
  for (Eigen::Index i = 0; i + 1 < atT.size(); ++i)
    draw->AddLine({xAt(i), yAt(atT(i))}, {xAt(i + 1), yAt(atT(i + 1))}, kAtTColor, 1.5f);
  for (Eigen::Index i = 0; i < atT.size(); ++i)
    draw->AddCircleFilled({xAt(i), yAt(atT(i))}, 4.0f, atT(i) > o.atT.tolerance ? kAtTColor : kBelowTolColor);
  if (o.atT.tolerance > 0.0) {
    const float y = yAt(o.atT.tolerance);
    dashedLine(draw, {area.min.x, y}, {area.max.x, y}, kFact14Color);
    char label[48];
    std::snprintf(label, sizeof label, "tol %.2e", o.atT.tolerance);
    draw->AddText({area.max.x - ImGui::CalcTextSize(label).x - 4.0f, y - 16.0f}, kFact14Color, label);
  }
  draw->PopClipRect();

  if (chart.hovered && count > 0) {
    const float fraction = std::clamp((chart.mouse.x - area.min.x) / std::max(area.width(), 1.0f), 0.0f, 1.0f);
    const Eigen::Index i = std::clamp<Eigen::Index>(
        static_cast<Eigen::Index>(std::lround(fraction * static_cast<float>(count - 1))), 0, count - 1);
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(mathFormat("σ%s", subscript(static_cast<long long>(i) + 1).c_str()).c_str());
    if (i < atT.size()) {
      ImGui::Text("at t = %.3f: %.3e (%s tol %.2e)", p.t, atT(i), atT(i) > o.atT.tolerance ? "above" : "below",
                  o.atT.tolerance);
    }
    if (i < best.size() && !o.generic.sampleTimes.empty()) {
      const auto at = std::find(o.generic.sampleRanks.begin(), o.generic.sampleRanks.end(), o.generic.rank);
      const double tBest = o.generic.sampleTimes[static_cast<std::size_t>(at - o.generic.sampleRanks.begin())];
      ImGui::Text("at the generic sample t = %.3f: %.3e (tol %.2e)", tBest, best(i), o.generic.best.tolerance);
    }
    ImGui::EndTooltip();
  }
  legendItem("at t", kAtTColor, Swatch::Dot, true);
  legendItem("below tolerance", kBelowTolColor, Swatch::Dot, false);
  legendItem("at the generic sample", kGenericColor, Swatch::Line, false);
  legendItem("tolerance", kFact14Color, Swatch::Dashed, false);
}

void RanksPanel::drawRankTable() {
  const RanksProfile& p = model_.profile();
  if (p.orders.empty()) return;
  ImGui::Text("Ranks per order");
  // Where the numerical ranks came from: every B^(k) at t and at the generic samples, with
  // their SVDs, in one submission to this backend.
  ImGui::SameLine();
  ImGui::TextDisabled("numerical: %s, %s", p.computedOn.c_str(), formatSeconds(p.computeSeconds).c_str());
  if (ImGui::IsItemHovered() && !p.computeNote.empty()) ImGui::SetTooltip("%s", p.computeNote.c_str());
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchSame;
  if (ImGui::BeginTable("##ranks", 7, flags)) {
    ImGui::TableSetupColumn("k");
    ImGui::TableSetupColumn("at t");
    ImGui::TableSetupColumn("generic");
    ImGui::TableSetupColumn("exact GF(p)");
    ImGui::TableSetupColumn("failure bound");
    ImGui::TableSetupColumn("Fact 1.4");
    ImGui::TableSetupColumn("Fact 1.7");
    ImGui::TableHeadersRow();
    for (const OrderRanks& o : p.orders) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      char label[16];
      std::snprintf(label, sizeof label, "%d", o.k);
      if (ImGui::Selectable(label, o.k == selectedOrder_, ImGuiSelectableFlags_SpanAllColumns)) selectedOrder_ = o.k;
      ImGui::TableNextColumn();
      ImGui::Text("%d", o.atT.rank);
      ImGui::TableNextColumn();
      ImGui::Text("%d", o.generic.rank);
      ImGui::TableNextColumn();
      if (o.exact) {
        ImGui::Text("%d", o.exact->rank);
      } else if (!o.exactUnavailable.empty()) {
        ImGui::TextDisabled("n/a");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", o.exactUnavailable.c_str());
      } else if (p.exactState == TaskState::Running) {
        ImGui::TextDisabled("computing...");
      } else if (p.exactState == TaskState::Cancelled) {
        ImGui::TextDisabled("cancelled");
      } else {
        ImGui::TextDisabled("-");
      }
      ImGui::TableNextColumn();
      if (o.exact) {
        ImGui::Text("%.1e", o.exact->failureBound);
      } else {
        ImGui::TextDisabled("-");
      }
      ImGui::TableNextColumn();
      if (o.ceilingFact14) {
        ImGui::Text("%d", *o.ceilingFact14);
      } else {
        ImGui::TextDisabled("-");
      }
      ImGui::TableNextColumn();
      ImGui::Text("%d", o.ceilingFact17);
    }
    ImGui::EndTable();
  }
  if (p.exactState == TaskState::Running) {
    char overlay[32];
    std::snprintf(overlay, sizeof overlay, "exact %d/%d", p.exactSettled(), static_cast<int>(p.orders.size()));
    ImGui::ProgressBar(model_.exactProgress(), {-90.0f, 0.0f}, overlay);
    ImGui::SameLine();
    if (ImGui::Button("Cancel", {80.0f, 0.0f})) model_.cancelExact();
  } else if (p.exactState == TaskState::Cancelled) {
    ImGui::TextDisabled("exact ranks cancelled");
    ImGui::SameLine();
    if (ImGui::SmallButton("run again")) model_.recompute();
  }
}

void RanksPanel::drawFeasibility() {
  ImGui::Text("Feasibility of a rank sequence r_0, r_1, ..., r_K");
  // A check started from elsewhere (the app, lecture mode) shows its input in the field too.
  const FeasibilityView& shown = model_.feasibility();
  if (shown.generation != feasibilityShown_) {
    feasibilityShown_ = shown.generation;
    if (shown.generation != 0) std::snprintf(sequenceBuffer_.data(), sequenceBuffer_.size(), "%s", shown.input.c_str());
  }
  ImGui::SetNextItemWidth(uiScaled(220.0f));
  const bool entered = ImGui::InputText("##sequence", sequenceBuffer_.data(), sequenceBuffer_.size(),
                                        ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (ImGui::Button("Check") || entered) model_.checkFeasibility(sequenceBuffer_.data());
  const FeasibilityView& f = model_.feasibility();
  switch (f.state) {
    case TaskState::Idle:
      ImGui::TextDisabled("e.g. 2,1,5 or 1,2,4 or 3,5,7,8");
      break;
    case TaskState::Queued:
    case TaskState::Running:
    case TaskState::Cancelled:  // a newer check replaces a running one; it is never stopped
      ImGui::TextDisabled("checking (%s)...", listText(f.ranks).c_str());
      break;
    case TaskState::Failed:
      ImGui::PushStyleColor(ImGuiCol_Text, kErrorText);
      ImGui::TextWrapped("'%s': %s", f.input.c_str(), f.error.c_str());
      ImGui::PopStyleColor();
      break;
    case TaskState::Done: {
      const theory::Verdict v = f.result.verdict;
      const ImVec4 color = v == theory::Verdict::Feasible
                               ? kFeasibleText
                               : (v == theory::Verdict::Infeasible ? kInfeasibleText : kUnknownText);
      ImGui::TextColored(color, "(%s): %s", listText(f.ranks).c_str(), theory::verdictName(v));
      ImGui::TextWrapped("%s", f.result.reason.c_str());
      if (v == theory::Verdict::Feasible) {
        std::string blocks;
        for (std::size_t i = 0; i < f.result.blocks.size(); ++i) blocks += (i ? ", " : "") + f.result.blocks[i];
        ImGui::TextWrapped("B = blockdiag(%s), %dx%d", blocks.c_str(), f.result.construction.rows(),
                           f.result.construction.cols());
        ImGui::TextUnformatted(mathFormat("exact ranks of B⁽ᵏ⁾: %s", listText(f.result.realized).c_str()).c_str());
      }
      break;
    }
  }
}

std::string RanksPanel::exportJson() const {
  nlohmann::json out = nlohmann::json::parse(model_.exportJson());
  out["selected_order"] = selectedOrder_;
  return out.dump(1);
}

bool RanksPanel::busy() const {
  return model_.computing() || model_.profile().exactState == TaskState::Running;
}

// [SECTION] Registration

PanelInfo ranksPanelInfo() {
  return {.id = "ranks",
          .title = "Ranks",
          .toggleLabel = "Ranks F2",
          .shortcut = {keys::kF2, "F2", "Ranks panel"},
          .toggleOrder = 0,
          .make = [](PanelHost&) { return std::make_unique<RanksPanel>(); }};
}

}  // namespace rankflow::app
