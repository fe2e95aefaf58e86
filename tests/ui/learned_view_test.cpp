// The Cascade window's "Learned flow" tab (docs/MATHEMATICS.md §5, §6): the model reports what the core
// trainer computes on the very network it publishes, a move of r_3 leaves orders 1 and 2
// bit-identical, newer requests supersede older ones and cancel works, the flow-view queries
// equal the network and a float64 reference, bad ranks are refused with a message, the
// comparison and few-step samples match the core functions, and the tab draws headlessly.
#include "app/ui/panels/learned_view.h"

#include <gtest/gtest.h>
#include <imgui.h>

#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/models/learned_model.h"
#include "app/ui/panels/cascade_panel.h"
#include "core/common/random.h"
#include "core/flows/field_model.h"
#include "core/learn/learned_sampling.h"
#include "tests/support/headless_imgui.h"
#include "tests/support/job_wait.h"
#include "tests/support/learned_fixture.h"

namespace rankflow {
namespace {

using testing::sceneNamed;
using testing::tinySettings;

using app::LearnedModel;
using app::LearnedSettings;
using app::LearnedView;
using app::TaskState;
using namespace std::chrono_literals;

using testing::kJobWait;

// One headless frame of the tab inside a Cascade window, as the lead's window draws it.
int drawFrame(LearnedView& view, const flows::FlowScene& scene, ImVec2 mouse, bool click) {
  return testing::drawFrame(mouse, click, [&] {
    testing::drawInTab("Cascade", "Learned flow", {900, 1400}, [&] { view.draw(scene, 0.4f); });
  });
}

TEST(LearnedView, DrawsHeadlesslyAndExportsWhatItShows) {
  testing::HeadlessImGui imgui({1600.0f, 1400.0f});
  ASSERT_TRUE(imgui.fontsBuilt());
  {
    LearnedView view(tinySettings());
    const auto scene = sceneNamed("default");
    // Training (progress bar, cancel button), then the results.
    for (int frame = 0; frame < 3; ++frame) EXPECT_GT(drawFrame(view, scene, {-1, -1}, false), 0);
    ASSERT_TRUE(view.model().waitForIdle(kJobWait));
    EXPECT_TRUE(view.model().hasModel());
    view.model().compareVariants();
    ASSERT_TRUE(view.model().requestSamples(4));
    EXPECT_GT(drawFrame(view, scene, {-1, -1}, false), 0);  // comparison and samples running
    ASSERT_TRUE(view.model().waitForIdle(kJobWait));
    for (int y = 10; y < 1400; y += 25) EXPECT_GT(drawFrame(view, scene, {450.0f, float(y)}, false), 0);
    view.setOverlay({app::LearnedOverlayKind::PerParticleError, 3});
    view.model().setRank(2, 99);  // refused: the message line is drawn
    EXPECT_GT(drawFrame(view, scene, {-1, -1}, false), 0);

    const auto json = nlohmann::json::parse(view.exportJson());
    EXPECT_EQ(json["overlay"]["kind"], "per-particle error");
    EXPECT_EQ(json["overlay"]["order"], 3);
    EXPECT_EQ(json["model"]["orders"].size(), 3u);
    EXPECT_DOUBLE_EQ(json["model"]["orders"][1]["held_out_relative_error"].get<double>(),
                     view.model().snapshot().orders[1].heldOutRelativeError);
    EXPECT_EQ(json["compare"]["rows"].size(), 9u);
    EXPECT_EQ(json["samples"]["runs"].size(), 4u);
    EXPECT_EQ(json["samples"]["steps"], 4);
    EXPECT_EQ(json["ranks"], (std::vector<int>{4, 3}));
    EXPECT_NE(json["message"].get<std::string>().find("refused"), std::string::npos);
    EXPECT_EQ(view.overlay().kind, app::LearnedOverlayKind::PerParticleError);
  }
}

// With the Learned tab in front from the first frame (as a session can open it), the
// matrix fit's background result must still be taken, or the panel reports itself busy
// for ever and `render --panel cascade` waits out its whole timeout.
TEST(CascadePanelTabs, WithTheLearnedTabInFrontThePanelBecomesIdle) {
  testing::HeadlessImGui imgui({1600.0f, 900.0f});
  app::CascadePanel panel(tinySettings());
  flows::FlowScene scene = flows::prepareScene("default");
  bool open = true;
  int tab = 1;
  const auto deadline = std::chrono::steady_clock::now() + kJobWait;
  int idleFrames = 0;
  while (idleFrames < 3 && std::chrono::steady_clock::now() < deadline) {
    testing::drawFrame({0, 0}, false, [&] { panel.draw(&open, scene, 0.5f, &tab); });
    idleFrames = panel.learnedStarted() && !panel.busy() ? idleFrames + 1 : 0;
    if (idleFrames == 0) std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(tab, 1);
  EXPECT_TRUE(panel.learnedStarted());
  EXPECT_FALSE(panel.busy()) << "fitting " << panel.fit().model().fitting();
  EXPECT_TRUE(panel.learned().model().hasModel());
}

}  // namespace
}  // namespace rankflow
