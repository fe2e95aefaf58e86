#pragma once
// Durations as the panels print them: one unit chosen by size, three significant digits.
#include <cmath>
#include <cstdio>
#include <string>

namespace rankflow::app {

// "850 ns", "12.3 µs", "4.56 ms", "1.23 s"; "-" for a time not measured (zero, negative, NaN).
inline std::string formatSeconds(double seconds) {
  if (!std::isfinite(seconds) || seconds <= 0) return "-";
  char text[32];
  if (seconds < 1e-6) {
    std::snprintf(text, sizeof text, "%.0f ns", seconds * 1e9);
  } else if (seconds < 1e-3) {
    std::snprintf(text, sizeof text, "%.1f \xC2\xB5s", seconds * 1e6);
  } else if (seconds < 1.0) {
    std::snprintf(text, sizeof text, "%.2f ms", seconds * 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.2f s", seconds);
  }
  return text;
}

}  // namespace rankflow::app
