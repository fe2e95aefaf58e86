#include "app/ui/panels/timeline_panel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

#include "app/models/ranks_model.h"
#include "app/ui/imgui_style.h"
#include "app/ui/keys.h"
#include "app/ui/panels/control_panel.h"
#include "app/ui/panels/ranks_panel.h"
#include "app/ui/widgets/imgui_charts.h"
#include "app/ui/widgets/math_text.h"
#include "app/ui/widgets/plot_capture.h"
#include "app/viewer/imported_view.h"
#include "app/viewer/units_text.h"
#include "core/flows/trajectory_import.h"
#include "core/theory/matrix_scenes.h"

namespace rankflow::app {

// [SECTION] Playback

PlaybackAdvance advanceTime(float t, float dt, float speed, bool loop) {
  const float start = std::isfinite(t) ? std::clamp(t, 0.0f, 1.0f) : 0.0f;
  const float delta = dt * speed;
  if (!std::isfinite(delta)) return {start, false};
  const float next = start + delta;
  if (next >= 0.0f && next <= 1.0f) return {next, false};
  if (loop) return {next - std::floor(next), false};  // keeps the overshoot, so speed stays even
  return {next > 1.0f ? 1.0f : 0.0f, true};
}

float stepTime(float t, float step, int direction) {
  const float start = std::isfinite(t) ? std::clamp(t, 0.0f, 1.0f) : 0.0f;
  if (!(step > 0.0f) || !std::isfinite(step) || direction == 0) return start;
  // A t within a thousandth of a step of a grid point counts as on it: float t drifts.
  const double position = static_cast<double>(start) / static_cast<double>(step);
  const double nearest = std::round(position);
  const bool onGrid = std::abs(position - nearest) < 1e-3;
  const double index =
      direction > 0 ? (onGrid ? nearest : std::floor(position)) + 1.0 : (onGrid ? nearest : std::ceil(position)) - 1.0;
  return std::clamp(static_cast<float>(index * static_cast<double>(step)), 0.0f, 1.0f);
}

// [SECTION] Chart geometry

float StripAxis::xAt(double t) const {
  if (!(tMax > tMin)) return left;
  return left + (right - left) * static_cast<float>((t - tMin) / (tMax - tMin));
}

double StripAxis::timeAt(float x) const {
  if (!(right > left)) return tMin;
  const double fraction = std::clamp(static_cast<double>(x - left) / static_cast<double>(right - left), 0.0, 1.0);
  return tMin + fraction * (tMax - tMin);
}

namespace {

// One colour per order k = 0..12, apart in hue and lightness so neighbouring orders differ.
constexpr ImU32 kOrderColors[] = {
    IM_COL32(90, 160, 240, 255),  IM_COL32(245, 150, 50, 255),  IM_COL32(90, 200, 110, 255),
    IM_COL32(235, 80, 90, 255),   IM_COL32(180, 120, 235, 255), IM_COL32(215, 200, 70, 255),
    IM_COL32(70, 205, 205, 255),  IM_COL32(240, 130, 200, 255), IM_COL32(160, 110, 80, 255),
    IM_COL32(170, 230, 160, 255), IM_COL32(150, 150, 255, 255), IM_COL32(255, 190, 150, 255),
    IM_COL32(200, 200, 200, 255),
};
constexpr int kOrderColorCount = static_cast<int>(sizeof kOrderColors / sizeof kOrderColors[0]);
constexpr ImU32 kCursorColor = IM_COL32(255, 255, 255, 220);
const ImVec4 kMessageColor{0.95f, 0.45f, 0.35f, 1.0f};

ImU32 orderColor(int k) {
  return kOrderColors[k % kOrderColorCount];
}

// The legend's name of order k: B⁽ᵏ⁾ (B^(k) in the built-in font).
std::string orderLabel(int k) {
  return mathFormat("B⁽%s⁾", superscript(k).c_str());
}

// Lines of equal rank would hide each other, so each order is shifted a little: up to 2.5
// pixels apart, all of them within 60% of the spacing between two ranks.
float orderOffset(int k, int maxOrder, float pixelsPerRank) {
  const float step = std::min(2.5f, 0.6f * pixelsPerRank / static_cast<float>(std::max(maxOrder, 1)));
  return (static_cast<float>(k) - 0.5f * static_cast<float>(maxOrder)) * step;
}

std::string parameterText(const std::map<std::string, std::string>& parameters) {
  std::string text;
  for (const auto& [name, value] : parameters) text += (text.empty() ? "" : " ") + name + "=" + value;
  return text;
}

}  // namespace

// [SECTION] Panel

TimelinePanel::TimelinePanel() : scene_("lemma1.5") {
  for (const auto& info : theory::matrixScenes()) {
    if (info.name != scene_) continue;
    for (const theory::SceneParameter& p : theory::parseSceneParameters(info.parameters)) parameters_[p.name] = p.value;
  }
}

void TimelinePanel::defaultRect(const ImVec2& display, float left, ImVec2* pos, ImVec2* size) {
  const float margin = uiScaled(12.0f);
  const float height = std::clamp(display.y * 0.28f, uiScaled(200.0f), uiScaled(320.0f));
  *size = {std::max(display.x - left - margin, uiScaled(320.0f)), height};
  *pos = {left, std::max(display.y - height - margin, 0.0f)};
}

void TimelinePanel::follow(const RanksModel* ranks) {
  if (!ranks) return;
  std::map<std::string, std::string> parameters;
  for (const theory::SceneParameter& p : ranks->parameters()) parameters[p.name] = p.value;
  setSource(ranks->scene(), parameters, ranks->maxOrder(), ranks->tolerance());
}

void TimelinePanel::setSource(const std::string& scene, const std::map<std::string, std::string>& parameters,
                              int maxOrder, std::optional<double> tolerance) {
  if (scene == scene_ && parameters == parameters_ && maxOrder == maxOrder_ && tolerance == tolerance_) return;
  scene_ = scene;
  parameters_ = parameters;
  maxOrder_ = maxOrder;
  tolerance_ = tolerance;
  sourceChanged_ = true;
}

void TimelinePanel::requestIfChanged() {
  if (!sourceChanged_) return;
  sourceChanged_ = false;
  model_.request(scene_, parameters_, maxOrder_, 0.0, 1.0, RankStripModel::kDefaultSamples, tolerance_);
}

void TimelinePanel::advance(ViewState& view, double dt) const {
  if (!view.playing) return;
  const PlaybackAdvance next = advanceTime(view.t, static_cast<float>(dt), view.playSpeed, loop_);
  view.t = next.t;
  if (next.reachedEnd) view.playing = false;
}

std::string TimelinePanel::readoutText(const RankStrip& strip, int sample) {
  if (sample < 0 || sample >= strip.sampleCount()) return {};
  char head[48];
  std::snprintf(head, sizeof head, "t = %.3f: ranks ", strip.times[static_cast<std::size_t>(sample)]);
  std::string text = head;
  const std::vector<int> ranks = strip.ranksAtSample(sample);
  for (std::size_t k = 0; k < ranks.size(); ++k) text += (k ? ", " : "") + std::to_string(ranks[k]);
  return text;
}

void TimelinePanel::draw(ViewState& view, float timeStep, const ImVec2& pos, const ImVec2& size, bool* open) {
  if (open && !*open) return;
  requestIfChanged();
  model_.poll();
  ImGui::SetNextWindowPos(pos, ImGuiCond_Always);
  ImGui::SetNextWindowSize(size, ImGuiCond_Always);
  if (ImGui::Begin("Timeline", open,
                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                       ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse)) {
    drawControls(view, timeStep);
    if (imported_) {
      drawMetricBands(view, imported_,
                      std::max(ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing(), 60.0f));
      ImGui::End();
      lastT_ = view.t;
      lastPlaying_ = view.playing;
      lastSpeed_ = view.playSpeed;
      return;
    }
    drawStatus();
    // The chart takes what is left above the one-line readout and legend.
    const float footer =
        static_cast<float>(legendLines()) * ImGui::GetTextLineHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y;
    drawChart(view, std::max(ImGui::GetContentRegionAvail().y - footer, 60.0f));
    drawLegend();
  }
  ImGui::End();
  lastT_ = view.t;
  lastPlaying_ = view.playing;
  lastSpeed_ = view.playSpeed;
}

void TimelinePanel::drawControls(ViewState& view, float timeStep) {
  if (ImGui::Button(view.playing ? "Pause" : "Play", {64.0f, 0.0f})) {
    view.playing = !view.playing;
    // Without loop, playing from the end would stop at once: start over instead.
    if (view.playing && !loop_ && view.playSpeed > 0.0f && view.t >= 1.0f) view.t = 0.0f;
  }
  ImGui::SameLine();
  if (ImGui::Button("|<")) view.t = 0.0f;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("t = 0 (Home)");
  ImGui::SameLine();
  if (ImGui::Button("<")) view.t = stepTime(view.t, timeStep, -1);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("one grid step back (%.4f, left arrow)", timeStep);
  ImGui::SameLine();
  if (ImGui::Button(">")) view.t = stepTime(view.t, timeStep, +1);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("one grid step forward (%.4f, right arrow)", timeStep);
  ImGui::SameLine();
  if (ImGui::Button(">|")) view.t = 1.0f;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("t = 1 (End)");
  ImGui::SameLine();
  ImGui::Checkbox("loop", &loop_);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(uiScaled(150.0f));
  // Clamped even when typed (ctrl+click): a t outside [0, 1] has no trajectory.
  ImGui::SliderFloat("##speed", &view.playSpeed, 0.02f, 1.0f, "speed %.2f /s",
                     ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-1.0f);
  ImGui::SliderFloat("##t", &view.t, 0.0f, 1.0f, "t = %.3f", ImGuiSliderFlags_AlwaysClamp);
}

void TimelinePanel::drawStatus() {
  const RankStrip& s = model_.strip();
  if (!s.empty()) {
    ImGui::TextDisabled("%s",
                        mathFormat("rank of B⁽ᵏ⁾(t), k = 0..%d: %s %s (%d×%d), %d samples", s.maxOrder, s.scene.c_str(),
                                   parameterText(s.parameters).c_str(), s.rows, s.cols, s.sampleCount())
                            .c_str());
    if (ImGui::IsItemHovered() && !s.statement.empty()) ImGui::SetTooltip("%s", s.statement.c_str());
    // Which backend computed the ranks, and how long every matrix and SVD took.
    ImGui::SameLine();
    ImGui::TextDisabled("| %s, %s", s.computedOn.c_str(), formatSeconds(s.computeSeconds).c_str());
    if (ImGui::IsItemHovered() && !s.computeNote.empty()) ImGui::SetTooltip("%s", s.computeNote.c_str());
  } else {
    ImGui::TextDisabled(
        "%s", mathFormat("rank of B⁽ᵏ⁾(t): %s %s", scene_.c_str(), parameterText(parameters_).c_str()).c_str());
  }
  switch (model_.state()) {
    case TaskState::Running: {
      ImGui::SameLine();
      ImGui::ProgressBar(model_.progress(), {160.0f, ImGui::GetTextLineHeight()});
      ImGui::SameLine();
      if (ImGui::SmallButton("Cancel")) model_.cancel();
      break;
    }
    case TaskState::Cancelled:
      ImGui::SameLine();
      ImGui::TextDisabled("cancelled");
      ImGui::SameLine();
      if (ImGui::SmallButton("run again")) sourceChanged_ = true;
      break;
    case TaskState::Failed:
      ImGui::SameLine();
      ImGui::TextColored(kMessageColor, "%s%s", model_.message().c_str(),
                         s.empty() ? "" : " (showing the previous strip)");
      break;
    case TaskState::Idle:
    case TaskState::Queued:  // the strip model starts a request at once
    case TaskState::Done:
      break;
  }
}

void TimelinePanel::drawChart(ViewState& view, float height) {
  const RankStrip& s = model_.strip();
  const ImVec2 frameMin = ImGui::GetCursorScreenPos();
  const charts::ChartFrame frame = reserveCaptureChart("##strip", height, 36.0f, 20.0f);
  const charts::PlotArea& area = frame.area;
  axis_ = {area.min.x, area.max.x, s.empty() ? 0.0 : s.tMin, s.empty() ? 1.0 : s.tMax};
  // Clicking or dragging anywhere on the chart scrubs.
  const bool scrubbing = ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left);
  const ScopedPlotCapture capture("timeline-ranks", frameMin, ImGui::GetItemRectMax());
  if (scrubbing) view.t = std::clamp(static_cast<float>(axis_.timeAt(frame.mouse.x)), 0.0f, 1.0f);

  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  charts::drawLinearXAxis(draw, area, axis_.tMin, axis_.tMax, 10, "%.1f");
  cursorSample_ = s.sampleAt(view.t);
  readout_ = readoutText(s, cursorSample_);
  if (s.empty()) {
    const char* text = model_.state() == TaskState::Running ? "sampling ranks..." : "no strip";
    draw->AddText({area.min.x + 6.0f, area.min.y + 4.0f}, charts::kChartAxis, text);
    return;
  }
  const float yMax = static_cast<float>(s.highestRank()) + 0.5f;
  const auto yAt = [&](int rank) {
    return area.max.y - area.height() * (static_cast<float>(rank) + 0.25f) / (yMax + 0.25f);
  };
  const float pixelsPerRank = area.height() / (yMax + 0.25f);
  // A label at every rank while they are a text line apart.
  const int labelStep = std::max(1, static_cast<int>(std::ceil(ImGui::GetTextLineHeight() / pixelsPerRank)));
  for (int r = 0; r <= static_cast<int>(yMax); r += labelStep) {
    draw->AddLine({area.min.x, yAt(r)}, {area.max.x, yAt(r)}, charts::kChartGrid);
    char label[16];
    std::snprintf(label, sizeof label, "%d", r);
    draw->AddText({area.min.x - 6.0f - ImGui::CalcTextSize(label).x, yAt(r) - 7.0f}, charts::kChartAxis, label);
  }
  draw->AddLine({area.min.x, area.max.y}, {area.max.x, area.max.y}, charts::kChartAxis);

  // Sample i holds over the half spacings either side of times[i] (what sampleAt picks).
  const int n = s.sampleCount();
  const double half = 0.5 * (s.tMax - s.tMin) / static_cast<double>(n - 1);
  const auto cellEnd = [&](int i) { return axis_.xAt(std::min(s.times[static_cast<std::size_t>(i)] + half, s.tMax)); };
  draw->PushClipRect({area.min.x - 4.0f, area.min.y - 4.0f}, {area.max.x + 4.0f, area.max.y + 4.0f}, true);
  std::vector<ImVec2> line;
  for (int k = 0; k <= s.maxOrder; ++k) {
    const std::vector<int>& ranks = s.ranks[static_cast<std::size_t>(k)];
    const float offset = orderOffset(k, s.maxOrder, pixelsPerRank);
    const auto y = [&](int i) { return yAt(ranks[static_cast<std::size_t>(i)]) + offset; };
    line.assign(1, {area.min.x, y(0)});
    for (int i = 0; i + 1 < n; ++i) {
      if (ranks[static_cast<std::size_t>(i) + 1] == ranks[static_cast<std::size_t>(i)]) continue;
      line.push_back({cellEnd(i), y(i)});
      line.push_back({cellEnd(i), y(i + 1)});
    }
    line.push_back({area.max.x, y(n - 1)});
    draw->AddPolyline(line.data(), static_cast<int>(line.size()), orderColor(k), ImDrawFlags_None, 2.0f);
    // A lone sample (Lemma 1.5's t = 0) is a few pixels wide: a dot makes it visible.
    for (int i = 0; i < n; ++i) {
      const bool differsLeft = i == 0 || ranks[static_cast<std::size_t>(i) - 1] != ranks[static_cast<std::size_t>(i)];
      const bool differsRight =
          i + 1 == n || ranks[static_cast<std::size_t>(i) + 1] != ranks[static_cast<std::size_t>(i)];
      if (differsLeft && differsRight)
        draw->AddCircleFilled({axis_.xAt(s.times[static_cast<std::size_t>(i)]), y(i)}, 3.5f, orderColor(k));
    }
  }
  const float cursorX = axis_.xAt(view.t);
  draw->AddLine({cursorX, area.min.y - 4.0f}, {cursorX, area.max.y + 2.0f}, kCursorColor, 1.5f);
  for (int k = 0; k <= s.maxOrder; ++k) {
    const int rank = s.ranks[static_cast<std::size_t>(k)][static_cast<std::size_t>(cursorSample_)];
    draw->AddCircle({cursorX, yAt(rank) + orderOffset(k, s.maxOrder, pixelsPerRank)}, 4.5f, orderColor(k), 0, 1.5f);
  }
  draw->PopClipRect();
  if (frame.hovered && !scrubbing)
    ImGui::SetTooltip("%s", readoutText(s, s.sampleAt(axis_.timeAt(frame.mouse.x))).c_str());
}

// How many lines the readout and the legend take at the current width (legendItem wraps).
int TimelinePanel::legendLines() const {
  const RankStrip& s = model_.strip();
  const float available = std::max(ImGui::GetContentRegionAvail().x, 1.0f);
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  float x = ImGui::CalcTextSize("t = 0.000: ranks ").x + 3.0f * spacing * static_cast<float>(s.maxOrder + 1);
  int lines = 1;
  for (int k = 0; k <= s.maxOrder && !s.empty(); ++k) {
    const std::string label = orderLabel(k);
    const float item = 22.0f + ImGui::CalcTextSize(label.c_str()).x + 2.0f * spacing;
    if (x + item > available) {
      ++lines;
      x = 0.0f;
    }
    x += item;
  }
  return lines;
}

void TimelinePanel::drawLegend() {
  const RankStrip& s = model_.strip();
  ImGui::TextUnformatted(readout_.empty() ? "t = -" : readout_.c_str());
  if (s.empty()) return;
  for (int k = 0; k <= s.maxOrder; ++k) {
    charts::legendItem(orderLabel(k).c_str(), orderColor(k), charts::Swatch::Line, false);
  }
}

std::string TimelinePanel::exportJson() const {
  nlohmann::json out = nlohmann::json::parse(model_.exportJson());
  out["t"] = lastT_;
  out["playing"] = lastPlaying_;
  out["speed"] = lastSpeed_;
  out["loop"] = loop_;
  out["cursor_sample"] = cursorSample_;
  out["cursor_ranks"] = model_.strip().ranksAtSample(cursorSample_);
  out["readout"] = readout_;
  return out.dump(1);
}

// [SECTION] Panel

void TimelinePanel::draw(PanelHost& host, bool* open) {
  if (auto* ranks = dynamic_cast<RanksPanel*>(host.findPanel("ranks"))) follow(&ranks->model());
  ImVec2 pos, size;  // right of the control and performance column
  defaultRect(ImGui::GetIO().DisplaySize, uiScaled(kControlPanelX + kControlPanelWidth + 12.0f), &pos, &size);
  imported_ = host.scene().imported;
  draw(host.view(), host.scene().grid.stepSize(), pos, size, open);
  imported_ = nullptr;
}

struct TimelinePanel::BandsJob {
  std::shared_ptr<const flows::ImportedTrajectories> of;  // kept alive until the job is done
  int metric = -1;
  std::mutex mutex;  // guards what the lane publishes below
  bool finished = false;
  std::vector<std::array<float, 3>> bands;
};

bool TimelinePanel::refreshBands(const std::shared_ptr<const flows::ImportedTrajectories>& imported, int metric) {
  if (bandsJob_) {
    bool finished = false;
    {
      const std::lock_guard lock(bandsJob_->mutex);
      finished = bandsJob_->finished;
    }
    if (finished) {
      bands_ = std::move(bandsJob_->bands);
      bandsOf_ = bandsJob_->of;
      bandsMetric_ = bandsJob_->metric;
      bandsJob_.reset();
    }
  }
  if (bandsOf_.lock() == imported && bandsMetric_ == metric) return true;
  if (!bandsJob_ || bandsJob_->of != imported || bandsJob_->metric != metric) {
    auto job = std::make_shared<BandsJob>();
    job->of = imported;
    job->metric = metric;
    bandsJob_ = job;
    bandsLane_.post([job] {  // a newer request replaces this one if it has not started
      std::vector<std::array<float, 3>> bands = job->of->percentiles(static_cast<flows::TrajectoryMetric>(job->metric));
      const std::lock_guard lock(job->mutex);
      job->bands = std::move(bands);
      job->finished = true;
    });
  }
  return false;
}

void TimelinePanel::drawMetricBands(ViewState& view, const std::shared_ptr<const flows::ImportedTrajectories>& shared,
                                    float height) {
  const flows::ImportedTrajectories& imported = *shared;
  const flows::TrajectoryMetric metric = metricOf(view.particleColour);
  // Until this import's bands come, the last ones stay drawn (another metric's, named below);
  // for a new import there is nothing to draw yet.
  const bool current = refreshBands(shared, static_cast<int>(metric));
  if (!current && bandsOf_.lock() != shared) {
    ImGui::TextDisabled("computing the %s percentiles over %d trajectories ...", flows::metricSymbol(metric),
                        imported.particles);
    return;
  }
  const flows::TrajectoryMetric shown = current ? metric : static_cast<flows::TrajectoryMetric>(bandsMetric_);
  const ImVec2 frameMin = ImGui::GetCursorScreenPos();
  const charts::ChartFrame frame = reserveCaptureChart("##bands", height, 56.0f, 20.0f);
  const charts::PlotArea& area = frame.area;
  axis_ = {area.min.x, area.max.x, 0.0, 1.0};
  const bool scrubbing = ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left);
  const ScopedPlotCapture capture("timeline-metric", frameMin, ImGui::GetItemRectMax());
  if (scrubbing) view.t = std::clamp(static_cast<float>(axis_.timeAt(frame.mouse.x)), 0.0f, 1.0f);
  charts::Canvas chartCanvas(ImGui::GetWindowDrawList());
  charts::Canvas* draw = &chartCanvas;
  charts::drawLinearXAxis(draw, area, 0.0, 1.0, 10, "%.1f");
  float top = 0.0f;
  for (const auto& b : bands_) top = std::max(top, std::isfinite(b[2]) ? b[2] : 0.0f);
  top = top > 0.0f ? 1.08f * top : 1.0f;
  const auto yAt = [&](float v) { return area.max.y - area.height() * std::clamp(v / top, 0.0f, 1.0f); };
  for (int tick = 0; tick <= 4; ++tick) {
    const float v = top * static_cast<float>(tick) / 4.0f;
    draw->AddLine({area.min.x, yAt(v)}, {area.max.x, yAt(v)}, charts::kChartGrid);
    char label[24];
    std::snprintf(label, sizeof label, "%.3g", v);
    draw->AddText({area.min.x - 6.0f - ImGui::CalcTextSize(label).x, yAt(v) - 7.0f}, charts::kChartAxis, label);
  }
  const int frames = static_cast<int>(bands_.size());
  const auto xAt = [&](int f) { return axis_.xAt(static_cast<double>(f) / std::max(frames - 1, 1)); };
  constexpr ImU32 kBand = IM_COL32(90, 170, 230, 70), kMedian = IM_COL32(120, 200, 255, 255);
  // Without anti-aliased fill the quads meet without seams.
  const ImDrawListFlags flags = draw->Flags;
  draw->Flags &= ~ImDrawListFlags_AntiAliasedFill;
  for (int f = 0; f + 1 < frames; ++f) {
    const auto& a = bands_[static_cast<std::size_t>(f)];
    const auto& b = bands_[static_cast<std::size_t>(f) + 1];
    draw->AddQuadFilled({xAt(f), yAt(a[0])}, {xAt(f + 1), yAt(b[0])}, {xAt(f + 1), yAt(b[2])}, {xAt(f), yAt(a[2])},
                        kBand);
  }
  draw->Flags = flags;
  std::vector<ImVec2> median;
  for (int f = 0; f < frames; ++f) median.push_back({xAt(f), yAt(bands_[static_cast<std::size_t>(f)][1])});
  draw->AddPolyline(median.data(), static_cast<int>(median.size()), kMedian, ImDrawFlags_None, 2.0f);
  const float cursorX = axis_.xAt(view.t);
  draw->AddLine({cursorX, area.min.y - 4.0f}, {cursorX, area.max.y + 2.0f}, kCursorColor, 1.5f);
  const int at = std::clamp(static_cast<int>(std::lround(view.t * static_cast<float>(frames - 1))), 0, frames - 1);
  const auto& here = bands_[static_cast<std::size_t>(at)];
  char text[160];
  std::snprintf(text, sizeof text, "t = %.3f (time %.4g): %s median %.4g, 10-90%% %.4g - %.4g over %d trajectories%s",
                view.t, imported.timeAt(view.t), flows::metricSymbol(shown), here[1], here[0], here[2],
                imported.particles, current ? "" : " (computing the new metric's ...)");
  readout_ = text;
  ImGui::TextUnformatted(text);
  if (frame.hovered && !scrubbing) {
    const double t = axis_.timeAt(frame.mouse.x);
    const int f = std::clamp(static_cast<int>(std::lround(t * (frames - 1))), 0, frames - 1);
    const auto& b = bands_[static_cast<std::size_t>(f)];
    ImGui::SetTooltip("frame %d, time %.4g\n%s: 10%% %.4g, median %.4g, 90%% %.4g", f,
                      imported.times[static_cast<std::size_t>(f)], flows::metricSymbol(shown), b[0], b[1], b[2]);
  }
}

PanelInfo timelinePanelInfo() {
  return {.id = "timeline",
          .title = "Timeline",
          .toggleLabel = "Timeline F7",
          .shortcut = {keys::kF7, "F7", "Timeline"},
          .toggleOrder = 4,
          .openAtStart = true,
          .createAtStart = true,  // its update() plays time back
          .make = [](PanelHost&) { return std::make_unique<TimelinePanel>(); }};
}

}  // namespace rankflow::app
