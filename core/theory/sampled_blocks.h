#pragma once
// A randomised widening of the feasibility checker's block library (docs/THEORY.md):
// matrix functions B = Σ_i e^{λ_i t} ∫^{s_i}(P_i Q_iᵀ) + K with small integer λ_i, sparse
// integer polynomial factors of low degree (some coupled as in a Wronskian block,
// P = [x, x'], Q = [y', −y]) and a sparse integer constant K, drawn from a fixed seed so the
// library is the same on every run. Their profiles are computed by exact rank by the caller.
#include <cstdint>
#include <string>
#include <vector>

#include "core/matfun/matrix_function.h"

namespace rankflow::theory {

struct SampledBlock {
  std::string name;  // "sample 17: 4x4, e^{-t} W + K"
  matfun::MatrixFunction b;
};

struct SampleBudget {
  int draws = 4000;           // matrix functions drawn
  std::uint64_t seed = 1729;  // fixed: the library is reproducible
  int maxDimension = 5;       // n×n with 2 ≤ n ≤ maxDimension
  int maxDegree = 3;          // of each monomial t^p in a factor
};

// The draws, in order. Throws InvalidArgument on a budget outside [1, 100000] draws or
// dimensions outside [2, 8].
std::vector<SampledBlock> sampledBlocks(const SampleBudget& budget);

}  // namespace rankflow::theory
