#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rankflow::render {

// 8-bit RGBA, rows top to bottom.
struct RgbaImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height * 4

  const uint8_t* at(int x, int y) const { return pixels.data() + (static_cast<std::size_t>(y) * width + x) * 4; }
  uint8_t* at(int x, int y) { return pixels.data() + (static_cast<std::size_t>(y) * width + x) * 4; }
};

// Writes a PNG atomically: a temporary file beside the target, then rename(), so an
// interrupted write never leaves a truncated picture where a good one was.
void writePngAtomic(const std::string& path, const RgbaImage& image);

// Reads an 8-bit PNG (any channel count, expanded to RGBA); throws with the reason.
RgbaImage readPng(const std::string& path);

// The part of `image` inside the rectangle, clipped to the image (at least 1×1 when the
// rectangle overlaps it; an empty image otherwise).
RgbaImage cropImage(const RgbaImage& image, int x, int y, int width, int height);

struct ImageComparison {
  bool sameSize = false;
  long long differingPixels = 0;  // pixels with any channel off by more than the tolerance
  int maxChannelDelta = 0;
  RgbaImage diff;  // differing pixels in red over a dimmed copy of the expected image
};

ImageComparison compareImages(const RgbaImage& expected, const RgbaImage& actual, int channelTolerance);

}  // namespace rankflow::render
