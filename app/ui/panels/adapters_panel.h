#pragma once
#include <string>

#include "app/models/adapters_model.h"
#include "app/ui/panel.h"

namespace rankflow::app {

// The "Adapters" window (docs/MATHEMATICS.md §5, §7; docs/ARCHITECTURE.md, "Panels"): open a
// LoRA adapter (path field, drag and drop, or the demo), a layers × module-types heatmap
// coloured by a rank measure, the clicked module's spectrum with its threshold lines, a rank
// criterion (kohya's three, energy, one rank, a parameter budget) with the schedule's
// parameters and error, "Write resized adapter", and the cascade fit of a checkpoint family.
// Every computation runs on the model's worker; draw() polls and draws.
class AdaptersPanel final : public Panel {
 public:
  AdaptersPanel() = default;

  void draw(bool* open);
  void draw(PanelHost&, bool* open) override { draw(open); }
  void update(PanelHost&, double) override { model_.poll(); }
  bool busy() const override { return model_.busy(); }
  std::vector<std::pair<std::string, std::string>> exportFiles() const override {
    return {{"-adapters.json", model_.exportJson()}};
  }
  std::optional<std::string> setValue(PanelHost& host, const std::string& name, const std::string& value) override;
  std::optional<double> value(const std::string& name) const override;
  std::optional<std::string> filesDropped(PanelHost& host, const std::vector<std::string>& paths) override;

  AdaptersModel& model() { return model_; }
  const AdaptersModel& model() const { return model_; }

 private:
  void drawSource();
  void drawCriterion();
  void drawHeatmap();
  void drawSpectrum();
  void drawFamily();
  std::string fitFamily();

  AdaptersModel model_;
  std::string path_;
  std::string writeDirectory_ = "resized-adapter";
  std::string familyBase_, familyTargets_, familyRanks_ = "64,32";
  std::string refusal_;  // the last request the model turned down, and why
};

}  // namespace rankflow::app
