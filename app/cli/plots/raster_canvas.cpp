#include "app/cli/plots/raster_canvas.h"

#include <stb_easy_font.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace rankflow::app {

RasterCanvas::RasterCanvas(int width, int height, Rgb background) {
  image_.width = width;
  image_.height = height;
  image_.pixels.resize(static_cast<std::size_t>(width) * height * 4);
  for (std::size_t i = 0; i < image_.pixels.size(); i += 4) {
    image_.pixels[i] = background.r;
    image_.pixels[i + 1] = background.g;
    image_.pixels[i + 2] = background.b;
    image_.pixels[i + 3] = 255;
  }
}

void RasterCanvas::blend(int x, int y, Rgb color, float coverage) {
  if (x < 0 || y < 0 || x >= image_.width || y >= image_.height || coverage <= 0.0f) return;
  uint8_t* p = image_.at(x, y);
  const float a = std::min(1.0f, coverage);
  p[0] = static_cast<uint8_t>(p[0] + (color.r - p[0]) * a);
  p[1] = static_cast<uint8_t>(p[1] + (color.g - p[1]) * a);
  p[2] = static_cast<uint8_t>(p[2] + (color.b - p[2]) * a);
}

void RasterCanvas::fillRect(float x0, float y0, float x1, float y1, Rgb color) {
  const int xa = std::max(0, static_cast<int>(std::floor(std::min(x0, x1))));
  const int xb = std::min(image_.width, static_cast<int>(std::ceil(std::max(x0, x1))));
  const int ya = std::max(0, static_cast<int>(std::floor(std::min(y0, y1))));
  const int yb = std::min(image_.height, static_cast<int>(std::ceil(std::max(y0, y1))));
  for (int y = ya; y < yb; ++y)
    for (int x = xa; x < xb; ++x) blend(x, y, color, 1.0f);
}

void RasterCanvas::line(float x0, float y0, float x1, float y1, Rgb color, float width) {
  // Distance-to-segment coverage: anti-aliased and good enough for axes and fronts.
  const float minX = std::min(x0, x1) - width, maxX = std::max(x0, x1) + width;
  const float minY = std::min(y0, y1) - width, maxY = std::max(y0, y1) + width;
  const float dx = x1 - x0, dy = y1 - y0, length2 = dx * dx + dy * dy;
  for (int y = std::max(0, static_cast<int>(minY)); y <= std::min(image_.height - 1, static_cast<int>(maxY)); ++y) {
    for (int x = std::max(0, static_cast<int>(minX)); x <= std::min(image_.width - 1, static_cast<int>(maxX)); ++x) {
      const float px = static_cast<float>(x) + 0.5f, py = static_cast<float>(y) + 0.5f;
      float s = length2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / length2 : 0.0f;
      s = std::clamp(s, 0.0f, 1.0f);
      const float distance = std::hypot(px - (x0 + s * dx), py - (y0 + s * dy));
      blend(x, y, color, 0.5f * width + 0.5f - distance);
    }
  }
}

void RasterCanvas::dot(float x, float y, float radius, Rgb color) {
  for (int py = static_cast<int>(y - radius - 1); py <= static_cast<int>(y + radius + 1); ++py)
    for (int px = static_cast<int>(x - radius - 1); px <= static_cast<int>(x + radius + 1); ++px)
      blend(px, py, color,
            radius + 0.5f - std::hypot(static_cast<float>(px) + 0.5f - x, static_cast<float>(py) + 0.5f - y));
}

void RasterCanvas::text(float x, float y, const std::string& str, Rgb color, float scale) {
  // 64 bytes per quad and at most 16 quads per glyph: a buffer that is too small silently
  // drops the last glyphs.
  std::vector<char> buffer(str.size() * 1024 + 64);
  std::string copy = str;
  const int quads = stb_easy_font_print(0, 0, copy.data(), nullptr, buffer.data(), static_cast<int>(buffer.size()));
  // Each vertex: x, y, z floats and 4 colour bytes; each quad is an axis-aligned rectangle.
  const auto* v = reinterpret_cast<const float*>(buffer.data());
  for (int q = 0; q < quads; ++q) {
    const float* a = v + q * 16;      // vertex 0
    const float* c = v + q * 16 + 8;  // vertex 2 (opposite corner)
    fillRect(x + a[0] * scale, y + a[1] * scale, x + c[0] * scale, y + c[1] * scale, color);
  }
}

float RasterCanvas::textWidth(const std::string& str, float scale) const {
  std::string copy = str;
  return static_cast<float>(stb_easy_font_width(copy.data())) * scale;
}

}  // namespace rankflow::app
