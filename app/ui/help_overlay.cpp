#include "app/ui/help_overlay.h"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <strings.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "app/ui/keys.h"
#include "app/ui/panel.h"
#include "app/ui/widgets/math_text.h"

namespace rankflow::app {
namespace {

using enum ShortcutAction;

// What is not a panel's toggle; the global (F-key) entries merge with the panels' by key.
constexpr std::array kFixedShortcuts = {
    Shortcut{GLFW_KEY_F5, "F5", "lecture mode (full screen, large fonts, only the scene)", ToggleLecture, true,
             nullptr},
    Shortcut{GLFW_KEY_F12, "F12", "screenshot of the window (PNG in the working directory)", Screenshot, true, nullptr},
    Shortcut{GLFW_KEY_SPACE, "Space", "play / pause time", PlayPause, false, nullptr},
    Shortcut{GLFW_KEY_RIGHT, "Right", "step t forward (lecture + Theory: next scene)", Next, false, nullptr},
    Shortcut{GLFW_KEY_LEFT, "Left", "step t back (lecture + Theory: previous scene)", Previous, false, nullptr},
    Shortcut{GLFW_KEY_R, "R", "reset: t = 0 and the view (Theory: the scene's preset)", Reset, false, nullptr},
    Shortcut{GLFW_KEY_HOME, "Home", "t = 0 (noise)", TimeStart, false, nullptr},
    Shortcut{GLFW_KEY_END, "End", "t = 1 (data)", TimeEnd, false, nullptr},
    Shortcut{GLFW_KEY_1, "1", "show the velocity field", FieldVelocity, false, nullptr},
    Shortcut{GLFW_KEY_2, "2", "show the acceleration field", FieldAcceleration, false, nullptr},
    Shortcut{GLFW_KEY_3, "3", "show the jerk field", FieldJerk, false, nullptr},
    Shortcut{GLFW_KEY_L, "L", "marginal uₖ ↔ Lagrangian derivative along the ODE", ToggleLagrangian, false, nullptr},
    Shortcut{GLFW_KEY_H, "H", "|field| heatmap on / off", ToggleHeatmap, false, nullptr},
    Shortcut{GLFW_KEY_ESCAPE, "Esc", "leave lecture mode", LeaveLecture, false, nullptr},
};

// keys.h names GLFW's codes without including GLFW.
static_assert(keys::kF1 == GLFW_KEY_F1 && keys::kF2 == GLFW_KEY_F2 && keys::kF3 == GLFW_KEY_F3 &&
              keys::kF4 == GLFW_KEY_F4 && keys::kF5 == GLFW_KEY_F5 && keys::kF6 == GLFW_KEY_F6 &&
              keys::kF7 == GLFW_KEY_F7 && keys::kF8 == GLFW_KEY_F8 && keys::kF9 == GLFW_KEY_F9 &&
              keys::kF12 == GLFW_KEY_F12);

std::vector<Shortcut> buildShortcuts() {
  std::vector<Shortcut> global, scene;
  for (const PanelInfo& info : panelRegistry())
    if (info.shortcut.key != 0)
      global.push_back({info.shortcut.key, info.shortcut.label, info.shortcut.action, TogglePanel, true, info.id});
  for (const Shortcut& s : kFixedShortcuts) (s.global ? global : scene).push_back(s);
  std::stable_sort(global.begin(), global.end(), [](const Shortcut& a, const Shortcut& b) { return a.key < b.key; });
  global.insert(global.end(), scene.begin(), scene.end());
  return global;
}

const std::vector<Shortcut>& allShortcuts() {
  static const std::vector<Shortcut> table = buildShortcuts();
  return table;
}

// The F1 window as a panel: drawn in lecture mode too.
class HelpPanel final : public Panel {
 public:
  void draw(PanelHost&, bool* open) override { drawHelpOverlay(open); }
};

}  // namespace

std::span<const Shortcut> shortcuts() {
  return allShortcuts();
}

PanelInfo helpPanelInfo() {
  return {.id = "help",
          .title = "Keyboard shortcuts",
          .toggleLabel = "Help F1",
          .shortcut = {keys::kF1, "F1", "this help"},
          .toggleOrder = 5,
          .lecture = LectureRole::Overlay,
          .make = [](PanelHost&) { return std::make_unique<HelpPanel>(); }};
}

int shortcutKey(ShortcutAction action) {
  for (const auto& s : allShortcuts())
    if (s.id == action) return s.key;
  return -1;
}

int keyCodeForName(const char* name) {
  for (const auto& s : allShortcuts())
    if (strcasecmp(s.label, name) == 0) return s.key;
  return -1;
}

void drawHelpOverlay(bool* open) {
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos({display.x * 0.5f, display.y * 0.5f}, ImGuiCond_Always, {0.5f, 0.5f});
  ImGui::SetNextWindowBgAlpha(0.96f);
  if (!ImGui::Begin("Keyboard shortcuts", open,
                    ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoMove)) {
    ImGui::End();
    return;
  }
  if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
    ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("action", ImGuiTableColumnFlags_WidthStretch);
    for (const auto& s : allShortcuts()) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored({1.0f, 0.85f, 0.35f, 1.0f}, "%s", s.label);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(mathText(s.action).c_str());
    }
    ImGui::EndTable();
  }
  ImGui::Separator();
  ImGui::TextDisabled("Mouse: drag to pan, wheel to zoom about the cursor, hover a particle for x, v, a, j.");
  ImGui::TextDisabled("Keys other than F-keys are ignored while a text field is being edited.");
  ImGui::End();
}

}  // namespace rankflow::app
