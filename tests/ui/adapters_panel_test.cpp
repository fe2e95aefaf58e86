// The Adapters panel headless: the demo adapter draws with every Begin matched by an End,
// a click on a heatmap cell selects that module (its spectrum is drawn next), hovering every
// part of the window runs each tooltip path, and the export is the model's.
#include "app/ui/panels/adapters_panel.h"

#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <nlohmann/json.hpp>

#include "tests/support/headless_imgui.h"

namespace rankflow {
namespace {

using namespace std::chrono_literals;

int frame(app::AdaptersPanel& panel, bool* open, ImVec2 mouse, bool down = false) {
  return testing::drawFrame(mouse, down, [&] {
    panel.draw(open);
    EXPECT_EQ(ImGui::GetCurrentContext()->CurrentWindowStack.Size, 1);
  });
}

TEST(AdaptersPanel, DrawsTheDemoAndAClickOnACellSelectsItsModule) {
  testing::HeadlessImGui imgui;
  app::AdaptersPanel panel;
  bool open = true;
  EXPECT_GT(frame(panel, &open, {-1, -1}), 0);  // opening: a progress bar
  ASSERT_TRUE(panel.model().waitIdle(60s));
  EXPECT_GT(frame(panel, &open, {-1, -1}), 0);
  ASSERT_TRUE(panel.model().adapter());
  const ImGuiWindow* window = ImGui::FindWindowByName("Adapters");
  ASSERT_NE(window, nullptr);
  const int first = panel.model().selected();
  EXPECT_GE(first, 0);

  // Sweep the mouse over the whole window: every hover path (cells, bars, widgets) runs.
  for (float y = window->Pos.y + 5; y < window->Pos.y + window->Size.y; y += 17.0f)
    for (float x = window->Pos.x + 5; x < window->Pos.x + window->Size.x; x += 61.0f)
      EXPECT_GT(frame(panel, &open, {x, y}), 0);

  // Find the heatmap's last row, last column by hovering until a different module is under
  // the mouse, then click it.
  const app::AdapterGrid& grid = panel.model().grid();
  const int target = grid.at(grid.layers.size() - 1, grid.types.size() - 1);
  ASSERT_NE(target, first);
  bool selected = false;
  for (float y = window->Pos.y + 200; y < window->Pos.y + 500 && !selected; y += 4.0f) {
    const ImVec2 mouse{window->Pos.x + window->Size.x - 40.0f, y};
    frame(panel, &open, mouse, true);
    frame(panel, &open, mouse, false);
    selected = panel.model().selected() == target;
  }
  EXPECT_TRUE(selected) << "no click on the heatmap's last cell selected module " << target;

  const auto json = nlohmann::json::parse(panel.exportFiles().front().second);
  EXPECT_EQ(json["source"], "demo");
  EXPECT_EQ(json["modules"].size(), 56u);

  open = false;
  frame(panel, &open, {-1, -1});
}

}  // namespace
}  // namespace rankflow
