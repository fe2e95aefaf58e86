#pragma once
// The window's look: the normal dark style, and lecture mode's high-contrast style with a
// large font (DejaVu Sans from fonts-dejavu-core when present, the scaled default font
// otherwise). Both fonts are built into the atlas at start-up, before the renderer uploads it.
struct ImFont;

namespace rankflow::app {

struct UiFonts {
  ImFont* normal = nullptr;
  ImFont* lecture = nullptr;
  bool dejaVu = false;  // false: ImGui's built-in font, scaled
};

// Call once after ImGui::CreateContext(), before the renderer builds the font texture.
UiFonts setUpImGuiStyle();

// Switches colours and spacing between the normal and the lecture (high-contrast) style.
void applyStyle(bool lecture);

// The title-bar accent of the normal style; the Xvfb test finds panels by it.
inline constexpr unsigned char kAccentRgb[3] = {46, 94, 170};

}  // namespace rankflow::app
