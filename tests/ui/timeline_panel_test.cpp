// The Timeline panel: its strip of ranks equals the core's numerical rank of B^(k)(t)
// at every sampled t, is computed off the UI thread with newer requests superseding older
// ones and a working cancel, keeps the previous strip when a request is bad, maps the
// scrubbed t to the sample drawn under the cursor; playback loops and clamps; and the
// window draws headlessly without ImGui asserting, scrubbing t when the chart is clicked.
#include "app/ui/panels/timeline_panel.h"

#include <gtest/gtest.h>
#include <imgui.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "app/models/rank_strip_model.h"
#include "app/models/ranks_model.h"
#include "core/matfun/rank.h"
#include "core/theory/matrix_scenes.h"
#include "tests/support/headless_imgui.h"
#include "tests/support/job_wait.h"
#include "tests/support/rank_strip_check.h"

namespace rankflow {
namespace {

using app::RankStrip;
using app::RankStripModel;
using app::TaskState;
using app::TimelinePanel;
using namespace std::chrono_literals;

using testing::kJobWait;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// [SECTION] Strip chart

TEST(RankStrip, TheScrubbedTMapsToTheSampleDrawnUnderTheCursor) {
  std::mt19937_64 rng(testing::printedSeed());
  RankStrip strip;
  EXPECT_EQ(strip.sampleAt(0.5), -1);
  EXPECT_TRUE(strip.ranksAtSample(0).empty());

  strip.tMin = 0.0;
  strip.tMax = 1.0;
  for (int i = 0; i <= 200; ++i) strip.times.push_back(i / 200.0);
  strip.ranks.assign(2, std::vector<int>(201, 1));
  strip.ranks[1][0] = 3;
  EXPECT_EQ(strip.sampleAt(0.0), 0);
  EXPECT_EQ(strip.sampleAt(0.0024), 0);
  EXPECT_EQ(strip.sampleAt(0.0026), 1);
  EXPECT_EQ(strip.sampleAt(0.5), 100);
  EXPECT_EQ(strip.sampleAt(1.0), 200);
  EXPECT_EQ(strip.sampleAt(-3.0), 0);
  EXPECT_EQ(strip.sampleAt(7.0), 200);
  EXPECT_EQ(strip.sampleAt(std::numeric_limits<double>::quiet_NaN()), 0);
  EXPECT_EQ(strip.ranksAtSample(0), (std::vector<int>{1, 3}));
  EXPECT_EQ(strip.highestRank(), 3);
  EXPECT_EQ(TimelinePanel::readoutText(strip, 0), "t = 0.000: ranks 1, 3");
  EXPECT_EQ(TimelinePanel::readoutText(strip, 150), "t = 0.750: ranks 1, 1");
  EXPECT_EQ(TimelinePanel::readoutText(strip, 201), "");

  // On an uneven range, through the chart's pixel axis: the sample picked for a pixel is the
  // nearest one, within half a spacing of the t under that pixel.
  RankStrip wide;
  wide.tMin = -1.0;
  wide.tMax = 2.0;
  for (int i = 0; i <= 30; ++i) wide.times.push_back(-1.0 + 3.0 * i / 30.0);
  const app::StripAxis axis{100.0f, 1300.0f, wide.tMin, wide.tMax};
  std::uniform_real_distribution<float> pixel(60.0f, 1340.0f);
  for (int trial = 0; trial < 500; ++trial) {
    const float x = pixel(rng);
    const double t = axis.timeAt(x);
    EXPECT_GE(t, wide.tMin);
    EXPECT_LE(t, wide.tMax);
    if (x >= 100.0f && x <= 1300.0f) {
      EXPECT_NEAR(axis.xAt(t), x, 1e-3f);
    }
    const int i = wide.sampleAt(t);
    ASSERT_GE(i, 0);
    ASSERT_LT(i, 31);
    EXPECT_LE(std::abs(wide.times[static_cast<std::size_t>(i)] - t), 0.05 + 1e-9) << "x = " << x;
    for (int j = 0; j < 31; ++j)
      EXPECT_LE(std::abs(wide.times[static_cast<std::size_t>(i)] - t),
                std::abs(wide.times[static_cast<std::size_t>(j)] - t) + 1e-9);
  }
}

// [SECTION] Playback

TEST(Playback, AdvanceTimeLoopsOrStopsAtTheEnds) {
  EXPECT_FLOAT_EQ(app::advanceTime(0.25f, 0.5f, 0.5f, false).t, 0.5f);
  EXPECT_FALSE(app::advanceTime(0.25f, 0.5f, 0.5f, false).reachedEnd);
  // Past the end: loop wraps keeping the overshoot, no loop stops at 1.
  EXPECT_NEAR(app::advanceTime(0.9f, 1.0f, 0.25f, true).t, 0.15f, 1e-6f);
  EXPECT_FALSE(app::advanceTime(0.9f, 1.0f, 0.25f, true).reachedEnd);
  EXPECT_FLOAT_EQ(app::advanceTime(0.9f, 1.0f, 0.25f, false).t, 1.0f);
  EXPECT_TRUE(app::advanceTime(0.9f, 1.0f, 0.25f, false).reachedEnd);
  // Backwards (negative speed) past 0, and a frame long enough to wrap several times.
  EXPECT_NEAR(app::advanceTime(0.1f, 1.0f, -0.25f, true).t, 0.85f, 1e-6f);
  EXPECT_FLOAT_EQ(app::advanceTime(0.1f, 1.0f, -0.25f, false).t, 0.0f);
  EXPECT_TRUE(app::advanceTime(0.1f, 1.0f, -0.25f, false).reachedEnd);
  EXPECT_NEAR(app::advanceTime(0.5f, 10.0f, 0.33f, true).t, 0.8f, 1e-5f);
  // Exactly at the end is not past it.
  EXPECT_FLOAT_EQ(app::advanceTime(0.5f, 2.0f, 0.25f, false).t, 1.0f);
  EXPECT_FALSE(app::advanceTime(0.5f, 2.0f, 0.25f, false).reachedEnd);
  // Garbage in: t stays (clamped), a NaN t starts over.
  EXPECT_FLOAT_EQ(app::advanceTime(0.4f, kNaN, 0.25f, true).t, 0.4f);
  EXPECT_FLOAT_EQ(app::advanceTime(0.4f, 0.1f, std::numeric_limits<float>::infinity(), true).t, 0.4f);
  EXPECT_FLOAT_EQ(app::advanceTime(kNaN, 0.1f, 0.5f, true).t, 0.05f);
  EXPECT_FLOAT_EQ(app::advanceTime(3.0f, 0.0f, 0.5f, false).t, 1.0f);

  // Random frames: t always stays in [0, 1], and with loop it moves by dt·speed modulo 1.
  std::mt19937_64 rng(testing::printedSeed());
  std::uniform_real_distribution<float> unit(0.0f, 1.0f), dt(0.0f, 0.1f), speed(-1.0f, 1.0f);
  for (int trial = 0; trial < 1000; ++trial) {
    const float t = unit(rng), d = dt(rng), s = speed(rng);
    const auto looped = app::advanceTime(t, d, s, true);
    EXPECT_GE(looped.t, 0.0f);
    EXPECT_LE(looped.t, 1.0f);
    const double moved = std::fmod(static_cast<double>(looped.t) - t - static_cast<double>(d) * s + 2.0, 1.0);
    EXPECT_LT(std::min(moved, 1.0 - moved), 1e-5) << t << " " << d << " " << s;
    const auto clamped = app::advanceTime(t, d, s, false);
    EXPECT_NEAR(clamped.t, std::clamp(t + d * s, 0.0f, 1.0f), 1e-6f);
    EXPECT_EQ(clamped.reachedEnd, t + d * s > 1.0f || t + d * s < 0.0f);
  }
}

TEST(Playback, StepTimeMovesOneGridStepAndClamps) {
  EXPECT_NEAR(app::stepTime(0.3f, 0.01f, +1), 0.31f, 1e-6f);
  EXPECT_NEAR(app::stepTime(0.3f, 0.01f, -1), 0.29f, 1e-6f);
  // Between grid points: to the next one in that direction.
  EXPECT_NEAR(app::stepTime(0.304f, 0.01f, +1), 0.31f, 1e-6f);
  EXPECT_NEAR(app::stepTime(0.304f, 0.01f, -1), 0.30f, 1e-6f);
  // Clamped at the ends, no wrap; a grid that does not divide 1 still reaches both ends.
  EXPECT_FLOAT_EQ(app::stepTime(1.0f, 0.01f, +1), 1.0f);
  EXPECT_FLOAT_EQ(app::stepTime(0.0f, 0.01f, -1), 0.0f);
  EXPECT_FLOAT_EQ(app::stepTime(0.99f, 0.03f, +1), 1.0f);
  EXPECT_NEAR(app::stepTime(1.0f, 0.03f, -1), 0.99f, 1e-6f);
  // No step, no direction or NaN: t stays (clamped).
  EXPECT_FLOAT_EQ(app::stepTime(0.37f, 0.0f, +1), 0.37f);
  EXPECT_FLOAT_EQ(app::stepTime(0.37f, kNaN, +1), 0.37f);
  EXPECT_FLOAT_EQ(app::stepTime(0.37f, 0.01f, 0), 0.37f);
  EXPECT_FLOAT_EQ(app::stepTime(1.5f, 0.01f, 0), 1.0f);

  // Random grids: 1/step steps forward from 0 walk the grid to 1, and back again.
  std::mt19937_64 rng(testing::printedSeed());
  std::uniform_int_distribution<int> steps(10, 400);
  for (int trial = 0; trial < 20; ++trial) {
    const int n = steps(rng);
    const float step = 1.0f / static_cast<float>(n);
    float t = 0.0f;
    for (int i = 1; i <= n; ++i) {
      t = app::stepTime(t, step, +1);
      ASSERT_NEAR(t, static_cast<float>(i) * step, 1e-5f) << "n = " << n << ", i = " << i;
    }
    EXPECT_FLOAT_EQ(app::stepTime(t, step, +1), 1.0f);
    for (int i = n - 1; i >= 0; --i) {
      t = app::stepTime(t, step, -1);
      ASSERT_NEAR(t, static_cast<float>(i) * step, 1e-5f) << "n = " << n << ", i = " << i;
    }
  }
}

TEST(TimelinePanel, AdvanceStopsAtTheEndWithoutLoop) {
  TimelinePanel panel;
  app::ViewState view;
  view.t = 0.9f;
  view.playSpeed = 0.25f;
  view.playing = false;
  panel.advance(view, 1.0);
  EXPECT_FLOAT_EQ(view.t, 0.9f);  // paused: nothing moves
  view.playing = true;
  EXPECT_TRUE(panel.loop());
  panel.advance(view, 1.0);
  EXPECT_NEAR(view.t, 0.15f, 1e-6f);
  EXPECT_TRUE(view.playing);
  panel.setLoop(false);
  view.t = 0.9f;
  panel.advance(view, 1.0);
  EXPECT_FLOAT_EQ(view.t, 1.0f);
  EXPECT_FALSE(view.playing);
}

// [SECTION] Headless drawing

int drawFrame(TimelinePanel& panel, app::ViewState& view, ImVec2 mouse, bool down, bool* open = nullptr) {
  return testing::drawFrame(mouse, down, [&] {
    ImVec2 pos, size;
    TimelinePanel::defaultRect(ImGui::GetIO().DisplaySize, 384.0f, &pos, &size);
    panel.draw(view, 0.01f, pos, size, open);
  });
}

TEST(TimelinePanel, DrawsHeadlesslyAndScrubsFromTheChart) {
  testing::HeadlessImGui imgui;
  ASSERT_TRUE(imgui.fontsBuilt());
  {
    ImVec2 pos, size;
    TimelinePanel::defaultRect(ImGui::GetIO().DisplaySize, 384.0f, &pos, &size);
    EXPECT_FLOAT_EQ(pos.x, 384.0f);
    EXPECT_FLOAT_EQ(pos.x + size.x, 1600.0f - 12.0f);
    EXPECT_FLOAT_EQ(pos.y + size.y, 900.0f - 12.0f);
    EXPECT_GE(size.y, 200.0f);

    TimelinePanel panel;
    app::ViewState view;
    view.t = 0.0f;
    // The first frame requests the default strip (lemma1.5, ranks 1,3,5,2); then the result.
    for (int frame = 0; frame < 3; ++frame) EXPECT_GT(drawFrame(panel, view, {-1, -1}, false), 0);
    ASSERT_TRUE(panel.strip().waitForIdle(kJobWait));
    EXPECT_GT(drawFrame(panel, view, {-1, -1}, false), 0);
    ASSERT_EQ(panel.strip().state(), TaskState::Done) << panel.strip().message();
    EXPECT_EQ(panel.strip().strip().scene, "lemma1.5");
    EXPECT_EQ(panel.cursorSample(), 0);
    EXPECT_EQ(panel.readout(), "t = 0.000: ranks 1, 3, 5, 2");  // Lemma 1.5's special point
    testing::expectStripMatchesCore(panel.strip().strip(), {{"ranks", "1,3,5,2"}});

    // Hover, press and drag on the chart: t follows the mouse and the cursor's sample is the
    // one nearest the t under the mouse.
    const app::StripAxis axis = panel.axis();
    ASSERT_GT(axis.right, axis.left);
    const float chartY = pos.y + size.y * 0.6f;
    for (const float fraction : {0.25f, 0.6f, 0.137f}) {
      const float x = axis.left + (axis.right - axis.left) * fraction;
      drawFrame(panel, view, {x, chartY}, false);
      drawFrame(panel, view, {x, chartY}, true);
      // ImGui floors the mouse position to whole pixels.
      EXPECT_NEAR(view.t, axis.timeAt(std::floor(x)), 1e-6);
      EXPECT_NEAR(view.t, fraction, 1.0f / (axis.right - axis.left));
      drawFrame(panel, view, {x, chartY}, true);
      const int sample = panel.strip().strip().sampleAt(view.t);
      EXPECT_EQ(panel.cursorSample(), sample);
      EXPECT_EQ(panel.readout(), TimelinePanel::readoutText(panel.strip().strip(), sample));
      drawFrame(panel, view, {x, chartY}, false);
    }
    const float dragFrom = axis.left + (axis.right - axis.left) * 0.2f;
    const float dragTo = axis.left + (axis.right - axis.left) * 0.8f;
    drawFrame(panel, view, {dragFrom, chartY}, false);
    for (int step = 0; step <= 8; ++step)
      drawFrame(panel, view, {dragFrom + (dragTo - dragFrom) * step / 8.0f, chartY}, true);
    EXPECT_NEAR(view.t, axis.timeAt(std::floor(dragTo)), 1e-6);
    // Dragging off the chart's end keeps t in [0, 1].
    drawFrame(panel, view, {1700.0f, chartY}, true);
    EXPECT_FLOAT_EQ(view.t, 1.0f);
    drawFrame(panel, view, {1700.0f, chartY}, false);
    EXPECT_EQ(panel.cursorSample(), 200);

    // The strip follows the Ranks panel's scene; a bad parameter there keeps this strip.
    app::RanksModel ranks;
    ranks.setScene("lemma1.3");
    ranks.setParameter("k", "3");
    ranks.setMaxOrder(3);
    const std::uint64_t before = panel.strip().requestedGeneration();
    panel.follow(&ranks);
    drawFrame(panel, view, {-1, -1}, false);
    EXPECT_EQ(panel.strip().requestedGeneration(), before + 1);
    for (int y = static_cast<int>(pos.y); y < 900; y += 30) drawFrame(panel, view, {900.0f, float(y)}, false);
    ASSERT_TRUE(panel.strip().waitForIdle(kJobWait));
    view.t = 0.5f;
    EXPECT_GT(drawFrame(panel, view, {-1, -1}, false), 0);
    EXPECT_EQ(panel.strip().strip().scene, "lemma1.3");
    EXPECT_EQ(panel.readout(), "t = 0.500: ranks 1, 2, 3, 4");  // Lemma 1.3: 1, 2, ..., k+1
    // Unchanged: no new request.
    panel.follow(&ranks);
    drawFrame(panel, view, {-1, -1}, false);
    EXPECT_EQ(panel.strip().requestedGeneration(), before + 1);
    EXPECT_EQ(panel.strip().state(), TaskState::Done);
    ranks.setParameter("k", "x");
    panel.follow(&ranks);
    drawFrame(panel, view, {-1, -1}, false);
    ASSERT_TRUE(panel.strip().waitForIdle(kJobWait));
    EXPECT_GT(drawFrame(panel, view, {-1, -1}, false), 0);
    EXPECT_EQ(panel.strip().state(), TaskState::Failed);
    EXPECT_EQ(panel.strip().strip().scene, "lemma1.3");
    EXPECT_EQ(panel.readout(), "t = 0.500: ranks 1, 2, 3, 4");

    // A running strip (progress and cancel), then a cancelled one, draw too.
    panel.setSource("lemma1.6", {{"n", "64"}, {"degree", "12"}}, RankStripModel::kMaxOrder);
    EXPECT_GT(drawFrame(panel, view, {-1, -1}, false), 0);
    panel.strip().cancel();
    EXPECT_GT(drawFrame(panel, view, {-1, -1}, false), 0);
    EXPECT_EQ(panel.strip().state(), TaskState::Cancelled);

    view.playing = true;
    const auto json = nlohmann::json::parse(panel.exportJson());
    EXPECT_EQ(json["scene"], "lemma1.3");
    EXPECT_EQ(json["state"], "cancelled");
    EXPECT_FLOAT_EQ(json["t"].get<float>(), 0.5f);
    EXPECT_EQ(json["cursor_sample"], 100);
    EXPECT_EQ(json["cursor_ranks"].get<std::vector<int>>(), (std::vector<int>{1, 2, 3, 4}));
    EXPECT_EQ(json["loop"], true);
    EXPECT_EQ(panel.exportCsv().substr(0, 34), "t,rank_k0,rank_k1,rank_k2,rank_k3\n");

    // With a close button while open; closed, it draws nothing and scrubs nothing.
    bool open = true;
    EXPECT_GT(drawFrame(panel, view, {-1, -1}, false, &open), 0);
    open = false;
    const float x = axis.left + (axis.right - axis.left) * 0.3f;
    drawFrame(panel, view, {x, chartY}, false, &open);
    drawFrame(panel, view, {x, chartY}, true, &open);
    EXPECT_FLOAT_EQ(view.t, 0.5f);
  }
}

}  // namespace
}  // namespace rankflow
