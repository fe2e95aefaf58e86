#include "app/shell/frame_capture.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace rankflow::app {

std::string nextScreenshotName() {
  for (int i = 1;; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "rankflow-screenshot-%03d.png", i);
    if (!std::filesystem::exists(name)) return name;
  }
}

std::string writeCapture(const Workbench& workbench, const CaptureRequest& request, const render::RgbaImage& frame) {
  std::optional<PixelRect> region = request.region;
  if (!request.panel.empty() && request.panel != "window" && request.panel != "flow") {
    region = workbench.panelRect(request.panel);
    if (!region) std::fprintf(stderr, "panel '%s' is not on screen: writing the whole window\n", request.panel.c_str());
  }
  const std::string path = request.path.empty() ? nextScreenshotName() : request.path;
  if (region) {
    const int x = static_cast<int>(std::floor(region->x));
    const int y = static_cast<int>(std::floor(region->y));
    const int w = static_cast<int>(std::ceil(region->x + region->width)) - x;
    const int h = static_cast<int>(std::ceil(region->y + region->height)) - y;
    const render::RgbaImage part = render::cropImage(frame, x, y, w, h);
    render::writePngAtomic(path, part);
    std::printf("screenshot: %s (%dx%d of the %dx%d window)\n", path.c_str(), part.width, part.height, frame.width,
                frame.height);
  } else {
    render::writePngAtomic(path, frame);
    std::printf("screenshot: %s (%dx%d)\n", path.c_str(), frame.width, frame.height);
  }
  return path;
}

}  // namespace rankflow::app
