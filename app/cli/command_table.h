#pragma once
// A table of commands: {name, summary, run}. One list gives the help lines, the dispatch and
// the names printed for an unknown command, so the three cannot drift apart. The top level
// (cli.cpp) and `bench` (commands/bench_command.cpp) each keep one.
#include <span>
#include <string>
#include <vector>

namespace rankflow::app {

struct Command {
  const char* name;
  const char* summary;  // one help line; nullptr: dispatched but not listed (an alias)
  int (*run)(const std::vector<std::string>& args);
};

// "  name      summary\n" per listed command: summaries start at `column` (at least two
// spaces after the name).
inline std::string commandHelpLines(std::span<const Command> commands, std::size_t column) {
  std::string text;
  for (const Command& c : commands) {
    if (!c.summary) continue;
    const std::string name = c.name;
    const std::size_t used = 2 + name.size();
    text += "  " + name + std::string(used + 2 > column ? 2 : column - used, ' ') + c.summary + "\n";
  }
  return text;
}

// The listed names joined by `separator`: "gui, render, …" or "render|ui|…".
inline std::string commandNames(std::span<const Command> commands, const std::string& separator) {
  std::string text;
  for (const Command& c : commands)
    if (c.summary) text += (text.empty() ? "" : separator) + std::string(c.name);
  return text;
}

inline const Command* findCommand(std::span<const Command> commands, const std::string& name) {
  for (const Command& c : commands)
    if (name == c.name) return &c;
  return nullptr;
}

}  // namespace rankflow::app
