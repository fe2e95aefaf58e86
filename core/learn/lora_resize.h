#pragma once
// Resizing a LoRA adapter (docs/formats.md, "Resized adapters"): every module's effective update
// ΔW = scale·B·A replaced by its best approximation of a chosen rank (Eckart–Young), written
// in the input's layout with scale 1 (PEFT: rank_pattern and alpha_pattern per module;
// kohya: alpha = the new rank), so the update a reader computes is the truncation itself.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/io/safetensors.h"
#include "core/learn/lora_profile.h"

namespace rankflow::learn {

struct LoraResizeCriterion {
  // Ratio, Cumulative and Budget are core/learn/lora_schedule.h's criteria of those names.
  enum class Kind { Rank, Energy, Frobenius, Schedule, Ratio, Cumulative, Budget };
  Kind kind = Kind::Rank;
  // Rank: R; Energy: E in (0, 1]; Frobenius: F in (0, 1]; Ratio: ≥ 1; Cumulative: in (0, 1];
  // Budget: parameters Σ k·(out + in).
  double value = 0.0;
  std::map<std::string, int> schedule;  // Schedule: module name → rank, one entry per module
};

struct LoraResizedModule {
  std::string module, adapter;
  int fromRank = 0, toRank = 0;
  // ‖ΔW − ΔW_k‖_F / ‖ΔW‖_F of the truncation (before the factors are rounded to the dtype).
  double relativeError = 0.0;
};

struct LoraResize {
  io::SafeTensorsFile adapter;  // new factors in the input's names and dtypes; other tensors kept
  std::string configJson;       // PEFT: the adapter_config.json to write beside it; kohya: empty
  std::vector<LoraResizedModule> modules;
  std::int64_t parametersBefore = 0, parametersAfter = 0;
};

// `baseConfigJson`: the input's adapter_config.json (its other fields are kept), or empty.
// InvalidArgument naming the module for a target above its rank (or below 1), a schedule that
// misses a module or names one the adapter lacks, and a share outside (0, 1].
LoraResize resizeLoraAdapter(const io::SafeTensorsFile& file, const LoraProfileOptions& options,
                             const LoraResizeCriterion& criterion, const std::string& baseConfigJson = {});
// The same, consuming the input: each module's factors are freed as soon as its new ones
// exist, so peak memory is about the input's size instead of input plus output.
LoraResize resizeLoraAdapter(io::SafeTensorsFile&& file, const LoraProfileOptions& options,
                             const LoraResizeCriterion& criterion, const std::string& baseConfigJson = {});

// Reads the adapter at `path` (and adapter_config.json beside it) and resizes it, consuming
// the file as it goes: what `lora-resize` and the Python module do.
LoraResize resizeLoraFile(const std::string& path, const LoraResizeCriterion& criterion);

// Writes DIR/adapter_model.safetensors (and DIR/adapter_config.json for PEFT) into a directory
// that must not exist yet; the files appear together (a temporary directory renamed) or not at all.
void writeLoraResize(const LoraResize& resize, const std::string& directory);

}  // namespace rankflow::learn
