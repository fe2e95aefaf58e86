// The merge of online-softmax accumulators that the CUDA field kernel uses when it splits
// the data among blocks: chunks folded in any split, with empty ones, give the one-pass mean.
#include <gtest/gtest.h>

#include <random>

#include "core/flows/field_model.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

TEST(OnlineSoftmaxMerge, ChunksMergeToTheOnePassMean) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  const int count = 1000;
  std::vector<double> logits(count);
  std::vector<Vec2<double>> values(count);
  for (int i = 0; i < count; ++i) {
    logits[static_cast<std::size_t>(i)] = 40.0 * normal(rng);  // weights spread over many decades
    values[static_cast<std::size_t>(i)] = {normal(rng), normal(rng)};
  }
  flows::OnlineSoftmaxMean<double> whole;
  for (int i = 0; i < count; ++i) whole.add(logits[static_cast<std::size_t>(i)], values[static_cast<std::size_t>(i)]);
  // Reference: the softmax mean in long double from the maximum logit.
  long double top = logits[0], sum = 0, mx = 0, my = 0;
  for (double l : logits) top = std::max<long double>(top, l);
  for (int i = 0; i < count; ++i) {
    const long double w = std::exp(static_cast<long double>(logits[static_cast<std::size_t>(i)]) - top);
    sum += w, mx += w * values[static_cast<std::size_t>(i)].x, my += w * values[static_cast<std::size_t>(i)].y;
  }
  for (int chunks : {1, 2, 7, 16, 1000}) {
    flows::OnlineSoftmaxMean<double> merged;
    merged.merge(flows::OnlineSoftmaxMean<double>{});  // an empty chunk changes nothing
    for (int c = 0; c < chunks; ++c) {
      flows::OnlineSoftmaxMean<double> part;
      for (int i = count * c / chunks; i < count * (c + 1) / chunks; ++i)
        part.add(logits[static_cast<std::size_t>(i)], values[static_cast<std::size_t>(i)]);
      merged.merge(part);
      merged.merge(flows::OnlineSoftmaxMean<double>{});
    }
    const Vec2<double> m = merged.mean(), w = whole.mean();
    EXPECT_NEAR(m.x, static_cast<double>(mx / sum), 1e-12) << chunks << " chunks";
    EXPECT_NEAR(m.y, static_cast<double>(my / sum), 1e-12) << chunks << " chunks";
    EXPECT_NEAR(m.x, w.x, 1e-12);
    EXPECT_DOUBLE_EQ(merged.shift, whole.shift);
  }
}

}  // namespace
}  // namespace rankflow
