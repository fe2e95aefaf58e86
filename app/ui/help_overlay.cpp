#include "app/ui/help_overlay.h"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <strings.h>

#include <array>
#include <cstring>

namespace rankflow::app {
namespace {

using enum ShortcutAction;

constexpr std::array kShortcuts = {
    Shortcut{GLFW_KEY_F1, "F1", "this help", ToggleHelp, true},
    Shortcut{GLFW_KEY_F2, "F2", "Ranks panel", ToggleRanks, true},
    Shortcut{GLFW_KEY_F3, "F3", "Queries panel", ToggleQueries, true},
    Shortcut{GLFW_KEY_F4, "F4", "Cascade panel", ToggleCascade, true},
    Shortcut{GLFW_KEY_F5, "F5", "lecture mode (full screen, large fonts, only the scene)", ToggleLecture, true},
    Shortcut{GLFW_KEY_F6, "F6", "Theory panel (guided statements)", ToggleTheory, true},
    Shortcut{GLFW_KEY_F7, "F7", "Timeline", ToggleTimeline, true},
    Shortcut{GLFW_KEY_F12, "F12", "screenshot of the window (PNG in the working directory)", Screenshot, true},
    Shortcut{GLFW_KEY_SPACE, "Space", "play / pause time", PlayPause, false},
    Shortcut{GLFW_KEY_RIGHT, "Right", "step t forward (lecture + Theory: next scene)", Next, false},
    Shortcut{GLFW_KEY_LEFT, "Left", "step t back (lecture + Theory: previous scene)", Previous, false},
    Shortcut{GLFW_KEY_R, "R", "reset: t = 0 and the view (Theory: the scene's preset)", Reset, false},
    Shortcut{GLFW_KEY_HOME, "Home", "t = 0 (noise)", TimeStart, false},
    Shortcut{GLFW_KEY_END, "End", "t = 1 (data)", TimeEnd, false},
    Shortcut{GLFW_KEY_1, "1", "show the velocity field", FieldVelocity, false},
    Shortcut{GLFW_KEY_2, "2", "show the acceleration field", FieldAcceleration, false},
    Shortcut{GLFW_KEY_3, "3", "show the jerk field", FieldJerk, false},
    Shortcut{GLFW_KEY_L, "L", "marginal u_k <-> Lagrangian derivative along the ODE", ToggleLagrangian, false},
    Shortcut{GLFW_KEY_H, "H", "|field| heatmap on / off", ToggleHeatmap, false},
    Shortcut{GLFW_KEY_ESCAPE, "Esc", "leave lecture mode", LeaveLecture, false},
};

}  // namespace

std::span<const Shortcut> shortcuts() {
  return kShortcuts;
}

int shortcutKey(ShortcutAction action) {
  for (const auto& s : kShortcuts)
    if (s.id == action) return s.key;
  return -1;
}

int keyCodeForName(const char* name) {
  for (const auto& s : kShortcuts)
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
    for (const auto& s : kShortcuts) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored({1.0f, 0.85f, 0.35f, 1.0f}, "%s", s.label);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(s.action);
    }
    ImGui::EndTable();
  }
  ImGui::Separator();
  ImGui::TextDisabled("Mouse: drag to pan, wheel to zoom about the cursor, hover a particle for x, v, a, j.");
  ImGui::TextDisabled("Keys other than F-keys are ignored while a text field is being edited.");
  ImGui::End();
}

}  // namespace rankflow::app
