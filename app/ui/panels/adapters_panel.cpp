#include "app/ui/panels/adapters_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "app/ui/imgui_style.h"
#include "app/ui/keys.h"
#include "app/ui/script_values.h"
#include "app/ui/widgets/imgui_charts.h"
#include "app/ui/widgets/math_text.h"
#include "app/ui/widgets/text_input.h"
#include "app/viewer/units_text.h"
#include "core/common/text.h"
#include "core/theory/matrix_scenes.h"

namespace rankflow::app {
namespace {

// [SECTION] Colours and small pieces

constexpr ImU32 kCellText = IM_COL32(15, 15, 20, 255);
constexpr ImU32 kCellTextLight = IM_COL32(240, 240, 245, 255);
constexpr ImU32 kSelected = IM_COL32(255, 255, 255, 255);
constexpr ImU32 kEmptyCell = IM_COL32(40, 42, 50, 255);
constexpr ImU32 kSpectrum = IM_COL32(90, 160, 255, 255);
constexpr ImU32 kKept = IM_COL32(95, 205, 125, 255);
constexpr ImU32 kRank90 = IM_COL32(255, 196, 60, 255);
constexpr ImU32 kRank99 = IM_COL32(255, 130, 70, 255);
constexpr ImU32 kTolerance = IM_COL32(200, 115, 235, 255);
constexpr ImU32 kCascade = IM_COL32(95, 205, 125, 255);
constexpr ImU32 kIndependent = IM_COL32(255, 150, 60, 255);
constexpr double kRatioMin = 1.0, kRatioMax = 1000.0;
constexpr double kShareMin = 0.01, kShareMax = 1.0;

// A perceptual ramp from dark blue through teal to yellow (viridis's end points), t in [0, 1].
ImU32 rampColor(double t) {
  static const float stops[][3] = {{0.27f, 0.00f, 0.33f},
                                   {0.23f, 0.32f, 0.55f},
                                   {0.13f, 0.57f, 0.55f},
                                   {0.37f, 0.79f, 0.38f},
                                   {0.99f, 0.91f, 0.14f}};
  const double x = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(3, static_cast<int>(x));
  const auto f = static_cast<float>(x - i);
  float rgb[3];
  for (int c = 0; c < 3; ++c) rgb[c] = stops[i][c] + f * (stops[i + 1][c] - stops[i][c]);
  return ImGui::ColorConvertFloat4ToU32({rgb[0], rgb[1], rgb[2], 1.0f});
}

void jobLine(const AdapterJobStatus& s, const char* what) {
  switch (s.state) {
    case TaskState::Queued:
    case TaskState::Running:
      ImGui::ProgressBar(static_cast<float>(s.progress), {-90.0f, 0.0f}, what);
      break;
    case TaskState::Failed:
      ImGui::TextColored(kWarningText, "%s failed: %s", what, s.error.c_str());
      break;
    case TaskState::Cancelled:
      ImGui::TextColored(kWarningText, "%s cancelled", what);
      break;
    case TaskState::Done:
      if (!s.message.empty()) ImGui::TextDisabled("%s", s.message.c_str());
      break;
    case TaskState::Idle:
      break;
  }
}

std::string withThousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

constexpr learn::ScheduleCriterion kCriteria[] = {
    learn::ScheduleCriterion::Energy,     learn::ScheduleCriterion::Frobenius, learn::ScheduleCriterion::Ratio,
    learn::ScheduleCriterion::Cumulative, learn::ScheduleCriterion::Rank,      learn::ScheduleCriterion::Budget};

const char* criterionLabel(learn::ScheduleCriterion c) {
  switch (c) {
    case learn::ScheduleCriterion::Energy:
      return "energy share of |dW|^2";
    case learn::ScheduleCriterion::Frobenius:
      return "sv_fro (kohya)";
    case learn::ScheduleCriterion::Ratio:
      return "sv_ratio (kohya)";
    case learn::ScheduleCriterion::Cumulative:
      return "sv_cumulative (kohya)";
    case learn::ScheduleCriterion::Rank:
      return "one rank for all";
    case learn::ScheduleCriterion::Budget:
      return "parameter budget";
  }
  return "";
}

const char* measureLabel(AdapterMeasure m) {
  switch (m) {
    case AdapterMeasure::Stated:
      return "stated r";
    case AdapterMeasure::Numeric:
      return "numeric rank";
    case AdapterMeasure::Rank90:
      return "rank for 90% energy";
    case AdapterMeasure::Rank99:
      return "rank for 99% energy";
    case AdapterMeasure::Scheduled:
      return "scheduled rank";
    case AdapterMeasure::Error:
      return "scheduled error";
  }
  return "";
}

}  // namespace

// [SECTION] The window

void AdaptersPanel::draw(bool* open) {
  model_.poll();
  if (open && !*open) return;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos({std::max(uiScaled(390.0f), display.x - uiScaled(12.0f + 760.0f)), uiScaled(12.0f)},
                          ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize({uiScaled(760.0f), std::max(uiScaled(300.0f), display.y - uiScaled(24.0f))},
                           ImGuiCond_FirstUseEver);
  if (ImGui::Begin("Adapters", open)) {
    drawSource();
    if (model_.adapter()) {
      ImGui::Separator();
      drawCriterion();
      ImGui::Separator();
      drawHeatmap();
      drawSpectrum();
    }
    ImGui::Separator();
    drawFamily();
  }
  ImGui::End();
}

void AdaptersPanel::drawSource() {
  const auto& adapter = model_.adapter();
  if (adapter) {
    const auto& p = adapter->profile;
    const auto& first = p.modules.front();
    ImGui::Text("%s", adapter->source == "demo" ? "Demo adapter" : adapter->source.c_str());
    ImGui::TextDisabled("%zu modules, %s layout, %s, r %d..%d, %s parameters, median numeric rank %g", p.modules.size(),
                        first.layout.c_str(), first.dtype.c_str(), p.minStatedRank, p.maxStatedRank,
                        withThousands(p.parameters).c_str(), p.medianNumericRank);
  } else {
    ImGui::TextDisabled("No adapter open yet.");
  }
  ImGui::SetNextItemWidth(-170.0f);
  const bool entered = widgets::inputText("##adapter path", "adapter_model.safetensors (or drop one here)", path_,
                                          ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (ImGui::Button("Open") || entered) refusal_ = model_.openAdapter(path_);
  ImGui::SameLine();
  if (ImGui::Button("Demo")) refusal_ = model_.openDemo();
  const AdapterJobStatus& opening = model_.status(AdapterJob::Open);
  jobLine(opening, "opening");
  if (model_.busy()) {
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel")) model_.cancel();
  }
  if (!refusal_.empty()) ImGui::TextColored(kWarningText, "%s", refusal_.c_str());
}

void AdaptersPanel::drawCriterion() {
  const learn::ScheduleCriterion current = model_.criterion();
  ImGui::SetNextItemWidth(uiScaled(200.0f));
  if (ImGui::BeginCombo("criterion", criterionLabel(current))) {
    for (learn::ScheduleCriterion c : kCriteria) {
      if (ImGui::Selectable(criterionLabel(c), c == current))
        refusal_ =
            model_.setCriterion(c, c == learn::ScheduleCriterion::Budget ? 0.0 : learn::defaultCriterionValue(c));
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(uiScaled(160.0f));
  double value = model_.criterionValue();
  bool changed = false;
  switch (current) {
    case learn::ScheduleCriterion::Rank: {
      int rank = static_cast<int>(value);
      changed = ImGui::SliderInt("rank", &rank, 1, std::max(1, model_.adapter()->profile.maxStatedRank));
      value = rank;
      break;
    }
    case learn::ScheduleCriterion::Ratio:
      changed = ImGui::SliderScalar("sigma_max / sigma", ImGuiDataType_Double, &value, &kRatioMin, &kRatioMax, "%.1f",
                                    ImGuiSliderFlags_Logarithmic);
      break;
    case learn::ScheduleCriterion::Budget: {
      const double before = static_cast<double>(model_.adapter()->profile.parameters), lo = 1.0;
      changed = ImGui::SliderScalar("parameters", ImGuiDataType_Double, &value, &lo, &before, "%.0f",
                                    ImGuiSliderFlags_Logarithmic);
      break;
    }
    default:
      changed = ImGui::SliderScalar("share", ImGuiDataType_Double, &value, &kShareMin, &kShareMax, "%.3f");
      break;
  }
  if (changed) refusal_ = model_.setCriterion(current, value);
  const learn::RankSchedule& s = model_.schedule();
  const double kept = s.parametersBefore > 0 ? 100.0 * static_cast<double>(s.parameters) / s.parametersBefore : 0.0;
  ImGui::Text("Schedule: %s -> %s parameters (%.0f%%), relative error %.3g (worst module %.3g)",
              withThousands(s.parametersBefore).c_str(), withThousands(s.parameters).c_str(), kept, s.error,
              s.worstError);
  ImGui::SetNextItemWidth(-230.0f);
  widgets::inputText("##resized directory", "a new directory", writeDirectory_);
  ImGui::SameLine();
  if (ImGui::Button("Write resized adapter")) refusal_ = model_.writeResized(writeDirectory_);
  jobLine(model_.status(AdapterJob::Write), "writing");
}

void AdaptersPanel::drawHeatmap() {
  const AdapterGrid& grid = model_.grid();
  AdapterMeasure measure = model_.measure();
  ImGui::SetNextItemWidth(uiScaled(200.0f));
  if (ImGui::BeginCombo("colour by", measureLabel(measure))) {
    for (int i = 0; i < kAdapterMeasureCount; ++i) {
      const auto m = static_cast<AdapterMeasure>(i);
      if (ImGui::Selectable(measureLabel(m), m == measure)) model_.setMeasure(m);
    }
    ImGui::EndCombo();
  }
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (int cell : grid.cells) {
    if (cell < 0) continue;
    lo = std::min(lo, model_.measureValue(cell));
    hi = std::max(hi, model_.measureValue(cell));
  }
  if (!std::isfinite(lo)) lo = hi = 0.0;
  const bool isError = model_.measure() == AdapterMeasure::Error;
  ImGui::SameLine();
  ImGui::TextDisabled(isError ? "%.3g .. %.3g" : "%.0f .. %.0f", lo, hi);
  const float rowHeight = std::clamp(320.0f / std::max<std::size_t>(1, grid.layers.size()), 9.0f, 22.0f);
  const float height = rowHeight * static_cast<float>(grid.layers.size()) + 34.0f;  // the frame's 10 px top margin
  const charts::ChartFrame frame = charts::reserveChart("##adapter heatmap", height, 44.0f, 24.0f);
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  const float cellWidth = frame.area.width() / static_cast<float>(std::max<std::size_t>(1, grid.types.size()));
  int hovered = -1;
  for (std::size_t row = 0; row < grid.layers.size(); ++row) {
    const float y0 = frame.area.min.y + rowHeight * static_cast<float>(row);
    if (rowHeight >= 12.0f || row % 4 == 0)
      draw->AddText({frame.area.min.x - 40.0f, y0}, charts::kChartAxis, grid.layers[row].c_str());
    for (std::size_t column = 0; column < grid.types.size(); ++column) {
      const int module = grid.at(row, column);
      const ImVec2 a{frame.area.min.x + cellWidth * static_cast<float>(column) + 1.0f, y0 + 1.0f};
      const ImVec2 b{a.x + cellWidth - 2.0f, a.y + rowHeight - 2.0f};
      if (module < 0) {
        draw->AddRectFilled(a, b, kEmptyCell);
        continue;
      }
      const double v = model_.measureValue(module);
      const double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      draw->AddRectFilled(a, b, rampColor(t));
      if (rowHeight >= 14.0f) {
        char text[32];
        std::snprintf(text, sizeof text, isError ? "%.2f" : "%.0f", v);
        draw->AddText({a.x + 4.0f, a.y + 1.0f}, t > 0.6 ? kCellText : kCellTextLight, text);
      }
      if (module == model_.selected()) draw->AddRect(a, b, kSelected, 0.0f, 0, 2.0f);
      if (frame.hovered && frame.mouse.x >= a.x && frame.mouse.x < b.x && frame.mouse.y >= a.y && frame.mouse.y < b.y)
        hovered = module;
    }
  }
  for (std::size_t column = 0; column < grid.types.size(); ++column)
    draw->AddText({frame.area.min.x + cellWidth * static_cast<float>(column) + 4.0f, frame.area.max.y + 4.0f},
                  charts::kChartAxis, grid.types[column].c_str());
  if (hovered >= 0) {
    const auto& m = model_.adapter()->profile.modules[static_cast<std::size_t>(hovered)];
    ImGui::SetTooltip("%s\n%lld x %lld, r %d: numeric %d, 90%% %d, 99%% %d\nscheduled %d, error %.3g", m.module.c_str(),
                      static_cast<long long>(m.outFeatures), static_cast<long long>(m.inFeatures), m.statedRank,
                      m.numericRank, m.rank90, m.rank99, model_.schedule().ranks[static_cast<std::size_t>(hovered)],
                      model_.schedule().moduleErrors[static_cast<std::size_t>(hovered)]);
    if (frame.clicked) model_.select(hovered);
  }
}

void AdaptersPanel::drawSpectrum() {
  const int selected = model_.selected();
  if (selected < 0) {
    ImGui::TextDisabled("Click a cell for its spectrum.");
    return;
  }
  const auto& m = model_.adapter()->profile.modules[static_cast<std::size_t>(selected)];
  const int scheduled = model_.schedule().ranks[static_cast<std::size_t>(selected)];
  ImGui::Text("%s", m.module.c_str());
  ImGui::TextDisabled("scale %.4g (%s), sigma_max %.4g, numeric rank %d of r %d", m.scale,
                      m.scaleSource.empty() ? "none stated" : m.scaleSource.c_str(), m.sigmaMax, m.numericRank,
                      m.statedRank);
  charts::legendItem("singular values kept", kKept, charts::Swatch::Bar, true);
  charts::legendItem("dropped", kSpectrum, charts::Swatch::Bar, false);
  charts::legendItem("90% energy", kRank90, charts::Swatch::Dashed, false);
  charts::legendItem("99% energy", kRank99, charts::Swatch::Dashed, false);
  charts::legendItem("tolerance", kTolerance, charts::Swatch::Dashed, false);
  std::vector<double> values = m.singularValues;
  values.push_back(m.tolerance);
  const double floor = std::max(1e-12, m.sigmaMax * 1e-9);
  const charts::LogScale scale = charts::LogScale::enclosing(values, floor);
  const charts::ChartFrame frame = charts::reserveChart("##adapter spectrum", 180.0f);
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  charts::drawLogYAxis(draw, frame.area, scale);
  const std::size_t n = std::max<std::size_t>(1, m.singularValues.size());
  const float bar = frame.area.width() / static_cast<float>(n);
  const auto yOf = [&](double v) {
    return frame.area.max.y - scale.fraction(std::max(v, floor)) * frame.area.height();
  };
  for (std::size_t i = 0; i < m.singularValues.size(); ++i) {
    const float x0 = frame.area.min.x + bar * static_cast<float>(i);
    draw->AddRectFilled({x0 + 1.0f, yOf(m.singularValues[i])}, {x0 + std::max(2.0f, bar - 1.0f), frame.area.max.y},
                        static_cast<int>(i) < scheduled ? kKept : kSpectrum);
  }
  const auto vertical = [&](int k, ImU32 color) {
    if (k <= 0) return;
    const float x = frame.area.min.x + bar * static_cast<float>(k);
    charts::dashedLine(draw, {x, frame.area.min.y}, {x, frame.area.max.y}, color);
  };
  vertical(m.rank90, kRank90);
  vertical(m.rank99, kRank99);
  const float ty = yOf(m.tolerance);
  charts::dashedLine(draw, {frame.area.min.x, ty}, {frame.area.max.x, ty}, kTolerance);
  charts::drawLinearXAxis(draw, frame.area, 0.0, static_cast<double>(n), std::min<int>(8, static_cast<int>(n)), "%.0f");
  if (frame.hovered) {
    const auto i =
        static_cast<std::size_t>(std::clamp((frame.mouse.x - frame.area.min.x) / bar, 0.0f, static_cast<float>(n - 1)));
    if (i < m.singularValues.size())
      ImGui::SetTooltip("%s", mathFormat("σ%s = %.4g\nenergy of the first %zu: %.4f\nerror of truncating there: %.4g",
                                         subscript(static_cast<long long>(i) + 1).c_str(), m.singularValues[i], i + 1,
                                         m.energy[i], m.truncationError[i + 1])
                                  .c_str());
  }
}

void AdaptersPanel::drawFamily() {
  if (!ImGui::CollapsingHeader("Checkpoint family: cascade vs independent LoRA")) return;
  ImGui::TextDisabled(
      "%s", mathText("W₀ = base; order k adds the best rank-rₖ update of Tₖ − Wₖ₋₁ (docs/MATHEMATICS.md 7).").c_str());
  ImGui::SetNextItemWidth(-90.0f);
  widgets::inputText("base", "T0.safetensors", familyBase_);
  ImGui::SetNextItemWidth(-90.0f);
  widgets::inputText("targets", "T1.safetensors,T2.safetensors", familyTargets_);
  ImGui::SetNextItemWidth(uiScaled(160.0f));
  widgets::inputText("ranks", "64,32", familyRanks_);
  ImGui::SameLine();
  if (ImGui::Button("Fit cascade")) refusal_ = fitFamily();
  jobLine(model_.status(AdapterJob::Family), "fitting");
  const auto& fit = model_.family();
  if (!fit) return;
  if (ImGui::BeginTable("##family orders", 5, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) {
    for (const char* h : {"order", "rank", "cascade error", "independent error", "parameters"})
      ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (const auto& t : fit->totals) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%d", t.k);
      ImGui::TableNextColumn();
      ImGui::Text("%d", t.rank);
      ImGui::TableNextColumn();
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kCascade), "%.4g", t.cascadeError);
      ImGui::TableNextColumn();
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kIndependent), "%.4g", t.independentError);
      ImGui::TableNextColumn();
      ImGui::Text("%s", withThousands(t.parameters).c_str());
    }
    ImGui::EndTable();
  }
  // Bars: each order's two errors side by side, on one linear scale.
  double top = 0.0;
  for (const auto& t : fit->totals) top = std::max({top, t.cascadeError, t.independentError});
  if (top <= 0.0) return;
  charts::legendItem("cascade", kCascade, charts::Swatch::Bar, true);
  charts::legendItem("independent LoRA", kIndependent, charts::Swatch::Bar, false);
  const charts::ChartFrame frame = charts::reserveChart("##family bars", 120.0f);
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  const float group = frame.area.width() / static_cast<float>(fit->totals.size());
  for (std::size_t i = 0; i < fit->totals.size(); ++i) {
    const auto& t = fit->totals[i];
    const float x0 = frame.area.min.x + group * static_cast<float>(i) + group * 0.2f;
    const float w = group * 0.3f;
    const auto y = [&](double e) { return frame.area.max.y - static_cast<float>(e / top) * frame.area.height(); };
    draw->AddRectFilled({x0, y(t.cascadeError)}, {x0 + w, frame.area.max.y}, kCascade);
    draw->AddRectFilled({x0 + w, y(t.independentError)}, {x0 + 2 * w, frame.area.max.y}, kIndependent);
    char label[32];
    std::snprintf(label, sizeof label, "k = %d", t.k);
    draw->AddText({x0, frame.area.max.y + 4.0f}, charts::kChartAxis, label);
  }
}

std::string AdaptersPanel::fitFamily() {
  std::vector<int> ranks;
  try {
    ranks = theory::parseRankList(familyRanks_);
  } catch (const std::exception& e) {
    return std::string("ranks: ") + e.what();
  }
  std::vector<std::string> targets = splitOn(familyTargets_, ',');
  std::erase(targets, std::string());  // a trailing comma names no file
  return model_.openFamily(familyBase_, targets, ranks);
}

// [SECTION] Scripts and dropped files

std::optional<std::string> AdaptersPanel::filesDropped(PanelHost& host, const std::vector<std::string>& paths) {
  if (paths.empty()) return "nothing was dropped";
  host.view().openPanels["adapters"] = true;
  if (paths.size() >= 2) {
    // A family: the first file is the base, the others its fine-tunes in order.
    familyBase_ = paths.front();
    familyTargets_.clear();
    for (std::size_t i = 1; i < paths.size(); ++i) familyTargets_ += (i > 1 ? "," : "") + paths[i];
    refusal_ = "";
    return "";
  }
  path_ = paths.front();
  refusal_ = model_.openAdapter(path_);
  return refusal_;
}

std::optional<std::string> AdaptersPanel::setValue(PanelHost& host, const std::string& name, const std::string& value) {
  if (name.rfind("adapters.", 0) != 0) return std::nullopt;
  host.view().openPanels["adapters"] = true;
  const std::string key = name.substr(9);
  if (key == "open") return refusal_ = model_.openAdapter(path_ = value);
  if (key == "demo") return refusal_ = model_.openDemo();
  if (key == "cancel") {
    model_.cancel();
    return "";
  }
  if (key == "criterion") {
    const auto c = learn::parseScheduleCriterion(value);
    if (!c) return "adapters.criterion takes rank, energy, fro, ratio, cumulative or budget, got '" + value + "'";
    return model_.setCriterion(*c, *c == learn::ScheduleCriterion::Budget ? 0.0 : learn::defaultCriterionValue(*c));
  }
  if (key == "value") {
    const auto v = parseScriptNumber(value);
    if (!v) return "adapters.value takes a number, got '" + value + "'";
    return model_.setCriterion(model_.criterion(), *v);
  }
  if (key == "measure") {
    const auto m = parseAdapterMeasure(value);
    if (!m) return "adapters.measure takes stated, numeric, rank90, rank99, schedule or error, got '" + value + "'";
    model_.setMeasure(*m);
    return "";
  }
  if (key == "select") {
    const auto v = parseScriptNumber(value);
    const int count = model_.adapter() ? static_cast<int>(model_.adapter()->profile.modules.size()) : 0;
    if (!v || *v != std::floor(*v) || *v < 0 || *v >= count)
      return "adapters.select takes a module index 0.." + std::to_string(count - 1) + ", got '" + value + "'";
    model_.select(static_cast<int>(*v));
    return "";
  }
  if (key == "write") return refusal_ = model_.writeResized(writeDirectory_ = value);
  if (key == "family.base") {
    familyBase_ = value;
    return "";
  }
  if (key == "family.targets") {
    familyTargets_ = value;
    return "";
  }
  if (key == "family.ranks") {
    familyRanks_ = value;
    return "";
  }
  if (key == "family.fit") return refusal_ = fitFamily();
  return "unknown setting '" + name +
         "' (adapters.open, demo, cancel, criterion, value, measure, select, write, family.base, family.targets, "
         "family.ranks, family.fit)";
}

std::optional<double> AdaptersPanel::value(const std::string& name) const {
  if (name.rfind("adapters.", 0) != 0) return std::nullopt;
  const std::string key = name.substr(9);
  const auto stateIs = [&](AdapterJob job, TaskState state) { return model_.status(job).state == state ? 1.0 : 0.0; };
  if (key == "written") return stateIs(AdapterJob::Write, TaskState::Done);
  if (key == "open_failed") return stateIs(AdapterJob::Open, TaskState::Failed);
  const auto& adapter = model_.adapter();
  if (adapter) {
    const learn::RankSchedule& s = model_.schedule();
    if (key == "modules") return static_cast<double>(adapter->profile.modules.size());
    if (key == "parameters") return static_cast<double>(s.parameters);
    if (key == "parameters_before") return static_cast<double>(s.parametersBefore);
    if (key == "error") return s.error;
    if (key == "worst_error") return s.worstError;
    if (key == "demo") return adapter->source == "demo" ? 1.0 : 0.0;
    if (key == "selected_rank" && model_.selected() >= 0) return s.ranks[static_cast<std::size_t>(model_.selected())];
  }
  const auto order = [&](std::size_t prefix) -> const learn::CheckpointOrderTotal* {
    const auto k = parseScriptNumber(key.substr(prefix));
    if (!k || !model_.family()) return nullptr;
    for (const auto& t : model_.family()->totals)
      if (t.k == static_cast<int>(*k)) return &t;
    return nullptr;
  };
  if (key.rfind("family.cascade.", 0) == 0)
    if (const auto* t = order(15)) return t->cascadeError;
  if (key.rfind("family.independent.", 0) == 0)
    if (const auto* t = order(19)) return t->independentError;
  return std::nullopt;
}

// [SECTION] Registration

PanelInfo adaptersPanelInfo() {
  return {.id = "adapters",
          .title = "Adapters",
          .toggleLabel = "Adapters F8",
          .shortcut = {keys::kF8, "F8", "Adapters panel (LoRA profiles, resizing, checkpoint cascades)"},
          .toggleOrder = 5,
          .settable = {"adapters."},
          .readable = {"adapters.modules", "adapters.parameters", "adapters.parameters_before", "adapters.error",
                       "adapters.worst_error", "adapters.selected_rank", "adapters.demo", "adapters.written",
                       "adapters.open_failed", "adapters.family.cascade.K", "adapters.family.independent.K"},
          .dropExtensions = {".safetensors"},
          .make = [](PanelHost&) { return std::make_unique<AdaptersPanel>(); }};
}

}  // namespace rankflow::app
