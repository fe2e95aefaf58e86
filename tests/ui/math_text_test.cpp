// Mathematics in the panels (app/ui/widgets/math_text.h): DejaVu Sans draws it as written;
// the built-in font gets an ASCII spelling with one _ or ^ per run of sub- or superscripts.
#include "app/ui/widgets/math_text.h"

#include <gtest/gtest.h>
#include <imgui.h>

#include "app/ui/imgui_style.h"

namespace rankflow::app {
namespace {

TEST(MathText, AsciiSpellingMergesRunsOfScriptsAndNamesSymbols) {
  EXPECT_EQ(asciiMath("D₁ = Σᵢ fᵢ(t) aᵢ bᵢᵀ"), "D_1 = sum_i f_i(t) a_i b_i^T");
  EXPECT_EQ(asciiMath("rank D₁ ≥ rank D₂ ≥ …"), "rank D_1 >= rank D_2 >= ...");
  EXPECT_EQ(asciiMath("α⁽ᵏ⁾ and x₁₂"), "alpha^(k) and x_12");
  EXPECT_EQ(asciiMath("r₁ ≤ 2·r₀, σ ≈ 0"), "r_1 <= 2*r_0, sigma ~ 0");
  EXPECT_EQ(asciiMath("e^{λt} stays; naïve"), "e^{lambdat} stays; naïve");
  EXPECT_EQ(asciiMath("plain ASCII"), "plain ASCII");
}

TEST(MathText, TheFontsDecideBetweenGlyphsAndAscii) {
  ImGui::CreateContext();
  const UiFonts fonts = setUpImGuiStyle(1.0f);
  if (fonts.dejaVu) {
    EXPECT_TRUE(fontsHaveMathGlyphs());
    EXPECT_EQ(mathText("Σᵢ σᵢ²"), "Σᵢ σᵢ²");
    // Every glyph the table knows is in the atlas, not the fallback '?'.
    ImGui::GetIO().Fonts->Build();
    for (const ImWchar c : {0x03A3, 0x1D62, 0x1D40, 0x2265, 0x2211, 0x2080, 0x2074, 0x03B1})
      EXPECT_NE(fonts.normal->FindGlyphNoFallback(c), nullptr) << std::hex << c;
  } else {
    EXPECT_EQ(mathText("Σᵢ σᵢ"), "sum_i sigma_i");
  }
  ImGui::DestroyContext();
}

TEST(MathText, TheUiScaleRasterisesFontsAndSpacingLarger) {
  ImGui::CreateContext();
  const UiFonts one = setUpImGuiStyle(1.0f);
  const float normalSize = one.normal->FontSize;
  const float padding = ImGui::GetStyle().WindowPadding.x;
  const UiFonts two = setUpImGuiStyle(2.0f);
  EXPECT_FLOAT_EQ(two.scale, 2.0f);
  EXPECT_FLOAT_EQ(two.normal->FontSize, 2.0f * normalSize);
  EXPECT_FLOAT_EQ(ImGui::GetStyle().WindowPadding.x, 2.0f * padding);
  applyStyle(true);  // lecture mode keeps the scale
  applyStyle(false);
  EXPECT_FLOAT_EQ(ImGui::GetStyle().WindowPadding.x, 2.0f * padding);
  EXPECT_FLOAT_EQ(setUpImGuiStyle(100.0f).scale, kMaxUiScale);
  setUpImGuiStyle(1.0f);
  ImGui::DestroyContext();
}

}  // namespace
}  // namespace rankflow::app
