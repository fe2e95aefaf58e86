#include "app/ui/imgui_style.h"

#include <imgui.h>

#include <filesystem>

namespace rankflow::app {
namespace {

constexpr const char* kUiFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr float kNormalPixels = 16.0f;
// Readable from the back of a lecture hall on a 1080p projector.
constexpr float kLecturePixels = 30.0f;

void normalStyle(ImGuiStyle& style) {
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

}  // namespace

UiFonts setUpImGuiStyle() {
  normalStyle(ImGui::GetStyle());
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed by the panels, nothing to persist
  UiFonts fonts;
  if (std::filesystem::exists(kUiFont)) {
    fonts.normal = io.Fonts->AddFontFromFileTTF(kUiFont, kNormalPixels);
    fonts.lecture = io.Fonts->AddFontFromFileTTF(kUiFont, kLecturePixels);
    fonts.dejaVu = fonts.normal && fonts.lecture;
  }
  if (!fonts.dejaVu) {
    io.Fonts->Clear();
    ImFontConfig config;
    config.SizePixels = 13.0f;
    fonts.normal = io.Fonts->AddFontDefault(&config);
    // The built-in bitmap font rasterised at twice its size: blocky but large and legible.
    config.SizePixels = 26.0f;
    fonts.lecture = io.Fonts->AddFontDefault(&config);
  }
  io.FontDefault = fonts.normal;
  return fonts;
}

void applyStyle(bool lecture) {
  ImGuiStyle& style = ImGui::GetStyle();
  if (lecture) {
    lectureStyle(style);
  } else {
    normalStyle(style);
  }
}

}  // namespace rankflow::app
