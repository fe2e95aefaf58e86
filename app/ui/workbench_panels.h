#pragma once
// The Workbench's panels by name, shared by its frame code (workbench.cpp) and its
// scripting values (workbench_values.cpp).
#include <string>

namespace rankflow::app::workbench_panels {

// Window titles of the panels, as ImGui knows them.
struct PanelTitle {
  const char* name;
  const char* title;  // nullptr: not an ImGui window ("flow", "window")
};
constexpr PanelTitle kPanels[] = {
    {"flow", nullptr},
    {"window", nullptr},
    {"control", "Rankflow"},
    {"timeline", "Timeline"},
    {"performance", "Performance"},
    {"ranks", "Ranks"},
    {"queries", "Queries"},
    {"cascade", "Cascade"},
    {"theory", "Theory"},
    {"help", "Keyboard shortcuts"},
};

inline const PanelTitle* findPanel(const std::string& name) {
  for (const auto& p : kPanels)
    if (name == p.name) return &p;
  return nullptr;
}

inline std::string knownPanelList() {
  std::string out;
  for (const auto& p : kPanels) out += (out.empty() ? "" : ", ") + std::string(p.name);
  return out;
}

// The view's open flag of a tool window; null for "flow", "window", "control", "performance"
// (always shown) and unknown names. One template for the view and the const view.
template <class View>
auto panelFlagOf(View& view, const std::string& name) -> decltype(&view.ranksOpen) {
  if (name == "ranks") return &view.ranksOpen;
  if (name == "queries") return &view.queriesOpen;
  if (name == "cascade") return &view.cascadeOpen;
  if (name == "theory") return &view.theoryOpen;
  if (name == "timeline") return &view.timelineOpen;
  if (name == "help") return &view.helpOpen;
  return nullptr;
}

}  // namespace rankflow::app::workbench_panels
