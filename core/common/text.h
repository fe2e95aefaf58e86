#pragma once
// Small text helpers shared by the command line and the panels.
#include <sstream>
#include <string>
#include <vector>

namespace rankflow {

// "a,b,,c" → {"a", "b", "", "c"}: every item, empty ones kept (a caller may refuse them).
inline std::vector<std::string> splitOn(const std::string& text, char separator) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, separator);) items.push_back(item);
  return items;
}

}  // namespace rankflow
