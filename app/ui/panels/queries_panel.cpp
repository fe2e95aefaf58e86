#include "app/ui/panels/queries_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "app/ui/imgui_style.h"
#include "app/ui/keys.h"
#include "app/ui/panels/timeline_panel.h"
#include "app/ui/widgets/imgui_charts.h"
#include "app/ui/widgets/math_text.h"
#include "app/ui/widgets/plot_capture.h"
#include "app/viewer/units_text.h"

namespace rankflow::app {
namespace {

using lowrank::Strategy;

constexpr ImU32 kTextColor = IM_COL32(230, 232, 238, 255);
constexpr ImU32 kDimText = IM_COL32(150, 155, 165, 255);
constexpr ImU32 kGrid = IM_COL32(255, 255, 255, 28);
constexpr ImU32 kPlotBg = IM_COL32(20, 22, 28, 255);
constexpr ImU32 kVisited = IM_COL32(255, 196, 60, 255);
constexpr ImU32 kRouterBg = IM_COL32(255, 214, 90, 40);
constexpr ImU32 kTreeNodeColour = IM_COL32(70, 80, 100, 255);
constexpr ImU32 kPaddedColor = IM_COL32(40, 42, 50, 255);
const ImVec4 kGood = {0.55f, 0.9f, 0.6f, 1.0f};
// Shorter than the charts' default dash, as this panel has always drawn them (its goldens).
constexpr float kDash = 5.0f;

ImU32 strategyColor(Strategy s) {
  switch (s) {
    case Strategy::Tree:
      return IM_COL32(90, 160, 255, 255);
    case Strategy::SumThenMultiply:
      return IM_COL32(95, 205, 125, 255);
    case Strategy::OnTheFly:
      return IM_COL32(255, 150, 60, 255);
    case Strategy::PrefixSums:
      return IM_COL32(200, 115, 235, 255);
  }
  return kTextColor;
}

// CUDA series share their strategy's hue, paler, so "tree" reads as tree on either device.
ImU32 cudaColor(Strategy s) {
  const ImVec4 c = ImGui::ColorConvertU32ToFloat4(strategyColor(s));
  return ImGui::ColorConvertFloat4ToU32({0.5f + 0.5f * c.x, 0.5f + 0.5f * c.y, 0.5f + 0.5f * c.z, 1.0f});
}

ImU32 withAlpha(ImU32 color, int alpha) {
  return (color & ~IM_COL32_A_MASK) | (static_cast<ImU32>(alpha) << IM_COL32_A_SHIFT);
}

std::string formatLength(double length) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", length);
  return text;
}

// A crossover length, or which side won everywhere when the sign never changed on the grid.
std::string crossoverText(const SweepReport& sweep, double length, Strategy against, bool measured) {
  if (std::isfinite(length)) return formatLength(length);
  if (sweep.points.empty()) return "-";
  const SweepPoint& first = sweep.points.front();
  const auto& times = measured ? first.measuredSeconds : first.predictedSeconds;
  return times[static_cast<std::size_t>(Strategy::OnTheFly)] > times[static_cast<std::size_t>(against)]
             ? "none (fly never cheaper)"
             : "none (fly cheaper throughout)";
}

// A log10 axis from [lo, hi] onto screen coordinates [p0, p1].
struct LogAxis {
  double lo = 1, hi = 10;
  float p0 = 0, p1 = 1;
  float map(double v) const {
    const double t = (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
    return p0 + static_cast<float>(t) * (p1 - p0);
  }
};

// Decades that enclose every positive finite value (one decade at least).
LogAxis decadeAxis(const std::vector<double>& values) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (double v : values) {
    if (std::isfinite(v) && v > 0) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  LogAxis axis;
  if (hi <= 0) return axis;
  axis.lo = std::pow(10.0, std::floor(std::log10(lo)));
  axis.hi = std::pow(10.0, std::ceil(std::log10(hi)));
  if (axis.hi <= axis.lo) axis.hi = axis.lo * 10;
  return axis;
}

// The powers of ten from axis.lo to axis.hi, for grid lines and tick labels.
std::vector<double> decades(const LogAxis& axis) {
  std::vector<double> out;
  const int first = static_cast<int>(std::lround(std::log10(axis.lo)));
  const int last = static_cast<int>(std::floor(std::log10(axis.hi) + 1e-9));
  for (int e = first; e <= last; ++e) out.push_back(std::pow(10.0, e));
  return out;
}

void statusLine(const JobStatus& status, const char* what) {
  switch (status.state) {
    case TaskState::Failed:
      ImGui::TextColored(kWarningText, "%s failed: %s", what, status.message.c_str());
      break;
    case TaskState::Cancelled:
      ImGui::TextColored(kWarningText, "%s %s", what, status.message.c_str());
      break;
    case TaskState::Done:
      if (!status.message.empty()) ImGui::TextDisabled("%s", status.message.c_str());
      break;
    default:
      break;
  }
}

}  // namespace

QueriesPanel::QueriesPanel(const QuerySizes& initial) : model_(initial), edit_(initial) {
  l_ = model_.view().l;
  h_ = model_.view().h;
}

std::string QueriesPanel::exportJson() const {
  return model_.exportJson();
}

void QueriesPanel::draw(bool* open) {
  if (open && !*open) return;
  model_.poll();
  const QueriesView& view = model_.view();
  // The model clamps the interval to a new tree; the sliders follow what it holds.
  l_ = view.l;
  h_ = view.h;
  // A new tree gets its sweep without asking: the chart is half of what the panel is for.
  const JobStatus& build = view.job(QueryJob::Build);
  if (build.state == TaskState::Done && build.id != sweptBuild_ && view.treeReady) {
    sweptBuild_ = build.id;
    model_.requestSweep(sweepPoints_);
  }

  // Above the Timeline, which is pinned to the bottom of the display: at 1600 × 900 an
  // 860-pixel window hid its last rows behind it. What does not fit scrolls.
  ImVec2 timelinePos, timelineSize;
  TimelinePanel::defaultRect(ImGui::GetIO().DisplaySize, 0.0f, &timelinePos, &timelineSize);
  const float height = std::clamp(timelinePos.y - uiScaled(24.0f), uiScaled(300.0f), uiScaled(860.0f));
  ImGui::SetNextWindowPos({uiScaled(390.0f), uiScaled(12.0f)}, ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize({uiScaled(880.0f), height}, ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Queries", open)) {
    ImGui::End();
    return;
  }
  drawSizes(view);
  ImGui::Separator();
  if (view.treeReady) {
    drawInterval(view);
    ImGui::Separator();
    drawStrategies(view);
    ImGui::Separator();
    drawTree(view);
    ImGui::Separator();
    drawUpdates(view);
    ImGui::Separator();
    drawSweep(view);
  } else {
    ImGui::TextDisabled("no tree yet");
  }
  ImGui::Separator();
  if (ImGui::Button("Copy JSON")) ImGui::SetClipboardText(exportJson().c_str());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the sizes, times, trace and sweep behind this view");
  ImGui::End();
}

void QueriesPanel::drawSizes(const QueriesView& view) {
  ImGui::TextUnformatted(mathText("Matrix segment tree: Y = Σᵢ₌ₗʳ Aᵢ Bᵢᵀ X, Aᵢ, Bᵢ ∈ ℝᵈˣʳ, X ∈ ℝᵈˣⁿ").c_str());
  ImGui::PushItemWidth(uiScaled(80.0f));
  ImGui::InputInt("m", &edit_.m, 0);
  ImGui::SameLine();
  ImGui::InputInt("d", &edit_.d, 0);
  ImGui::SameLine();
  ImGui::InputInt("r##rank", &edit_.r, 0);
  ImGui::SameLine();
  ImGui::InputInt("n", &edit_.n, 0);
  ImGui::SameLine();
  ImGui::InputScalar("seed", ImGuiDataType_U64, &edit_.seed);
  ImGui::PopItemWidth();
  ImGui::SameLine();
  if (ImGui::Button("Apply")) {
    const Submission s = model_.requestBuild(edit_);
    refusal_ = s.accepted ? "" : s.message;
  }
  if (const std::string problem = QueriesModel::validateSizes(edit_); !problem.empty()) {
    ImGui::TextColored(kWarningText, "%s", problem.c_str());
  } else if (!refusal_.empty()) {
    ImGui::TextColored(kWarningText, "%s", refusal_.c_str());
  }

  const JobStatus& build = view.job(QueryJob::Build);
  if (build.state == TaskState::Queued || build.state == TaskState::Running) {
    const QuerySizes& t = view.targetSizes;
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, "building m = %d, d = %d: %s", t.m, t.d, build.message.c_str());
    ImGui::ProgressBar(build.progress, {-90.0f, 0.0f}, overlay);
    ImGui::SameLine();
    if (ImGui::Button("Cancel##build")) model_.cancel(QueryJob::Build);
  } else {
    statusLine(build, "build");
  }
  ImGui::Text("Backend: %s", view.cpuBackend.c_str());
  ImGui::SameLine();
  // The reason CUDA is missing can be long (the runtime's own message): wrap, never clip.
  ImGui::PushStyleColor(ImGuiCol_Text, view.cudaAvailable ? kGood : ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("| %s", view.cudaLine.c_str());
  ImGui::PopStyleColor();
}

void QueriesPanel::drawInterval(const QueriesView& view) {
  // While a smaller tree is being built, the interval must already fit it.
  const int m = std::min(view.sizes.m, view.targetSizes.m);
  ImGui::Text("Interval [l, r] of %d factor pairs (L = %d)", m, h_ - l_ + 1);
  ImGui::PushItemWidth(-40.0f);
  bool changed = false;
  if (ImGui::SliderInt("l", &l_, 0, m - 1, "l = %d", ImGuiSliderFlags_AlwaysClamp)) {
    h_ = std::max(h_, l_);  // dragging l past r carries r along
    changed = true;
  }
  if (ImGui::SliderInt("r", &h_, 0, m - 1, "r = %d", ImGuiSliderFlags_AlwaysClamp)) {
    l_ = std::min(l_, h_);
    changed = true;
  }
  ImGui::PopItemWidth();
  if (changed) {
    const Submission s = model_.requestInterval(l_, h_);
    refusal_ = s.accepted ? "" : s.message;
  }
}

void QueriesPanel::drawStrategies(const QueriesView& view) {
  const JobStatus& status = view.job(QueryJob::Query);
  const auto& q = view.query;
  if (status.state == TaskState::Queued || status.state == TaskState::Running) {
    ImGui::ProgressBar(status.progress, {-90.0f, 0.0f}, "timing every strategy");
    ImGui::SameLine();
    if (ImGui::Button("Cancel##query")) model_.cancel(QueryJob::Query);
  } else if (status.state != TaskState::Done) {
    statusLine(status, "query");  // when done, the line below says the same and more
  }
  if (!q) {
    ImGui::TextDisabled("waiting for the first query");
    return;
  }
  const std::size_t chosen = static_cast<std::size_t>(q->routerChoice);
  ImGui::Text("[%d, %d], n = %d: router chose %s (predicted %s), ran in %s; error vs float64 %.1e", q->l, q->h, q->n,
              lowrank::strategyName(q->routerChoice), formatSeconds(q->routerPlan.predictedSeconds[chosen]).c_str(),
              formatSeconds(q->routerMeasuredSeconds).c_str(), q->routerRelativeError);
  const double fastest = *std::min_element(q->measuredSeconds.begin(), q->measuredSeconds.end());
  ImGui::TextDisabled("fastest measured %s; router's pick %.2fx that; strategies agree to %.1e",
                      formatSeconds(fastest).c_str(), q->measuredSeconds[chosen] / fastest, q->maxStrategyDifference);

  struct Row {
    std::string label;
    ImU32 color;
    double predicted, measured, error;
    int repetitions;
    bool router;
  };
  std::vector<Row> rows;
  for (Strategy s : lowrank::kAllStrategies) {
    const auto i = static_cast<std::size_t>(s);
    rows.push_back({lowrank::strategyName(s), strategyColor(s), q->predictedSeconds[i], q->measuredSeconds[i],
                    q->relativeError[i], q->repetitions[i], s == q->routerChoice});
  }
  if (q->cudaTimed) {
    for (int c = 0; c < kCudaStrategyCount; ++c) {
      const Strategy s = lowrank::kAllStrategies[static_cast<std::size_t>(c)];
      rows.push_back({std::string("CUDA ") + lowrank::strategyName(s), cudaColor(s), 0.0,
                      q->cudaSeconds[static_cast<std::size_t>(c)], q->cudaRelativeError[static_cast<std::size_t>(c)], 0,
                      false});
    }
  }
  std::vector<double> values;
  for (const Row& row : rows) values.insert(values.end(), {row.predicted, row.measured});
  LogAxis axis = decadeAxis(values);

  constexpr float kBar = 8.0f, kRow = 2 * kBar + 8.0f, kLabel = 150.0f, kText = 300.0f;
  // The rows start under the PNG button's strip: the first row's text is at the right edge too.
  const float strip = plotCaptureStrip();
  const ImVec2 frameOrigin = ImGui::GetCursorScreenPos();
  const ImVec2 origin{frameOrigin.x, frameOrigin.y + strip};
  const float width = std::max(ImGui::GetContentRegionAvail().x, kLabel + kText + 100.0f);
  const float height = kRow * static_cast<float>(rows.size()) + 16.0f;
  ImGui::InvisibleButton("##strategy-bars", {width, strip + height});
  const ScopedPlotCapture capture("queries-strategies", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  const bool hovered = ImGui::IsItemHovered();
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  axis.p0 = origin.x + kLabel;
  axis.p1 = origin.x + width - kText;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    const float y = origin.y + kRow * static_cast<float>(i);
    if (row.router) {
      draw->AddRectFilled({origin.x, y}, {origin.x + width, y + kRow - 2}, kRouterBg, 3.0f);
      draw->AddRect({origin.x, y}, {origin.x + width, y + kRow - 2}, withAlpha(kVisited, 160), 3.0f);
    }
    draw->AddText({origin.x + 4, y + 4}, kTextColor, row.label.c_str());
    if (row.router)
      draw->AddText({origin.x + 4 + ImGui::CalcTextSize(row.label.c_str()).x + 6, y + 4}, kVisited, "router");
    const auto bar = [&](double seconds, float top, ImU32 fill, ImU32 outline) {
      if (!(seconds > 0)) return;
      const float right = std::max(axis.p0 + 2.0f, axis.map(seconds));
      draw->AddRectFilled({axis.p0, top}, {right, top + kBar}, fill, 2.0f);
      draw->AddRect({axis.p0, top}, {right, top + kBar}, outline, 2.0f);
    };
    bar(row.predicted, y + 3, withAlpha(row.color, 60), withAlpha(row.color, 200));
    bar(row.measured, y + 4 + kBar, row.color, row.color);
    char text[128];
    std::snprintf(text, sizeof text, "pred %-9s meas %-9s err %.1e", formatSeconds(row.predicted).c_str(),
                  formatSeconds(row.measured).c_str(), row.error);
    draw->AddText({axis.p1 + 10, y + 4}, kTextColor, text);
    if (hovered && ImGui::GetMousePos().y >= y && ImGui::GetMousePos().y < y + kRow) {
      ImGui::SetTooltip(
          "%s\npredicted %s (cost model), measured %s (best of %d)\nrelative error vs the float64 reference: %.2e%s",
          row.label.c_str(), formatSeconds(row.predicted).c_str(), formatSeconds(row.measured).c_str(), row.repetitions,
          row.error, row.router ? "\nthe router's choice" : "");
    }
  }
  // Decade ticks under the bars: the scale is logarithmic, so equal steps are equal ratios.
  const float axisY = origin.y + kRow * static_cast<float>(rows.size());
  for (const double v : decades(axis)) {
    const float x = axis.map(v);
    draw->AddLine({x, origin.y}, {x, axisY}, kGrid);
    draw->AddText({x - 12, axisY}, kDimText, formatSeconds(v).c_str());
  }
  ImGui::TextDisabled("pale bar: cost model's prediction; full bar: measured (log scale)%s",
                      q->cudaTimed ? "; CUDA: kernel times (CUDA events) on resident X" : "");
}

void QueriesPanel::drawTree(const QueriesView& view) {
  const int m = view.sizes.m;
  int leaves = 1, levels = 1;
  while (leaves < m) {
    leaves *= 2;
    ++levels;
  }
  const auto& q = view.query;
  ImGui::Text("Segment tree: %d leaves (%d padded), %d levels; %zu canonical nodes visited", leaves, leaves - m, levels,
              q ? q->routerPlan.nodes.size() : std::size_t{0});
  const float rowHeight = std::clamp(130.0f / static_cast<float>(levels), 6.0f, 14.0f);
  // The root row starts under the PNG button's strip.
  const float strip = plotCaptureStrip();
  const ImVec2 frameOrigin = ImGui::GetCursorScreenPos();
  const ImVec2 origin{frameOrigin.x, frameOrigin.y + strip};
  const float width = std::max(ImGui::GetContentRegionAvail().x, 100.0f);
  const float height = rowHeight * static_cast<float>(levels) + 12.0f;
  ImGui::InvisibleButton("##tree", {width, strip + height});
  const ScopedPlotCapture capture("queries-tree", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  const bool hovered = ImGui::IsItemHovered();
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  const auto leafX = [&](double leaf) { return origin.x + width * static_cast<float>(leaf / leaves); };

  for (int level = 0; level < levels; ++level) {
    const int count = 1 << level;
    const int span = leaves >> level;
    const float nodeWidth = width / static_cast<float>(count);
    const float y0 = origin.y + rowHeight * static_cast<float>(level), y1 = y0 + rowHeight - 2.0f;
    if (nodeWidth >= 4.0f) {
      const float gap = nodeWidth >= 6.0f ? 1.0f : 0.0f;
      for (int p = 0; p < count; ++p) {
        const float x0 = origin.x + nodeWidth * static_cast<float>(p);
        draw->AddRectFilled({x0, y0}, {x0 + nodeWidth - gap, y1}, p * span >= m ? kPaddedColor : kTreeNodeColour, 1.0f);
      }
    } else {
      // Too many nodes to tell apart: one band, real leaves and padding distinguished.
      draw->AddRectFilled({origin.x, y0}, {leafX(m), y1}, kTreeNodeColour);
      draw->AddRectFilled({leafX(m), y0}, {origin.x + width, y1}, kPaddedColor);
    }
  }
  if (q) {
    for (int id : q->routerPlan.nodes) {
      int level = 0;
      while ((2 << level) <= id) ++level;
      const int span = leaves >> level;
      const int first = (id - (1 << level)) * span;
      const float x0 = leafX(first), x1 = std::max(x0 + 2.0f, leafX(first + span) - 1.0f);
      const float y0 = origin.y + rowHeight * static_cast<float>(level);
      draw->AddRectFilled({x0, y0}, {x1, y0 + rowHeight - 2.0f}, kVisited, 1.0f);
      draw->AddRect({x0, y0}, {x1, y0 + rowHeight - 2.0f}, IM_COL32_WHITE, 1.0f);
    }
  }
  // The queried interval itself, under the leaves: the visited nodes tile exactly this.
  const int l = q ? q->l : view.l, h = q ? q->h : view.h;
  const float stripY = origin.y + rowHeight * static_cast<float>(levels) + 2.0f;
  draw->AddRectFilled({origin.x, stripY}, {leafX(m), stripY + 6.0f}, kTreeNodeColour);
  draw->AddRectFilled({leafX(l), stripY}, {std::max(leafX(l) + 2.0f, leafX(h + 1)), stripY + 6.0f},
                      withAlpha(kVisited, 200));

  if (hovered) {
    const ImVec2 mouse = ImGui::GetMousePos();
    const int level = static_cast<int>(std::floor((mouse.y - origin.y) / rowHeight));
    if (level >= 0 && level < levels) {
      const int count = 1 << level;
      const int p =
          std::clamp(static_cast<int>((mouse.x - origin.x) / width * static_cast<float>(count)), 0, count - 1);
      const int id = count + p, span = leaves >> level, first = p * span;
      const bool visited =
          q && std::find(q->routerPlan.nodes.begin(), q->routerPlan.nodes.end(), id) != q->routerPlan.nodes.end();
      if (first >= m) {
        ImGui::SetTooltip("node %d (level %d): padding only", id, level);
      } else {
        ImGui::SetTooltip("node %d (level %d): leaves [%d, %d]%s", id, level, first, std::min(first + span, m) - 1,
                          visited ? "\ncanonical node of the current query" : "");
      }
    } else {
      ImGui::SetTooltip("the interval [%d, %d]", l, h);
    }
  }
}

void QueriesPanel::drawUpdates(const QueriesView& view) {
  const int m = view.sizes.m;
  updateIndex_ = std::clamp(updateIndex_, 0, m - 1);
  ImGui::Text("Point update");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(uiScaled(100.0f));
  ImGui::InputInt("i", &updateIndex_, 1, 16);
  updateIndex_ = std::clamp(updateIndex_, 0, m - 1);
  ImGui::SameLine();
  const auto submit = [&](int at) {
    const Submission s = model_.requestPointUpdate(at);
    refusal_ = s.accepted ? "" : s.message;
  };
  if (ImGui::Button("Replace A_i, B_i")) submit(updateIndex_);
  ImGui::SameLine();
  if (ImGui::Button("Random i")) submit(-1);
  const JobStatus& status = view.job(QueryJob::Update);
  if (status.state == TaskState::Failed || status.state == TaskState::Cancelled) statusLine(status, "update");
  if (const auto& u = view.update) {
    const ImVec4 colour = u->maxRelativeError < 1e-3 ? kGood : kWarningText;
    ImGui::TextColored(colour, "#%d: i = %d (%s [%d, %d]); every strategy vs a fresh float64 reference: worst %.1e",
                       u->updatesSinceBuild, u->index, u->insideInterval ? "inside" : "outside", u->l, u->h,
                       u->maxRelativeError);
    ImGui::TextDisabled("tree update %s (O(d^2 r + d^2 log m)) vs prefix-sum rebuild %s (O(m d^2))",
                        formatSeconds(u->updateSeconds).c_str(), formatSeconds(u->prefixRebuildSeconds).c_str());
  }
}

void QueriesPanel::drawSweep(const QueriesView& view) {
  const JobStatus& status = view.job(QueryJob::Sweep);
  ImGui::Text("Time vs interval length");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(uiScaled(120.0f));
  ImGui::SliderInt("lengths", &sweepPoints_, 4, 32);
  ImGui::SameLine();
  if (ImGui::Button("Run sweep")) {
    const Submission s = model_.requestSweep(sweepPoints_);
    refusal_ = s.accepted ? "" : s.message;
  }
  if (status.state == TaskState::Queued || status.state == TaskState::Running) {
    ImGui::ProgressBar(status.progress, {-90.0f, 0.0f}, "sweeping");
    ImGui::SameLine();
    if (ImGui::Button("Cancel##sweep")) model_.cancel(QueryJob::Sweep);
  } else if (status.state != TaskState::Done) {
    statusLine(status, "sweep");  // when done, the crossover lines under the chart say it
  }
  const auto& sweep = view.sweep;
  if (!sweep || sweep->points.empty()) {
    ImGui::TextDisabled("no sweep yet");
    return;
  }
  const int m = sweep->sizes.m;
  std::vector<double> times;
  for (const SweepPoint& p : sweep->points) {
    times.insert(times.end(), p.measuredSeconds.begin(), p.measuredSeconds.end());
    times.insert(times.end(), p.predictedSeconds.begin(), p.predictedSeconds.end());
    if (sweep->cudaTimed) times.insert(times.end(), p.cudaSeconds.begin(), p.cudaSeconds.end());
  }
  LogAxis yAxis = decadeAxis(times);
  LogAxis xAxis;
  xAxis.lo = 1;
  xAxis.hi = std::max(2, m);

  constexpr float kLeft = 64.0f, kBottom = 22.0f, kHeight = 280.0f;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = std::max(ImGui::GetContentRegionAvail().x, kLeft + 100.0f);
  ImGui::InvisibleButton("##sweep-chart", {width, kHeight});
  const ScopedPlotCapture capture("queries-sweep", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  const bool hovered = ImGui::IsItemHovered();
  // The plot starts under the PNG button's strip: a curve can reach the top-right corner.
  const ImVec2 plot0{origin.x + kLeft, origin.y + 4.0f + plotCaptureStrip()},
      plot1{origin.x + width - 8.0f, origin.y + kHeight - kBottom};
  xAxis.p0 = plot0.x;
  xAxis.p1 = plot1.x;
  yAxis.p0 = plot1.y;
  yAxis.p1 = plot0.y;
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  draw->AddRectFilled(plot0, plot1, kPlotBg);
  for (const double v : decades(xAxis)) {
    const float x = xAxis.map(v);
    draw->AddLine({x, plot0.y}, {x, plot1.y}, kGrid);
    char label[24];
    std::snprintf(label, sizeof label, "%g", v);
    const float labelX = std::min(x - 4, plot1.x - ImGui::CalcTextSize(label).x);  // the last one stays inside
    draw->AddText({labelX, plot1.y + 3}, kDimText, label);
  }
  for (const double v : decades(yAxis)) {
    const float y = yAxis.map(v);
    draw->AddLine({plot0.x, y}, {plot1.x, y}, kGrid);
    draw->AddText({origin.x, y - 7}, kDimText, formatSeconds(v).c_str());
  }
  draw->AddText({plot1.x - 120, plot1.y - 18}, kDimText, "interval length L");

  // The series: measured solid with dots, predicted dashed, CUDA (when timed) pale.
  struct Hit {
    float distance = 1e9f;
    std::string text;
  } nearest;
  const ImVec2 mouse = ImGui::GetMousePos();
  draw->PushClipRect(plot0, plot1, true);
  const auto consider = [&](ImVec2 at, const std::string& text) {
    const float d = std::hypot(at.x - mouse.x, at.y - mouse.y);
    if (d < nearest.distance) nearest = {d, text};
  };
  for (Strategy s : lowrank::kAllStrategies) {
    const auto i = static_cast<std::size_t>(s);
    std::vector<ImVec2> measured, predicted;
    for (const SweepPoint& p : sweep->points) {
      const float x = xAxis.map(p.length);
      measured.emplace_back(x, yAxis.map(p.measuredSeconds[i]));
      predicted.emplace_back(x, yAxis.map(p.predictedSeconds[i]));
      char text[160];
      std::snprintf(text, sizeof text, "%s, L = %d: measured %s, predicted %s", lowrank::strategyName(s), p.length,
                    formatSeconds(p.measuredSeconds[i]).c_str(), formatSeconds(p.predictedSeconds[i]).c_str());
      consider(measured.back(), text);
      consider(predicted.back(), text);
    }
    const ImU32 color = strategyColor(s);
    draw->AddPolyline(measured.data(), static_cast<int>(measured.size()), color, ImDrawFlags_None, 2.0f);
    for (const ImVec2& p : measured) draw->AddCircleFilled(p, 3.0f, color);
    for (std::size_t k = 0; k + 1 < predicted.size(); ++k)
      charts::dashedLine(draw, predicted[k], predicted[k + 1], withAlpha(color, 200), 1.2f, kDash);
    if (sweep->cudaTimed && s != Strategy::PrefixSums) {
      std::vector<ImVec2> cuda;
      for (const SweepPoint& p : sweep->points) {
        cuda.emplace_back(xAxis.map(p.length), yAxis.map(p.cudaSeconds[i]));
        char text[128];
        std::snprintf(text, sizeof text, "CUDA %s, L = %d: measured %s", lowrank::strategyName(s), p.length,
                      formatSeconds(p.cudaSeconds[i]).c_str());
        consider(cuda.back(), text);
      }
      draw->AddPolyline(cuda.data(), static_cast<int>(cuda.size()), cudaColor(s), ImDrawFlags_None, 1.5f);
      for (const ImVec2& p : cuda) draw->AddCircle(p, 3.0f, cudaColor(s));
    }
  }
  // Crossovers: where fly stops being the cheaper one; hollow predicted, filled measured.
  const auto inRange = [&](double length) { return std::isfinite(length) && length >= 1 && length <= m; };
  for (const SweepCrossover& c : sweep->crossovers) {
    const ImU32 color = strategyColor(c.against);
    if (inRange(c.predictedLength)) {
      const float x = xAxis.map(c.predictedLength);
      charts::dashedLine(draw, {x, plot0.y + 10}, {x, plot1.y}, withAlpha(color, 150), 1.0f, kDash);
      draw->AddTriangle({x - 5, plot0.y}, {x + 5, plot0.y}, {x, plot0.y + 9}, color, 1.5f);
      consider({x, plot0.y + 4}, "fly vs " + std::string(lowrank::strategyName(c.against)) +
                                     ": predicted crossover L = " + formatLength(c.predictedLength));
    }
    if (inRange(c.measuredLength)) {
      const float x = xAxis.map(c.measuredLength);
      draw->AddLine({x, plot0.y + 10}, {x, plot1.y}, withAlpha(color, 150), 1.0f);
      draw->AddTriangleFilled({x - 5, plot0.y}, {x + 5, plot0.y}, {x, plot0.y + 9}, color);
      consider({x, plot0.y + 4}, "fly vs " + std::string(lowrank::strategyName(c.against)) +
                                     ": measured crossover L = " + formatLength(c.measuredLength));
    }
  }
  if (inRange(sweep->paperCrossoverLength)) {
    const float x = xAxis.map(sweep->paperCrossoverLength);
    charts::dashedLine(draw, {x, plot0.y}, {x, plot1.y}, IM_COL32(200, 200, 200, 90), 1.0f, kDash);
  }
  if (sweep->sizes == view.sizes) {
    const float x = xAxis.map(view.h - view.l + 1);
    draw->AddLine({x, plot0.y}, {x, plot1.y}, IM_COL32(255, 255, 255, 70), 1.0f);
  }
  draw->PopClipRect();

  // Legend, top left inside the plot.
  float ly = plot0.y + 14.0f;
  const float lx = plot0.x + 8.0f;
  draw->AddRectFilled({lx - 4, ly - 4}, {lx + 190, ly + 16.0f * 6 + 2}, IM_COL32(20, 22, 28, 220), 3.0f);
  for (Strategy s : lowrank::kAllStrategies) {
    draw->AddLine({lx, ly + 7}, {lx + 22, ly + 7}, strategyColor(s), 2.0f);
    draw->AddText({lx + 28, ly}, kTextColor, lowrank::strategyName(s));
    ly += 16.0f;
  }
  draw->AddText({lx, ly}, kDimText, "solid measured, dashed predicted");
  draw->AddText({lx, ly + 16.0f}, kDimText, "crossover: filled meas., hollow pred.");

  if (hovered && nearest.distance < 10.0f) ImGui::SetTooltip("%s", nearest.text.c_str());

  for (const SweepCrossover& c : sweep->crossovers) {
    ImGui::Text("fly vs %-6s crossover: predicted L = %s, measured L = %s", lowrank::strategyName(c.against),
                crossoverText(*sweep, c.predictedLength, c.against, false).c_str(),
                crossoverText(*sweep, c.measuredLength, c.against, true).c_str());
  }
  ImGui::TextDisabled("%s", mathFormat("Remark 1.11 (tree once L r ≳ d log₂ m): L = %.1f (grey dashes); white line: "
                                       "current L%s",
                                       sweep->paperCrossoverLength, sweep->complete ? "" : "; sweep incomplete")
                                .c_str());
}

// [SECTION] Registration

// Created when first opened: the panel starts building its tree at once.
PanelInfo queriesPanelInfo() {
  return {.id = "queries",
          .title = "Queries",
          .toggleLabel = "Queries F3",
          .shortcut = {keys::kF3, "F3", "Queries panel"},
          .toggleOrder = 1,
          .make = [](PanelHost&) { return std::make_unique<QueriesPanel>(); }};
}

}  // namespace rankflow::app
