#pragma once
// The compute interface for SPEC §1–§3 that the CLI, benchmarks and (later) the GUI use:
// the Eigen CPU backend always exists, the CUDA backend (kernels/) when a device does.
#include <Eigen/Core>
#include <memory>
#include <string>
#include <vector>

#include "core/lowrank/cascade.h"
#include "core/lowrank/range_tree.h"

namespace rankflow::lowrank {

// A range tree made resident on a backend (for CUDA: its nodes and factors in device memory).
class PreparedRangeTree {
 public:
  virtual ~PreparedRangeTree() = default;
  // tree, sum and fly on every backend; prefix on the CPU only (others answer with sum).
  virtual Eigen::MatrixXf query(int l, int h, const Eigen::MatrixXf& x, Strategy strategy) = 0;
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
};

std::unique_ptr<LowRankBackend> makeCpuLowRankBackend();

}  // namespace rankflow::lowrank
