#pragma once
// The "Learned flow" tab of the Cascade window (docs/MATHEMATICS.md §5, §6): training status with progress
// and cancel, the rank sliders r_2, r_3, held-out error / parameters / FLOPs per order,
// "Compare variants" (cascade vs independent LoRA vs separate networks), few-step samples
// (learned next to exact, with sliced Wasserstein distances), and the choice of what the
// flow view overlays. Draws inside the caller's window and tab; all computing is
// LearnedModel's, off the UI thread.
#include <string>

#include "app/models/learned_model.h"

namespace rankflow::app {

enum class LearnedOverlayKind { None, LearnedField, PerParticleError };
const char* learnedOverlayName(LearnedOverlayKind kind);  // "none", "learned field", "per-particle error"

// What the flow view should draw from the learned model: the field of `order` (arrows /
// heatmap via LearnedModel::learnedField) or each particle coloured by
// LearnedModel::perParticleError of that order.
struct LearnedOverlay {
  LearnedOverlayKind kind = LearnedOverlayKind::None;
  int order = 1;  // 1 velocity, 2 acceleration, 3 jerk
};

class LearnedView {
 public:
  explicit LearnedView(LearnedSettings settings = {});

  // Polls the model, hands it the scene (training starts when its data or schedule are new)
  // and draws the tab's content at the scrubbed time t. No Begin/End of its own.
  void draw(const flows::FlowScene& scene, float t);

  LearnedModel& model() { return model_; }
  const LearnedModel& model() const { return model_; }
  LearnedOverlay overlay() const { return overlay_; }
  void setOverlay(LearnedOverlay overlay);

  // LearnedModel::exportJson plus the view's choices (overlay, shown solver, sample steps).
  std::string exportJson() const;

 private:
  void drawStatus();
  void drawRanks();
  void drawOrderTable();
  void drawCompare();
  void drawSamples();
  void drawOverlayChoice();

  LearnedModel model_;
  LearnedOverlay overlay_;
  int sampleStepsIndex_ = 2;  // 4 steps
  int shownRun_ = 0;          // index into SamplesResult::runs (Taylor-3 first)
};

}  // namespace rankflow::app
