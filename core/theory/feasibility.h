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

// ranks: r_0..r_K, each ≥ 0 (InvalidArgument otherwise). searchLimit bounds the search.
Feasibility checkFeasibility(const std::vector<int>& ranks, long searchLimit = 2'000'000);

}  // namespace rankflow::theory
