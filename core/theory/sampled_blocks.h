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
  std::string name{};  // "sample 17: 4x4, e^{-t} W + K"
  matfun::MatrixFunction b{};
};

struct SampleBudget {
  int draws = 4000;           // matrix functions drawn
  std::uint64_t seed = 1729;  // fixed: the library is reproducible
  int maxDimension = 5;       // n×n with 2 ≤ n ≤ maxDimension
  int maxDegree = 3;          // of each monomial t^p in a factor
  int coupledDraws = 4000;    // draws of e^{λt} X A Yᵀ (below)
};

// The draws, in order: first `draws` of Σ_i e^{λ_i t} ∫^{s_i}(P_i Q_iᵀ) + K, then
// `coupledDraws` of e^{λt} X A Yᵀ with X = [x, x', …, x^(a)], Y = [y, y', …, y^(b)] for the
// monomial curves x = (1, t, …, t^a), y = (1, t, …, t^b), 1 ≤ a, b ≤ 6, λ ∈ {0, 1} and a
// sparse integer A. X and Y have full rank and X' = X N (N the shift), so
// rank B^(k) = rank (N A + A Nᵀ + λ A) applied k times to A: Wronskian blocks
// (A = e_0 e_1ᵀ − e_1 e_0ᵀ) and outer products (A = e_0 e_0ᵀ) are special cases. Throws InvalidArgument on a budget
// outside [1, 100000] draws or dimensions outside [2, 8].
std::vector<SampledBlock> sampledBlocks(const SampleBudget& budget);

}  // namespace rankflow::theory
