#pragma once
// Shared by the strip model's tests and the Timeline panel's: a printed fresh seed, and every
// sample of a strip checked against numericalRank(B^(k)(t)) computed in float64.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "app/models/rank_strip_model.h"
#include "core/matfun/rank.h"
#include "core/theory/matrix_scenes.h"

namespace rankflow::testing {

inline std::uint64_t printedSeed() {
  const std::uint64_t seed = std::random_device{}();
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  return seed;
}

// Every sample of the strip against numericalRank(B^(k)(t)) computed here in float64.
inline void expectStripMatchesCore(const app::RankStrip& strip, const std::map<std::string, std::string>& params,
                                   std::optional<double> tolerance = std::nullopt) {
  const theory::MatrixScene scene = theory::buildMatrixScene(strip.scene, params);
  EXPECT_EQ(strip.rows, scene.b.rows());
  EXPECT_EQ(strip.cols, scene.b.cols());
  ASSERT_EQ(static_cast<int>(strip.ranks.size()), strip.maxOrder + 1);
  matfun::MatrixFunction current = scene.b;
  for (int k = 0; k <= strip.maxOrder; ++k) {
    const auto& ranks = strip.ranks[static_cast<std::size_t>(k)];
    ASSERT_EQ(ranks.size(), strip.times.size());
    for (std::size_t i = 0; i < strip.times.size(); ++i) {
      const int expected = matfun::numericalRank(current.evaluate(strip.times[i]), tolerance).rank;
      ASSERT_EQ(ranks[i], expected) << "k = " << k << ", t = " << strip.times[i];
    }
    current = current.derivative();
  }
}

}  // namespace rankflow::testing
