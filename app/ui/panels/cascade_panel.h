#pragma once
// The "Cascade" window (F4): per-order ranks driving the cascading fit of the derivative
// matrices (the "Matrix fit" tab) and the learned high-order flow of the scene (the "Learned
// flow" tab). The tabs own their models; this window hosts them, feeds them the timeline's t
// and the scene, and hands the flow view what the learned tab wants drawn over it.
#include <string>
#include <vector>

#include "app/ui/panel.h"
#include "app/ui/panels/cascade_fit_view.h"
#include "app/ui/panels/learned_view.h"
#include "core/flows/flow_scene.h"

namespace rankflow::app {

class CascadePanel final : public Panel {
 public:
  explicit CascadePanel(LearnedSettings learnedSettings = {}) : learned_(std::move(learnedSettings)) {}

  // t: the timeline's time, which is also the matrix functions' t of the fit's targets.
  // The learned model follows the scene (it retrains when the data or schedule change) and
  // is polled even while the window is closed, so the flow view's overlay stays current.
  // *tab: 0 the matrix fit, 1 the learned flow; a change from outside (a session, a
  // script) selects that tab, and a click on a tab writes it back.
  void draw(bool* open, const flows::FlowScene& scene, float t, int* tab);

  // The learned model trains only once wanted (its tab shown, or a script or session asking
  // for it): seconds of both cores that a person fitting matrices did not ask for.
  void startLearned() { learnedStarted_ = true; }
  bool learnedStarted() const { return learnedStarted_; }

  // A background job of either tab is running (figures and scripts wait for it).
  bool busy() const override;

  CascadeFitView& fit() { return fit_; }
  const CascadeFitView& fit() const { return fit_; }
  LearnedView& learned() { return learned_; }
  const LearnedView& learned() const { return learned_; }

  // Both tabs' data, as one JSON object {"matrix_fit": …, "learned_flow": …}.
  std::string exportJson() const;

  // [SECTION] Panel: drawn every frame (the learned model and its overlay stay current while
  // the window is closed); the session keeps both tabs' choices; scripts reach fit.*,
  // learned.* and cascade.tab.
  void draw(PanelHost& host, bool* open) override;
  bool drawsWhileClosed() const override { return true; }
  std::vector<std::pair<std::string, std::string>> exportFiles() const override;
  std::optional<std::string> setValue(PanelHost& host, const std::string& name, const std::string& value) override;
  std::optional<double> value(const std::string& name) const override;
  void restore(const Session& session) override;
  void save(Session& session) const override;
  void sceneLayer(PanelHost& host, LearnedLayer& layer) override;

 private:
  CascadeFitView fit_;
  LearnedView learned_;
  int shownTab_ = 0;
  int requestedTab_ = 0;
  bool selectPending_ = false;
  bool learnedStarted_ = false;

  std::string setFitValue(PanelHost& host, const std::string& name, const std::string& value);
  // Says what the learned layer shows over the flow, with the error scale's legend.
  void drawOverlayLegend(PanelHost& host);
  std::vector<Vec2f> learnedArrows_;
  std::vector<Vec2f> particlePositions_;
  std::vector<float> particleErrors_;
  int shownOverlayKind_ = 0;
};

}  // namespace rankflow::app
