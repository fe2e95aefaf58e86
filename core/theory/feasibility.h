#pragma once
// Which rank sequences (r_0, …, r_K) = (rank B, rank B', …, rank B^(K)) can a matrix
// function have? docs/MATHEMATICS.md §2's checker: necessary conditions on every pair, a search for a
// block-diagonal realisation from base blocks, and an exact-rank verification.
#include <string>
#include <vector>

#include "core/matfun/matrix_function.h"

namespace rankflow::theory {

enum class Verdict { Feasible, Infeasible, Unknown };
const char* verdictName(Verdict v);

struct BaseBlock {
  std::string name;  // "e^t", "t^2", "G_3", "∫²G_1"
  matfun::MatrixFunction b;
  std::vector<int> profile;  // exact ranks of b^(j), j = 0..K
};

struct Feasibility {
  Verdict verdict = Verdict::Unknown;
  std::string reason;               // the violated inequality, or how it was found
  std::vector<std::string> blocks;  // the construction's blocks, when feasible
  matfun::MatrixFunction construction;
  std::vector<int> realized;  // its exact rank profile (equals the target when feasible)
};

// The library of base blocks for sequences of length K + 1, with their exact profiles.
std::vector<BaseBlock> baseBlocks(int maxOrder);

// The necessary conditions, each returning the first violation as text, or "" when the
// sequence obeys it (docs/THEORY.md states and proves them).
// Pairwise: zero is absorbing, and r_{k+j} ≤ (j+1) r_k (Fact 1.7 on B^(k); j = 1 is Fact 1.4).
std::string pairwiseBoundViolation(const std::vector<int>& ranks);
// Rank one persists: r_k = r_{k+1} = 1 forces B^(k) = c zᵀ or z cᵀ with c constant, so
// r_m ≤ 1 for every m > k.
std::string rankOnePersistenceViolation(const std::vector<int>& ranks);
// Polynomial tail: r_{j+1} = 0 < r_j makes B a polynomial whose B^(j) is the (scaled)
// leading coefficient, and a polynomial matrix has at least its leading coefficient's rank,
// so r_m ≥ r_j for every m ≤ j.
std::string polynomialTailViolation(const std::vector<int>& ranks);
// Growth floor: r_{k+j} ≥ 2 r_{k+j−1} − (j+1) r_k for j ≥ 2. With B^(k) = P Qᵀ (r_k
// columns), projecting col P and col Q out of B^(k+j) leaves its middle Leibniz terms
// Σ_{0<i<j} C(j,i) P^(i) Q^(j−i)ᵀ; so a doubling r_{k+1} = 2 r_k leaves r_{k+2} ≥ r_k.
std::string growthFloorViolation(const std::vector<int>& ranks);
// Leibniz tightness: r_{k+j} = (j+1) r_k (Fact 1.7 attained, j ≥ 2) forces
// r_{k+i} = (i+1) r_k for every 0 < i < j.
std::string leibnizTightnessViolation(const std::vector<int>& ranks);

// ranks: r_0..r_K, each ≥ 0 (InvalidArgument otherwise). searchLimit bounds the search.
Feasibility checkFeasibility(const std::vector<int>& ranks, long searchLimit = 2'000'000);

}  // namespace rankflow::theory
