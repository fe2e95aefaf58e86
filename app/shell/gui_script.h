#pragma once
// A script drives the window frame by frame, as a person would, for end-to-end tests and
// for reproducible figures (`rankflow gui --script FILE`, docs/cli.md). One command a line:
//   wait N                 let N frames pass
//   wait-idle [SECONDS]    until the scene is integrated and no panel is computing (default 120 s)
//   set NAME VALUE         a control (t, field.order, heatmap, panel.ranks, fit.rank.2, …)
//   key NAME               press and release a key (F1…F12, Space, Left, Right, R, …)
//   drag X0 Y0 X1 Y1 [N]   left button down at pixel (X0, Y0), moved to (X1, Y1) over N frames
//                          (default 10), released: pans the view, draws a sketch stroke, …
//   screenshot FILE.png [PANEL]   the window, or one panel's rectangle
//   expect NAME OP VALUE   OP: < <= > >= == != ; or: expect NAME near VALUE TOLERANCE
//   print NAME             writes "NAME = VALUE" to stdout (a test reads it)
//   window minimise|restore|hide|show   minimises or restores the window; hide and show unmap
//                          and map it (what minimising does on X11, and works without a window manager)
//   quit
// Blank lines and lines starting with # are ignored.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "app/ui/workbench.h"

namespace rankflow::app {

struct ScriptCommand {
  int line = 0;
  std::string verb;
  std::vector<std::string> args;
};

// What the frame loop must do for the script this frame.
struct ScriptFrame {
  std::vector<int> keys;                 // GLFW key codes pressed this frame, released the next
  bool mouseDriven = false;              // the script owns the mouse this frame:
  float mouseX = 0, mouseY = 0;          //   where it is (pixels)
  bool mouseDown = false;                //   and whether the left button is down
  std::vector<CaptureRequest> captures;  // taken after this frame is rendered
  bool quit = false;
  std::string windowState;  // "minimise", "restore", "hide" or "show"; empty: unchanged
};

class GuiScript {
 public:
  // Throws InvalidArgument naming `nameForErrors` and the line for an unknown verb or a wrong
  // argument count, before anything runs.
  static GuiScript parse(const std::string& text, const std::string& nameForErrors);
  static GuiScript load(const std::string& path);

  // Runs commands until one needs frames to pass; call once a frame before ImGui::NewFrame.
  ScriptFrame advance(Workbench& workbench);

  bool finished() const { return next_ >= commands_.size(); }
  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }
  const std::vector<ScriptCommand>& commands() const { return commands_; }

 private:
  void fail(const ScriptCommand& command, const std::string& why);

  std::string name_;
  std::vector<ScriptCommand> commands_;
  std::size_t next_ = 0;
  int framesToWait_ = 0;
  // A drag in progress: its ends, its length in frames and the frame reached.
  struct Drag {
    float x0, y0, x1, y1;
    int frames;
    int frame;
  };
  std::optional<Drag> drag_;
  bool waitingIdle_ = false;
  std::chrono::steady_clock::time_point idleDeadline_{};
  std::string failure_;
};

}  // namespace rankflow::app
