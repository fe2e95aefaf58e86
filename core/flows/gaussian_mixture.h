#pragma once
#include <cmath>
#include <vector>

#include "core/common/vec2.h"

namespace rankflow::flows {

// One isotropic component N(mean, variance·I) of a 2-D Gaussian mixture.
struct GaussianComponent {
  Vec2f mean;
  float variance;  // per axis, σ²
  float weight;    // mixing weight π_k
};

// The analytic description of a mixture data set: exact fields use it in place of the samples.
struct GaussianMixture {
  std::vector<GaussianComponent> components;

  // A usable density: at least one component, finite means, positive finite variances, non-negative weights
  // that sum to 1 (to float rounding, since weights such as 1/8 are stored as float).
  bool normalized() const {
    if (components.empty()) return false;
    double sum = 0.0;
    for (const auto& c : components) {
      if (!std::isfinite(c.mean.x) || !std::isfinite(c.mean.y)) return false;
      if (!std::isfinite(c.variance) || !(c.variance > 0.0f)) return false;
      if (!std::isfinite(c.weight) || !(c.weight >= 0.0f)) return false;
      sum += c.weight;
    }
    return std::abs(sum - 1.0) <= 1e-5;
  }
};

}  // namespace rankflow::flows
