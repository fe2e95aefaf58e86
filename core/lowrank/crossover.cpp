#include "core/lowrank/crossover.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rankflow::lowrank {

std::vector<int> logSpacedLengths(int maximum, int points) {
  std::vector<int> lengths;
  if (maximum < 1) return lengths;
  for (int k = 0; k < points; ++k) {
    const double t = points > 1 ? static_cast<double>(k) / (points - 1) : 1.0;
    const int length = std::clamp(static_cast<int>(std::lround(std::pow(static_cast<double>(maximum), t))), 1, maximum);
    if (lengths.empty() || length > lengths.back()) lengths.push_back(length);
  }
  return lengths;
}

double relativeError(const Eigen::MatrixXf& y, const Eigen::MatrixXd& reference) {
  const double norm = reference.norm();
  const double difference = (y.cast<double>() - reference).norm();
  return norm > 0.0 ? difference / norm : difference;
}

double logCrossing(const std::vector<double>& x, const std::vector<double>& slow, const std::vector<double>& fast) {
  const std::size_t n = std::min({x.size(), slow.size(), fast.size()});
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const double before = std::log(slow[i] / fast[i]);
    const double after = std::log(slow[i + 1] / fast[i + 1]);
    if (!std::isfinite(before) || !std::isfinite(after)) continue;
    if (before <= 0.0 && after > 0.0) {
      const double x0 = std::log(x[i]), x1 = std::log(x[i + 1]);
      return std::exp(x0 + (x1 - x0) * (-before) / (after - before));
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace rankflow::lowrank
