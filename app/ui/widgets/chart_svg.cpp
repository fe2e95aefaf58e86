#include "app/ui/widgets/chart_svg.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

#include "core/common/error.h"
#include "core/io/atomic_file.h"

namespace rankflow::app {
namespace {

struct RecordingState {
  bool active = false;
  ChartRecording recording;
};

// The UI is built on one thread, one frame at a time.
RecordingState& state() {
  static RecordingState s;
  return s;
}

std::string currentWindowTitle() {
  const ImGuiWindow* window = ImGui::GetCurrentWindowRead();
  if (!window) return {};
  const ImGuiWindow* root = window->RootWindow ? window->RootWindow : window;
  return root->Name ? root->Name : "";
}

std::string number(float v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", static_cast<double>(v));
  std::string s = text;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

// ImU32 is IM_COL32(r, g, b, a): r in the low byte.
std::string colour(ImU32 c) {
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", c & 0xffu, (c >> 8) & 0xffu, (c >> 16) & 0xffu);
  return text;
}

float alpha(ImU32 c) {
  return static_cast<float>((c >> 24) & 0xffu) / 255.0f;
}

std::string escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 32 && c != 127) out += c;  // XML 1.0 has no control characters
    }
  }
  return out;
}

ImVec2 anchor(const ChartPrimitive& p) {
  if (p.kind == ChartPrimitive::Kind::Rect && p.points.size() == 2)
    return {(p.points[0].x + p.points[1].x) * 0.5f, (p.points[0].y + p.points[1].y) * 0.5f};
  return p.points.empty() ? ImVec2{} : p.points.front();
}

bool holds(const RecordedChart& chart, ImVec2 p) {
  constexpr float kSlack = 1.0f;
  return p.x >= chart.min.x - kSlack && p.x <= chart.max.x + kSlack && p.y >= chart.min.y - kSlack &&
         p.y <= chart.max.y + kSlack;
}

float area(const RecordedChart& chart) {
  return (chart.max.x - chart.min.x) * (chart.max.y - chart.min.y);
}

std::string paint(const ChartPrimitive& p) {
  const std::string c = colour(p.color);
  const float a = alpha(p.color);
  std::string out;
  if (p.filled) {
    out = " fill=\"" + c + "\"";
    if (a < 1.0f) out += " fill-opacity=\"" + number(a) + "\"";
  } else {
    out = " fill=\"none\" stroke=\"" + c + "\" stroke-width=\"" + number(p.thickness) + "\"";
    if (a < 1.0f) out += " stroke-opacity=\"" + number(a) + "\"";
  }
  return out;
}

std::string pointList(const std::vector<ImVec2>& points, ImVec2 origin) {
  std::string out;
  for (const ImVec2& q : points) {
    if (!out.empty()) out += ' ';
    out += number(q.x - origin.x) + "," + number(q.y - origin.y);
  }
  return out;
}

std::string element(const ChartPrimitive& p, ImVec2 o, const std::string& clip) {
  using Kind = ChartPrimitive::Kind;
  const std::string tail = clip + paint(p) + "/>\n";
  switch (p.kind) {
    case Kind::Line:
      return "    <line x1=\"" + number(p.points[0].x - o.x) + "\" y1=\"" + number(p.points[0].y - o.y) + "\" x2=\"" +
             number(p.points[1].x - o.x) + "\" y2=\"" + number(p.points[1].y - o.y) + "\"" + tail;
    case Kind::Polyline:
      return std::string("    <") + (p.closed ? "polygon" : "polyline") + " points=\"" + pointList(p.points, o) + "\"" +
             tail;
    case Kind::Polygon:
      return "    <polygon points=\"" + pointList(p.points, o) + "\"" + tail;
    case Kind::Rect: {
      const float x = std::min(p.points[0].x, p.points[1].x), y = std::min(p.points[0].y, p.points[1].y);
      std::string r = "    <rect x=\"" + number(x - o.x) + "\" y=\"" + number(y - o.y) + "\" width=\"" +
                      number(std::abs(p.points[1].x - p.points[0].x)) + "\" height=\"" +
                      number(std::abs(p.points[1].y - p.points[0].y)) + "\"";
      if (p.rounding > 0.0f) r += " rx=\"" + number(p.rounding) + "\"";
      return r + tail;
    }
    case Kind::Circle:
      return "    <circle cx=\"" + number(p.points[0].x - o.x) + "\" cy=\"" + number(p.points[0].y - o.y) + "\" r=\"" +
             number(p.radius) + "\"" + tail;
    case Kind::Text: {
      std::string t = "    <text x=\"" + number(p.points[0].x - o.x) + "\" y=\"" +
                      number(p.points[0].y + p.ascent - o.y) + "\" font-size=\"" + number(p.fontSize) + "\"" + clip +
                      " fill=\"" + colour(p.color) + "\"";
      if (alpha(p.color) < 1.0f) t += " fill-opacity=\"" + number(alpha(p.color)) + "\"";
      return t + ">" + escaped(p.text) + "</text>\n";
    }
  }
  return {};
}

}  // namespace

void startChartRecording() {
  state().recording = {};
  state().active = true;
}

ChartRecording stopChartRecording() {
  state().active = false;
  return std::exchange(state().recording, {});
}

bool chartRecordingActive() {
  return state().active;
}

void recordChartPrimitive(ChartPrimitive primitive, const ImDrawList* list) {
  if (!state().active) return;
  const ImVec2 lo = list->GetClipRectMin(), hi = list->GetClipRectMax();
  primitive.clip = {lo.x, lo.y, hi.x, hi.y};
  primitive.window = currentWindowTitle();
  state().recording.primitives.push_back(std::move(primitive));
}

void recordChartFrame(const char* name, ImVec2 min, ImVec2 max) {
  if (!state().active) return;
  std::string id = name ? name : "chart";
  id.erase(0, id.find_first_not_of('#'));
  // An SVG id: letters, digits, '-' and '_' ("adapter heatmap" → "adapter-heatmap").
  for (char& c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '-';
  if (id.empty() || !std::isalpha(static_cast<unsigned char>(id[0]))) id = "chart-" + id;
  const std::string window = currentWindowTitle();
  for (RecordedChart& chart : state().recording.charts) {
    if (chart.window == window && std::abs(chart.min.x - min.x) <= 2.0f && std::abs(chart.min.y - min.y) <= 2.0f &&
        std::abs(chart.max.x - max.x) <= 2.0f && std::abs(chart.max.y - max.y) <= 2.0f) {
      chart.name = id;  // the plot's capture name, given after its frame, is the better one
      return;
    }
  }
  state().recording.charts.push_back({id, min, max, window});
}

std::string chartsSvg(const ChartRecording& recording, const std::string& windowTitle, int* charts) {
  std::vector<const RecordedChart*> frames;
  for (const RecordedChart& chart : recording.charts)
    if (chart.window == windowTitle && area(chart) > 0.0f) frames.push_back(&chart);
  std::vector<std::vector<const ChartPrimitive*>> members(frames.size());
  for (const ChartPrimitive& p : recording.primitives) {
    if (p.window != windowTitle || p.points.empty()) continue;
    int best = -1;
    for (std::size_t i = 0; i < frames.size(); ++i)
      if (holds(*frames[i], anchor(p)) &&
          (best < 0 || area(*frames[i]) < area(*frames[static_cast<std::size_t>(best)])))
        best = static_cast<int>(i);
    if (best >= 0) members[static_cast<std::size_t>(best)].push_back(&p);
  }
  constexpr float kMargin = 8.0f, kInf = std::numeric_limits<float>::infinity();
  ImVec2 lo{kInf, kInf}, hi{-kInf, -kInf};
  int written = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (members[i].empty()) continue;
    lo = {std::min(lo.x, frames[i]->min.x), std::min(lo.y, frames[i]->min.y)};
    hi = {std::max(hi.x, frames[i]->max.x), std::max(hi.y, frames[i]->max.y)};
    ++written;
  }
  if (charts) *charts = written;
  if (written == 0) lo = hi = {0.0f, 0.0f};
  const ImVec2 origin{lo.x - kMargin, lo.y - kMargin};
  const float width = hi.x - lo.x + 2 * kMargin, height = hi.y - lo.y + 2 * kMargin;

  // Clip rectangles that cut into a chart become clip paths, shared by equal rectangles.
  std::map<std::tuple<float, float, float, float>, int> clips;
  std::string defs, body;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (members[i].empty()) continue;
    const RecordedChart& chart = *frames[i];
    body += "  <g class=\"chart\" id=\"" + escaped(chart.name) + "\">\n";
    for (const ChartPrimitive* p : members[i]) {
      std::string clip;
      const bool cuts = p->clip.x > chart.min.x + 0.5f || p->clip.y > chart.min.y + 0.5f ||
                        p->clip.z < chart.max.x - 0.5f || p->clip.w < chart.max.y - 0.5f;
      if (cuts) {
        const auto key = std::make_tuple(p->clip.x, p->clip.y, p->clip.z, p->clip.w);
        auto [it, added] = clips.emplace(key, static_cast<int>(clips.size()));
        if (added)
          defs += "    <clipPath id=\"clip" + std::to_string(it->second) + "\"><rect x=\"" +
                  number(p->clip.x - origin.x) + "\" y=\"" + number(p->clip.y - origin.y) + "\" width=\"" +
                  number(p->clip.z - p->clip.x) + "\" height=\"" + number(p->clip.w - p->clip.y) + "\"/></clipPath>\n";
        clip = " clip-path=\"url(#clip" + std::to_string(it->second) + ")\"";
      }
      body += element(*p, origin, clip);
    }
    body += "  </g>\n";
  }
  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + number(width) + "\" height=\"" +
         number(height) + "\" viewBox=\"0 0 " + number(width) + " " + number(height) +
         "\" font-family=\"DejaVu Sans, Verdana, sans-serif\">\n";
  svg += "  <title>" + escaped(windowTitle) + "</title>\n";
  if (!defs.empty()) svg += "  <defs>\n" + defs + "  </defs>\n";
  svg += body + "</svg>\n";
  return svg;
}

int writeChartsSvg(const ChartRecording& recording, const std::string& windowTitle, const std::string& path) {
  int charts = 0;
  const std::string svg = chartsSvg(recording, windowTitle, &charts);
  if (charts == 0) throw InvalidArgument("the window '" + windowTitle + "' drew no chart: no SVG written");
  io::writeFileAtomic(path, svg);
  return charts;
}

}  // namespace rankflow::app
