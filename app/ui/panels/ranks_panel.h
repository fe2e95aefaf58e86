#pragma once
// The "Ranks" window (docs/MATHEMATICS.md §6): a matrix-function scene and its parameters, the rank profile
// of B^(k) for k = 0..K against the Fact 1.4 / 1.7 ceilings, the singular spectrum of one
// order on a log axis with its tolerance, ranks per order (at t, generic, exact over GF(p)),
// and the feasibility checker. All computing is RanksModel's, off the UI thread; a frame
// only polls for finished results and draws them.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "app/models/ranks_model.h"
#include "app/ui/panel.h"

namespace rankflow::app {

class RanksPanel final : public Panel {
 public:
  RanksPanel();

  // Draws the window while *open (a null open means always shown, with no close button).
  void draw(bool* open);
  void draw(PanelHost&, bool* open) override { draw(open); }
  bool busy() const override;
  std::vector<std::pair<std::string, std::string>> exportFiles() const override {
    return {{"-ranks.json", exportJson()}};
  }

  const RanksModel& model() const { return model_; }
  RanksModel& model() { return model_; }
  int selectedOrder() const { return selectedOrder_; }

  // The data behind the view (RanksModel::exportJson plus the order whose spectrum is shown).
  std::string exportJson() const;

 private:
  void drawInputs();
  void drawProfileChart();
  void drawSpectrumChart();
  void drawRankTable();
  void drawFeasibility();
  // Re-reads the parameter edit buffers from the model (after a scene change).
  void syncParameterBuffers();

  RanksModel model_;
  int selectedOrder_ = 0;
  bool started_ = false;
  std::vector<std::array<char, 128>> parameterBuffers_;
  std::string parametersOf_;  // the scene the buffers belong to
  std::array<char, 128> sequenceBuffer_{};
  std::uint64_t feasibilityShown_ = 0;  // the check whose input the field holds
  bool customTolerance_ = false;
  float toleranceExponent_ = -10.0f;  // custom tol = 10^exponent
};

}  // namespace rankflow::app
