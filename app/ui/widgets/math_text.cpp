#include "app/ui/widgets/math_text.h"

#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdio>

#include "app/ui/imgui_style.h"

namespace rankflow::app {
namespace {

enum class Script { None, Sub, Super };

struct Spelling {
  std::string_view utf8;
  std::string_view ascii;
  Script script = Script::None;  // a sub- or superscript: its run gets one _ or ^
};

// [SECTION] The table (one entry per glyph the panels use)
constexpr std::array kSpellings = {
    Spelling{"₀", "0", Script::Sub},
    Spelling{"₁", "1", Script::Sub},
    Spelling{"₂", "2", Script::Sub},
    Spelling{"₃", "3", Script::Sub},
    Spelling{"₄", "4", Script::Sub},
    Spelling{"₅", "5", Script::Sub},
    Spelling{"₆", "6", Script::Sub},
    Spelling{"₇", "7", Script::Sub},
    Spelling{"₈", "8", Script::Sub},
    Spelling{"₉", "9", Script::Sub},
    Spelling{"₊", "+", Script::Sub},
    Spelling{"₋", "-", Script::Sub},
    Spelling{"₌", "=", Script::Sub},
    Spelling{"₍", "(", Script::Sub},
    Spelling{"₎", ")", Script::Sub},
    Spelling{"ᵢ", "i", Script::Sub},
    Spelling{"ⱼ", "j", Script::Sub},
    Spelling{"ₖ", "k", Script::Sub},
    Spelling{"ₙ", "n", Script::Sub},
    Spelling{"ₘ", "m", Script::Sub},
    Spelling{"ₜ", "t", Script::Sub},
    Spelling{"ₚ", "p", Script::Sub},
    Spelling{"ᵣ", "r", Script::Sub},
    Spelling{"ₓ", "x", Script::Sub},
    Spelling{"ₐ", "a", Script::Sub},
    Spelling{"ₕ", "h", Script::Sub},
    Spelling{"ₗ", "l", Script::Sub},
    Spelling{"ₛ", "s", Script::Sub},
    Spelling{"⁰", "0", Script::Super},
    Spelling{"¹", "1", Script::Super},
    Spelling{"²", "2", Script::Super},
    Spelling{"³", "3", Script::Super},
    Spelling{"⁴", "4", Script::Super},
    Spelling{"⁵", "5", Script::Super},
    Spelling{"⁶", "6", Script::Super},
    Spelling{"⁷", "7", Script::Super},
    Spelling{"⁸", "8", Script::Super},
    Spelling{"⁹", "9", Script::Super},
    Spelling{"⁺", "+", Script::Super},
    Spelling{"⁻", "-", Script::Super},
    Spelling{"⁼", "=", Script::Super},
    Spelling{"⁽", "(", Script::Super},
    Spelling{"⁾", ")", Script::Super},
    Spelling{"ᵀ", "T", Script::Super},
    Spelling{"ᵏ", "k", Script::Super},
    Spelling{"ⁿ", "n", Script::Super},
    Spelling{"ⁱ", "i", Script::Super},
    Spelling{"ʳ", "r", Script::Super},
    Spelling{"ᵗ", "t", Script::Super},
    Spelling{"ʲ", "j", Script::Super},
    Spelling{"ᵖ", "p", Script::Super},
    Spelling{"ᵈ", "d", Script::Super},
    Spelling{"ˣ", "x", Script::Super},
    Spelling{"ʰ", "h", Script::Super},
    Spelling{"ᴷ", "K", Script::Super},
    Spelling{"α", "alpha"},
    Spelling{"β", "beta"},
    Spelling{"γ", "gamma"},
    Spelling{"δ", "delta"},
    Spelling{"ε", "eps"},
    Spelling{"λ", "lambda"},
    Spelling{"μ", "mu"},
    Spelling{"π", "pi"},
    Spelling{"ρ", "rho"},
    Spelling{"σ", "sigma"},
    Spelling{"τ", "tau"},
    Spelling{"φ", "phi"},
    Spelling{"ω", "omega"},
    Spelling{"Σ", "sum"},
    Spelling{"Π", "prod"},
    Spelling{"Δ", "Delta"},
    Spelling{"∑", "sum"},
    Spelling{"∂", "d"},
    Spelling{"∇", "grad "},
    Spelling{"∫", "int"},
    Spelling{"≤", "<="},
    Spelling{"≥", ">="},
    Spelling{"≠", "!="},
    Spelling{"≈", "~"},
    Spelling{"≳", ">~"},
    Spelling{"∈", "in"},
    Spelling{"∞", "inf"},
    Spelling{"×", "x"},
    Spelling{"·", "*"},
    Spelling{"−", "-"},
    Spelling{"→", "->"},
    Spelling{"←", "<-"},
    Spelling{"↔", "<->"},
    Spelling{"⇒", "=>"},
    Spelling{"↦", "|->"},
    Spelling{"√", "sqrt "},
    Spelling{"‖", "||"},
    Spelling{"…", "..."},
    Spelling{"–", "-"},
    Spelling{"—", "--"},
    Spelling{"⌈", "ceil("},
    Spelling{"⌉", ")"},
    Spelling{"⌊", "floor("},
    Spelling{"⌋", ")"},
    Spelling{"∘", "o"},
    Spelling{"⊗", "(x)"},
    Spelling{"⊙", "(.)"},
    Spelling{"‴", "'''"},
    Spelling{"″", "''"},
    Spelling{"′", "'"},
    Spelling{"ℝ", "R"},
    Spelling{"∀", "for all "},
    Spelling{"∃", "exists "},
};

}  // namespace

std::string asciiMath(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() + 8);
  Script run = Script::None;
  std::size_t i = 0;
  while (i < utf8.size()) {
    const Spelling* match = nullptr;
    if (static_cast<unsigned char>(utf8[i]) >= 0x80) {
      for (const Spelling& s : kSpellings) {
        if (utf8.substr(i, s.utf8.size()) == s.utf8) {
          match = &s;
          break;
        }
      }
    }
    if (match == nullptr) {
      out += utf8[i++];
      run = Script::None;
      continue;
    }
    if (match->script != Script::None && match->script != run) out += match->script == Script::Sub ? '_' : '^';
    // A closing parenthesis ends the run: Q⁽ᵏ⁻ⁱ⁾ᵀ is Q^(k-i)^T, not Q^(k-i)T.
    run = match->ascii == ")" ? Script::None : match->script;
    out += match->ascii;
    i += match->utf8.size();
  }
  return out;
}

std::string mathText(std::string_view utf8) {
  return fontsHaveMathGlyphs() ? std::string(utf8) : asciiMath(utf8);
}

std::string mathFormat(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  const int size = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string text(static_cast<std::size_t>(std::max(size, 0)), '\0');
  if (size > 0) std::vsnprintf(text.data(), text.size() + 1, format, again);
  va_end(again);
  return mathText(text);
}

}  // namespace rankflow::app
