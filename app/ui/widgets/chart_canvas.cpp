#include "app/ui/widgets/chart_canvas.h"

#include <cstring>
#include <initializer_list>
#include <utility>

#include "app/ui/widgets/chart_svg.h"

namespace rankflow::app::charts {
namespace {

using Kind = ChartPrimitive::Kind;

ChartPrimitive shape(Kind kind, std::initializer_list<ImVec2> points, ImU32 color, bool filled, float thickness) {
  ChartPrimitive p;
  p.kind = kind;
  p.points = points;
  p.color = color;
  p.filled = filled;
  p.thickness = thickness;
  return p;
}

}  // namespace

void Canvas::AddLine(const ImVec2& a, const ImVec2& b, ImU32 color, float thickness) {
  list_->AddLine(a, b, color, thickness);
  if (chartRecordingActive()) recordChartPrimitive(shape(Kind::Line, {a, b}, color, false, thickness), list_);
}

void Canvas::AddPolyline(const ImVec2* points, int count, ImU32 color, ImDrawFlags flags, float thickness) {
  list_->AddPolyline(points, count, color, flags, thickness);
  if (!chartRecordingActive() || count < 2) return;
  ChartPrimitive p = shape(Kind::Polyline, {}, color, false, thickness);
  p.points.assign(points, points + count);
  p.closed = (flags & ImDrawFlags_Closed) != 0;
  recordChartPrimitive(std::move(p), list_);
}

void Canvas::AddRect(const ImVec2& min, const ImVec2& max, ImU32 color, float rounding, ImDrawFlags flags,
                     float thickness) {
  list_->AddRect(min, max, color, rounding, flags, thickness);
  if (!chartRecordingActive()) return;
  ChartPrimitive p = shape(Kind::Rect, {min, max}, color, false, thickness);
  p.rounding = rounding;
  recordChartPrimitive(std::move(p), list_);
}

void Canvas::AddRectFilled(const ImVec2& min, const ImVec2& max, ImU32 color, float rounding, ImDrawFlags flags) {
  list_->AddRectFilled(min, max, color, rounding, flags);
  if (!chartRecordingActive()) return;
  ChartPrimitive p = shape(Kind::Rect, {min, max}, color, true, 0.0f);
  p.rounding = rounding;
  recordChartPrimitive(std::move(p), list_);
}

void Canvas::AddQuadFilled(const ImVec2& a, const ImVec2& b, const ImVec2& c, const ImVec2& d, ImU32 color) {
  list_->AddQuadFilled(a, b, c, d, color);
  if (chartRecordingActive()) recordChartPrimitive(shape(Kind::Polygon, {a, b, c, d}, color, true, 0.0f), list_);
}

void Canvas::AddTriangle(const ImVec2& a, const ImVec2& b, const ImVec2& c, ImU32 color, float thickness) {
  list_->AddTriangle(a, b, c, color, thickness);
  if (chartRecordingActive()) recordChartPrimitive(shape(Kind::Polygon, {a, b, c}, color, false, thickness), list_);
}

void Canvas::AddTriangleFilled(const ImVec2& a, const ImVec2& b, const ImVec2& c, ImU32 color) {
  list_->AddTriangleFilled(a, b, c, color);
  if (chartRecordingActive()) recordChartPrimitive(shape(Kind::Polygon, {a, b, c}, color, true, 0.0f), list_);
}

void Canvas::AddCircle(const ImVec2& center, float radius, ImU32 color, int segments, float thickness) {
  list_->AddCircle(center, radius, color, segments, thickness);
  if (!chartRecordingActive()) return;
  ChartPrimitive p = shape(Kind::Circle, {center}, color, false, thickness);
  p.radius = radius;
  recordChartPrimitive(std::move(p), list_);
}

void Canvas::AddCircleFilled(const ImVec2& center, float radius, ImU32 color, int segments) {
  list_->AddCircleFilled(center, radius, color, segments);
  if (!chartRecordingActive()) return;
  ChartPrimitive p = shape(Kind::Circle, {center}, color, true, 0.0f);
  p.radius = radius;
  recordChartPrimitive(std::move(p), list_);
}

void Canvas::AddText(const ImVec2& pos, ImU32 color, const char* begin, const char* end) {
  list_->AddText(pos, color, begin, end);
  recordText(nullptr, 0.0f, pos, color, begin, end);
}

void Canvas::AddText(const ImFont* font, float size, const ImVec2& pos, ImU32 color, const char* begin,
                     const char* end) {
  list_->AddText(font, size, pos, color, begin, end);
  recordText(font, size, pos, color, begin, end);
}

void Canvas::recordText(const ImFont* font, float size, const ImVec2& pos, ImU32 color, const char* begin,
                        const char* end) {
  if (!chartRecordingActive() || !begin) return;
  const ImFont* shown = font ? font : ImGui::GetFont();
  ChartPrimitive p = shape(Kind::Text, {pos}, color, true, 0.0f);
  p.text.assign(begin, end ? end : begin + std::strlen(begin));
  p.fontSize = size > 0.0f ? size : ImGui::GetFontSize();
  p.ascent = shown->FontSize > 0.0f ? shown->Ascent * p.fontSize / shown->FontSize : p.fontSize * 0.8f;
  recordChartPrimitive(std::move(p), list_);
}

void Canvas::PushClipRect(const ImVec2& min, const ImVec2& max, bool intersectWithCurrent) {
  list_->PushClipRect(min, max, intersectWithCurrent);
}

void Canvas::PopClipRect() {
  list_->PopClipRect();
}

}  // namespace rankflow::app::charts
