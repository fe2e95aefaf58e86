#pragma once
// The "Cascade" window (F4): per-order ranks driving the cascading fit of the derivative
// matrices (the "Matrix fit" tab) and the learned high-order flow of the scene (the "Learned
// flow" tab). The tabs own their models; this window hosts them, feeds them the timeline's t
// and the scene, and hands the flow view what the learned tab wants drawn over it.
#include <string>

#include "app/ui/panels/cascade_fit_view.h"
#include "app/ui/panels/learned_view.h"
#include "core/flows/flow_scene.h"

namespace rankflow::app {

class CascadePanel {
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
  bool busy() const;

  CascadeFitView& fit() { return fit_; }
  const CascadeFitView& fit() const { return fit_; }
  LearnedView& learned() { return learned_; }
  const LearnedView& learned() const { return learned_; }

  // Both tabs' data, as one JSON object {"matrix_fit": …, "learned_flow": …}.
  std::string exportJson() const;

 private:
  CascadeFitView fit_;
  LearnedView learned_;
  int shownTab_ = 0;
  int requestedTab_ = 0;
  bool selectPending_ = false;
  bool learnedStarted_ = false;
};

}  // namespace rankflow::app
