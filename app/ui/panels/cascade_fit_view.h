#pragma once
// The Cascade window's "Matrix fit" tab (docs/MATHEMATICS.md §1): rank sliders r_1..r_K driving the
// cascading fit of T_k = B^(k)(t); errors per order (cascading, independent LoRA, naive) as
// grouped bars; parameter and multiply-add meters with the orders the last move recomputed;
// measured evaluation times against the prediction; the schedule sweep with its Pareto chart
// (hover a dot for its schedule, click to adopt it); the A/B table. All computing is
// CascadeFitModel's, off the UI thread; a frame only polls and draws.
#include <array>
#include <string>
#include <vector>

#include "app/models/cascade_fit_model.h"

namespace rankflow::app {

class CascadeFitView {
 public:
  CascadeFitView();

  // The timeline's t, every frame; the model refits only when it changed.
  void setTime(double t) { model_.setTime(t); }
  // Draws into the current window (the lead's tab); opens no window of its own.
  void draw();

  CascadeFitModel& model() { return model_; }
  const CascadeFitModel& model() const { return model_; }
  int measureColumns() const { return measureColumns_; }
  int sweepMaxRank() const { return sweepMaxRank_; }

  // CascadeFitModel::exportJson plus the tab's own settings.
  std::string exportJson() const;
  std::string exportSweepCsv() const { return model_.exportSweepCsv(); }

 private:
  void drawInputs();
  void drawRankSliders();
  void drawErrorChart();
  void drawRefitReport();
  void drawMeters();
  void drawTiming();
  void drawSweep();
  void drawParetoChart();
  void drawAb();
  void syncParameterBuffers();

  CascadeFitModel model_;
  bool started_ = false;
  std::vector<std::array<char, 128>> parameterBuffers_;
  std::vector<theory::SceneParameter> buffersOf_;  // the parameters the buffers were filled from
  int measureColumns_ = 2048;
  int sweepMaxRank_ = 6;
};

}  // namespace rankflow::app
