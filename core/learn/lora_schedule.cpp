#include "core/learn/lora_schedule.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "core/common/error.h"

namespace rankflow::learn {
namespace {

struct CriterionName {
  ScheduleCriterion criterion;
  const char* name;
  double defaultValue;
};
constexpr CriterionName kCriteria[] = {
    {ScheduleCriterion::Rank, "rank", 8},
    {ScheduleCriterion::Energy, "energy", 0.9},
    {ScheduleCriterion::Frobenius, "fro", 0.9},
    {ScheduleCriterion::Ratio, "ratio", 10},
    {ScheduleCriterion::Cumulative, "cumulative", 0.9},
    {ScheduleCriterion::Budget, "budget", 0},
};

std::int64_t width(const LoraModuleProfile& m) {
  return m.outFeatures + m.inFeatures;
}

// The rank a per-module criterion gives, clamped to 1..r.
int moduleRank(const LoraModuleProfile& m, ScheduleCriterion c, double value) {
  int k = m.statedRank;
  switch (c) {
    case ScheduleCriterion::Rank:
      k = static_cast<int>(value);
      break;
    case ScheduleCriterion::Energy:
      k = 1;
      for (std::size_t i = 0; i < m.energy.size(); ++i) {
        if (m.energy[i] >= value - 1e-12) {
          k = static_cast<int>(i) + 1;
          break;
        }
      }
      break;
    case ScheduleCriterion::Frobenius:
      k = rankByFrobenius(m.singularValues, value);
      break;
    case ScheduleCriterion::Ratio:
      k = rankByRatio(m.singularValues, value);
      break;
    case ScheduleCriterion::Cumulative:
      k = rankByCumulative(m.singularValues, value);
      break;
    case ScheduleCriterion::Budget:
      break;  // not per module
  }
  return std::clamp(k, 1, std::max(1, m.statedRank));
}

// Greedy: every module starts at rank 1; each further rank goes to the module whose next
// singular value removes the most squared error per parameter.
std::vector<int> budgetRanks(const LoraProfile& profile, double budget) {
  std::vector<int> ranks(profile.modules.size(), 1);
  std::int64_t spent = 0;
  for (const auto& m : profile.modules) spent += width(m);
  if (static_cast<double>(spent) > budget) {
    throw InvalidArgument("a budget of " + std::to_string(static_cast<long long>(budget)) +
                          " parameters is below one rank per module (" + std::to_string(spent) + ")");
  }
  using Candidate = std::pair<double, std::size_t>;  // gain per parameter, module
  std::priority_queue<Candidate> next;
  const auto offer = [&](std::size_t i) {
    const LoraModuleProfile& m = profile.modules[i];
    const auto k = static_cast<std::size_t>(ranks[i]);
    if (k < m.singularValues.size() && static_cast<int>(k) < m.statedRank)
      next.push({m.singularValues[k] * m.singularValues[k] / static_cast<double>(width(m)), i});
  };
  for (std::size_t i = 0; i < ranks.size(); ++i) offer(i);
  while (!next.empty()) {
    const auto [gain, i] = next.top();
    next.pop();
    const std::int64_t cost = width(profile.modules[i]);
    if (static_cast<double>(spent + cost) > budget) continue;  // a narrower module may still fit
    spent += cost;
    ++ranks[i];
    offer(i);
  }
  return ranks;
}

}  // namespace

const char* scheduleCriterionName(ScheduleCriterion c) {
  for (const auto& entry : kCriteria)
    if (entry.criterion == c) return entry.name;
  return "rank";
}

std::optional<ScheduleCriterion> parseScheduleCriterion(const std::string& name) {
  for (const auto& entry : kCriteria)
    if (name == entry.name) return entry.criterion;
  return std::nullopt;
}

double defaultCriterionValue(ScheduleCriterion c) {
  for (const auto& entry : kCriteria)
    if (entry.criterion == c) return entry.defaultValue;
  return 0.0;
}

RankSchedule scheduleRanks(const LoraProfile& profile, ScheduleCriterion criterion, double value) {
  if (profile.modules.empty()) throw InvalidArgument("the adapter has no modules to schedule");
  const std::string name = scheduleCriterionName(criterion);
  if (!std::isfinite(value)) throw InvalidArgument(name + ": the value must be a finite number");
  switch (criterion) {
    case ScheduleCriterion::Rank:
      if (value < 1 || value != std::floor(value) || value > 1 << 20)
        throw InvalidArgument("rank: a whole number of 1 or more, got " + std::to_string(value));
      break;
    case ScheduleCriterion::Energy:
    case ScheduleCriterion::Frobenius:
    case ScheduleCriterion::Cumulative:
      if (!(value > 0.0 && value <= 1.0))
        throw InvalidArgument(name + ": a share in (0, 1], got " + std::to_string(value));
      break;
    case ScheduleCriterion::Ratio:
      if (value < 1.0) throw InvalidArgument("ratio: 1 or more, got " + std::to_string(value));
      break;
    case ScheduleCriterion::Budget:
      if (value < 1.0) throw InvalidArgument("budget: a parameter count of 1 or more, got " + std::to_string(value));
      break;
  }
  RankSchedule s;
  if (criterion == ScheduleCriterion::Budget) {
    s.ranks = budgetRanks(profile, value);
  } else {
    for (const auto& m : profile.modules) s.ranks.push_back(moduleRank(m, criterion, value));
  }
  double removed2 = 0.0, total2 = 0.0;
  for (std::size_t i = 0; i < profile.modules.size(); ++i) {
    const LoraModuleProfile& m = profile.modules[i];
    const auto k = static_cast<std::size_t>(s.ranks[i]);
    const double error = k < m.truncationError.size() ? m.truncationError[k] : 0.0;
    s.moduleErrors.push_back(error);
    s.worstError = std::max(s.worstError, error);
    double norm2 = 0.0;
    for (double sigma : m.singularValues) norm2 += sigma * sigma;
    total2 += norm2;
    removed2 += error * error * norm2;
    s.parameters += static_cast<std::int64_t>(s.ranks[i]) * width(m);
    s.parametersBefore += static_cast<std::int64_t>(m.statedRank) * width(m);
  }
  s.error = total2 > 0.0 ? std::sqrt(removed2 / total2) : 0.0;
  return s;
}

}  // namespace rankflow::learn
