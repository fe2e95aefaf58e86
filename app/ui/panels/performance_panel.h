#pragma once
#include <string>

namespace rankflow::app {

struct PerformanceReadout {
  double frameMs = 0;        // smoothed wall time per frame
  double fieldMs = 0;        // last lattice field evaluation
  double densityMs = 0;      // last density lattice (background, backward RK4 per point)
  double drawDataMs = 0;     // draw data built from the trajectory store
  double integrationMs = 0;  // one-off RK4 of the scene
  std::string computeBackend;
  std::string whyNotCuda;
  std::string vulkanDevice;
  int particles = 0;
  bool imported = false;  // trajectories read from files: integrationMs is their read and metrics
  std::string lastScreenshot;
};

// A small overlay at the bottom left: frame time, per-stage compute time, backend, device.
class PerformancePanel {
 public:
  void draw(const PerformanceReadout& readout);
};

}  // namespace rankflow::app
