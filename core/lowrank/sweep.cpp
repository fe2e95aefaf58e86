#include "core/lowrank/sweep.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/common/error.h"
#include "core/lowrank/cascade.h"

namespace rankflow::lowrank {

std::vector<ScheduleResult> sweepSchedules(const std::vector<Eigen::MatrixXf>& targets, int rMax,
                                           const std::vector<std::vector<int>>& schedules, long maxSchedules,
                                           const std::function<bool(long, long)>& progress) {
  if (targets.size() < 2) throw InvalidArgument("sweep: need targets T_0..T_K with K >= 1");
  const int k = static_cast<int>(targets.size()) - 1;
  const int d = static_cast<int>(targets[0].rows());
  std::vector<std::vector<int>> list = schedules;
  if (list.empty()) {
    if (rMax < 0 || rMax > d) throw InvalidArgument("sweep: r_max must lie in [0, d = " + std::to_string(d) + "]");
    const double count = std::pow(rMax + 1.0, k);
    if (count > static_cast<double>(maxSchedules))
      throw InvalidArgument("sweep: " + std::to_string(static_cast<long long>(count)) +
                            " schedules exceed the limit of " + std::to_string(maxSchedules) +
                            "; lower r_max or give a list");
    // Odometer order, last order fastest: consecutive schedules differ mostly in r_K,
    // which costs one re-truncation and no SVD.
    std::vector<int> r(static_cast<std::size_t>(k), 0);
    while (true) {
      list.push_back(r);
      int i = k - 1;
      while (i >= 0 && r[static_cast<std::size_t>(i)] == rMax) r[static_cast<std::size_t>(i--)] = 0;
      if (i < 0) break;
      ++r[static_cast<std::size_t>(i)];
    }
  }
  for (const auto& s : list)
    if (static_cast<int>(s.size()) != k)
      throw InvalidArgument("sweep: every schedule needs " + std::to_string(k) + " ranks");
  std::vector<ScheduleResult> results;
  results.reserve(list.size());
  CascadeFit fit(targets, list.front());
  std::vector<int> current = list.front();
  for (std::size_t s = 0; s < list.size(); ++s) {
    if (progress && !progress(static_cast<long>(s), static_cast<long>(list.size()))) break;
    fit.setRanks(list[s]);  // refits only from the first order that changed
    current = list[s];
    ScheduleResult result;
    result.ranks = current;
    for (const auto& order : fit.orders()) result.errors.push_back(order.cascadeError);
    double sum = 0;
    for (double e : result.errors) sum += e;
    result.meanError = sum / static_cast<double>(k);
    const auto costs = cascadeCosts(d, current);
    result.parameters = costs.cascadeParameters;
    result.macsPerColumn = costs.cascadeMacsPerColumn;
    results.push_back(std::move(result));
  }
  markParetoFront(results);
  return results;
}

void markParetoFront(std::vector<ScheduleResult>& results) {
  std::vector<std::size_t> order(results.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return results[a].parameters != results[b].parameters ? results[a].parameters < results[b].parameters
                                                          : results[a].meanError < results[b].meanError;
  });
  double best = INFINITY;
  for (std::size_t i : order) {
    results[i].pareto = results[i].meanError < best;
    best = std::min(best, results[i].meanError);
  }
}

std::string schedulesCsv(const std::vector<ScheduleResult>& results) {
  std::ostringstream out;
  const std::size_t k = results.empty() ? 0 : results.front().ranks.size();
  for (std::size_t i = 0; i < k; ++i) out << "r_" << i + 1 << ",";
  out << "parameters,macs_per_column,";
  for (std::size_t i = 0; i < k; ++i) out << "err_" << i + 1 << ",";
  out << "mean_error,pareto\n";
  out.precision(9);
  for (const auto& r : results) {
    for (int v : r.ranks) out << v << ",";
    out << r.parameters << "," << r.macsPerColumn << ",";
    for (double e : r.errors) out << e << ",";
    out << r.meanError << "," << (r.pareto ? 1 : 0) << "\n";
  }
  return out.str();
}

}  // namespace rankflow::lowrank
