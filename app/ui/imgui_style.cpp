#include "app/ui/imgui_style.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace rankflow::app {
namespace {

constexpr const char* kUiFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr float kNormalPixels = 16.0f;
// Readable from the back of a lecture hall on a 1080p projector.
constexpr float kLecturePixels = 30.0f;

void normalStyle(ImGuiStyle& style) {
  // From ImGui's defaults every time: lecture mode's paddings must not outlive it, and the UI
  // scale is applied to these sizes once, not again on every switch.
  style = ImGuiStyle();
  ImGui::StyleColorsDark(&style);
  style.WindowRounding = 6.0f;
  style.FrameRounding = 4.0f;
  style.GrabRounding = 4.0f;
  style.WindowPadding = {12.0f, 10.0f};
  style.ItemSpacing = {8.0f, 6.0f};
  ImVec4* colors = style.Colors;
  // One accent for both title states: the Xvfb test finds the panel by this colour.
  colors[ImGuiCol_TitleBg] = ImVec4(kAccentRgb[0] / 255.0f, kAccentRgb[1] / 255.0f, kAccentRgb[2] / 255.0f, 1.0f);
  colors[ImGuiCol_TitleBgActive] = colors[ImGuiCol_TitleBg];
  colors[ImGuiCol_WindowBg] = ImVec4(0.11f, 0.12f, 0.15f, 0.94f);
  colors[ImGuiCol_SliderGrab] = ImVec4(0.35f, 0.60f, 0.95f, 1.0f);
  colors[ImGuiCol_SliderGrabActive] = ImVec4(0.50f, 0.72f, 1.0f, 1.0f);
}

// White on black with saturated accents: projectors wash out mid-greys.
void lectureStyle(ImGuiStyle& style) {
  normalStyle(style);
  style.WindowPadding = {24.0f, 18.0f};
  style.ItemSpacing = {14.0f, 10.0f};
  style.FramePadding = {10.0f, 6.0f};
  style.WindowBorderSize = 0.0f;
  ImVec4* colors = style.Colors;
  colors[ImGuiCol_Text] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
  colors[ImGuiCol_TextDisabled] = ImVec4(0.85f, 0.85f, 0.85f, 1.0f);
  colors[ImGuiCol_WindowBg] = ImVec4(0.0f, 0.0f, 0.0f, 0.92f);
  colors[ImGuiCol_ChildBg] = ImVec4(0.0f, 0.0f, 0.0f, 0.0f);
  colors[ImGuiCol_FrameBg] = ImVec4(0.18f, 0.18f, 0.22f, 1.0f);
  colors[ImGuiCol_PlotHistogram] = ImVec4(1.0f, 0.78f, 0.1f, 1.0f);
  colors[ImGuiCol_Separator] = ImVec4(0.7f, 0.7f, 0.7f, 1.0f);
}

// The code points the panels write (Unicode blocks DejaVu Sans covers): Latin-1, the spacing
// modifier letters (superscript j, r, x: ʲ ʳ ˣ), Greek, the phonetic modifiers that give
// subscript i and superscript T, k, d, p (ᵢ ᵀ ᵏ ᵈ ᵖ), general
// punctuation (– — ‖ …), super- and subscript digits, letterlike symbols, arrows, operators
// (Σ ∂ ≤ ≥ ≠ ≈ ∈ ∞), technical brackets (⌈ ⌉), geometric shapes (▲ ■) and Latin Extended-C
// for subscript j (ⱼ).
const ImWchar kUiGlyphRanges[] = {
    0x0020, 0x00FF, 0x02B0, 0x02FF, 0x0370, 0x03FF, 0x1D00, 0x1DBF, 0x2000, 0x206F, 0x2070, 0x209F, 0x2100,
    0x214F, 0x2190, 0x21FF, 0x2200, 0x22FF, 0x2300, 0x23FF, 0x25A0, 0x25FF, 0x2C60, 0x2C7F, 0,
};

float uiScale = 1.0f;
bool mathGlyphs = false;

}  // namespace

UiFonts setUpImGuiStyle(float scale) {
  uiScale = std::clamp(std::isfinite(scale) ? scale : 1.0f, kMinUiScale, kMaxUiScale);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed by the panels, nothing to persist
  io.Fonts->Clear();
  UiFonts fonts;
  fonts.scale = uiScale;
  if (std::filesystem::exists(kUiFont)) {
    fonts.normal = io.Fonts->AddFontFromFileTTF(kUiFont, kNormalPixels * uiScale, nullptr, kUiGlyphRanges);
    fonts.lecture = io.Fonts->AddFontFromFileTTF(kUiFont, kLecturePixels * uiScale, nullptr, kUiGlyphRanges);
    fonts.dejaVu = fonts.normal && fonts.lecture;
  }
  if (!fonts.dejaVu) {
    io.Fonts->Clear();
    ImFontConfig config;
    config.SizePixels = 13.0f * uiScale;
    fonts.normal = io.Fonts->AddFontDefault(&config);
    // The built-in bitmap font rasterised at twice its size: blocky but large and legible.
    config.SizePixels = 26.0f * uiScale;
    fonts.lecture = io.Fonts->AddFontDefault(&config);
  }
  mathGlyphs = fonts.dejaVu;
  io.FontDefault = fonts.normal;
  applyStyle(false);
  return fonts;
}

void applyStyle(bool lecture) {
  ImGuiStyle& style = ImGui::GetStyle();
  if (lecture) {
    lectureStyle(style);
  } else {
    normalStyle(style);
  }
  if (uiScale != 1.0f) style.ScaleAllSizes(uiScale);
}

float currentUiScale() {
  return uiScale;
}

bool fontsHaveMathGlyphs() {
  return mathGlyphs;
}

}  // namespace rankflow::app
