#pragma once
// Rank profile of a PEFT LoRA adapter (docs/MATHEMATICS.md §5 "Report", for adapters trained elsewhere):
// for every adapted module, the singular values of its update ΔW = B·A, its numerical rank
// and how much of ‖ΔW‖_F² the leading k directions hold — the ranks an adapter really used
// against the rank r it was given.
#include <Eigen/Core>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/io/safetensors.h"
#include "core/matfun/rank.h"

namespace rankflow::learn {

struct LoraProfileOptions {
  // σ_i counts towards the numerical rank when σ_i > relativeTolerance · σ_max.
  double relativeTolerance = 1e-6;
};

struct LoraModuleProfile {
  std::string module;   // the module path, without PEFT's "base_model.model." prefix
  std::string adapter;  // the adapter-name segment ("default" in lora_A.default.weight), or empty
  std::string tensorA, tensorB;
  std::string dtype;             // of lora_A (and lora_B, when they differ: "BF16/F32")
  std::int64_t outFeatures = 0;  // rows of ΔW (lora_B's first dimension)
  std::int64_t inFeatures = 0;   // columns of ΔW (lora_A's dimensions after the first, multiplied)
  int statedRank = 0;            // r: rows of lora_A
  int numericRank = 0;           // singular values above `tolerance`
  double tolerance = 0.0;        // absolute: relativeTolerance · σ_max
  double sigmaMax = 0.0;
  std::vector<double> singularValues;  // of B·A, descending, min(r, out, in) of them
  std::vector<double> energy;          // energy[k − 1] = Σ_{i≤k} σ_i² / Σ σ_i² (all 0 when ΔW = 0)
  int rank90 = 0;                      // smallest k with energy ≥ 0.90 (0 when ΔW = 0)
  int rank99 = 0;                      // smallest k with energy ≥ 0.99
  std::optional<double> scaling;       // lora_alpha / r when the file states lora_alpha
};

struct LoraProfile {
  std::vector<LoraModuleProfile> modules;  // by module name, then adapter name
  std::map<std::string, std::string> metadata;
  std::optional<double> loraAlpha;  // the "lora_alpha" metadata entry, when present
  int ignoredTensors = 0;           // tensors that are not LoRA factors (bias, DoRA magnitude, base weights)
  double medianNumericRank = 0.0;   // the mean of the two middle ones for an even count
  int minStatedRank = 0, maxStatedRank = 0;
  std::int64_t parameters = 0;               // Σ r · (out + in)
  std::int64_t parametersAtNumericRank = 0;  // Σ numericRank · (out + in): an exact re-factorisation's size
};

// Numerical rank and spectrum (descending, min(r, out, in) values) of B·A for B (out × r) and
// A (r × in), without forming the out × in product: with B = Q_B R_B and Aᵀ = Q_A R_A,
// B·A = Q_B (R_B R_Aᵀ) Q_Aᵀ has the singular values of the small core R_B R_Aᵀ — O((out + in) r²)
// and exact in exact arithmetic. σ_i counts when σ_i > relativeTolerance · σ_max.
matfun::NumericalRank lowRankProductRank(const Eigen::MatrixXd& b, const Eigen::MatrixXd& a, double relativeTolerance);

// Pairs `<module>.lora_A[.<adapter>].weight` with `<module>.lora_B[.<adapter>].weight` (and
// lora_embedding_A/B, stored without ".weight"); conv factors are flattened: A (r, in, kh, kw)
// is r × (in·kh·kw) and B must be (out, r, 1, 1). InvalidArgument naming the module when a
// half is missing, the ranks disagree, a factor is not a float tensor or holds NaN/inf, or the
// file has no LoRA factors at all; also when "lora_alpha" metadata is not a number.
LoraProfile profileLoraAdapter(const io::SafeTensorsFile& file, const LoraProfileOptions& options = {});
LoraProfile profileLoraFile(const std::string& path, const LoraProfileOptions& options = {});

}  // namespace rankflow::learn
