#pragma once
// Every keyboard shortcut in one table: the frame loop's key handling and the F1 help
// overlay both read it, so the overlay cannot drift from what the keys do. The panels'
// toggles come from the panel registry (app/ui/panel.h), the rest are listed here.
#include <span>

namespace rankflow::app {

enum class ShortcutAction {
  TogglePanel,  // the panel named by Shortcut::panel
  ToggleLecture,
  Screenshot,
  PlayPause,
  Next,      // t one step forward; in lecture mode with the Theory panel, the next scene
  Previous,  // and back
  Reset,     // t = 0 and the camera reset; the Theory scene back to its preset
  TimeStart,
  TimeEnd,
  FieldVelocity,
  FieldAcceleration,
  FieldJerk,
  ToggleLagrangian,
  ToggleHeatmap,
  LeaveLecture,
};

struct Shortcut {
  int key;             // GLFW key code (ImGui 1.86 indexes KeysDown by it)
  const char* label;   // as the overlay prints it
  const char* action;  // what it does
  ShortcutAction id;
  bool global;        // works while a text field has the keyboard
  const char* panel;  // TogglePanel: the panel's registry id
};

// The F-keys (panels, lecture mode, screenshot) in key order, then the keys that act on the
// scene; built once from the registry.
std::span<const Shortcut> shortcuts();
// The GLFW key code of an action's shortcut (for scripts that name actions).
int shortcutKey(ShortcutAction action);
// "F2", "Space", "Left", "R", … → GLFW key code; −1 when unknown (scripts' `key NAME`).
int keyCodeForName(const char* name);

// A centred window listing the table; closes with F1 or its close button.
void drawHelpOverlay(bool* open);

}  // namespace rankflow::app
