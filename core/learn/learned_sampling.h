#pragma once
// Few-step sampling with the learned fields (docs/MATHEMATICS.md §5): Taylor-3 with the learned v, a, j
// against Euler / Heun / RK4 with the learned v, and the sliced Wasserstein distance that
// scores samples against the data.
#include <cstdint>
#include <span>
#include <vector>

#include "core/common/vec2.h"
#include "core/flows/solvers.h"
#include "core/learn/flow_network.h"

namespace rankflow::learn {

// Carries `start` from t = 0 to t = 1 in `steps` equal steps with the learned model: the
// velocity (order 1) for Euler, Heun and RK4; v, a, j (orders 1..3) for Taylor-3, which
// needs a model with three orders. Dormand–Prince is not a few-step method: rejected.
std::vector<Vec2f> sampleLearned(const FlowNetwork& network, flows::Solver solver, int steps,
                                 std::span<const Vec2f> start);

// Network evaluations per step: Euler 1, Heun 2, RK4 4, Taylor-3 3 (one per order).
int networkEvaluationsPerStep(flows::Solver solver);

// Sliced 2-Wasserstein distance between two point sets: the root mean over `projections`
// random directions of the squared W2 distance of the projected 1-D distributions (equal
// sizes are compared quantile by quantile; unequal ones on a common quantile grid).
double slicedWasserstein(std::span<const Vec2f> a, std::span<const Vec2f> b, int projections = 256,
                         std::uint64_t seed = 1);

}  // namespace rankflow::learn
