#pragma once
// The compute interface for docs/MATHEMATICS.md §1–§3 that the CLI, benchmarks and (later) the GUI use:
// the Eigen CPU backend always exists, the CUDA backend (kernels/) when a device does.
#include <Eigen/Core>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/lowrank/batched_spectra.h"
#include "core/lowrank/cascade.h"
#include "core/lowrank/range_tree.h"
#include "core/lowrank/svd_batch.h"
#include "core/matfun/derivative_grid.h"

namespace rankflow::lowrank {

// A range tree made resident on a backend (for CUDA: its nodes and factors in device memory).
class PreparedRangeTree {
 public:
  virtual ~PreparedRangeTree() = default;
  // tree, sum and fly on every backend; prefix on the CPU only (others answer with sum).
  virtual Eigen::MatrixXf query(int l, int h, const Eigen::MatrixXf& x, Strategy strategy) = 0;
  // Resident timing: X is uploaded once by setInput; timeQuery runs one query on it, keeps
  // the result where the backend works and returns the seconds of the work alone (CUDA
  // events on a device; the CPU's compute otherwise). What the Queries panel plots.
  virtual void setInput(const Eigen::MatrixXf& x) = 0;
  virtual double timeQuery(int l, int h, Strategy strategy) = 0;
};

// Timings of one resident cascade evaluation. Kernel times come from CUDA events on the
// device (the CPU's compute otherwise); end to end is the whole call on the host clock.
struct CascadeTiming {
  double gemmSeconds = 0.0;      // the stacked product [W; Vᵀ]X
  double epilogueSeconds = 0.0;  // expand U_k Q_k, prefix sum, σ, store
  double kernelSeconds = 0.0;    // both
  double endToEndSeconds = 0.0;
};

// A cascading model made resident on a backend with its input: evaluate() leaves the K + 1
// outputs where the backend works (device memory for CUDA); output(k) copies one back.
class PreparedCascade {
 public:
  virtual ~PreparedCascade() = default;
  // X (d×n, finite) is uploaded once; every evaluate() reads it in place.
  virtual void setInput(const Eigen::MatrixXf& x) = 0;
  virtual CascadeTiming evaluate(Activation act) = 0;
  virtual Eigen::MatrixXf output(int order) const = 0;
  // Bytes moved between host and device so far (0 on the CPU): what residency saves.
  virtual std::size_t bytesUploaded() const { return 0; }
  virtual std::size_t bytesDownloaded() const { return 0; }
};

class LowRankBackend {
 public:
  virtual ~LowRankBackend() = default;
  virtual std::string description() const = 0;

  // Y_k, k = 0..K, as evaluateCascade.
  virtual void evaluateCascade(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act,
                               std::vector<Eigen::MatrixXf>& y) = 0;
  // The CPU's prepared copy queries the tree in place, so the tree must outlive it; the
  // CUDA copy owns device copies of everything.
  virtual std::unique_ptr<PreparedRangeTree> prepare(const LowRankRangeTree& tree) = 0;
  // Singular values (descending) of many matrices of one shape.
  virtual std::vector<Eigen::VectorXf> singularValuesBatched(const std::vector<Eigen::MatrixXf>& matrices) = 0;
  // Thin SVDs with their vectors (the cascading fit's per-order SVDs); a device that cannot
  // take the shape computes them on the CPU and says why in `note`.
  virtual SvdBatch decompositions(const std::vector<Eigen::MatrixXf>& matrices) = 0;

  // The model's factors made resident (copied once).
  virtual std::unique_ptr<PreparedCascade> prepareCascade(const CascadeModel& model) = 0;
  // Singular values and numerical ranks of a batch (in the input's precision); tolerance
  // given, or σ_max·max(m,n)·ε of the input's type.
  virtual BatchedSpectra spectra(const MatrixBatchView& batch, std::optional<double> tolerance) = 0;
  // Ranks of B^(k)(t_i) for every order of the table and every time, float64: evaluation
  // and SVDs in one submission; spectra come back only when keepSpectra.
  virtual matfun::RankGrid rankGrid(const matfun::DerivativeTermTable& table, const std::vector<double>& times,
                                    std::optional<double> tolerance, bool keepSpectra) = 0;
};

std::unique_ptr<LowRankBackend> makeCpuLowRankBackend();

}  // namespace rankflow::lowrank
