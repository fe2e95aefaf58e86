#pragma once
// The plane a set of high-dimensional points is drawn in: the two leading principal components
// of the points, mean removed (docs/MATHEMATICS.md §8).
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/common/vec2.h"

namespace rankflow::flows {

// The plane the window draws: identity for D = 2, else the two leading principal components of
// every position of every frame (mean removed).
struct PcaProjection {
  int dims = 2;
  bool identity = true;
  std::vector<double> mean;          // dims (zeros for the identity)
  std::vector<double> components;    // 2 × dims, row-major, orthonormal rows
  std::array<double, 2> variance{};  // of the positions along each drawn axis
  double totalVariance = 0.0;        // summed over all dims

  double explainedShare(int axis) const { return totalVariance > 0 ? variance[axis] / totalVariance : 0.0; }
  Vec2f project(std::span<const float> point) const;
  std::string toJson() const;  // dims, identity, mean, components, variance, totalVariance
};

// The principal plane of `rows` points of `dims` floats each (row-major). Progress reports
// 0..progressShare; cancelling throws Cancelled.
PcaProjection principalPlane(std::span<const float> positions, std::size_t rows, int dims, const ProgressFn& progress,
                             double progressShare);

}  // namespace rankflow::flows
