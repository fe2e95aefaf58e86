#pragma once
// The arithmetic of a strategy sweep over interval lengths (docs/MATHEMATICS.md §3): the
// lengths tried, the error against a float64 reference, and where one strategy's time
// crosses another's. The Queries model's sweep and the Theory panel's range-query
// demonstrations both use these.
#include <Eigen/Core>
#include <vector>

namespace rankflow::lowrank {

// Lengths 1 .. maximum spaced evenly in log L, rounded, duplicates dropped; `points` ≥ 2
// (one point gives {maximum}).
std::vector<int> logSpacedLengths(int maximum, int points);

// ‖y − reference‖_F / ‖reference‖_F, or the plain difference when the reference is zero.
double relativeError(const Eigen::MatrixXf& y, const Eigen::MatrixXd& reference);

// The first x at which `slow` becomes strictly dearer than `fast` — log(slow/fast) goes from
// ≤ 0 to > 0 between two samples — interpolated linearly in (log x, log slow − log fast).
// Pairs with a non-finite or non-positive time are skipped; NaN when there is no crossing.
double logCrossing(const std::vector<double>& x, const std::vector<double>& slow, const std::vector<double>& fast);

}  // namespace rankflow::lowrank
