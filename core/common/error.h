#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>

#include "core/common/text.h"

namespace rankflow {

// The longest message an InvalidArgument keeps; a longer one keeps its head and its tail
// (the reason usually ends a message) around "…", cut on UTF-8 character boundaries.
inline constexpr std::size_t kMaxErrorMessageBytes = 1200;

// A message as every refusal shows it: one line (control bytes escaped, so a newline or a
// carriage return quoted from a corrupt file cannot break it) and at most
// kMaxErrorMessageBytes long (so a megabyte-long field is never echoed whole). Every error
// the CLI prints is one line (docs/cli.md); doing it here rather than at each quoting site
// keeps that true for sites not yet written (docs/RELIABILITY.md, "Fuzzing").
inline std::string oneLineMessage(const std::string& message) {
  std::string text = printableText(message);
  if (text.size() <= kMaxErrorMessageBytes) return text;
  const auto isContinuation = [&](std::size_t i) { return (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80; };
  std::size_t headEnd = kMaxErrorMessageBytes * 2 / 3;
  while (headEnd > 0 && isContinuation(headEnd)) --headEnd;
  std::size_t tailBegin = text.size() - kMaxErrorMessageBytes / 3;
  while (tailBegin < text.size() && isContinuation(tailBegin)) ++tailBegin;
  return text.substr(0, headEnd) + "…" + text.substr(tailBegin);
}

// Thrown for input a caller can fix (bad size, t outside [0, 1], NaN); the CLI turns it
// into a one-line message and exit code 2.
class InvalidArgument : public std::invalid_argument {
 public:
  explicit InvalidArgument(const std::string& message) : std::invalid_argument(oneLineMessage(message)) {}
  explicit InvalidArgument(const char* message) : InvalidArgument(std::string(message)) {}
};

}  // namespace rankflow
