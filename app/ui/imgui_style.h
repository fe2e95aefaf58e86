#pragma once
// The window's look: the normal dark style, and lecture mode's high-contrast style with a
// large font (DejaVu Sans from fonts-dejavu-core when present, the scaled default font
// otherwise). Both fonts are built into the atlas at start-up, before the renderer uploads it.
#include <imgui.h>

namespace rankflow::app {

struct UiFonts {
  ImFont* normal = nullptr;
  ImFont* lecture = nullptr;
  bool dejaVu = false;  // false: ImGui's built-in font, scaled (no mathematical glyphs)
  float scale = 1.0f;   // the UI scale the fonts were rasterised for
};

// Call after ImGui::CreateContext(), before the renderer builds the font texture; call again,
// with the renderer torn down, to rebuild at another scale (a monitor of another DPI). The
// fonts are rasterised at `scale` times their size — crisp, not stretched — with the glyphs
// mathematics needs (Greek, sub- and superscripts, operators, arrows), and the style's sizes
// are scaled alike. `scale` is clamped to [kMinUiScale, kMaxUiScale].
UiFonts setUpImGuiStyle(float scale = 1.0f);

inline constexpr float kMinUiScale = 0.5f;
inline constexpr float kMaxUiScale = 4.0f;

// Switches colours and spacing between the normal and the lecture (high-contrast) style, at
// the scale of the last setUpImGuiStyle.
void applyStyle(bool lecture);

// The UI scale of the last setUpImGuiStyle, and a layout size given in points at scale 1
// (a panel's default width, a margin) in pixels at that scale.
float currentUiScale();
inline float uiScaled(float points) {
  return points * currentUiScale();
}

// Whether the fonts hold the mathematical glyphs (DejaVu Sans). Text meant as mathematics goes
// through mathText() (app/ui/widgets/math_text.h), which spells it in ASCII when they do not.
bool fontsHaveMathGlyphs();

// Text that reports a failure or a refused input, in every panel.
inline const ImVec4 kWarningText{1.0f, 0.55f, 0.45f, 1.0f};

// The title-bar accent of the normal style; the Xvfb test finds panels by it.
inline constexpr unsigned char kAccentRgb[3] = {46, 94, 170};

}  // namespace rankflow::app
