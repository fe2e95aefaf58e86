#pragma once
// The whole application drawn offscreen (Vulkan with no window system; lavapipe works): the
// same Workbench as the window, the same ImGui panels, rendered into an image. It makes a
// panel a figure in one command (`rankflow render --session F --panel NAME`), runs scripts
// where no display exists, and times whole UI frames (`rankflow bench ui`).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/ui/workbench.h"
#include "app/viewer/video_export.h"

namespace rankflow::app {

struct OffscreenGuiOptions {
  WorkbenchOptions workbench;
  uint32_t width = 1600;
  uint32_t height = 900;
  bool validation = false;
  // Pixels per point (`render --scale N`): the target is N × width by N × height and the
  // fonts are rasterised at N × their size, so the figure is the same layout, supersampled.
  int scale = 1;
  double idleTimeoutSeconds = 180.0;  // how long background jobs may run before the figure is taken
};

struct PanelFigure {
  std::string panel;      // Workbench::panelNames() entry
  std::string path;       // PNG, written atomically (empty: none)
  std::string svgPath{};  // the panel's charts as SVG (app/ui/widgets/chart_svg.h), or empty
};

struct OffscreenGuiResult {
  std::string vulkanDevice;
  std::vector<std::string> validationMessages;
  std::vector<std::string> written;
  int frames = 0;
  bool timedOut = false;   // a background job was still running when the figure was taken
  int svgCharts = 0;       // charts written to the SVG
  bool cancelled = false;  // a video's progress callback stopped it (nothing was written)
  int videoWidth = 0;
  int videoHeight = 0;
  int videoFrames = 0;
};

// Opens the panel, runs frames until the scene is integrated and no panel computes (or the
// timeout), then writes the panel's rectangle ("window": everything; "flow": the scene
// without panels). Throws InvalidArgument for an unknown panel.
OffscreenGuiResult renderPanelsOffscreen(const OffscreenGuiOptions& options, const std::vector<PanelFigure>& figures);

// A clip of the panel as the window draws it (--panel NAME --video): t goes from t0 to t1
// (app/viewer/video_export.h), each frame waiting for the panels' computations; the panel's
// rectangle of the first frame (rounded down to even sizes) is the video's size.
OffscreenGuiResult renderPanelVideoOffscreen(const OffscreenGuiOptions& options, const std::string& panel,
                                             const VideoRequest& request, const VideoProgressFn& progress = {});

struct UiBenchmark {
  std::string vulkanDevice;
  int particles = 0;
  int arrows = 0;
  int frames = 0;
  double frameMsMedian = 0;  // UI + draw data + scene + ImGui recorded, submitted and finished
  double frameMsP90 = 0;
  double uiMsMedian = 0;        // building the panels (ImGui, CPU)
  double drawDataMsMedian = 0;  // scene draw data (lattice field, heatmap, trails)
  double gpuMsMedian = 0;       // upload + record + submit + wait
};

// Times frames of the default scene with `particles` particles, a `arrowGrid`² arrow lattice
// and the |field| heatmap, t advancing every frame (so the field and heatmap re-evaluate as
// when time plays).
struct UiBenchmarkLayers {
  bool heatmap = true;
  bool trails = true;
  bool panels = true;  // the ImGui windows (control, timeline, performance)
};
UiBenchmark benchmarkUi(uint32_t width, uint32_t height, int particles, int arrowGrid, int frames,
                        const UiBenchmarkLayers& layers = {});

}  // namespace rankflow::app
