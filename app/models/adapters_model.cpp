#include "app/models/adapters_model.h"

#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/learn/lora_resize.h"
#include "core/learn/tensor_matrix.h"

namespace rankflow::app {

// [SECTION] The demo adapter and the grid

namespace {

struct DemoModule {
  const char* name;
  std::int64_t out, in;
  double decay;  // e-folding length of the spectrum, in singular values, at layer 0
};
constexpr DemoModule kDemoModules[] = {
    {"self_attn.q_proj", 256, 256, 2.0}, {"self_attn.k_proj", 256, 256, 1.5}, {"self_attn.v_proj", 256, 256, 6.0},
    {"self_attn.o_proj", 256, 256, 5.0}, {"mlp.gate_proj", 688, 256, 3.5},    {"mlp.up_proj", 688, 256, 4.0},
    {"mlp.down_proj", 256, 688, 4.5},
};
constexpr int kDemoLayers = 8;
constexpr int kDemoRank = 16;

// n × k with orthonormal columns, from a seeded Gaussian.
Eigen::MatrixXd orthonormal(std::int64_t n, int k, SeededRandom& random) {
  Eigen::MatrixXd g(n, k);
  for (Eigen::Index i = 0; i < g.size(); ++i) g.data()[i] = random.normal();
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(g);
  return qr.householderQ() * Eigen::MatrixXd::Identity(n, k);
}

// Known module kinds first, in a transformer layer's order; others alphabetically after.
int typeOrder(const std::string& type) {
  static const char* known[] = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj",
                                "to_q",   "to_k",   "to_v",   "to_out", "fc1",       "fc2"};
  for (int i = 0; i < static_cast<int>(std::size(known)); ++i)
    if (type == known[i]) return i;
  return static_cast<int>(std::size(known));
}

bool layerLess(const std::string& a, const std::string& b) {
  const bool numberA = !a.empty() && std::all_of(a.begin(), a.end(), ::isdigit);
  const bool numberB = !b.empty() && std::all_of(b.begin(), b.end(), ::isdigit);
  if (numberA && numberB) return a.size() != b.size() ? a.size() < b.size() : a < b;
  if (numberA != numberB) return numberA;  // numbered layers first
  return a < b;
}

}  // namespace

io::SafeTensorsFile demoAdapter() {
  SeededRandom random(2026);
  io::SafeTensorsFile file;
  file.metadata["lora_alpha"] = std::to_string(kDemoRank);  // scale α / r = 1
  for (int layer = 0; layer < kDemoLayers; ++layer) {
    for (const DemoModule& m : kDemoModules) {
      const double decay = m.decay * (1.0 - 0.08 * layer);
      Eigen::VectorXd root(kDemoRank);
      for (int i = 0; i < kDemoRank; ++i) root(i) = std::sqrt(std::exp(-i / decay));
      // Layer 0's keys use exactly three directions: numeric rank 3 of r = 16.
      if (layer == 0 && std::string(m.name) == "self_attn.k_proj") root.tail(kDemoRank - 3).setZero();
      const Eigen::MatrixXd b = orthonormal(m.out, kDemoRank, random) * root.asDiagonal();
      const Eigen::MatrixXd a = root.asDiagonal() * orthonormal(m.in, kDemoRank, random).transpose();
      const std::string prefix = "base_model.model.model.layers." + std::to_string(layer) + "." + m.name;
      file.tensors[prefix + ".lora_A.weight"] = learn::encodeMatrix(io::Dtype::F32, a);
      file.tensors[prefix + ".lora_B.weight"] = learn::encodeMatrix(io::Dtype::F32, b);
    }
  }
  return file;
}

AdapterGrid adapterGrid(const learn::LoraProfile& profile) {
  AdapterGrid grid;
  for (const auto& m : profile.modules) {
    const std::string layer = m.layer.empty() ? "-" : m.layer;
    if (std::find(grid.layers.begin(), grid.layers.end(), layer) == grid.layers.end()) grid.layers.push_back(layer);
    if (std::find(grid.types.begin(), grid.types.end(), m.type) == grid.types.end()) grid.types.push_back(m.type);
  }
  std::sort(grid.layers.begin(), grid.layers.end(), layerLess);
  std::stable_sort(grid.types.begin(), grid.types.end(), [](const std::string& a, const std::string& b) {
    const int oa = typeOrder(a), ob = typeOrder(b);
    return oa != ob ? oa < ob : a < b;
  });
  grid.cells.assign(grid.layers.size() * grid.types.size(), -1);
  for (std::size_t i = 0; i < profile.modules.size(); ++i) {
    const auto& m = profile.modules[i];
    const std::string layer = m.layer.empty() ? "-" : m.layer;
    const auto row = std::find(grid.layers.begin(), grid.layers.end(), layer) - grid.layers.begin();
    const auto column = std::find(grid.types.begin(), grid.types.end(), m.type) - grid.types.begin();
    int& cell = grid.cells[static_cast<std::size_t>(row) * grid.types.size() + static_cast<std::size_t>(column)];
    if (cell < 0) cell = static_cast<int>(i);  // a second adapter name on the same module: the first shows
  }
  return grid;
}

namespace {
struct MeasureName {
  AdapterMeasure measure;
  const char* name;
};
constexpr MeasureName kMeasures[] = {
    {AdapterMeasure::Stated, "stated"}, {AdapterMeasure::Numeric, "numeric"},    {AdapterMeasure::Rank90, "rank90"},
    {AdapterMeasure::Rank99, "rank99"}, {AdapterMeasure::Scheduled, "schedule"}, {AdapterMeasure::Error, "error"},
};
}  // namespace

const char* adapterMeasureName(AdapterMeasure m) {
  for (const auto& entry : kMeasures)
    if (entry.measure == m) return entry.name;
  return "stated";
}

std::optional<AdapterMeasure> parseAdapterMeasure(const std::string& name) {
  for (const auto& entry : kMeasures)
    if (name == entry.name) return entry.measure;
  return std::nullopt;
}

// [SECTION] Jobs

struct AdaptersModel::Published {
  int pending = 0;  // jobs queued or running
  AdapterJobStatus status[kAdapterJobCount];
  bool statusChanged[kAdapterJobCount] = {};
  std::shared_ptr<const LoadedAdapter> adapter;  // a newly opened one, not yet shown
  std::shared_ptr<const learn::CheckpointCascade> family;
  std::vector<std::string> familyFiles;
};

AdaptersModel::AdaptersModel() : published_(std::make_unique<Published>()) {
  openDemo();
}

AdaptersModel::~AdaptersModel() {
  cancel();
}

std::string AdaptersModel::submit(AdapterJob job, std::function<void()> work) {
  const int index = static_cast<int>(job);
  {
    const std::lock_guard lock(mutex_);
    if (published_->pending > 0) return "busy: wait for the running job or cancel it";
    ++published_->pending;
    auto& s = published_->status[index];
    s.generation = ++generation_;
    s.state = TaskState::Queued;
    s.progress = 0.0;
    s.error.clear();
    s.message.clear();
    published_->statusChanged[index] = true;
    status_[index] = s;
  }
  cancelRequested_ = false;
  lane_.post([this, index, work = std::move(work)] {
    const auto publish = [&](TaskState state, const std::string& message, const std::string& error) {
      const std::lock_guard lock(mutex_);
      auto& s = published_->status[index];
      s.state = state;
      s.message = message;
      s.error = error;
      if (state == TaskState::Done) s.progress = 1.0;
      published_->statusChanged[index] = true;
    };
    publish(TaskState::Running, "", "");
    try {
      work();
    } catch (const Cancelled&) {
      publish(TaskState::Cancelled, "cancelled", "");
    } catch (const std::exception& e) {
      publish(TaskState::Failed, "", e.what());
    }
    {
      const std::lock_guard lock(mutex_);
      --published_->pending;
    }
    settled_.notify_all();
  });
  return "";
}

namespace {

// Progress into the published status; false once cancel() was asked.
ProgressFn progressInto(std::mutex& mutex, AdapterJobStatus& status, bool& changed, const std::atomic<bool>& cancel) {
  return [&mutex, &status, &changed, &cancel](double fraction) {
    const std::lock_guard lock(mutex);
    status.progress = fraction;
    changed = true;
    return !cancel.load();
  };
}

}  // namespace

// On the worker: profiles `loaded` with progress and cancel, then shows it.
void AdaptersModel::profileAndPublish(std::shared_ptr<LoadedAdapter> loaded, const std::string& label) {
  const int index = static_cast<int>(AdapterJob::Open);
  loaded->options.progress =
      progressInto(mutex_, published_->status[index], published_->statusChanged[index], cancelRequested_);
  loaded->profile = learn::profileLoraAdapter(loaded->file, loaded->options);
  loaded->options.progress = nullptr;
  const std::string message = label + ": " + std::to_string(loaded->profile.modules.size()) + " modules";
  {
    const std::lock_guard lock(mutex_);
    published_->adapter = std::move(loaded);
  }
  finish(AdapterJob::Open, message);
}

void AdaptersModel::finish(AdapterJob job, const std::string& message) {
  const int index = static_cast<int>(job);
  const std::lock_guard lock(mutex_);
  published_->status[index].message = message;
  published_->status[index].state = TaskState::Done;
  published_->status[index].progress = 1.0;
  published_->statusChanged[index] = true;
}

std::string AdaptersModel::openDemo() {
  return submit(AdapterJob::Open, [this] {
    auto loaded = std::make_shared<LoadedAdapter>();
    loaded->source = "demo";
    loaded->file = demoAdapter();
    profileAndPublish(std::move(loaded), "demo adapter");
  });
}

std::string AdaptersModel::openAdapter(const std::string& path) {
  if (path.empty()) return "give the adapter's path (a .safetensors file)";
  return submit(AdapterJob::Open, [this, path] {
    auto loaded = std::make_shared<LoadedAdapter>();
    loaded->source = path;
    loaded->file = io::readSafeTensors(path);
    if (auto beside = learn::readLoraConfigBeside(path)) {
      loaded->configText = std::move(beside->text);
      loaded->options.config = std::move(beside->config);
    }
    profileAndPublish(std::move(loaded), std::filesystem::path(path).filename().string());
  });
}

std::string AdaptersModel::openFamily(const std::string& base, const std::vector<std::string>& targets,
                                      const std::vector<int>& ranks) {
  if (base.empty() || targets.empty()) return "give a base checkpoint and at least one target";
  if (ranks.size() != targets.size()) {
    return std::to_string(ranks.size()) + " ranks for " + std::to_string(targets.size()) +
           " targets: give one rank per target";
  }
  return submit(AdapterJob::Family, [this, base, targets, ranks] {
    std::vector<std::string> names{base};
    names.insert(names.end(), targets.begin(), targets.end());
    const int index = static_cast<int>(AdapterJob::Family);
    learn::CheckpointCascadeOptions options;
    options.ranks = ranks;
    options.keepFactors = false;
    options.progress =
        progressInto(mutex_, published_->status[index], published_->statusChanged[index], cancelRequested_);
    auto fit = std::make_shared<learn::CheckpointCascade>(learn::cascadeCheckpointFiles(base, targets, options));
    char message[160];
    std::snprintf(message, sizeof message, "%zu tensors, %zu orders in %.2f s", fit->tensors.size(), fit->totals.size(),
                  fit->seconds);
    {
      const std::lock_guard lock(mutex_);
      published_->family = std::move(fit);
      published_->familyFiles = names;
    }
    finish(AdapterJob::Family, message);
  });
}

std::string AdaptersModel::writeResized(const std::string& directory) {
  if (!adapter_) return "no adapter is open";
  if (directory.empty()) return "give a new directory for the resized adapter";
  if (std::filesystem::exists(directory)) return directory + " exists already: give a new directory";
  learn::LoraResizeCriterion criterion{learn::LoraResizeCriterion::Kind::Schedule, 0.0, {}};
  for (std::size_t i = 0; i < adapter_->profile.modules.size(); ++i)
    criterion.schedule[adapter_->profile.modules[i].module] = schedule_.ranks[i];
  return submit(AdapterJob::Write, [this, adapter = adapter_, criterion, directory] {
    const learn::LoraResize resize =
        learn::resizeLoraAdapter(adapter->file, adapter->options, criterion, adapter->configText);
    learn::writeLoraResize(resize, directory);
    char message[256];
    std::snprintf(message, sizeof message, "wrote %s: %lld parameters (%lld before)", directory.c_str(),
                  static_cast<long long>(resize.parametersAfter), static_cast<long long>(resize.parametersBefore));
    finish(AdapterJob::Write, message);
  });
}

void AdaptersModel::cancel() {
  cancelRequested_ = true;
}

bool AdaptersModel::poll() {
  bool changed = false;
  std::shared_ptr<const LoadedAdapter> opened;
  {
    const std::lock_guard lock(mutex_);
    for (int i = 0; i < kAdapterJobCount; ++i) {
      if (!published_->statusChanged[i]) continue;
      status_[i] = published_->status[i];
      published_->statusChanged[i] = false;
      changed = true;
    }
    opened = std::move(published_->adapter);
    published_->adapter = nullptr;
    if (published_->family) {
      family_ = std::move(published_->family);
      familyFiles_ = std::move(published_->familyFiles);
      published_->family = nullptr;
      changed = true;
    }
  }
  if (opened) {
    adapter_ = std::move(opened);
    grid_ = adapterGrid(adapter_->profile);
    selected_ = grid_.cells.empty() ? -1 : std::max(0, grid_.cells.front());
    recomputeSchedule();
    changed = true;
  }
  return changed;
}

bool AdaptersModel::busy() const {
  const std::lock_guard lock(mutex_);
  return published_->pending > 0 || published_->adapter || published_->family ||
         std::any_of(std::begin(published_->statusChanged), std::end(published_->statusChanged),
                     [](bool b) { return b; });
}

bool AdaptersModel::waitIdle(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return settled_.wait_for(lock, timeout, [this] { return published_->pending == 0; });
}

// [SECTION] Schedule, measures, export

void AdaptersModel::recomputeSchedule() {
  if (!adapter_) return;
  const auto& profile = adapter_->profile;
  if (criterion_ == learn::ScheduleCriterion::Budget && criterionValue_ <= 0.0)
    criterionValue_ = std::floor(static_cast<double>(profile.parameters) / 2.0);
  try {
    schedule_ = learn::scheduleRanks(profile, criterion_, criterionValue_);
  } catch (const InvalidArgument&) {
    // The last criterion does not fit this adapter (a budget below its minimum): the default.
    criterion_ = learn::ScheduleCriterion::Energy;
    criterionValue_ = learn::defaultCriterionValue(criterion_);
    schedule_ = learn::scheduleRanks(profile, criterion_, criterionValue_);
  }
}

std::string AdaptersModel::setCriterion(learn::ScheduleCriterion criterion, double value) {
  if (criterion == learn::ScheduleCriterion::Budget && value <= 0.0 && adapter_)
    value = std::floor(static_cast<double>(adapter_->profile.parameters) / 2.0);
  if (adapter_) {
    try {
      schedule_ = learn::scheduleRanks(adapter_->profile, criterion, value);
    } catch (const InvalidArgument& e) {
      return e.what();
    }
  }
  criterion_ = criterion;
  criterionValue_ = value;
  return "";
}

double AdaptersModel::measureValue(int module) const {
  if (!adapter_ || module < 0 || module >= static_cast<int>(adapter_->profile.modules.size())) return 0.0;
  const auto& m = adapter_->profile.modules[static_cast<std::size_t>(module)];
  switch (measure_) {
    case AdapterMeasure::Stated:
      return m.statedRank;
    case AdapterMeasure::Numeric:
      return m.numericRank;
    case AdapterMeasure::Rank90:
      return m.rank90;
    case AdapterMeasure::Rank99:
      return m.rank99;
    case AdapterMeasure::Scheduled:
      return schedule_.ranks.empty() ? 0.0 : schedule_.ranks[static_cast<std::size_t>(module)];
    case AdapterMeasure::Error:
      return schedule_.moduleErrors.empty() ? 0.0 : schedule_.moduleErrors[static_cast<std::size_t>(module)];
  }
  return 0.0;
}

void AdaptersModel::select(int module) {
  selected_ = adapter_ && module >= 0 && module < static_cast<int>(adapter_->profile.modules.size()) ? module : -1;
}

std::string AdaptersModel::exportJson() const {
  using nlohmann::json;
  json out = json::object();
  if (adapter_) {
    const auto& profile = adapter_->profile;
    json modules = json::array();
    for (std::size_t i = 0; i < profile.modules.size(); ++i) {
      const auto& m = profile.modules[i];
      modules.push_back({{"module", m.module},
                         {"type", m.type},
                         {"layer", m.layer},
                         {"out", m.outFeatures},
                         {"in", m.inFeatures},
                         {"r", m.statedRank},
                         {"numeric_rank", m.numericRank},
                         {"rank_90", m.rank90},
                         {"rank_99", m.rank99},
                         {"scale", m.scale},
                         {"singular_values", m.singularValues},
                         {"scheduled_rank", schedule_.ranks.at(i)},
                         {"scheduled_error", schedule_.moduleErrors.at(i)}});
    }
    out["source"] = adapter_->source;
    out["modules"] = modules;
    out["criterion"] = {{"name", learn::scheduleCriterionName(criterion_)}, {"value", criterionValue_}};
    out["schedule"] = {{"parameters", schedule_.parameters},
                       {"parameters_before", schedule_.parametersBefore},
                       {"error", schedule_.error},
                       {"worst_error", schedule_.worstError}};
  }
  if (family_) {
    json orders = json::array();
    for (const auto& t : family_->totals)
      orders.push_back({{"k", t.k},
                        {"rank", t.rank},
                        {"cascade_error", t.cascadeError},
                        {"independent_error", t.independentError},
                        {"parameters", t.parameters}});
    out["family"] = {{"files", familyFiles_}, {"orders", orders}, {"tensors", family_->tensors.size()}};
  }
  return out.dump(1) + "\n";
}

}  // namespace rankflow::app
