// Drawing your own data: strokes are resampled by arc length with a seeded jitter, capped,
// undone stroke by stroke; the sketch becomes a custom scene, an empty or NaN one is
// refused; the panel draws headlessly and its mouse handling draws strokes.
#include "app/ui/panels/data_sketch.h"

#include <gtest/gtest.h>
#include <imgui.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "core/common/error.h"
#include "tests/support/headless_imgui.h"

namespace rankflow {
namespace {

std::uint64_t freshSeed() {
  static std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) | device();
}

TEST(DataSketch, PointsAreSpacedByArcLengthWhateverTheMouseSpeed) {
  std::mt19937_64 rng(freshSeed());
  const float spacing = std::uniform_real_distribution<float>(0.03f, 0.2f)(rng);
  app::DataSketch sketch({spacing, 0.0f, 7, 100000});
  // A straight stroke of length L along a random direction, sent as segments of random length.
  const float angle = std::uniform_real_distribution<float>(0.0f, 6.28f)(rng);
  const Vec2f dir{std::cos(angle), std::sin(angle)};
  const Vec2f start{0.3f, -0.2f};
  const float total = 2.0f;
  sketch.beginStroke(start);
  float s = 0.0f;
  while (s < total) {
    s = std::min(total, s + std::uniform_real_distribution<float>(0.001f, 0.5f)(rng));
    sketch.extendStroke(start + s * dir);
  }
  sketch.endStroke();
  const auto& points = sketch.points();
  ASSERT_EQ(points.size(), static_cast<std::size_t>(std::floor(total / spacing + 1e-4f)) + 1);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Vec2f expected = start + (static_cast<float>(i) * spacing) * dir;
    EXPECT_NEAR(points[i].x, expected.x, 1e-4f);
    EXPECT_NEAR(points[i].y, expected.y, 1e-4f);
  }
  EXPECT_EQ(sketch.strokeCount(), 1);
  EXPECT_FALSE(sketch.drawing());
}

TEST(DataSketch, JitterIsSeededAndOfTheRequestedSpread) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const float jitter = 0.05f;
  auto draw = [&](std::uint64_t s) {
    app::DataSketch sketch({0.01f, jitter, s, 100000});
    sketch.beginStroke({-2.0f, 1.0f});
    sketch.extendStroke({2.0f, 1.0f});  // 401 points along y = 1
    sketch.endStroke();
    return sketch.points();
  };
  const auto a = draw(seed);
  const auto b = draw(seed);
  const auto c = draw(seed + 1);
  ASSERT_EQ(a.size(), 401u);
  EXPECT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].x, b[i].x);
    EXPECT_EQ(a[i].y, b[i].y);
  }
  double sumSquares = 0.0;
  int differs = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sumSquares += (a[i].y - 1.0) * (a[i].y - 1.0);
    differs += a[i].y != c[i].y;
  }
  const double spread = std::sqrt(sumSquares / static_cast<double>(a.size()));
  EXPECT_NEAR(spread, jitter, 0.2 * jitter);  // 401 samples: the estimate is within ~7 %
  EXPECT_GT(differs, 390) << "another seed, other offsets";
}

TEST(DataSketch, CapUndoAndClear) {
  app::DataSketch sketch({0.1f, 0.01f, freshSeed(), 25});
  sketch.beginStroke({0.0f, 0.0f});
  sketch.extendStroke({1.05f, 0.0f});  // 11 points (lengths off the spacing's multiples)
  sketch.endStroke();
  sketch.beginStroke({0.0f, 1.0f});
  sketch.extendStroke({0.55f, 1.0f});  // 6 points
  sketch.endStroke();
  ASSERT_EQ(sketch.points().size(), 17u);
  EXPECT_EQ(sketch.labels(), (std::vector<int>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}));
  sketch.beginStroke({0.0f, 2.0f});
  sketch.extendStroke({5.0f, 2.0f});  // would be 51 points: stops at the cap
  EXPECT_TRUE(sketch.full());
  EXPECT_EQ(sketch.points().size(), 25u);
  sketch.beginStroke({0.0f, 3.0f});  // ends the stroke before; a full sketch starts nothing
  sketch.endStroke();
  EXPECT_EQ(sketch.strokeCount(), 3);
  ASSERT_TRUE(sketch.undoStroke());
  EXPECT_EQ(sketch.points().size(), 17u);
  EXPECT_FALSE(sketch.full());
  ASSERT_TRUE(sketch.undoStroke());
  EXPECT_EQ(sketch.points().size(), 11u);
  EXPECT_EQ(sketch.strokeCount(), 1);
  sketch.clear();
  EXPECT_TRUE(sketch.points().empty());
  EXPECT_FALSE(sketch.undoStroke());
}

TEST(DataSketch, NonFinitePositionsAreIgnoredAndBadOptionsRefused) {
  app::DataSketch sketch({0.1f, 0.0f, 1, 100});
  sketch.beginStroke({std::nanf(""), 0.0f});
  EXPECT_FALSE(sketch.drawing());
  sketch.beginStroke({0.0f, 0.0f});
  sketch.extendStroke({INFINITY, 0.0f});
  sketch.extendStroke({0.3f, 0.0f});
  sketch.endStroke();
  EXPECT_EQ(sketch.points().size(), 4u);
  for (const auto& p : sketch.points()) EXPECT_TRUE(std::isfinite(p.x) && std::isfinite(p.y));
  EXPECT_THROW(sketch.setOptions({0.0f, 0.0f, 1, 100}), InvalidArgument);
  EXPECT_THROW(sketch.setOptions({std::nanf(""), 0.0f, 1, 100}), InvalidArgument);
  EXPECT_THROW(sketch.setOptions({0.1f, -1.0f, 1, 100}), InvalidArgument);
  EXPECT_THROW(sketch.setOptions({0.1f, 0.0f, 1, 0}), InvalidArgument);
  EXPECT_EQ(sketch.options().spacing, 0.1f) << "a refused option changes nothing";
}

TEST(DataSketch, BecomesACustomSceneChoiceAndEmptySketchesAreRefused) {
  app::DataSketch sketch({0.2f, 0.02f, freshSeed(), 1000});
  app::SceneChoice base;
  base.schedule = flows::Schedule::VpCosine;
  base.particles = 321;
  try {
    (void)sketch.sceneChoice(base);
    ADD_FAILURE() << "an empty sketch was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("no points"), std::string::npos) << e.what();
  }
  sketch.beginStroke({-1.0f, 0.0f});
  sketch.extendStroke({1.0f, 0.5f});
  sketch.endStroke();
  const app::SceneChoice choice = sketch.sceneChoice(base);
  EXPECT_EQ(choice.name, app::kCustomSceneName);
  EXPECT_EQ(choice.schedule, flows::Schedule::VpCosine);
  EXPECT_EQ(choice.particles, 321);
  EXPECT_EQ(choice.points.size(), sketch.points().size());
  const flows::FlowScene scene = app::prepareSessionScene(choice);
  EXPECT_EQ(scene.name, "custom");
  EXPECT_EQ(scene.data.points.size(), sketch.points().size());
  EXPECT_EQ(scene.data.points[3].x, sketch.points()[3].x);
  EXPECT_EQ(scene.start.size(), 321u);
  EXPECT_EQ(scene.schedule, flows::Schedule::VpCosine);
  const auto j = nlohmann::json::parse(sketch.exportJson());
  EXPECT_EQ(j["points"].size(), sketch.points().size());
  EXPECT_EQ(j["strokes"], 1);
}

TEST(DataSketch, ScreenAndWorldAreInverse) {
  std::mt19937_64 rng(freshSeed());
  std::uniform_real_distribution<float> u(-3.0f, 3.0f);
  const render::Camera2D camera{u(rng), u(rng), 0.5f + std::abs(u(rng))};
  const Vec2f w = app::screenToWorld(camera, 1600.0f, 900.0f, 800.0f, 450.0f);
  EXPECT_NEAR(w.x, camera.centerX, 1e-5f);
  EXPECT_NEAR(w.y, camera.centerY, 1e-5f);
  const Vec2f top = app::screenToWorld(camera, 1600.0f, 900.0f, 800.0f, 0.0f);
  EXPECT_NEAR(top.y, camera.centerY + camera.halfHeight, 1e-4f) << "screen y runs down, world y up";
  const Vec2f p{u(rng), u(rng)};
  const Vec2f s = app::worldToScreen(camera, 1600.0f, 900.0f, p);
  const Vec2f back = app::screenToWorld(camera, 1600.0f, 900.0f, s.x, s.y);
  EXPECT_NEAR(back.x, p.x, 1e-4f);
  EXPECT_NEAR(back.y, p.y, 1e-4f);
}

// [SECTION] The panel, headless

TEST(DataSketchPanel, DrawsHeadlesslyAndTheMouseDrawsAStroke) {
  testing::HeadlessImGui imgui;
  app::DataSketchPanel panel;
  panel.setSketching(true);
  const render::Camera2D camera{0.0f, 0.0f, 3.0f};
  std::optional<app::SceneChoice> used;
  auto draw = [&] {
    ImGui::SetNextWindowPos({10, 10});
    ImGui::Begin("sketch");
    used = panel.drawControls({});
    ImGui::End();
    panel.handleMouse(camera);
    panel.drawOverlay(camera);
  };
  // Press at the centre, drag 300 px to the right (2 world units at 900 px = 6 units), release.
  testing::drawFrame({800, 450}, false, draw);
  testing::drawFrame({800, 450}, true, draw);
  for (int x = 850; x <= 1100; x += 50) testing::drawFrame({static_cast<float>(x), 450}, true, draw);
  testing::drawFrame({1100, 450}, false, draw);
  EXPECT_FALSE(panel.sketch().drawing());
  EXPECT_EQ(panel.sketch().strokeCount(), 1);
  const float worldLength = 300.0f * 6.0f / 900.0f;
  const auto expected = static_cast<std::size_t>(std::floor(worldLength / panel.sketch().options().spacing)) + 1;
  EXPECT_NEAR(static_cast<double>(panel.sketch().points().size()), static_cast<double>(expected), 1.0);
  EXPECT_NEAR(panel.sketch().points().front().x, 0.0f, 0.2f);
  EXPECT_GT(ImGui::GetDrawData()->TotalVtxCount, 0);
  EXPECT_FALSE(used.has_value());

  panel.setSketching(false);
  testing::drawFrame({900, 300}, true, draw);
  testing::drawFrame({900, 300}, false, draw);
  EXPECT_EQ(panel.sketch().strokeCount(), 1) << "with sketching off the mouse is the camera's";
}

}  // namespace
}  // namespace rankflow
