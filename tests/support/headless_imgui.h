// Drawing ImGui panels in tests without a window or a renderer: the panels' smoke tests
// only need ImGui's own asserts and a valid draw list, not pixels.
#pragma once

#include <gtest/gtest.h>
#include <imgui.h>

#include <utility>

namespace rankflow::testing {

// An ImGui context for the scope of one test. The font atlas is built up front because
// NewFrame() asserts on an unbuilt one and no backend is there to build it.
class HeadlessImGui {
 public:
  explicit HeadlessImGui(ImVec2 displaySize = {1600.0f, 900.0f}) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = displaySize;
    io.IniFilename = nullptr;  // a test must neither read nor leave an imgui.ini
    io.DeltaTime = 1.0f / 60.0f;
    int width = 0, height = 0;
    io.Fonts->GetTexDataAsRGBA32(&fontPixels_, &width, &height);
  }
  ~HeadlessImGui() { ImGui::DestroyContext(); }
  HeadlessImGui(const HeadlessImGui&) = delete;
  HeadlessImGui& operator=(const HeadlessImGui&) = delete;

  bool fontsBuilt() const { return fontPixels_ != nullptr; }

 private:
  unsigned char* fontPixels_ = nullptr;
};

// One headless frame with the mouse at `mouse` (left button `down`); returns the vertex
// count. The implicit debug window's draw list is current before `draw` and must be after,
// or a Begin() went without its End().
template <class Draw>
int drawFrame(ImVec2 mouse, bool down, Draw&& draw) {
  ImGuiIO& io = ImGui::GetIO();
  io.DeltaTime = 1.0f / 60.0f;
  io.MousePos = mouse;
  io.MouseDown[0] = down;
  ImGui::NewFrame();
  const ImDrawList* before = ImGui::GetWindowDrawList();
  std::forward<Draw>(draw)();
  EXPECT_EQ(ImGui::GetWindowDrawList(), before) << "unbalanced Begin/End";
  ImGui::Render();
  const ImDrawData* data = ImGui::GetDrawData();
  EXPECT_TRUE(data && data->Valid);
  return data ? data->TotalVtxCount : 0;
}

// Draws `body` in tab `tab` of window `window` at the origin, as the Cascade window hosts
// its tabs, so a tab's view is tested inside the container it lives in.
template <class Body>
void drawInTab(const char* window, const char* tab, ImVec2 size, Body&& body) {
  ImGui::SetNextWindowPos({0, 0});
  ImGui::SetNextWindowSize(size);
  if (ImGui::Begin(window)) {
    if (ImGui::BeginTabBar("##tabs")) {
      if (ImGui::BeginTabItem(tab)) {
        std::forward<Body>(body)();
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
  }
  ImGui::End();
}

}  // namespace rankflow::testing
