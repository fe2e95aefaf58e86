#pragma once
// Parsing a script's `set NAME VALUE` text (docs/cli.md, `gui --script`): the Workbench's own
// values and the panels' share these, so every value reads numbers and switches alike.
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

namespace rankflow::app {

inline std::optional<double> parseScriptNumber(const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

inline std::optional<bool> parseScriptSwitch(const std::string& text) {
  if (text == "1" || text == "on" || text == "true") return true;
  if (text == "0" || text == "off" || text == "false") return false;
  return std::nullopt;
}

}  // namespace rankflow::app
