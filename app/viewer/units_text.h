#pragma once
// Durations as the panels print them: one unit chosen by size, three significant digits; and
// whole numbers in super- or subscript digits for mathematics (t³, r₂).
#include <cmath>
#include <cstdio>
#include <string>

namespace rankflow::app {

// "850 ns", "12.3 µs", "4.56 ms", "1.23 s"; "-" for a time not measured (zero, negative, NaN).
// A value as a message or a command line shows it: printf's %g (six significant digits).
inline std::string shortNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

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

// 12 → "¹²", -1 → "⁻¹" (superscript) or "₁₂", "₋₁" (subscript). The Unicode the panels pass
// to mathText (app/ui/widgets/math_text.h), which spells it in ASCII for the built-in font.
inline std::string scriptNumber(long long v, bool super) {
  static constexpr const char* kSuper[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  static constexpr const char* kSub[] = {"₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"};
  std::string out;
  for (const char c : std::to_string(v)) {
    if (c == '-') {
      out += super ? "⁻" : "₋";
    } else {
      out += (super ? kSuper : kSub)[c - '0'];
    }
  }
  return out;
}
inline std::string superscript(long long v) {
  return scriptNumber(v, true);
}
inline std::string subscript(long long v) {
  return scriptNumber(v, false);
}

}  // namespace rankflow::app
