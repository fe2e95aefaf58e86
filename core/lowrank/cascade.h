#pragma once
// The cascading low-rank model of docs/MATHEMATICS.md §1: order k uses W_k = W + Σ_{j≤k} U_j V_jᵀ and
// f_k(x) = σ(W_k x). Batched evaluation three ways (naive, independent LoRA, cascading
// with one stacked product and a prefix sum), and the cascading fit by truncated SVD
// with a cached decomposition per order.
#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

#include "core/lowrank/svd_batch.h"

namespace rankflow::lowrank {

enum class Activation { Identity, Tanh, Relu, Gelu };
const char* activationName(Activation a);
Activation parseActivation(const std::string& name);  // throws InvalidArgument

// W is d×d; U_k and V_k are d×r_k, k = 1..K (stored at index k−1).
struct CascadeModel {
  Eigen::MatrixXf w;
  std::vector<Eigen::MatrixXf> u;
  std::vector<Eigen::MatrixXf> v;

  int dim() const { return static_cast<int>(w.rows()); }
  int orders() const { return static_cast<int>(u.size()); }  // K
  int totalRank() const;                                     // R = Σ r_k
  // Throws InvalidArgument: non-square W, U/V shape mismatch, r_k > d, NaN.
  void validate() const;
};

// Multiply-adds per column of X and parameter counts, for the meters.
struct CascadeCosts {
  double naiveMacsPerColumn;
  double cascadeMacsPerColumn;
  double naiveParameters;
  double cascadeParameters;
  double idealSpeedup;  // (K+1)·d / (d + 2R)
};
CascadeCosts cascadeCosts(int d, const std::vector<int>& ranks);

// Y_k = σ(W_k X) for k = 0..K, each d×n.
std::vector<Eigen::MatrixXf> evaluateNaive(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act);
// Order k uses W + U_k V_kᵀ alone (order 0: W).
std::vector<Eigen::MatrixXf> evaluateIndependent(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act);
// P = W X, Q = [V_1ᵀ; …; V_Kᵀ] X (one stacked product), C_k = C_{k−1} + U_k Q_k accumulated
// in place by the GEMM, Y_k = σ(C_k) in one pass per order.
std::vector<Eigen::MatrixXf> evaluateCascade(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act);
// The same three, writing into y (resized only when its shape differs), so a caller that
// evaluates repeatedly (the GUI, the benchmarks) reuses its output buffers.
void evaluateNaiveInto(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act,
                       std::vector<Eigen::MatrixXf>& y);
void evaluateIndependentInto(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act,
                             std::vector<Eigen::MatrixXf>& y);
void evaluateCascadeInto(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act,
                         std::vector<Eigen::MatrixXf>& y);
// The GEMM part of evaluateCascadeInto alone (same blocks, same products, no σ, no output
// writes), so a benchmark can compare it with Eigen's own GEMM on the same shapes. Returns a
// checksum so the work cannot be optimised away.
float cascadeGemmsOnly(const CascadeModel& model, const Eigen::MatrixXf& x);
// float64 reference of the cascade (and of naive, which is the same function).
std::vector<Eigen::MatrixXd> evaluateReference(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act);

struct OrderFit {
  int rank = 0;
  double cascadeError = 0;      // ‖T_k − W_k‖_F / ‖T_k‖_F
  double independentError = 0;  // ‖T_k − (W + best rank-r_k of T_k − W)‖_F / ‖T_k‖_F
  // Time spent in SVDs for this order at the last refit (0: re-truncated); an order's share
  // of a batch is the batch's time over its size.
  double singularValuesSeconds = 0;
};

// Fits W = T_0 and U_k V_kᵀ = the best rank-r_k approximation of T_k − W_{k−1}. Each
// order's SVD is cached: changing r_k re-truncates order k's SVD (no new SVD) and
// recomputes only the orders after k, whose residual changed; orders before k are kept.
// The SVDs come from `solver` (Eigen on the CPU by default; the window passes its backend's):
// the independent residuals T_k − W of all missing orders as one batch, the cascade's
// T_k − W_{k−1} one order at a time, since each depends on the order before.
class CascadeFit {
 public:
  // targets: T_0..T_K, all d×d; ranks: r_1..r_K.
  CascadeFit(std::vector<Eigen::MatrixXf> targets, std::vector<int> ranks, SvdBatchSolver solver = cpuSvdBatch);

  void setRank(int order, int rank);  // order in 1..K
  // Several orders at once: one refit from the first order that changed.
  void setRanks(const std::vector<int>& ranks);
  const CascadeModel& model() const { return model_; }
  const std::vector<OrderFit>& orders() const { return fits_; }  // index k−1
  int svdCount() const { return svdCount_; }                     // SVDs computed so far
  // What computed the last batch of SVDs, and why a device's batch ran on the CPU (or empty).
  const std::string& svdBackend() const { return svdBackend_; }
  const std::string& svdNote() const { return svdNote_; }

 private:
  void refitFrom(int order);  // orders order..K; order `order` re-truncates if its SVD is valid
  std::vector<SvdFactors> solve(const std::vector<Eigen::MatrixXf>& residuals, double* seconds);

  std::vector<Eigen::MatrixXf> targets_;
  std::vector<int> ranks_;
  SvdBatchSolver solver_;
  CascadeModel model_;
  std::vector<std::optional<SvdFactors>> cascadeSvd_;      // of T_k − W_{k−1}
  std::vector<std::optional<SvdFactors>> independentSvd_;  // of T_k − W (fixed)
  std::vector<OrderFit> fits_;
  int svdCount_ = 0;
  std::string svdBackend_, svdNote_;
};

}  // namespace rankflow::lowrank
