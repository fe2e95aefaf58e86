#pragma once
// The "Timeline" window along the bottom of the screen: play/pause, step, speed,
// loop and the t slider, over a rank-vs-t strip chart locked to the scrubber (the numerical
// rank of B^(k)(t) for k = 0..K of the Ranks panel's matrix-function scene, matrix t = flow
// t). Scrubbing only moves view.t: the flow view reads particles from the trajectory store.
// The ranks are RankStripModel's, sampled off the UI thread; a frame only polls and draws.
#include <imgui.h>

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/models/rank_strip_model.h"
#include "app/ui/panel.h"
#include "app/viewer/view_state.h"
#include "core/common/background_lane.h"

namespace rankflow::flows {
struct ImportedTrajectories;
}

namespace rankflow::app {

class RanksModel;

// [SECTION] Playback (pure, so the frame loop and the tests share them)

struct PlaybackAdvance {
  float t = 0.0f;
  bool reachedEnd = false;  // without loop, playback hit an end and should stop
};

// t moved by dt · speed seconds of playback in [0, 1]. With loop it wraps around (both ways,
// for a negative speed); without, it stops at the end it reached. A NaN or infinite dt or
// speed leaves t where it was (clamped to [0, 1]); a NaN t starts over from 0.
PlaybackAdvance advanceTime(float t, float dt, float speed, bool loop);

// One grid step forward (direction > 0) or back (direction < 0) from t, landing on the grid
// k · step: from a point between grid points it goes to the next one in that direction.
// Clamped to [0, 1] (stepping does not wrap); step <= 0 or NaN leaves t (clamped) unchanged.
float stepTime(float t, float step, int direction);

// [SECTION] Chart geometry

// The strip chart's horizontal axis: t in [tMin, tMax] across pixels [left, right].
struct StripAxis {
  float left = 0.0f;
  float right = 1.0f;
  double tMin = 0.0;
  double tMax = 1.0;

  float xAt(double t) const;
  double timeAt(float x) const;  // clamped to [tMin, tMax]
};

// [SECTION] Panel

class TimelinePanel final : public Panel {
 public:
  // Starts on the lemma1.5 scene with its default parameters and K = 3 (its ranks jump at
  // t = 0), until follow() or setSource() names another; nothing runs before the first draw.
  TimelinePanel();

  // Call once per frame before draw(), in place of the frame loop's own playback: moves
  // view.t by dt seconds of playback when view.playing, and stops playing at an end when
  // loop is off.
  void advance(ViewState& view, double dt) const;

  // Draws the window at pos with size (see defaultRect) while *open (a null open means always
  // shown, with no close button). timeStep is the trajectory grid's step
  // (scene.grid.stepSize()), used by the step buttons. Also polls the strip model.
  void draw(ViewState& view, float timeStep, const ImVec2& pos, const ImVec2& size, bool* open = nullptr);

  // [SECTION] Panel: playback every frame; drawn along the bottom, right of the control
  // column, following the Ranks panel's scene when that panel exists.
  void update(PanelHost& host, double dtSeconds) override { advance(host.view(), dtSeconds); }
  void draw(PanelHost& host, bool* open) override;
  bool busy() const override { return model_.state() == TaskState::Running || bandsJob_ != nullptr; }
  std::vector<std::pair<std::string, std::string>> exportFiles() const override {
    return {{"-timeline.json", exportJson()}, {"-timeline.csv", exportCsv()}};
  }

  // Where the window goes by default: the bottom of the display, from x = left to the right
  // edge less a margin, about a quarter of the height (200..320 px at UI scale 1).
  static void defaultRect(const ImVec2& display, float left, ImVec2* pos, ImVec2* size);

  // The strip follows the Ranks panel's scene, parameters and K (requests only on a change;
  // call every frame while the Ranks panel exists). A null model keeps the current source.
  void follow(const RanksModel* ranks);
  // The same for an explicit source; a change requests a new strip over [0, 1].
  void setSource(const std::string& scene, const std::map<std::string, std::string>& parameters, int maxOrder,
                 std::optional<double> tolerance = std::nullopt);

  bool loop() const { return loop_; }
  void setLoop(bool on) { loop_ = on; }
  const RankStripModel& strip() const { return model_; }
  RankStripModel& strip() { return model_; }
  // The sample under the cursor (at view.t) in the last drawn frame, -1 without a strip.
  int cursorSample() const { return cursorSample_; }
  // "t = 0.000: ranks 1, 3, 5, 2" for the sample under the cursor, as drawn last.
  const std::string& readout() const { return readout_; }
  // The chart's axis in the last drawn frame (for tests and for mapping clicks).
  const StripAxis& axis() const { return axis_; }

  // The data behind the view: the strip (RankStripModel::exportJson) plus t, the cursor's
  // sample and its ranks, and the playback settings.
  std::string exportJson() const;
  std::string exportCsv() const { return model_.exportCsv(); }

  // "t = 0.000: ranks 1, 3, 5, 2" for sample i of a strip (empty when i is out of range).
  static std::string readoutText(const RankStrip& strip, int sample);

 private:
  // Imported trajectories have no matrix function: the chart shows the distribution of the
  // colouring metric (|v| when coloured by label) over the trajectories at every frame.
  void drawMetricBands(ViewState& view, const std::shared_ptr<const flows::ImportedTrajectories>& imported,
                       float height);
  // Keeps bands_ for (imported, metric): percentiles over every trajectory at every frame
  // (a fifth of a second for 200 frames × 100k) are computed on bandsLane_, and the last
  // bands stay drawn until they come. True when bands_ are the ones asked for.
  bool refreshBands(const std::shared_ptr<const flows::ImportedTrajectories>& imported, int metric);
  void drawControls(ViewState& view, float timeStep);
  void drawStatus();
  void drawChart(ViewState& view, float height);
  void drawLegend();
  int legendLines() const;
  void requestIfChanged();

  RankStripModel model_;
  std::string scene_;
  std::map<std::string, std::string> parameters_;
  int maxOrder_ = 3;
  std::optional<double> tolerance_;
  bool sourceChanged_ = true;  // the first draw requests
  bool loop_ = true;           // the frame loop's behaviour before this panel: noise → data, again
  float lastT_ = 0.0f;
  bool lastPlaying_ = false;
  float lastSpeed_ = 0.0f;
  int cursorSample_ = -1;
  std::string readout_;
  StripAxis axis_{};
  std::shared_ptr<const flows::ImportedTrajectories> imported_;  // the host's, during draw(PanelHost&)
  // What bands_ were computed for: a weak reference, so a new import at the old one's address
  // is never mistaken for it.
  std::weak_ptr<const flows::ImportedTrajectories> bandsOf_;
  int bandsMetric_ = -1;
  std::vector<std::array<float, 3>> bands_;  // 10th, 50th, 90th percentile per frame
  struct BandsJob;                           // timeline_panel.cpp
  std::shared_ptr<BandsJob> bandsJob_;       // the newest request, until refreshBands takes it
  BackgroundLane bandsLane_;                 // last: its task holds only the job
};

}  // namespace rankflow::app
