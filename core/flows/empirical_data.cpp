#include "core/flows/empirical_data.h"

#include <cmath>
#include <numbers>
#include <string>

#include "core/common/error.h"
#include "core/common/random.h"

namespace rankflow::flows {

EmpiricalData sampleEightGaussians(const EightGaussiansSpec& spec) {
  if (spec.count <= 0) throw InvalidArgument("8 gaussians: point count must be positive");
  if (!(spec.stddev >= 0.0f) || !(spec.radius > 0.0f))
    throw InvalidArgument("8 gaussians: radius must be > 0 and stddev >= 0");
  constexpr int kComponents = 8;
  SeededRandom rng(spec.seed);
  EmpiricalData data;
  data.labelCount = kComponents;
  data.points.reserve(static_cast<std::size_t>(spec.count));
  data.labels.reserve(static_cast<std::size_t>(spec.count));
  for (int i = 0; i < spec.count; ++i) {
    // Round-robin components give exactly equal weights, not just equal in expectation.
    const int component = i % kComponents;
    const double angle = 2.0 * std::numbers::pi * component / kComponents;
    const double cx = spec.radius * std::cos(angle);
    const double cy = spec.radius * std::sin(angle);
    const double px = cx + spec.stddev * rng.normal();
    const double py = cy + spec.stddev * rng.normal();
    data.points.push_back({static_cast<float>(px), static_cast<float>(py)});
    data.labels.push_back(component);
  }
  return data;
}

std::vector<Vec2f> sampleStandardNormal(int count, std::uint64_t seed) {
  if (count <= 0) throw InvalidArgument("particle count must be positive, got " + std::to_string(count));
  SeededRandom rng(seed);
  std::vector<Vec2f> out(static_cast<std::size_t>(count));
  for (auto& p : out) {
    const double x = rng.normal();
    const double y = rng.normal();
    p = {static_cast<float>(x), static_cast<float>(y)};
  }
  return out;
}

}  // namespace rankflow::flows
