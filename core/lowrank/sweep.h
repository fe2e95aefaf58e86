#pragma once
// Rank-schedule sweeps (docs/MATHEMATICS.md §1): every schedule (r_1..r_K) with r_k ≤ r_max, or a given
// list, fitted by the cascading fit (reusing cached SVDs between neighbouring schedules),
// with its error per order, parameters and multiply-adds, and the error-vs-parameters
// Pareto front.
#include <Eigen/Core>
#include <functional>
#include <string>
#include <vector>

namespace rankflow::lowrank {

struct ScheduleResult {
  std::vector<int> ranks;
  std::vector<double> errors;  // cascading relative error per order
  double meanError = 0.0;
  double parameters = 0.0;
  double macsPerColumn = 0.0;
  bool pareto = false;  // no other schedule has both fewer-or-equal parameters and a lower mean error
};

// targets: T_0..T_K. Either schedules (explicit) or all r_k in [0, rMax]; at most
// maxSchedules are swept (InvalidArgument beyond). progress(done, total) may cancel by
// returning false (then the results so far are returned).
std::vector<ScheduleResult> sweepSchedules(const std::vector<Eigen::MatrixXf>& targets, int rMax,
                                           const std::vector<std::vector<int>>& schedules = {},
                                           long maxSchedules = 200000,
                                           const std::function<bool(long, long)>& progress = {});

void markParetoFront(std::vector<ScheduleResult>& results);

// CSV with a header: r_1..r_K, parameters, macs_per_column, err_1..err_K, mean_error, pareto.
std::string schedulesCsv(const std::vector<ScheduleResult>& results);

}  // namespace rankflow::lowrank
