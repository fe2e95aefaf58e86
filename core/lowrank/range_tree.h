#pragma once
// Low-rank range queries (docs/MATHEMATICS.md §3, Theorems 1.10 and 1.13): Σ_{i=l}^{h} L_i R_iᵀ X for
// factors L_i ∈ R^{p×r}, R_i ∈ R^{q×r} and X ∈ R^{q×n}. The matrix segment tree is
// L = A, R = B (p = q = d); the tensor tree is L = A ⊙ B (Khatri–Rao, p = d²), R = C.
//
// Four strategies answer the same query:
//   tree   — Σ over the ≤ 2⌈log₂ m⌉ canonical nodes of M_node X      (the paper's)
//   sum    — (Σ canonical M_node) X: one GEMM instead of k
//   fly    — Σ_i L_i (R_iᵀ X): no tree at all, O(L (p + q) r n)
//   prefix — (P_h − P_{l−1}) X: one GEMM, but cancellation and O(m p q) per update
// A cost model with constants measured on this machine predicts each one's time and the
// router picks the cheapest; a trace records what was visited, chosen and measured.
#include <Eigen/Core>
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace rankflow::lowrank {

enum class Strategy { Tree = 0, SumThenMultiply = 1, OnTheFly = 2, PrefixSums = 3 };
inline constexpr int kStrategyCount = 4;
inline constexpr std::array<Strategy, kStrategyCount> kAllStrategies = {Strategy::Tree, Strategy::SumThenMultiply,
                                                                        Strategy::OnTheFly, Strategy::PrefixSums};

const char* strategyName(Strategy strategy);  // "tree", "sum", "fly", "prefix"
// Parses a strategy name; "auto" gives nullopt (let the router choose). Throws
// InvalidArgument for anything else.
std::optional<Strategy> parseStrategy(const std::string& name);

// Seconds per unit of work, measured on this machine by timing Eigen.
struct CostModel {
  double secondsPerMultiplyAdd = 1e-10;  // inside a GEMM
  double secondsPerAdd = 1e-9;           // element-wise matrix sums
  double secondsPerCall = 1e-6;          // fixed cost of one product or sum

  // Times small Eigen kernels (about 50 ms in all).
  static CostModel measure();
  // measure() once per machine: cached in $XDG_CACHE_HOME/rankflow (or ~/.cache/rankflow)
  // and read back by later runs; a missing or unreadable cache is re-measured.
  static const CostModel& forThisMachine();
};

struct QueryPlan {
  int l = 0;
  int h = 0;
  std::vector<int> nodes;                       // canonical node ids, 1 = root
  std::vector<std::pair<int, int>> nodeRanges;  // leaf range [first, last] of each
  std::array<double, kStrategyCount> predictedSeconds{};
  Strategy chosen = Strategy::Tree;  // the cheapest predicted
};

struct QueryTrace {
  QueryPlan plan;
  Strategy used = Strategy::Tree;
  double measuredSeconds = 0.0;
};

class LowRankRangeTree {
 public:
  // All left factors p×r, all right factors q×r, m ≥ 1; finite entries. Throws
  // InvalidArgument otherwise.
  LowRankRangeTree(std::vector<Eigen::MatrixXf> left, std::vector<Eigen::MatrixXf> right);

  int count() const { return m_; }
  int rows() const { return p_; }
  int cols() const { return q_; }
  int rank() const { return r_; }

  // The canonical decomposition of [l, h] and each strategy's predicted time for n columns.
  QueryPlan plan(int l, int h, int n, const CostModel& costs) const;

  // Σ_{i=l}^{h} L_i R_iᵀ X (0-based, inclusive). strategy = nullopt lets the router choose.
  Eigen::MatrixXf query(int l, int h, const Eigen::MatrixXf& x, std::optional<Strategy> strategy,
                        const CostModel& costs, QueryTrace* trace = nullptr) const;
  Eigen::MatrixXf query(int l, int h, const Eigen::MatrixXf& x, Strategy strategy) const;

  // Replaces factor pair i: O(p q r + p q log m) for the tree; the prefix sums are rebuilt
  // (O(m p q)) at the next prefix query.
  void update(int i, Eigen::MatrixXf left, Eigen::MatrixXf right);

  // True until the next prefix query after construction or an update (which rebuilds them).
  bool prefixSumsStale() const { return prefixStale_; }

  // Leaves in the heap (a power of two ≥ m); node ids run 1 .. 2·leafCount() − 1.
  int leafCount() const { return leaves_; }
  const Eigen::MatrixXf& leftFactor(int i) const { return left_.at(static_cast<std::size_t>(i)); }
  const Eigen::MatrixXf& rightFactor(int i) const { return right_.at(static_cast<std::size_t>(i)); }

  // The stored node matrix (for tests and the GUI's inspector).
  const Eigen::MatrixXf& node(int id) const { return nodes_.at(static_cast<std::size_t>(id)); }
  std::pair<int, int> nodeRange(int id) const;

 private:
  void validateQuery(int l, int h, const Eigen::MatrixXf& x) const;
  void rebuildPrefixSums() const;

  int m_ = 0, p_ = 0, q_ = 0, r_ = 0;
  int leaves_ = 1;  // power of two ≥ m
  std::vector<Eigen::MatrixXf> left_, right_;
  std::vector<Eigen::MatrixXf> nodes_;           // heap order: node k has children 2k, 2k+1; leaf i is leaves_ + i
  mutable std::vector<Eigen::MatrixXf> prefix_;  // prefix_[i] = Σ_{j<i} L_j R_jᵀ, built lazily
  mutable bool prefixStale_ = true;
};

// The float64 reference every strategy is checked against.
Eigen::MatrixXd referenceRangeQuery(const std::vector<Eigen::MatrixXf>& left, const std::vector<Eigen::MatrixXf>& right,
                                    int l, int h, const Eigen::MatrixXf& x);

// Khatri–Rao product: column a is A[:, a] ⊗ B[:, a] (row i·d_B + j holds A(i, a) B(j, a)).
Eigen::MatrixXf khatriRao(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b);

// The tensor segment tree of Theorem 1.13 as a range tree over (A_i ⊙ B_i, C_i): a query
// returns the d²×n matrix whose row i·d + j holds the tensor's (i, j, :) fibre.
LowRankRangeTree makeTensorRangeTree(const std::vector<Eigen::MatrixXf>& a, const std::vector<Eigen::MatrixXf>& b,
                                     const std::vector<Eigen::MatrixXf>& c);

}  // namespace rankflow::lowrank
