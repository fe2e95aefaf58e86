#pragma once
// A small CPU canvas for headless charts (CSV-to-PNG figures): filled rectangles, lines,
// dots and text (stb_easy_font's segment font, scaled). Figures need no GPU and no
// window system, and come out the same on every machine.
#include <cstdint>
#include <string>

#include "render/image.h"

namespace rankflow::app {

struct Rgb {
  uint8_t r, g, b;
};

class RasterCanvas {
 public:
  RasterCanvas(int width, int height, Rgb background);

  void fillRect(float x0, float y0, float x1, float y1, Rgb color);
  void line(float x0, float y0, float x1, float y1, Rgb color, float width = 1.0f);
  void dot(float x, float y, float radius, Rgb color);
  // Top-left anchored text, `scale` × the 8-pixel font.
  void text(float x, float y, const std::string& text, Rgb color, float scale = 2.0f);
  float textWidth(const std::string& text, float scale = 2.0f) const;

  const render::RgbaImage& image() const { return image_; }

 private:
  void blend(int x, int y, Rgb color, float coverage);
  render::RgbaImage image_;
};

}  // namespace rankflow::app
