#pragma once
// What the Adapters panel shows (docs/MATHEMATICS.md §5, §7), without ImGui: a LoRA adapter
// (a file, or the built-in demo), its profile (core/learn/lora_profile.h), a rank schedule
// from the chosen criterion (core/learn/lora_schedule.h), the layers × module-types grid the
// heatmap draws, a resized adapter written in the background, and the cascade fit of a
// checkpoint family (core/learn/checkpoint_cascade.h).
//
// Opening, fitting and writing run on one BackgroundLane with progress and cancel. A file that
// fails to open changes nothing: the adapter shown stays, the status says why. The UI calls
// poll() once a frame and reads the rest.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/models/task.h"
#include "core/common/background_lane.h"
#include "core/io/safetensors.h"
#include "core/learn/checkpoint_cascade.h"
#include "core/learn/lora_profile.h"
#include "core/learn/lora_schedule.h"

namespace rankflow::app {

// An adapter as opened: the file (a resize reads its factors again), the config beside it,
// and its profile.
struct LoadedAdapter {
  std::string source;  // the path, or "demo"
  io::SafeTensorsFile file;
  std::string configText;  // adapter_config.json beside it, as written; empty when none
  learn::LoraProfileOptions options;
  learn::LoraProfile profile;
};

// A PEFT adapter of 8 layers × (q, k, v, o, gate, up, down), hidden 256, MLP 688, r = 16,
// whose spectra decay at rates set by the module's type and depth (attention keys and queries
// fastest, deeper layers faster), so the heatmap and every criterion have something to show.
// A pure function: the same file every time.
io::SafeTensorsFile demoAdapter();

enum class AdapterJob { Open = 0, Write = 1, Family = 2 };
inline constexpr int kAdapterJobCount = 3;

struct AdapterJobStatus : TaskStatus {
  double progress = 0.0;  // 0..1 while running
  std::string message;    // what it did, or why it failed or stopped
};

// The heatmap's cells: rows are layers (numerically), columns module types (in first-seen
// order); each cell the module's index in the profile, or −1 where a layer lacks that type.
// Modules without a layer number go in a row named "-".
struct AdapterGrid {
  std::vector<std::string> layers, types;
  std::vector<int> cells;  // layers.size() × types.size(), row-major
  int at(std::size_t layer, std::size_t type) const { return cells[layer * types.size() + type]; }
};
AdapterGrid adapterGrid(const learn::LoraProfile& profile);

// What the heatmap colours a cell by.
enum class AdapterMeasure { Stated, Numeric, Rank90, Rank99, Scheduled, Error };
inline constexpr int kAdapterMeasureCount = 6;
const char* adapterMeasureName(AdapterMeasure m);  // "stated", "numeric", "rank90", "rank99", "schedule", "error"
std::optional<AdapterMeasure> parseAdapterMeasure(const std::string& name);

class AdaptersModel {
 public:
  AdaptersModel();  // opens the demo adapter (in the background)
  ~AdaptersModel();
  AdaptersModel(const AdaptersModel&) = delete;
  AdaptersModel& operator=(const AdaptersModel&) = delete;

  // [SECTION] Jobs. Each returns "" when queued, else why it was refused.
  std::string openDemo();
  std::string openAdapter(const std::string& path);
  std::string openFamily(const std::string& base, const std::vector<std::string>& targets,
                         const std::vector<int>& ranks);
  // The current schedule, written as a new directory (lora-resize's layout and checks).
  std::string writeResized(const std::string& directory);
  void cancel();  // the running job stops at its next module or tensor

  // UI thread, once a frame: takes finished results. True when anything changed.
  bool poll();
  bool busy() const;
  bool waitIdle(std::chrono::milliseconds timeout) const;
  const AdapterJobStatus& status(AdapterJob job) const { return status_[static_cast<int>(job)]; }

  // [SECTION] What is shown.
  const std::shared_ptr<const LoadedAdapter>& adapter() const { return adapter_; }
  const AdapterGrid& grid() const { return grid_; }
  const std::shared_ptr<const learn::CheckpointCascade>& family() const { return family_; }
  const std::vector<std::string>& familyFiles() const { return familyFiles_; }

  // The criterion and its schedule: "" or why the value was refused (nothing changes then).
  std::string setCriterion(learn::ScheduleCriterion criterion, double value);
  learn::ScheduleCriterion criterion() const { return criterion_; }
  double criterionValue() const { return criterionValue_; }
  const learn::RankSchedule& schedule() const { return schedule_; }

  void setMeasure(AdapterMeasure m) { measure_ = m; }
  AdapterMeasure measure() const { return measure_; }
  // The measure's value for module i (ranks as numbers; Error: the schedule's relative error).
  double measureValue(int module) const;
  // The selected module (its spectrum is drawn), −1 for none; out-of-range values clear it.
  void select(int module);
  int selected() const { return selected_; }

  // The panel's data: the adapter's summary, every module's ranks, the schedule and the
  // family fit (docs/formats.md, "View exports").
  std::string exportJson() const;

 private:
  struct Published;  // results waiting for poll(), under mutex_
  std::string submit(AdapterJob job, std::function<void()> work);
  void profileAndPublish(std::shared_ptr<LoadedAdapter> loaded, const std::string& label);
  void finish(AdapterJob job, const std::string& message);  // the worker's last word: done
  void recomputeSchedule();

  std::shared_ptr<const LoadedAdapter> adapter_;
  AdapterGrid grid_;
  std::shared_ptr<const learn::CheckpointCascade> family_;
  std::vector<std::string> familyFiles_;
  learn::ScheduleCriterion criterion_ = learn::ScheduleCriterion::Energy;
  double criterionValue_ = 0.9;
  learn::RankSchedule schedule_;
  AdapterMeasure measure_ = AdapterMeasure::Rank90;
  int selected_ = -1;
  AdapterJobStatus status_[kAdapterJobCount];

  mutable std::mutex mutex_;
  mutable std::condition_variable settled_;
  std::unique_ptr<Published> published_;
  std::atomic<bool> cancelRequested_{false};
  std::uint64_t generation_ = 0;
  BackgroundLane lane_{1};  // last: joined before the members its jobs use go
};

}  // namespace rankflow::app
