#pragma once
#include <cstdint>
#include <vector>

#include "core/common/vec2.h"

namespace rankflow::flows {

// An empirical data set with uniform weights; `label` tags each point with the mixture
// component it was drawn from (drawing colours particles by where they land).
struct EmpiricalData {
  std::vector<Vec2f> points;
  std::vector<int> labels;
  int labelCount = 0;
};

struct EightGaussiansSpec {
  int count = 512;
  float radius = 2.0f;   // centres on a circle of this radius
  float stddev = 0.12f;  // isotropic spread of each component
  std::uint64_t seed = 1;
};

// Eight isotropic Gaussians at the vertices of a regular octagon, equal weights.
EmpiricalData sampleEightGaussians(const EightGaussiansSpec& spec);

// Source samples x_0 ~ N(0, I).
std::vector<Vec2f> sampleStandardNormal(int count, std::uint64_t seed);

}  // namespace rankflow::flows
