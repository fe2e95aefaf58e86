#pragma once
// The "Theory" window (docs/THEORY.md): every statement of docs/MATHEMATICS.md §2 and §3 as a guided
// lecture scene — title, the statement in one paragraph, a live demonstration computed by
// the core and "what to notice" — with next / previous, an index and one or two parameters
// per scene. Presets come from assets/presets/theory; a malformed file is listed with its
// file and field and skipped. Demonstrations run on TheoryDemoRunner's thread, so a frame
// only polls and draws.
#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "app/models/theory_scenes.h"
#include "app/ui/panel.h"

namespace rankflow::app {

class TheoryPanel final : public Panel {
 public:
  // Loads every preset of `presetDirectory`; nothing is computed until the first draw().
  explicit TheoryPanel(const std::string& presetDirectory = theoryPresetDirectory());

  // Draws the window while *open (a null open means always shown). In lecture mode the
  // window fills the display and shows only the scene.
  void draw(bool* open);

  // [SECTION] Panel: in lecture mode it fills the screen and takes the presenter keys.
  void draw(PanelHost& host, bool* open) override;
  bool presenterNext() override { return next(), true; }
  bool presenterPrevious() override { return previous(), true; }
  bool presenterReset() override { return reset(), true; }
  bool busy() const override { return computing(); }
  std::vector<std::pair<std::string, std::string>> exportFiles() const override {
    return {{"-theory.json", exportJson()}};
  }
  std::optional<double> value(const std::string& name) const override;

  // Scene navigation. next() and previous() wrap around (the last scene's next is the
  // first); select() clamps to [0, count() − 1]. Each scene keeps its edited parameters
  // until reset() puts the current one back to its preset.
  void next();
  void previous();
  void select(int index);
  void reset();
  int index() const { return index_; }
  int count() const { return static_cast<int>(presets_.size()); }
  // The current scene's title ("Lemma 1.3: Ranks can strictly increase"); empty without presets.
  std::string title() const;

  void setLectureMode(bool on) { lecture_ = on; }
  bool lectureMode() const { return lecture_; }

  // The current scene's parameter, checked like the panel's own fields: an empty return
  // means applied (and recomputing), else the reason and nothing changed.
  std::string setParameter(const std::string& name, const std::string& value);
  const std::vector<DemoParameter>& parameters() const;

  const std::vector<TheoryPreset>& presets() const { return presets_; }
  const std::vector<std::string>& loadErrors() const { return loadErrors_; }
  const std::string& presetDirectory() const { return directory_; }

  // The shown demonstration (null before the first result) and whether a newer one is
  // being computed. waitForDemo submits the current scene if needed and blocks until its
  // result is shown (tests, exports); true when it is.
  const TheoryDemoResult* demo() const { return runner_.result().get(); }
  bool computing() const { return runner_.computing(); }
  bool waitForDemo(std::chrono::milliseconds timeout);

  // The data behind the view: the scene's text and parameters, the demonstration's charts,
  // readouts and checks, the load errors.
  std::string exportJson() const;

 private:
  void submitCurrent();
  void syncBuffers();
  void drawNavigation();
  void drawScene();
  void drawParameters();
  void drawDemonstration(const TheoryDemoResult& result);
  void drawRankChart(const RankChart& chart, int id);
  void drawCurveChart(const CurveChart& chart, int id);
  void drawTree(const TreeDiagram& tree);
  float chartHeight() const;

  std::string directory_;
  std::vector<TheoryPreset> presets_;
  std::vector<std::vector<DemoParameter>> edited_;  // per scene: the parameters in use
  std::vector<std::string> loadErrors_;
  int index_ = 0;
  bool lecture_ = false;

  TheoryDemoRunner runner_;
  bool submitted_ = false;                     // the current scene's parameters have been submitted
  std::vector<std::array<char, 64>> buffers_;  // list and text fields while they are edited
  int buffersOf_ = -1;                         // the scene the buffers belong to
  std::string parameterError_;                 // the last refused edit
};

}  // namespace rankflow::app
