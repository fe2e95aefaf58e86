// Mathematics in the panels (app/ui/widgets/math_text.h): DejaVu Sans draws it as written;
// the built-in font gets an ASCII spelling with one _ or ^ per run of sub- or superscripts.
#include "app/ui/widgets/math_text.h"

#include <gtest/gtest.h>
#include <imgui.h>

#include <string>
#include <vector>

#include "app/models/theory_scenes.h"
#include "app/ui/imgui_style.h"
#include "app/viewer/units_text.h"

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

TEST(MathText, AClosingParenthesisEndsItsScriptRun) {
  EXPECT_EQ(asciiMath("Q⁽ᵏ⁻ⁱ⁾ᵀ and fᵢ⁽ᵏ⁻¹⁾"), "Q^(k-i)^T and f_i^(k-1)");
  EXPECT_EQ(asciiMath("D₁⁽ʲ⁾ = Σᵢ₌₀ʲ"), "D_1^(j) = sum_i=0^j");
}

TEST(MathText, TheTheoryScenesGlyphsHaveSpellings) {
  EXPECT_EQ(asciiMath("x(t) = Σᵢ₌₀ᴷ tⁱ, Σᵢ₌ₗʰ Aᵢ ∈ ℝᵈˣʳ"), "x(t) = sum_i=0^K t^i, sum_i=l^h A_i in R^dxr");
  EXPECT_EQ(asciiMath("2⌈log₂ m⌉, L r ≳ d, √m"), "2ceil(log_2 m), L r >~ d, sqrt m");
  EXPECT_EQ(asciiMath("B″ = x′ y″ᵀ, uₖ ↔ a, tᵖ"), "B'' = x' y''^T, u_k <-> a, t^p");
  EXPECT_EQ(asciiMath("(Aᵢ ⊙ Bᵢ) Cᵢᵀ, Tᵢ ×₃ Xᵀ, Σₐ"), "(A_i (.) B_i) C_i^T, T_i x_3 X^T, sum_a");
  EXPECT_EQ(asciiMath("σₘₐₓ · ε, ∫₀¹ |∇v|²"), "sigma_max * eps, int_0^1 |grad v|^2");
  EXPECT_EQ(superscript(-12), "⁻¹²");
  EXPECT_EQ(subscript(305), "₃₀₅");
  EXPECT_EQ(asciiMath("r" + subscript(10) + " ≤ t" + superscript(3)), "r_10 <= t^3");
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

// The code points of UTF-8 text (the panels' text is valid UTF-8).
std::vector<unsigned> codePoints(const std::string& text) {
  std::vector<unsigned> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    unsigned cp = extra == 0 ? c : c & (0x3Fu >> extra);
    for (int k = 1; k <= extra && i + static_cast<std::size_t>(k) < text.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]) & 0x3Fu);
    out.push_back(cp);
    i += static_cast<std::size_t>(extra) + 1;
  }
  return out;
}

// Every character the Theory panel writes for a scene (its preset's title, statement and
// notice, its parameters, and what its demonstration shows) is in DejaVu's atlas, and its
// ASCII spelling is within the built-in font's Latin-1.
TEST(MathText, EveryTheorySceneIsWrittenInGlyphsTheFontsHave) {
  ImGui::CreateContext();
  const UiFonts fonts = setUpImGuiStyle(1.0f);
  ImGui::GetIO().Fonts->Build();
  const auto check = [&](const std::string& text) {
    SCOPED_TRACE(text);
    for (const unsigned cp : codePoints(text)) {
      if (fonts.dejaVu && cp >= 0x80) {
        EXPECT_NE(fonts.normal->FindGlyphNoFallback(static_cast<ImWchar>(cp)), nullptr) << std::hex << cp;
      }
    }
    for (const unsigned cp : codePoints(asciiMath(text))) {
      EXPECT_LE(cp, 0xFFu) << std::hex << cp;
    }
  };
  const PresetLoad load = loadTheoryPresets(std::string(RANKFLOW_SOURCE_DIR) + "/assets/presets/theory");
  ASSERT_TRUE(load.errors.empty());
  ASSERT_FALSE(load.presets.empty());
  for (const TheoryPreset& p : load.presets) {
    for (const std::string* text : {&p.title, &p.statement, &p.notice}) check(*text);
    for (const DemoParameterSpec& spec : demoParameterSpecs(p.demo)) check(spec.label);
    const TheoryDemoResult r = computeTheoryDemo(p.demo, p.parameters);
    for (const std::string& line : r.lines) check(line);
    for (const DemoCheck& c : r.checks) check(c.claim);
    for (const RankChart& chart : r.rankCharts) {
      check(chart.title);
      for (const std::string& label : chart.labels) check(label);
      for (const RankSeries& series : chart.series) check(series.name);
    }
    for (const CurveChart& chart : r.curveCharts) {
      check(chart.title);
      for (const CurveSeries& series : chart.series) check(series.name);
      for (const CurveMarker& marker : chart.markers) check(marker.name);
    }
  }
  // The other panels' mathematics (ranks, cascade, adapters, control, queries, help).
  check("σₘₐₓ · ε ≤ ≥ ≳ − ⁽ᵏ⁾ ᵀ ‖Tₖ − Wₖ₋₁‖ r₀ ℝᵈˣʳ ∈ ℝᵈˣⁿ Σᵢ₌ₗʳ log₂ uₖ ↔ xₜ ∂ ∇ ∫₀¹ ² × x₁");
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
