#pragma once
// Golden-image comparison for the figure tests: `image` against tests/golden/NAME.png, within
// a channel tolerance and a fraction of differing pixels. RANKFLOW_UPDATE_GOLDEN=1 rewrites
// the golden instead and skips; a failure writes the difference image to look at.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "render/image.h"

namespace rankflow::testing {

inline void expectMatchesGolden(const render::RgbaImage& image, const std::string& name, int channelTolerance,
                                double maxDifferingFraction, const std::filesystem::path& diffDirectory) {
  const std::string golden = std::string(RANKFLOW_SOURCE_DIR) + "/tests/golden/" + name + ".png";
  if (std::getenv("RANKFLOW_UPDATE_GOLDEN")) {
    render::writePngAtomic(golden, image);
    GTEST_SKIP() << "golden image rewritten: " << golden;
  }
  ASSERT_TRUE(std::filesystem::exists(golden)) << "missing " << golden << " (RANKFLOW_UPDATE_GOLDEN=1 writes it)";
  const render::RgbaImage expected = render::readPng(golden);
  const render::ImageComparison cmp = render::compareImages(expected, image, channelTolerance);
  ASSERT_TRUE(cmp.sameSize) << name << ": " << image.width << "x" << image.height << ", golden " << expected.width
                            << "x" << expected.height;
  const double fraction = static_cast<double>(cmp.differingPixels) / (expected.width * expected.height);
  if (fraction > maxDifferingFraction) {
    const auto diff = diffDirectory / (name + "-diff.png");
    render::writePngAtomic(diff.string(), cmp.diff);
    FAIL() << name << ": " << fraction * 100 << "% of pixels differ; diff in " << diff;
  }
}

}  // namespace rankflow::testing
