#pragma once
// Rank schedules for a profiled adapter (docs/MATHEMATICS.md §5): one rank per module from a
// criterion — kohya's three (sv_ratio, sv_cumulative, sv_fro), an energy share, one rank for
// all, or a parameter budget spent where it removes the most error — with the parameters and
// the error the schedule leaves. The Adapters panel shows them live; lora-resize writes them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/learn/lora_profile.h"

namespace rankflow::learn {

enum class ScheduleCriterion {
  Rank,        // value: R, the same for every module (a module with a smaller r keeps it)
  Energy,      // value: E in (0, 1], the smallest k holding the share E of ‖ΔW‖_F²
  Frobenius,   // value: F in (0, 1], kohya's sv_fro
  Ratio,       // value: ≥ 1, kohya's sv_ratio (σ_i ≥ σ_max / ratio)
  Cumulative,  // value: in (0, 1], kohya's sv_cumulative (Σσ_i share)
  Budget,      // value: parameters Σ k·(out + in) to spend, at least one rank per module
};

const char* scheduleCriterionName(ScheduleCriterion c);  // "rank", "energy", "fro", "ratio", "cumulative", "budget"
std::optional<ScheduleCriterion> parseScheduleCriterion(const std::string& name);
// The value a criterion starts at in a picker (R = 8, E = 0.9, …).
double defaultCriterionValue(ScheduleCriterion c);

struct RankSchedule {
  std::vector<int> ranks;             // per module, in the profile's order; each 1..statedRank
  std::vector<double> moduleErrors;   // ‖ΔW − ΔW_k‖_F / ‖ΔW‖_F per module
  std::int64_t parameters = 0;        // Σ k·(out + in)
  std::int64_t parametersBefore = 0;  // Σ r·(out + in)
  // √(Σ ‖ΔW − ΔW_k‖_F²) / √(Σ ‖ΔW‖_F²) over every module: the adapter's relative error.
  double error = 0.0;
  double worstError = 0.0;
};

// InvalidArgument for a value outside the criterion's range (naming it) or an empty profile.
// Budget: greedy by the error removed per parameter, σ_k² / (out + in). Each module's gains
// decrease with k, so this is optimal when the modules are equally wide; with different
// widths it is a knapsack, and greedy can miss the optimum by the last rank it could not
// afford. A budget below one rank per module is refused.
RankSchedule scheduleRanks(const LoraProfile& profile, ScheduleCriterion criterion, double value);

}  // namespace rankflow::learn
