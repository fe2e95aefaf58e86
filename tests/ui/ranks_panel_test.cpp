// The Ranks panel (docs/MATHEMATICS.md §6): its model gives the ranks the core functions and the CLI give,
// runs off the UI thread with newer requests superseding older ones and a working cancel,
// reports bad input as messages, and the window draws headlessly without ImGui asserting.
#include "app/ui/panels/ranks_panel.h"

#include <gtest/gtest.h>
#include <imgui.h>

#include <nlohmann/json.hpp>
#include <set>

#include "app/models/ranks_model.h"
#include "core/matfun/rank.h"
#include "core/theory/feasibility.h"
#include "core/theory/matrix_scenes.h"
#include "tests/support/headless_imgui.h"
#include "tests/support/job_wait.h"
#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using app::RanksModel;
using app::RanksPanel;
using app::TaskState;
using namespace std::chrono_literals;

using testing::kJobWait;

int drawFrame(RanksPanel& panel, bool* open, ImVec2 mouse, bool click) {
  return testing::drawFrame(mouse, click, [&] { panel.draw(open); });
}

TEST(RanksPanel, DrawsHeadlesslyWithoutAsserting) {
  testing::HeadlessImGui imgui;
  ASSERT_TRUE(imgui.fontsBuilt());
  {
    RanksPanel panel;
    bool open = true;
    // Before results arrive ("computing..."), then with them, sweeping the mouse over the
    // window so the chart tooltips and the order selection are drawn too.
    for (int frame = 0; frame < 3; ++frame) EXPECT_GT(drawFrame(panel, &open, {-1, -1}, false), 0);
    ASSERT_TRUE(panel.model().waitForIdle(kJobWait));
    for (int y = 20; y < 880; y += 12) {
      for (int x = 880; x < 1600; x += 60) {
        EXPECT_GT(drawFrame(panel, &open, {float(x), float(y)}, (x / 60) % 2 == 1), 0);
      }
    }
    const RanksModel& model = panel.model();
    EXPECT_EQ(model.profile().scene, "lemma1.3");
    EXPECT_EQ(model.feasibility().result.verdict, theory::Verdict::Infeasible);

    // Scenes with every kind of content: an error, a zero derivative, a cancelled exact stage.
    panel.model().setParameter("k", "x");
    ASSERT_TRUE(panel.model().waitForIdle(kJobWait));
    EXPECT_GT(drawFrame(panel, &open, {1200, 300}, false), 0);
    panel.model().setScene("lemma1.2");
    panel.model().setMaxOrder(RanksModel::kMaxOrder);
    panel.model().cancelExact();
    panel.model().checkFeasibility("oops");
    ASSERT_TRUE(panel.model().waitForIdle(kJobWait));
    for (int y = 20; y < 880; y += 40) EXPECT_GT(drawFrame(panel, &open, {1200, float(y)}, true), 0);

    const auto json = nlohmann::json::parse(panel.exportJson());
    EXPECT_EQ(json["scene"], "lemma1.2");
    EXPECT_EQ(json["orders"].size(), static_cast<std::size_t>(RanksModel::kMaxOrder + 1));
    EXPECT_TRUE(json.contains("selected_order"));
    EXPECT_EQ(json["feasibility"]["input"], "oops");

    open = false;  // a closed window draws nothing and asks for nothing
    drawFrame(panel, &open, {0, 0}, false);
  }
}

}  // namespace
}  // namespace rankflow
