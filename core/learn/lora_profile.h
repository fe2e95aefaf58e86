#pragma once
// Rank profile of a LoRA adapter trained elsewhere (docs/MATHEMATICS.md §5): for every adapted
// module, the singular values of its effective update ΔW = scale·B·A, its numerical rank and
// how much of ‖ΔW‖_F² the leading k directions hold — the ranks an adapter really used against
// the rank r it was given. Two layouts (docs/formats.md): PEFT (lora_A / lora_B, the scale
// α/r or α/√r from adapter_config.json) and kohya / sd-scripts (lora_down / lora_up with a
// per-module `.alpha`, scale α/r).
#include <Eigen/Core>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/io/safetensors.h"
#include "core/matfun/rank.h"

namespace rankflow::learn {

// PEFT's adapter_config.json, the fields that set a module's scale and rank.
struct LoraConfig {
  std::optional<int> r;             // the default rank
  std::optional<double> loraAlpha;  // the default α (PEFT's own default is 8)
  bool useRslora = false;           // scale α/√r instead of α/r
  // Per-module overrides; a key matches a module named like it or ending in "." + key (the
  // longest matching key wins). PEFT also takes regular expressions: they match literally.
  std::map<std::string, int> rankPattern;
  std::map<std::string, double> alphaPattern;
};

// InvalidArgument naming `nameForErrors` and the field for malformed JSON, a wrong type, a
// rank below 1 or a non-finite α.
LoraConfig parseLoraConfig(const std::string& json, const std::string& nameForErrors);

struct LoraProfileOptions {
  // σ_i counts towards the numerical rank when σ_i > relativeTolerance · σ_max.
  double relativeTolerance = 1e-6;
  // PEFT's config; profileLoraFile reads adapter_config.json beside the adapter into it.
  std::optional<LoraConfig> config = std::nullopt;
  // Called once per module profiled (from worker threads); false cancels (Cancelled).
  ProgressFn progress = nullptr;
};

struct LoraModuleProfile {
  std::string module;   // the module path, without PEFT's "base_model.model." prefix
  std::string adapter;  // the adapter-name segment ("default" in lora_A.default.weight), or empty
  std::string layout;   // "peft" or "kohya"
  std::string tensorA, tensorB;
  std::string dtype;             // of lora_A (and lora_B, when they differ: "BF16/F32")
  std::int64_t outFeatures = 0;  // rows of ΔW (lora_B's first dimension)
  std::int64_t inFeatures = 0;   // columns of ΔW (lora_A's dimensions after the first, multiplied)
  int statedRank = 0;            // r: rows of lora_A
  int numericRank = 0;           // singular values above `tolerance`
  double tolerance = 0.0;        // absolute: relativeTolerance · σ_max
  double sigmaMax = 0.0;
  double scale = 1.0;                  // ΔW = scale·B·A; 1 when nothing states α
  std::string scaleSource;             // "adapter_config.json", "alpha tensor", "metadata", or empty
  std::vector<double> singularValues;  // of scale·B·A, descending, min(r, out, in) of them
  std::vector<double> energy;          // energy[k − 1] = Σ_{i≤k} σ_i² / Σ σ_i² (all 0 when ΔW = 0)
  int rank90 = 0;                      // smallest k with energy ≥ 0.90 (0 when ΔW = 0)
  int rank99 = 0;                      // smallest k with energy ≥ 0.99
  // truncationError[k] = ‖ΔW − ΔW_k‖_F / ‖ΔW‖_F for k = 0 … size (ΔW_k: the best rank-k
  // approximation, Eckart–Young): √(1 − energy[k − 1]); all 0 when ΔW = 0.
  std::vector<double> truncationError;
  std::string layer;              // the layer index in the name ("layers.3." or "_blocks_3_"), or empty
  std::string type;               // the module's kind: the name's last segment ("q_proj", "to_k")
  std::optional<double> scaling;  // the scale, when something states α
};

// Modules grouped by layer or by type: how many, and their ranks against what they were given.
struct LoraGroup {
  std::string name;
  int modules = 0;
  int statedRank = 0;   // Σ r
  int numericRank = 0;  // Σ numeric ranks
  int rank90 = 0, rank99 = 0;
  std::int64_t parameters = 0;
};

struct LoraProfile {
  std::vector<LoraModuleProfile> modules;  // by module name, then adapter name
  std::vector<LoraGroup> byType, byLayer;  // sorted by name (layers numerically)
  std::map<std::string, std::string> metadata;
  std::optional<double> loraAlpha;  // the config's lora_alpha, else the "lora_alpha" metadata entry
  std::string configPath;           // the adapter_config.json read beside the file, or empty
  int ignoredTensors = 0;           // tensors that are not LoRA factors (bias, DoRA magnitude, base weights)
  double medianNumericRank = 0.0;   // the mean of the two middle ones for an even count
  int minStatedRank = 0, maxStatedRank = 0;
  std::int64_t parameters = 0;               // Σ r · (out + in)
  std::int64_t parametersAtNumericRank = 0;  // Σ numericRank · (out + in): an exact re-factorisation's size
};

// Rank criteria on a descending spectrum, as kohya's resize_lora.py names them; each is at
// least 1 for a non-zero spectrum and 0 for a zero one. ratio: σ_i ≥ σ_max / ratio
// (sv_ratio); cumulative: Σ_{i≤k} σ_i ≥ share·Σ σ_i (sv_cumulative); frobenius:
// √(Σ_{i≤k} σ_i²) ≥ share·‖ΔW‖_F (sv_fro). InvalidArgument for ratio < 1 or a share outside [0, 1].
int rankByRatio(const std::vector<double>& sigma, double ratio);
int rankByCumulative(const std::vector<double>& sigma, double share);
int rankByFrobenius(const std::vector<double>& sigma, double share);

// The module's kind and layer from its name: "model.layers.3.self_attn.q_proj" → ("q_proj",
// "3"); kohya's "lora_unet_down_blocks_1_attentions_0_to_k" → ("to_k", "1"): the last
// segment ('.'-separated, else after the last digit group's '_') and the first number.
std::pair<std::string, std::string> loraModuleTypeAndLayer(const std::string& module);

// Numerical rank and spectrum (descending, min(r, out, in) values) of B·A for B (out × r) and
// A (r × in), without forming the out × in product: with B = Q_B R_B and Aᵀ = Q_A R_A,
// B·A = Q_B (R_B R_Aᵀ) Q_Aᵀ has the singular values of the small core R_B R_Aᵀ — O((out + in) r²)
// and exact in exact arithmetic. σ_i counts when σ_i > relativeTolerance · σ_max.
matfun::NumericalRank lowRankProductRank(const Eigen::MatrixXd& b, const Eigen::MatrixXd& a, double relativeTolerance);

// Pairs `<module>.lora_A[.<adapter>].weight` with `<module>.lora_B[.<adapter>].weight` (and
// lora_embedding_A/B, stored without ".weight"), and kohya's `<module>.lora_down.weight` with
// `<module>.lora_up.weight` and `<module>.alpha`; conv factors are flattened: A (r, in, kh, kw)
// is r × (in·kh·kw) and B must be (out, r, 1, 1). The scale: kohya's alpha / r; PEFT's config
// (alpha_pattern or lora_alpha, over rank or √rank with use_rslora), else "lora_alpha" metadata
// over r; else 1. InvalidArgument naming the module when a half is missing, the ranks
// disagree, the config states another rank than the factors, an alpha is not one finite
// number, a factor is not a float tensor or holds NaN/inf, or the file has no LoRA factors at
// all; also when "lora_alpha" metadata is not a number.
LoraProfile profileLoraAdapter(const io::SafeTensorsFile& file, const LoraProfileOptions& options = {});
// The adapter_config.json in the adapter's directory, read and parsed (nullopt when there is
// none); InvalidArgument naming the file and the field when it is unreadable or malformed.
struct LoraConfigFile {
  std::string path;
  std::string text;  // as written: a resize keeps its other fields
  LoraConfig config;
};
std::optional<LoraConfigFile> readLoraConfigBeside(const std::string& adapterPath);

// Reads adapter_config.json beside `path` (when there is one and options.config is unset).
LoraProfile profileLoraFile(const std::string& path, const LoraProfileOptions& options = {});

}  // namespace rankflow::learn
