#pragma once
#include <cstdint>
#include <string>

#include "app/models/queries_model.h"
#include "app/ui/panel.h"

namespace rankflow::app {

// The "Queries" window (docs/MATHEMATICS.md §6): sizes, the interval [l, r], every strategy's measured and
// predicted time with the router's choice, the segment tree with the nodes the query visits,
// the time-vs-length sweep with its crossovers, point updates and the backend in use. All
// timing runs on the model's worker; draw() only polls and draws, so it never blocks.
class QueriesPanel final : public Panel {
 public:
  // Starts building `initial` in the background.
  explicit QueriesPanel(const QuerySizes& initial = {});

  // Draws the window while *open (a close button clears it); open = nullptr: always shown.
  void draw(bool* open);
  void draw(PanelHost&, bool* open) override { draw(open); }
  bool busy() const override { return model_.busy(); }
  std::vector<std::pair<std::string, std::string>> exportFiles() const override {
    return {{"-queries.json", exportJson()}};
  }

  // The data behind the view (QueriesModel::exportJson of what is shown).
  std::string exportJson() const;

  QueriesModel& model() { return model_; }
  const QueriesModel& model() const { return model_; }

 private:
  void drawSizes(const QueriesView& view);
  void drawInterval(const QueriesView& view);
  void drawStrategies(const QueriesView& view);
  void drawTree(const QueriesView& view);
  void drawSweep(const QueriesView& view);
  void drawUpdates(const QueriesView& view);

  QueriesModel model_;
  QuerySizes edit_;    // the sizes being typed, applied by the button
  int l_ = 0, h_ = 0;  // the sliders
  int updateIndex_ = 0;
  int sweepPoints_ = 16;
  std::uint64_t sweptBuild_ = 0;  // the build a sweep was started for
  std::string refusal_;           // the last request the model turned down, and why
};

}  // namespace rankflow::app
