#include "app/shell/gui_script.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>

#include "app/ui/help_overlay.h"
#include "core/common/error.h"
#include "core/io/text_file.h"

namespace rankflow::app {
namespace {

constexpr double kMaxWaitFrames = 1e6;    // about 4.6 hours at 60 frames a second
constexpr double kMaxIdleSeconds = 3600;  // wait-idle's own timeout
constexpr std::size_t kMaxScriptBytes = std::size_t(1) << 20;

// verb → allowed argument counts
const std::map<std::string, std::vector<int>>& verbs() {
  static const std::map<std::string, std::vector<int>> table = {
      {"wait", {1}},      {"wait-idle", {0, 1}}, {"set", {2}},  {"key", {1}},     {"screenshot", {1, 2}},
      {"expect", {3, 4}}, {"print", {1}},        {"quit", {0}}, {"drag", {4, 5}}, {"drop", {1, 2, 3, 4, 5, 6, 7, 8}},
      {"window", {1}},
  };
  return table;
}

std::optional<double> number(const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool compare(double a, const std::string& op, double b) {
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  if (op == "==") return a == b;
  return a != b;  // "!="
}

}  // namespace

GuiScript GuiScript::parse(const std::string& text, const std::string& nameForErrors) {
  GuiScript script;
  script.name_ = nameForErrors;
  std::istringstream in(text);
  std::string line;
  for (int lineNumber = 1; std::getline(in, line); ++lineNumber) {
    std::istringstream words(line);
    ScriptCommand command;
    command.line = lineNumber;
    if (!(words >> command.verb) || command.verb[0] == '#') continue;
    for (std::string w; words >> w;) command.args.push_back(w);
    const auto where = nameForErrors + ":" + std::to_string(lineNumber) + ": ";
    const auto verb = verbs().find(command.verb);
    if (verb == verbs().end())
      throw InvalidArgument(where + "unknown command '" + command.verb +
                            "' (wait, wait-idle, set, key, drag, drop, window, screenshot, expect, print, quit)");
    const int count = static_cast<int>(command.args.size());
    bool countOk = false;
    for (int allowed : verb->second) countOk |= count == allowed;
    if (!countOk) throw InvalidArgument(where + "wrong number of arguments for '" + command.verb + "'");
    // Bounded, so a script cannot hold the window for ever (1e308 frames was accepted).
    if (command.verb == "wait" &&
        (!number(command.args[0]) || *number(command.args[0]) < 0 || *number(command.args[0]) > kMaxWaitFrames))
      throw InvalidArgument(where + "wait takes a number of frames from 0 to " + std::to_string(kMaxWaitFrames));
    if (command.verb == "wait-idle" && count == 1 &&
        (!number(command.args[0]) || *number(command.args[0]) <= 0 || *number(command.args[0]) > kMaxIdleSeconds))
      throw InvalidArgument(where + "wait-idle takes a number of seconds in (0, " + std::to_string(kMaxIdleSeconds) +
                            "]");
    // Names are checked here, before the window opens, rather than failing (or being ignored)
    // when the line runs.
    if (command.verb == "set" && !Workbench::knowsSetting(command.args[0]))
      throw InvalidArgument(where + "unknown setting '" + command.args[0] + "' (docs/cli.md lists them)");
    if ((command.verb == "print" || command.verb == "expect") && !Workbench::knowsValue(command.args[0]))
      throw InvalidArgument(where + "unknown value '" + command.args[0] + "' (docs/cli.md lists them)");
    if (command.verb == "screenshot") {
      const std::filesystem::path target(command.args[0]);
      const std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : ".";
      std::error_code error;
      if (!std::filesystem::is_directory(folder, error))
        throw InvalidArgument(where + "no directory '" + folder.string() + "' to write " + target.string() + " into");
    }
    if (command.verb == "drag") {
      for (const auto& a : command.args)
        if (!number(a)) throw InvalidArgument(where + "drag takes pixel coordinates X0 Y0 X1 Y1 and frames");
      if (count == 5 && (*number(command.args[4]) < 1 || *number(command.args[4]) > 10000))
        throw InvalidArgument(where + "drag takes 1 to 10000 frames");
    }
    if (command.verb == "window" && command.args[0] != "minimise" && command.args[0] != "restore" &&
        command.args[0] != "hide" && command.args[0] != "show")
      throw InvalidArgument(where + "window takes minimise, restore, hide or show, got '" + command.args[0] + "'");
    if (command.verb == "key" && keyCodeForName(command.args[0].c_str()) < 0)
      throw InvalidArgument(where + "unknown key '" + command.args[0] + "' (F1 lists the keys)");
    if (command.verb == "screenshot" && count == 2) {
      const auto names = Workbench::panelNames();
      if (std::find(names.begin(), names.end(), command.args[1]) == names.end())
        throw InvalidArgument(where + "unknown panel '" + command.args[1] + "'");
    }
    if (command.verb == "expect") {
      const std::string& op = command.args[1];
      const bool near = op == "near";
      if (near != (count == 4) ||
          (!near && op != "<" && op != "<=" && op != ">" && op != ">=" && op != "==" && op != "!="))
        throw InvalidArgument(where + "expect NAME OP VALUE (OP: < <= > >= == !=) or expect NAME near VALUE TOL");
      if (!number(command.args[2]) || (near && !number(command.args[3])))
        throw InvalidArgument(where + "expect compares with a number");
    }
    script.commands_.push_back(std::move(command));
  }
  return script;
}

GuiScript GuiScript::load(const std::string& path) {
  std::string text;
  try {
    text = io::readTextFile(path, kMaxScriptBytes, "a script");
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(std::string("cannot read the script: ") + e.what());
  }
  return parse(text, path);
}

void GuiScript::fail(const ScriptCommand& command, const std::string& why) {
  failure_ = name_ + ":" + std::to_string(command.line) + ": " + why;
  next_ = commands_.size();
}

ScriptFrame GuiScript::advance(Workbench& workbench) {
  ScriptFrame frame;
  if (drag_) {
    // Frame 0 presses at the start, frames 1..N move, frame N + 1 releases at the end.
    Drag& d = *drag_;
    const float f = std::min(1.0f, static_cast<float>(d.frame) / static_cast<float>(d.frames));
    frame.mouseDriven = true;
    frame.mouseX = d.x0 + (d.x1 - d.x0) * f;
    frame.mouseY = d.y0 + (d.y1 - d.y0) * f;
    frame.mouseDown = d.frame <= d.frames;
    if (++d.frame > d.frames + 1) drag_.reset();
    return frame;
  }
  if (framesToWait_ > 0) {
    --framesToWait_;
    return frame;
  }
  if (waitingIdle_) {
    if (workbench.sceneIntegrated() && !workbench.busy()) {
      waitingIdle_ = false;
    } else if (std::chrono::steady_clock::now() > idleDeadline_) {
      waitingIdle_ = false;
      fail(commands_[next_ - 1], "wait-idle timed out: a background job is still running");
      frame.quit = true;
      return frame;
    } else {
      return frame;
    }
  }
  while (next_ < commands_.size()) {
    const ScriptCommand& c = commands_[next_++];
    if (c.verb == "wait") {
      // This frame counts as the first of the N.
      framesToWait_ = static_cast<int>(*number(c.args[0])) - 1;
      if (framesToWait_ >= 0) return frame;
      framesToWait_ = 0;
    } else if (c.verb == "wait-idle") {
      waitingIdle_ = true;
      const double seconds = c.args.empty() ? 120.0 : *number(c.args[0]);
      idleDeadline_ =
          std::chrono::steady_clock::now() +
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
      return frame;
    } else if (c.verb == "set") {
      const std::string error = workbench.setValue(c.args[0], c.args[1]);
      if (!error.empty()) {
        fail(c, error);
        frame.quit = true;
        return frame;
      }
    } else if (c.verb == "drop") {
      // Files dropped onto the window, as GLFW's drop callback hands them over.
      const std::string error = workbench.filesDropped(c.args);
      if (!error.empty()) {
        fail(c, error);
        frame.quit = true;
        return frame;
      }
    } else if (c.verb == "key") {
      frame.keys.push_back(keyCodeForName(c.args[0].c_str()));
      // Released in the next frame, which runs no command: a second press of the same key
      // then starts from a released key, so ImGui sees two presses, not one held key.
      framesToWait_ = 1;
      return frame;
    } else if (c.verb == "drag") {
      const int frames = c.args.size() == 5 ? static_cast<int>(*number(c.args[4])) : 10;
      drag_ = Drag{static_cast<float>(*number(c.args[0])),
                   static_cast<float>(*number(c.args[1])),
                   static_cast<float>(*number(c.args[2])),
                   static_cast<float>(*number(c.args[3])),
                   frames,
                   0};
      return advance(workbench);
    } else if (c.verb == "screenshot") {
      frame.captures.push_back(CaptureRequest{c.args[0], std::nullopt, c.args.size() == 2 ? c.args[1] : "window"});
      return frame;
    } else if (c.verb == "print" || c.verb == "expect") {
      const auto value = workbench.value(c.args[0]);
      if (!value) {
        fail(c, "no value '" + c.args[0] + "' is shown now");
        frame.quit = true;
        return frame;
      }
      if (c.verb == "print") {
        std::printf("%s = %.17g\n", c.args[0].c_str(), *value);
        std::fflush(stdout);
        continue;
      }
      const double expected = *number(c.args[2]);
      const bool ok = c.args[1] == "near" ? std::abs(*value - expected) <= *number(c.args[3])
                                          : compare(*value, c.args[1], expected);
      if (!ok) {
        char text[256];
        std::snprintf(text, sizeof text, "expectation failed: %s = %.10g, expected %s %s%s%s", c.args[0].c_str(),
                      *value, c.args[1].c_str(), c.args[2].c_str(), c.args.size() == 4 ? " +- " : "",
                      c.args.size() == 4 ? c.args[3].c_str() : "");
        fail(c, text);
        frame.quit = true;
        return frame;
      }
      std::printf("script: expect %s %s %s: ok (%.10g)\n", c.args[0].c_str(), c.args[1].c_str(), c.args[2].c_str(),
                  *value);
    } else if (c.verb == "window") {
      frame.windowState = c.args[0];
      return frame;
    } else if (c.verb == "quit") {
      next_ = commands_.size();
      frame.quit = true;
      return frame;
    }
  }
  frame.quit = true;  // the end of the script ends the run
  return frame;
}

}  // namespace rankflow::app
