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

// Control bytes shown escaped ("\x0a"), so a message quoting a corrupt file stays one line
// (every error the CLI prints is one line: docs/cli.md).
inline std::string printableText(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

// What a message quotes of a user's input: at most `maxChars` bytes, control bytes escaped,
// "…" when cut, so a megabyte-long field or a stray newline never floods or breaks the line.
inline std::string quotedInput(const std::string& text, std::size_t maxChars = 40) {
  if (text.size() <= maxChars) return printableText(text);
  return printableText(text.substr(0, maxChars)) + "…";
}

}  // namespace rankflow
