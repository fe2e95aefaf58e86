// The Queries panel (docs/MATHEMATICS.md §3, §6): its model answers like the core range tree and a float64
// reference, every strategy agrees, the trace tiles the interval exactly, timing runs off
// the UI thread with newer requests superseding older ones and a working cancel, bad input
// gives messages, and the window draws headlessly with every Begin matched by an End.
#include "app/ui/panels/queries_panel.h"

#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <climits>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "app/models/queries_model.h"
#include "core/lowrank/range_tree.h"
#include "tests/support/headless_imgui.h"
#include "tests/support/job_wait.h"
#include "tests/support/plot_capture_check.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using app::QueriesModel;
using app::QueriesPanel;
using app::QuerySizes;
using namespace std::chrono_literals;

using testing::kJobWait;

// [SECTION] The window, headless

int frame(QueriesPanel& panel, bool* open, ImVec2 mouse) {
  return testing::drawFrame(mouse, false, [&] {
    panel.draw(open);
    // Only the implicit "Debug##Default" window may still be open here.
    EXPECT_EQ(ImGui::GetCurrentContext()->CurrentWindowStack.Size, 1);
  });
}

TEST(QueriesPanel, DrawsHeadlessFramesWithEveryBeginEnded) {
  testing::HeadlessImGui imgui;
  QueriesPanel panel(QuerySizes{300, 16, 2, 8, 5});
  bool open = true;
  // While building: a progress bar, no data yet.
  EXPECT_GT(frame(panel, &open, {-1, -1}), 0);
  ASSERT_TRUE(panel.model().waitIdle(kJobWait));
  // The first drawn frame after the build asks for the sweep; let it finish, then draw
  // with the mouse swept across the window so every tooltip path runs.
  EXPECT_GT(frame(panel, &open, {-1, -1}), 0);
  ASSERT_TRUE(panel.model().waitIdle(kJobWait));
  EXPECT_GT(frame(panel, &open, {-1, -1}), 0);
  ASSERT_NE(ImGui::FindWindowByName("Queries"), nullptr);
  ASSERT_TRUE(panel.model().view().sweep);
  EXPECT_TRUE(panel.model().view().sweep->complete);
  // The strategy rows, the tree and the sweep leave their PNG button's corner free: the first
  // row's "err …" text once lay under it.
  app::startChartRecording();
  EXPECT_GT(frame(panel, &open, {-1, -1}), 0);
  EXPECT_EQ(testing::expectNothingUnderCaptureButtons(app::stopChartRecording(), "Queries"), 3);
  const ImGuiWindow* window = ImGui::FindWindowByName("Queries");
  const int rows = static_cast<int>(window->Size.y / 23), columns = static_cast<int>(window->Size.x / 131);
  for (int row = 0; row < rows; ++row) {
    for (int column = 0; column < columns; ++column) {
      const ImVec2 mouse{window->Pos.x + 30 + 131.0f * static_cast<float>(column),
                         window->Pos.y + 10 + 23.0f * static_cast<float>(row)};
      EXPECT_GT(frame(panel, &open, mouse), 0);
    }
  }
  const nlohmann::json json = nlohmann::json::parse(panel.exportJson());
  EXPECT_EQ(json["sizes"]["m"], 300);

  // Closed: nothing drawn, nothing asserted.
  open = false;
  frame(panel, &open, {-1, -1});
}

}  // namespace
}  // namespace rankflow
