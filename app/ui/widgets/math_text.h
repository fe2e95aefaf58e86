#pragma once
// Mathematics as the panels write it — D₁ = Σᵢ fᵢ(t) aᵢ bᵢᵀ, rank D₁ ≥ rank D₂ ≥ …, α⁽ᵏ⁾ — in
// the fonts' own glyphs when they have them (DejaVu Sans, app/ui/imgui_style.h), else spelt
// in ASCII (D_1 = sum_i f_i(t) a_i b_i^T, rank D_1 >= rank D_2 >= ..., alpha^(k)), so the
// built-in font never shows a row of '?'.
#include <string>
#include <string_view>

namespace rankflow::app {

// `utf8` as is when the fonts have the mathematical glyphs, else asciiMath(utf8).
std::string mathText(std::string_view utf8);

// printf, then mathText: ImGui::TextUnformatted(mathFormat("B⁽%s⁾", superscript(k).c_str()).c_str()),
// with superscript() and subscript() of app/viewer/units_text.h for numbers in scripts.
std::string mathFormat(const char* format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

// The ASCII spelling: runs of sub- or superscripts become one _… or ^… (x₁₂ → x_12,
// e⁽ᵏ⁾ → e^(k)), Greek letters their names, operators their usual ASCII forms. Characters it
// does not know are kept.
std::string asciiMath(std::string_view utf8);

}  // namespace rankflow::app
