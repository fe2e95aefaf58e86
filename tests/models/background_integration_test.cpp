// The scene integration behind the window: it runs on its lane, a newer scene supersedes an
// older one (whose result is dropped), a failure reaches take(), and destruction mid-run
// returns promptly.
#include "app/models/background_integration.h"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "core/common/error.h"
#include "core/flows/samplers.h"

namespace rankflow {
namespace {

using namespace std::chrono_literals;

flows::FlowScene sceneWith(const std::string& name, int particles) {
  flows::FlowScene scene = flows::prepareScene(name);
  scene.start.resize(static_cast<std::size_t>(particles));
  return scene;
}

bool waitReady(const app::BackgroundIntegration& integration) {
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (!integration.ready()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

TEST(BackgroundIntegration, IntegratesOnItsLaneAndANewerSceneSupersedesTheOlder) {
  const auto backend = compute::makeCpuBackend();
  app::BackgroundIntegration integration;
  EXPECT_FALSE(integration.running());
  EXPECT_THROW(integration.take(), std::logic_error);

  integration.start(sceneWith("default", 4096), *backend);
  const flows::FlowScene newer = sceneWith(flows::sceneNames().back(), 200);
  integration.start(newer, *backend);  // the first one stops at its next check
  EXPECT_TRUE(integration.running());
  ASSERT_TRUE(waitReady(integration));
  const flows::FlowScene done = integration.take();
  EXPECT_FALSE(integration.running());
  EXPECT_EQ(done.name, newer.name);
  EXPECT_EQ(done.trajectories.particleCount(), 200);
  EXPECT_GT(done.straightness.particles, 0);  // measured off the UI thread too
  EXPECT_FLOAT_EQ(integration.progress(), 1.0f);

  // The trajectories equal an integration on this thread.
  flows::FlowScene direct = newer;
  flows::integrateScene(direct, *backend);
  std::vector<Vec2f> a(200), b(200);
  done.trajectories.positionsAt(0.7f, a);
  direct.trajectories.positionsAt(0.7f, b);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].x, b[i].x);
    EXPECT_EQ(a[i].y, b[i].y);
  }
}

TEST(BackgroundIntegration, AFailureReachesTakeAndDestructionMidRunIsPrompt) {
  const auto backend = compute::makeCpuBackend();
  {
    app::BackgroundIntegration integration;
    flows::FlowScene bad = sceneWith("default", 16);
    bad.start[3].x = std::nanf("");
    integration.start(bad, *backend);
    ASSERT_TRUE(waitReady(integration));
    EXPECT_THROW(integration.take(), InvalidArgument);
    EXPECT_FALSE(integration.running());
  }
  const auto begin = std::chrono::steady_clock::now();
  {
    app::BackgroundIntegration integration;
    integration.start(sceneWith("default", 4096), *backend);
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 5s);
}

}  // namespace
}  // namespace rankflow
