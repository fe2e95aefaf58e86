// Offscreen rendering on whatever Vulkan device exists (lavapipe on CI), validation on:
// any validation message fails the test.
#include "app/viewer/offscreen_render.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <limits>

#include "app/viewer/scene_frame.h"
#include "core/flows/flow_scene.h"
#include "render/image.h"
#include "render/offscreen_target.h"
#include "render/vk_check.h"
#include "render/vulkan_context.h"

namespace rankflow {
namespace {

constexpr uint32_t kGoldenWidth = 640;
constexpr uint32_t kGoldenHeight = 360;
// lavapipe rasterises deterministically, but edge pixels of points and lines move with
// the last float bit of a particle: a channel may differ a little, a few pixels a lot.
constexpr int kChannelTolerance = 24;
constexpr double kMaxDifferingFraction = 0.005;

const flows::FlowScene& defaultScene() {
  static const flows::FlowScene scene = flows::buildScene("default", *compute::makeCpuBackend());
  return scene;
}

std::string goldenPath() {
  return std::string(RANKFLOW_SOURCE_DIR) + "/tests/golden/default_t0.5_640x360.png";
}

TEST(OffscreenRender, DefaultSceneMatchesGoldenImageWithValidationSilent) {
  const auto backend = compute::makeCpuBackend();
  const auto result = app::renderSceneOffscreen(defaultScene(), *backend, app::initialViewState(defaultScene(), 0.5f),
                                                kGoldenWidth, kGoldenHeight, /*validation=*/true);
  for (const auto& m : result.validationMessages) ADD_FAILURE() << m;
  if (std::getenv("RANKFLOW_UPDATE_GOLDEN")) {
    render::writePngAtomic(goldenPath(), result.image);
    GTEST_SKIP() << "golden image rewritten: " << goldenPath();
  }
  ASSERT_TRUE(std::filesystem::exists(goldenPath()))
      << "missing " << goldenPath() << " (RANKFLOW_UPDATE_GOLDEN=1 writes it)";
  const render::RgbaImage golden = render::readPng(goldenPath());
  const render::ImageComparison cmp = render::compareImages(golden, result.image, kChannelTolerance);
  ASSERT_TRUE(cmp.sameSize);
  const double fraction = static_cast<double>(cmp.differingPixels) / (golden.width * golden.height);
  if (fraction > kMaxDifferingFraction) {
    const std::string actualPath = std::filesystem::absolute("default_t0.5_actual.png");
    const std::string diffPath = std::filesystem::absolute("default_t0.5_diff.png");
    render::writePngAtomic(actualPath, result.image);
    render::writePngAtomic(diffPath, cmp.diff);
    FAIL() << cmp.differingPixels << " pixels (" << fraction * 100 << "%) differ by more than " << kChannelTolerance
           << "; max channel delta " << cmp.maxChannelDelta << ". Actual: " << actualPath << ", diff: " << diffPath;
  }
}

// The particles and trails drawn from tracks by the vertex shader look like the ones the
// CPU builds (same Hermite interpolation, colours and alphas), with validation silent.
TEST(OffscreenRender, ParticleTracksOnTheGpuDrawWhatTheCpuDraws) {
  const auto backend = compute::makeCpuBackend();
  for (const float t : {0.0f, 0.37f, 0.5f, 1.0f}) {
    SCOPED_TRACE("t = " + std::to_string(t));
    app::ViewState view = app::initialViewState(defaultScene(), t);
    view.trailSpan = 0.2f;
    const auto cpu = app::renderSceneOffscreen(defaultScene(), *backend, view, kGoldenWidth, kGoldenHeight, true,
                                               std::numeric_limits<std::size_t>::max());
    const auto gpu = app::renderSceneOffscreen(defaultScene(), *backend, view, kGoldenWidth, kGoldenHeight, true, 0);
    {
      // The second picture's particles really came from the tracks, not from the CPU.
      app::SceneFrameBuilder builder(defaultScene());
      builder.useGpuTracks(0, std::size_t{1} << 27);
      const app::LatticeField field;
      const auto frame = builder.build(view, field, static_cast<float>(kGoldenHeight));
      EXPECT_EQ(frame.tracks.particleCount, static_cast<uint32_t>(defaultScene().trajectories.particleCount()));
      EXPECT_GE(frame.tracks.trailLength, 2u);
      EXPECT_TRUE(frame.stripVertices.empty());
      EXPECT_EQ(frame.points.size(), defaultScene().data.points.size());  // the data alone
    }
    for (const auto& m : gpu.validationMessages) ADD_FAILURE() << m;
    const render::ImageComparison cmp = render::compareImages(cpu.image, gpu.image, kChannelTolerance);
    ASSERT_TRUE(cmp.sameSize);
    const double fraction = static_cast<double>(cmp.differingPixels) / (cpu.image.width * cpu.image.height);
    EXPECT_LE(fraction, kMaxDifferingFraction)
        << cmp.differingPixels << " pixels differ; max delta " << cmp.maxChannelDelta;
    // Not vacuous: the particles are there.
    int lit = 0;
    for (int y = 0; y < gpu.image.height; ++y)
      for (int x = 0; x < gpu.image.width; ++x) lit += gpu.image.at(x, y)[0] > 120;
    EXPECT_GT(lit, 500);
  }
}

TEST(OffscreenRender, PictureShowsParticlesOfEveryDestinationAndTheFieldArrows) {
  const auto backend = compute::makeCpuBackend();
  const auto result = app::renderSceneOffscreen(defaultScene(), *backend, app::initialViewState(defaultScene(), 1.0f),
                                                kGoldenWidth, kGoldenHeight, true);
  EXPECT_TRUE(result.validationMessages.empty());
  // At t = 1 every cluster is drawn in its own colour: count pixels near each label colour.
  for (int label = 0; label < 8; ++label) {
    const render::PackedColor c = app::labelColor(label);
    const int r = c & 0xFF, g = (c >> 8) & 0xFF, b = (c >> 16) & 0xFF;
    int hits = 0;
    for (int y = 0; y < result.image.height; ++y) {
      for (int x = 0; x < result.image.width; ++x) {
        const uint8_t* p = result.image.at(x, y);
        hits += std::abs(p[0] - r) < 30 && std::abs(p[1] - g) < 30 && std::abs(p[2] - b) < 30;
      }
    }
    EXPECT_GT(hits, 50) << "label " << label;
  }
  // Arrows: the left tenth of the picture holds no particles, only the field's glyphs.
  int glyphPixels = 0;
  for (int y = 0; y < result.image.height; ++y) {
    for (int x = 0; x < result.image.width / 10; ++x) {
      const uint8_t* p = result.image.at(x, y);
      glyphPixels += p[0] > 60 || p[1] > 60 || p[2] > 80;
    }
  }
  EXPECT_GT(glyphPixels, 200);
  const auto off = app::renderSceneOffscreen(
      defaultScene(), *backend,
      [] {
        app::ViewState v = app::initialViewState(defaultScene(), 1.0f);
        v.showArrows = false;
        return v;
      }(),
      kGoldenWidth, kGoldenHeight, false);
  int withoutArrows = 0;
  for (int y = 0; y < off.image.height; ++y) {
    for (int x = 0; x < off.image.width / 10; ++x) {
      const uint8_t* p = off.image.at(x, y);
      withoutArrows += p[0] > 60 || p[1] > 60 || p[2] > 80;
    }
  }
  EXPECT_LT(withoutArrows, glyphPixels / 10);
}

TEST(OffscreenRender, ValidationLayerReportsAPlantedError) {
  // Proves the messenger is wired: a buffer of size 0 is invalid usage.
  render::VulkanInstance instance({true, {}});
  {
    render::VulkanDevice device(instance, VK_NULL_HANDLE);
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = 0;
    info.usage = VK_BUFFER_USAGE_VERTEX_BUFFER_BIT;
    VkBuffer buffer = VK_NULL_HANDLE;
    if (vkCreateBuffer(device.handle(), &info, nullptr, &buffer) == VK_SUCCESS)
      vkDestroyBuffer(device.handle(), buffer, nullptr);
  }
  EXPECT_GE(instance.validationLog().count(), 1u);
}

TEST(OffscreenRender, RejectsImpossibleSizesWithAMessage) {
  render::VulkanInstance instance({true, {}});
  {
    render::VulkanDevice device(instance, VK_NULL_HANDLE);
    EXPECT_THROW(render::OffscreenTarget(device, 0, 10), std::invalid_argument);
    EXPECT_THROW(render::OffscreenTarget(device, device.maxTargetDimension() + 1, 10), std::invalid_argument);
  }
  for (const auto& m : instance.validationLog().messages()) ADD_FAILURE() << m;
}

}  // namespace
}  // namespace rankflow
