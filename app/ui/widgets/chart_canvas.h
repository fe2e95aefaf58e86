#pragma once
// What charts draw with: the ImDrawList calls the panels use, forwarded to the window's draw
// list and, while a chart recording runs (app/ui/widgets/chart_svg.h), also kept as vector
// primitives, so `render --panel NAME --svg` writes the same charts as SVG. The methods keep
// ImDrawList's names and arguments, so a chart reads the same drawn either way.
#include <imgui.h>

namespace rankflow::app::charts {

class Canvas {
 public:
  explicit Canvas(ImDrawList* list) : Flags(list->Flags), list_(list) {}

  void AddLine(const ImVec2& a, const ImVec2& b, ImU32 color, float thickness = 1.0f);
  void AddPolyline(const ImVec2* points, int count, ImU32 color, ImDrawFlags flags, float thickness);
  void AddRect(const ImVec2& min, const ImVec2& max, ImU32 color, float rounding = 0.0f, ImDrawFlags flags = 0,
               float thickness = 1.0f);
  void AddRectFilled(const ImVec2& min, const ImVec2& max, ImU32 color, float rounding = 0.0f, ImDrawFlags flags = 0);
  void AddQuadFilled(const ImVec2& a, const ImVec2& b, const ImVec2& c, const ImVec2& d, ImU32 color);
  void AddTriangle(const ImVec2& a, const ImVec2& b, const ImVec2& c, ImU32 color, float thickness = 1.0f);
  void AddTriangleFilled(const ImVec2& a, const ImVec2& b, const ImVec2& c, ImU32 color);
  void AddCircle(const ImVec2& center, float radius, ImU32 color, int segments = 0, float thickness = 1.0f);
  void AddCircleFilled(const ImVec2& center, float radius, ImU32 color, int segments = 0);
  void AddText(const ImVec2& pos, ImU32 color, const char* begin, const char* end = nullptr);
  void AddText(const ImFont* font, float size, const ImVec2& pos, ImU32 color, const char* begin,
               const char* end = nullptr);
  void PushClipRect(const ImVec2& min, const ImVec2& max, bool intersectWithCurrent = false);
  void PopClipRect();

  ImDrawList* list() const { return list_; }
  ImDrawListFlags& Flags;  // the draw list's own (anti-aliasing switches)

 private:
  void recordText(const ImFont* font, float size, const ImVec2& pos, ImU32 color, const char* begin, const char* end);
  ImDrawList* list_;
};

}  // namespace rankflow::app::charts
