// The registry of tool windows: one line per panel, in the order they draw and the control
// panel lists them. Each panel's file defines its class and the function named here.
#include <algorithm>
#include <vector>

#include "app/ui/panel.h"

// One line per panel: X(function returning its PanelInfo), in the order the windows are
// created and drawn (a later one is in front where two appear together and overlap).
#define RANKFLOW_PANELS(X) \
  X(ranksPanelInfo)        \
  X(queriesPanelInfo)      \
  X(timelinePanelInfo)     \
  X(cascadePanelInfo)      \
  X(theoryPanelInfo)       \
  X(adaptersPanelInfo)     \
  X(recordPanelInfo)       \
  X(helpPanelInfo)

namespace rankflow::app {

#define RANKFLOW_DECLARE_PANEL(info) PanelInfo info();
RANKFLOW_PANELS(RANKFLOW_DECLARE_PANEL)
#undef RANKFLOW_DECLARE_PANEL

std::span<const PanelInfo> panelRegistry() {
#define RANKFLOW_LIST_PANEL(info) info(),
  static const std::vector<PanelInfo> panels = {RANKFLOW_PANELS(RANKFLOW_LIST_PANEL)};
#undef RANKFLOW_LIST_PANEL
  return panels;
}

const PanelInfo* findPanelInfo(const std::string& id) {
  for (const PanelInfo& info : panelRegistry())
    if (id == info.id) return &info;
  return nullptr;
}

bool panelAnswersTo(const PanelInfo& info, const std::string& name) {
  return std::any_of(info.settable.begin(), info.settable.end(),
                     [&](const std::string& v) { return v.back() == '.' ? name.rfind(v, 0) == 0 : name == v; });
}

}  // namespace rankflow::app
