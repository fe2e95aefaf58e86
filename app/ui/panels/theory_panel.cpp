#include "app/ui/panels/theory_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/ui/imgui_style.h"
#include "app/ui/keys.h"
#include "app/ui/widgets/imgui_charts.h"
#include "app/ui/widgets/math_text.h"
#include "app/ui/widgets/plot_capture.h"

namespace rankflow::app {
namespace {

using charts::Swatch;

// Distinct on the dark and on the high-contrast lecture background.
constexpr std::array<ImU32, 6> kPalette = {IM_COL32(90, 150, 230, 255),  IM_COL32(240, 160, 60, 255),
                                           IM_COL32(110, 200, 120, 255), IM_COL32(230, 90, 90, 255),
                                           IM_COL32(190, 120, 230, 255), IM_COL32(230, 220, 90, 255)};
constexpr ImU32 kDotColor = IM_COL32(245, 245, 245, 255);
constexpr ImU32 kCeilingColor = IM_COL32(230, 70, 70, 255);
constexpr ImU32 kMarkerColor = IM_COL32(200, 200, 200, 200);
constexpr ImU32 kTheoryNodeColour = IM_COL32(70, 75, 90, 255);
constexpr ImU32 kPaddingColor = IM_COL32(40, 42, 50, 255);
constexpr ImU32 kCanonicalColor = IM_COL32(240, 160, 60, 255);
constexpr ImU32 kIntervalColor = IM_COL32(90, 150, 230, 255);

const ImVec4 kHoldsText{0.35f, 0.85f, 0.40f, 1.0f};
const ImVec4 kFailsText{0.95f, 0.35f, 0.35f, 1.0f};
const ImVec4 kNoticeText{0.95f, 0.85f, 0.45f, 1.0f};

std::string intText(int v) {
  return std::to_string(v);
}

ImU32 seriesColor(std::size_t i) {
  return kPalette[i % kPalette.size()];
}

// A log x axis shares LogScale's decades with the y axis.
void drawLogXAxis(charts::Canvas* draw, const charts::PlotArea& area, const charts::LogScale& scale) {
  for (int e : scale.decades()) {
    const float x = area.min.x + area.width() * scale.fraction(std::pow(10.0, e) * (1.0 + 1e-12));
    draw->AddLine({x, area.min.y}, {x, area.max.y}, charts::kChartGrid);
    char label[16];
    std::snprintf(label, sizeof label, "1e%d", e);
    draw->AddText({x - ImGui::CalcTextSize(label).x * 0.5f, area.max.y + 4.0f}, charts::kChartAxis, label);
  }
}

// A prediction (dashed) follows its measured series and shares its colour.
std::vector<ImU32> curveColors(const CurveChart& chart) {
  std::vector<ImU32> colors;
  std::size_t next = 0;
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const bool follows = chart.series[i].dashed && i > 0 && !chart.series[i - 1].dashed;
    colors.push_back(follows ? colors.back() : seriesColor(next++));
  }
  return colors;
}

}  // namespace

TheoryPanel::TheoryPanel(const std::string& presetDirectory) : directory_(presetDirectory) {
  PresetLoad load = loadTheoryPresets(presetDirectory);
  presets_ = std::move(load.presets);
  loadErrors_ = std::move(load.errors);
  for (const TheoryPreset& p : presets_) edited_.push_back(p.parameters);
}

// [SECTION] Navigation and parameters

void TheoryPanel::select(int index) {
  const int clamped = std::clamp(index, 0, std::max(0, count() - 1));
  if (clamped == index_) return;
  index_ = clamped;
  submitted_ = false;
  parameterError_.clear();
}

void TheoryPanel::next() {
  if (count() > 0) select((index_ + 1) % count());
}

void TheoryPanel::previous() {
  if (count() > 0) select((index_ + count() - 1) % count());
}

void TheoryPanel::reset() {
  if (presets_.empty()) return;
  edited_[static_cast<std::size_t>(index_)] = presets_[static_cast<std::size_t>(index_)].parameters;
  buffersOf_ = -1;
  parameterError_.clear();
  submitCurrent();
}

std::string TheoryPanel::title() const {
  if (presets_.empty()) return "";
  const TheoryPreset& p = presets_[static_cast<std::size_t>(index_)];
  return p.reference + ": " + p.title;
}

const std::vector<DemoParameter>& TheoryPanel::parameters() const {
  static const std::vector<DemoParameter> none;
  return presets_.empty() ? none : edited_[static_cast<std::size_t>(index_)];
}

std::string TheoryPanel::setParameter(const std::string& name, const std::string& value) {
  if (presets_.empty()) return "no scene";
  const TheoryPreset& preset = presets_[static_cast<std::size_t>(index_)];
  for (const DemoParameterSpec& spec : demoParameterSpecs(preset.demo)) {
    if (spec.name != name) continue;
    if (std::string why = checkParameterValue(spec, value); !why.empty()) return name + ": " + why;
    for (DemoParameter& p : edited_[static_cast<std::size_t>(index_)])
      if (p.name == name && p.value != value) {
        p.value = value;
        submitCurrent();
      }
    return "";
  }
  return "scene " + preset.demo + " has no parameter '" + name + "'";
}

void TheoryPanel::submitCurrent() {
  if (presets_.empty()) return;
  runner_.submit(presets_[static_cast<std::size_t>(index_)].demo, edited_[static_cast<std::size_t>(index_)]);
  submitted_ = true;
}

bool TheoryPanel::waitForDemo(std::chrono::milliseconds timeout) {
  if (presets_.empty()) return false;
  if (!submitted_) submitCurrent();
  return runner_.waitForResult(timeout);
}

void TheoryPanel::syncBuffers() {
  buffersOf_ = index_;
  buffers_.clear();
  for (const DemoParameter& p : parameters()) {
    std::array<char, 64> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%s", p.value.c_str());
    buffers_.push_back(buffer);
  }
}

// [SECTION] Window

void TheoryPanel::draw(bool* open) {
  if (open && !*open) return;
  if (!submitted_) submitCurrent();
  runner_.poll();

  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGuiWindowFlags flags = 0;
  if (lecture_) {
    // The whole screen, every frame: the lecture shows this scene and nothing else.
    ImGui::SetNextWindowPos({0.0f, 0.0f});
    ImGui::SetNextWindowSize(display);
    flags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
            ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
  } else {
    ImGui::SetNextWindowPos({std::max(uiScaled(12.0f), display.x * 0.5f - uiScaled(400.0f)), uiScaled(40.0f)},
                            ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize({uiScaled(800.0f), std::max(uiScaled(300.0f), display.y - uiScaled(80.0f))},
                             ImGuiCond_FirstUseEver);
  }
  // The lecture window keeps the same ImGui id, so the scroll position survives F5.
  if (ImGui::Begin("Theory", lecture_ ? nullptr : open, flags)) {
    if (!lecture_) drawNavigation();
    if (!lecture_)
      for (const std::string& error : loadErrors_) ImGui::TextColored(kFailsText, "%s", error.c_str());
    if (presets_.empty()) {
      ImGui::TextWrapped("No theory presets were loaded from '%s'.", directory_.c_str());
    } else {
      drawScene();
    }
  }
  ImGui::End();
}

void TheoryPanel::drawNavigation() {
  if (ImGui::Button("< Previous")) previous();
  ImGui::SameLine();
  if (ImGui::Button("Next >")) next();
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::max(160.0f, ImGui::GetContentRegionAvail().x - 200.0f));
  const std::string current =
      presets_.empty() ? "(no scenes)" : intText(index_ + 1) + " / " + intText(count()) + "  " + mathText(title());
  if (ImGui::BeginCombo("##scene", current.c_str())) {
    for (int i = 0; i < count(); ++i) {
      const TheoryPreset& p = presets_[static_cast<std::size_t>(i)];
      const std::string label = intText(i + 1) + ". " + p.reference + ": " + mathText(p.title);
      if (ImGui::Selectable(label.c_str(), i == index_)) select(i);
      if (i == index_) ImGui::SetItemDefaultFocus();
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  if (ImGui::Button("Reset")) reset();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("parameters back to the preset");
  ImGui::SameLine();
  if (ImGui::Button("Copy JSON")) ImGui::SetClipboardText(exportJson().c_str());
  ImGui::Separator();
}

void TheoryPanel::drawScene() {
  const TheoryPreset& preset = presets_[static_cast<std::size_t>(index_)];
  // Lecture mode already uses the large font; the title is larger still.
  ImGui::SetWindowFontScale(lecture_ ? 1.5f : 1.25f);
  ImGui::TextWrapped("%s: %s", preset.reference.c_str(), mathText(preset.title).c_str());
  ImGui::SetWindowFontScale(1.0f);
  ImGui::Spacing();
  ImGui::TextWrapped("%s", mathText(preset.statement).c_str());
  ImGui::Spacing();
  ImGui::Separator();
  drawParameters();

  // A result of another scene is never drawn under this one's title; an older result of
  // this scene stays on screen while its new parameters are computed.
  const TheoryDemoResult* result = demo();
  if (!result || result->demo != preset.demo) {
    ImGui::TextDisabled("computing the demonstration...");
  } else {
    if (runner_.computing()) ImGui::TextDisabled("recomputing...");
    drawDemonstration(*result);
  }
  ImGui::Separator();
  ImGui::TextColored(kNoticeText, "What to notice");
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(mathText(preset.notice).c_str());
  ImGui::PopTextWrapPos();
  if (lecture_) ImGui::TextDisabled("%d / %d", index_ + 1, count());
}

void TheoryPanel::drawParameters() {
  const TheoryPreset& preset = presets_[static_cast<std::size_t>(index_)];
  if (buffersOf_ != index_ || buffers_.size() != parameters().size()) syncBuffers();
  const std::vector<DemoParameterSpec>& specs = demoParameterSpecs(preset.demo);
  bool first = true;
  for (std::size_t i = 0; i < specs.size() && i < buffers_.size(); ++i) {
    const DemoParameterSpec& spec = specs[i];
    if (!first) ImGui::SameLine();
    first = false;
    ImGui::PushID(static_cast<int>(i));
    const std::string label = mathText(spec.label);
    if (spec.kind == DemoParameterSpec::Kind::Integer) {
      int value = std::atoi(buffers_[i].data());
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9.0f);
      if (ImGui::SliderInt(label.c_str(), &value, spec.min, spec.max)) {
        std::snprintf(buffers_[i].data(), buffers_[i].size(), "%d", value);
        parameterError_ = setParameter(spec.name, buffers_[i].data());
      }
    } else {
      // Lists and relations apply when the edit is finished, not per keystroke.
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8.0f);
      ImGui::InputText(label.c_str(), buffers_[i].data(), buffers_[i].size());
      if (ImGui::IsItemDeactivatedAfterEdit()) parameterError_ = setParameter(spec.name, buffers_[i].data());
    }
    ImGui::PopID();
  }
  if (!parameterError_.empty()) ImGui::TextColored(kFailsText, "%s (nothing changed)", parameterError_.c_str());
}

// [SECTION] Demonstration

float TheoryPanel::chartHeight() const {
  return ImGui::GetTextLineHeight() * (lecture_ ? 13.0f : 15.0f);
}

void TheoryPanel::drawDemonstration(const TheoryDemoResult& result) {
  if (!result.error.empty()) {
    ImGui::TextColored(kFailsText, "%s", result.error.c_str());
    return;
  }
  for (const std::string& line : result.lines) ImGui::TextWrapped("%s", mathText(line).c_str());
  for (std::size_t i = 0; i < result.rankCharts.size(); ++i) drawRankChart(result.rankCharts[i], static_cast<int>(i));
  for (std::size_t i = 0; i < result.curveCharts.size(); ++i)
    drawCurveChart(result.curveCharts[i], static_cast<int>(i));
  if (result.tree) drawTree(*result.tree);
  for (const DemoCheck& check : result.checks) {
    ImGui::TextColored(check.holds ? kHoldsText : kFailsText, "%s", check.holds ? "[holds]" : "[FAILS]");
    ImGui::SameLine();
    ImGui::TextWrapped("%s", mathText(check.claim).c_str());
  }
  if (!lecture_) ImGui::TextDisabled("computed in %.1f ms", result.seconds * 1e3);
}

void TheoryPanel::drawRankChart(const RankChart& chart, int id) {
  ImGui::TextUnformatted(mathText(chart.title).c_str());
  const std::string frameId = "##rank" + intText(id);
  const charts::ChartFrame frame = reserveCaptureChart(frameId.c_str(), chartHeight(), 40.0f);
  const ScopedPlotCapture capture(frameId.c_str(), ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  const charts::PlotArea& area = frame.area;
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  std::size_t slots = chart.labels.size();
  int top = 1, bars = 0;
  for (const RankSeries& s : chart.series) {
    slots = std::max(slots, s.values.size());
    for (int v : s.values) top = std::max(top, v);
    bars += s.style == RankSeries::Style::Bar;
  }
  if (slots == 0) return;
  const float yMax = static_cast<float>(top) * 1.15f + 0.5f;
  const float slot = area.width() / static_cast<float>(slots);
  const auto xAt = [&](std::size_t k) { return area.min.x + slot * (static_cast<float>(k) + 0.5f); };
  const auto yAt = [&](int v) { return area.max.y - area.height() * static_cast<float>(v) / yMax; };

  const int step = std::max(1, static_cast<int>(std::ceil(yMax / 6.0f)));
  for (int v = 0; static_cast<float>(v) <= yMax; v += step) {
    draw->AddLine({area.min.x, yAt(v)}, {area.max.x, yAt(v)}, charts::kChartGrid);
    const std::string label = intText(v);
    draw->AddText({area.min.x - 6.0f - ImGui::CalcTextSize(label.c_str()).x, yAt(v) - ImGui::GetFontSize() * 0.5f},
                  charts::kChartAxis, label.c_str());
  }
  for (std::size_t k = 0; k < slots; ++k) {
    const std::string label =
        k < chart.labels.size() ? mathText(chart.labels[k]) : intText(chart.firstIndex + static_cast<int>(k));
    draw->AddText({xAt(k) - ImGui::CalcTextSize(label.c_str()).x * 0.5f, area.max.y + 4.0f}, charts::kChartAxis,
                  label.c_str());
  }
  draw->AddLine({area.min.x, area.max.y}, {area.max.x, area.max.y}, charts::kChartAxis);

  // Bars side by side in each slot, then dots and ceilings on top of them.
  const float barWidth = std::min(slot * 0.8f / static_cast<float>(std::max(bars, 1)), 36.0f);
  int bar = 0;
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const RankSeries& series = chart.series[s];
    const ImU32 color = series.style == RankSeries::Style::Dot       ? kDotColor
                        : series.style == RankSeries::Style::Ceiling ? kCeilingColor
                                                                     : seriesColor(s);
    for (std::size_t k = 0; k < series.values.size(); ++k) {
      const int v = series.values[k];
      if (series.style == RankSeries::Style::Bar) {
        const float x0 = xAt(k) - barWidth * static_cast<float>(bars) * 0.5f + barWidth * static_cast<float>(bar);
        draw->AddRectFilled({x0 + 1.0f, yAt(v)}, {x0 + barWidth - 1.0f, area.max.y}, color);
      } else if (series.style == RankSeries::Style::Dot) {
        draw->AddCircleFilled({xAt(k), yAt(v)}, 5.0f, color);
      } else {
        if (k + 1 < series.values.size())
          charts::dashedLine(draw, {xAt(k), yAt(v)}, {xAt(k + 1), yAt(series.values[k + 1])}, color, 2.0f);
        draw->AddCircleFilled({xAt(k), yAt(v)}, 3.0f, color);
      }
    }
    bar += series.style == RankSeries::Style::Bar;
    const Swatch swatch = series.style == RankSeries::Style::Bar   ? Swatch::Bar
                          : series.style == RankSeries::Style::Dot ? Swatch::Dot
                                                                   : Swatch::Dashed;
    charts::legendItem(mathText(series.name).c_str(), color, swatch, s == 0);
  }
  if (frame.hovered && frame.area.contains(frame.mouse)) {
    const auto k = static_cast<std::size_t>(
        std::clamp(static_cast<int>((frame.mouse.x - area.min.x) / slot), 0, static_cast<int>(slots) - 1));
    ImGui::BeginTooltip();
    ImGui::Text(
        "%s = %s", chart.axis.c_str(),
        mathText(k < chart.labels.size() ? chart.labels[k] : intText(chart.firstIndex + static_cast<int>(k))).c_str());
    for (const RankSeries& s : chart.series)
      if (k < s.values.size()) ImGui::Text("%s: %d", mathText(s.name).c_str(), s.values[k]);
    ImGui::EndTooltip();
  }
}

void TheoryPanel::drawCurveChart(const CurveChart& chart, int id) {
  ImGui::TextUnformatted(mathText(chart.title).c_str());
  const std::string frameId = "##curve" + intText(id);
  const charts::ChartFrame frame = reserveCaptureChart(frameId.c_str(), chartHeight());
  const ScopedPlotCapture capture(frameId.c_str(), ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  const charts::PlotArea& area = frame.area;
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  std::vector<double> xs, ys;
  for (const CurveSeries& s : chart.series) {
    xs.insert(xs.end(), s.x.begin(), s.x.end());
    ys.insert(ys.end(), s.y.begin(), s.y.end());
  }
  for (const CurveMarker& m : chart.markers) xs.push_back(m.x);
  const charts::LogScale xScale = charts::LogScale::enclosing(xs, 1e-300);
  const charts::LogScale yScale = charts::LogScale::enclosing(ys, 1e-300);
  charts::drawLogYAxis(draw, area, yScale);
  drawLogXAxis(draw, area, xScale);
  const auto at = [&](double x, double y) {
    return ImVec2{area.min.x + area.width() * xScale.fraction(x), area.max.y - area.height() * yScale.fraction(y)};
  };
  draw->PushClipRect({area.min.x - 4.0f, area.min.y - 4.0f}, {area.max.x + 4.0f, area.max.y + 4.0f}, true);
  for (const CurveMarker& m : chart.markers) {
    const ImVec2 top = at(m.x, yScale.hi), bottom = at(m.x, yScale.lo);
    charts::dashedLine(draw, top, bottom, kMarkerColor, 1.0f);
    draw->AddText({top.x + 3.0f, top.y}, kMarkerColor, mathText(m.name).c_str());
  }
  const std::vector<ImU32> colors = curveColors(chart);
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const CurveSeries& s = chart.series[i];
    const ImU32 color = colors[i];
    for (std::size_t j = 0; j + 1 < s.x.size() && j + 1 < s.y.size(); ++j) {
      if (s.dashed) {
        charts::dashedLine(draw, at(s.x[j], s.y[j]), at(s.x[j + 1], s.y[j + 1]), color, 1.5f);
      } else {
        draw->AddLine(at(s.x[j], s.y[j]), at(s.x[j + 1], s.y[j + 1]), color, 2.0f);
      }
    }
    for (std::size_t j = 0; j < s.x.size() && j < s.y.size(); ++j)
      if (!s.dashed) draw->AddCircleFilled(at(s.x[j], s.y[j]), 3.0f, color);
  }
  draw->PopClipRect();
  draw->AddText({area.max.x - ImGui::CalcTextSize(chart.xLabel.c_str()).x, area.max.y - ImGui::GetFontSize() - 2.0f},
                charts::kChartAxis, chart.xLabel.c_str());
  for (std::size_t i = 0; i < chart.series.size(); ++i)
    charts::legendItem(mathText(chart.series[i].name).c_str(), colors[i],
                       chart.series[i].dashed ? Swatch::Dashed : Swatch::Line, i == 0);
  if (frame.hovered && area.contains(frame.mouse)) {
    // The nearest x of the first series, with every series' value there.
    ImGui::BeginTooltip();
    ImGui::Text("%s: %s", chart.yLabel.c_str(), chart.xLabel.c_str());
    for (const CurveSeries& s : chart.series) {
      std::size_t best = 0;
      float bestDistance = 1e30f;
      for (std::size_t j = 0; j < s.x.size() && j < s.y.size(); ++j) {
        const float distance = std::abs(at(s.x[j], s.y[j]).x - frame.mouse.x);
        if (distance < bestDistance) bestDistance = distance, best = j;
      }
      if (best < s.x.size() && best < s.y.size())
        ImGui::Text("%s: %.3g at %.3g", mathText(s.name).c_str(), s.y[best], s.x[best]);
    }
    ImGui::EndTooltip();
  }
}

void TheoryPanel::drawTree(const TreeDiagram& tree) {
  int levels = 1;
  while ((1 << (levels - 1)) < tree.leaves) ++levels;
  ImGui::Text("Segment tree over m = %d leaves: canonical nodes of [%d, %d] highlighted", tree.count, tree.l, tree.h);
  const float rowHeight = std::clamp(chartHeight() / static_cast<float>(levels + 1), 8.0f, 28.0f);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = std::max(ImGui::GetContentRegionAvail().x, 200.0f);
  const float height = rowHeight * static_cast<float>(levels) + 10.0f;
  ImGui::Dummy({width, height});
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  for (int level = 0; level < levels; ++level) {
    const int nodes = 1 << level, span = tree.leaves >> level;
    const float nodeWidth = width / static_cast<float>(nodes);
    const float y0 = origin.y + rowHeight * static_cast<float>(level), y1 = y0 + rowHeight - 3.0f;
    for (int p = 0; p < nodes; ++p) {
      const int id = nodes + p;
      const bool canonical = std::find(tree.nodes.begin(), tree.nodes.end(), id) != tree.nodes.end();
      const bool padding = p * span >= tree.count;
      const float x0 = origin.x + nodeWidth * static_cast<float>(p);
      draw->AddRectFilled({x0 + 1.0f, y0}, {x0 + nodeWidth - 1.0f, y1},
                          canonical ? kCanonicalColor : (padding ? kPaddingColor : kTheoryNodeColour), 2.0f);
    }
  }
  const float leafWidth = width / static_cast<float>(tree.leaves);
  const float yLine = origin.y + rowHeight * static_cast<float>(levels) + 3.0f;
  draw->AddLine({origin.x + leafWidth * static_cast<float>(tree.l), yLine},
                {origin.x + leafWidth * static_cast<float>(tree.h + 1), yLine}, kIntervalColor, 4.0f);
  charts::legendItem("canonical node", kCanonicalColor, Swatch::Bar, true);
  charts::legendItem("[l, h]", kIntervalColor, Swatch::Line, false);
  charts::legendItem("padding leaves", kPaddingColor, Swatch::Bar, false);
}

// [SECTION] Export

std::string TheoryPanel::exportJson() const {
  nlohmann::json out = {{"panel", "theory"},       {"preset_directory", directory_}, {"index", index_},
                        {"count", count()},        {"lecture_mode", lecture_},       {"load_errors", loadErrors_},
                        {"computing", computing()}};
  if (!presets_.empty()) {
    const TheoryPreset& p = presets_[static_cast<std::size_t>(index_)];
    nlohmann::json params = nlohmann::json::object();
    for (const DemoParameter& q : parameters()) params[q.name] = q.value;
    out["scene"] = {{"file", p.file},     {"reference", p.reference}, {"title", p.title},    {"statement", p.statement},
                    {"notice", p.notice}, {"demo", p.demo},           {"parameters", params}};
  }
  const TheoryDemoResult* result = demo();
  out["demonstration"] = result ? nlohmann::json::parse(theoryDemoJson(*result)) : nlohmann::json(nullptr);
  return out.dump(1);
}

// [SECTION] Panel

void TheoryPanel::draw(PanelHost& host, bool* open) {
  setLectureMode(host.view().lectureMode);
  draw(host.view().lectureMode ? nullptr : open);
}

std::optional<double> TheoryPanel::value(const std::string& name) const {
  if (name == "theory.index") return index();
  if (name == "theory.count") return count();
  return std::nullopt;
}

PanelInfo theoryPanelInfo() {
  return {.id = "theory",
          .title = "Theory",
          .toggleLabel = "Theory F6",
          .shortcut = {keys::kF6, "F6", "Theory panel (guided statements)"},
          .toggleOrder = 3,
          .readable = {"theory.index", "theory.count"},
          .lecture = LectureRole::Presents,
          .make = [](PanelHost&) { return std::make_unique<TheoryPanel>(); }};
}

}  // namespace rankflow::app
