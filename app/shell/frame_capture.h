#pragma once
// Writes a captured frame, or the part of it a request names (one panel, one plot), to PNG.
#include <string>

#include "app/ui/workbench.h"
#include "render/image.h"

namespace rankflow::app {

// The next free rankflow-screenshot-NNN.png in the working directory.
std::string nextScreenshotName();

// Returns the path written. A panel that is not on screen writes the whole frame and says so
// on stderr rather than failing: the person still gets a picture.
std::string writeCapture(const Workbench& workbench, const CaptureRequest& request, const render::RgbaImage& frame);

}  // namespace rankflow::app
