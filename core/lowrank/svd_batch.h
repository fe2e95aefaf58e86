#pragma once
// Thin SVDs of a batch of float32 matrices of one shape, with their vectors: what the
// cascading fit (cascade.h) asks of a backend for its per-order SVDs. The CPU computes
// them with Eigen's JacobiSVD; the CUDA backend with one warp per matrix in shared memory
// (core/lowrank/jacobi.h, thinSvdByJacobi, is the kernel's sequential twin).
#include <Eigen/Core>
#include <functional>
#include <string>
#include <vector>

namespace rankflow::lowrank {

// A = U·diag(σ)·Vᵀ, N = min(rows, cols).
struct SvdFactors {
  // Vectors of σ = 0, or of σ at rounding level, may be zero or not orthogonal to the rest on
  // the device (U's, or V's for a wide matrix); U·Σ·Vᵀ = A holds, and truncation uses U_r·Σ_r.
  Eigen::MatrixXf u;      // rows × N
  Eigen::VectorXf sigma;  // N, descending
  Eigen::MatrixXf v;      // cols × N
};

struct SvdBatch {
  std::vector<SvdFactors> factors;
  std::string backend;         // what computed them: "CPU · Eigen · …" or "CUDA · NVIDIA H200 · …"
  std::string note;            // why a device's batch ran on the CPU instead (too large, out of memory), or empty
  double kernelSeconds = 0.0;  // the device work alone (CUDA events); the compute on the CPU
};

using SvdBatchSolver = std::function<SvdBatch(const std::vector<Eigen::MatrixXf>&)>;

// Throws InvalidArgument for matrices of different shapes, an empty matrix or a NaN/Inf entry.
void validateSvdBatch(const std::vector<Eigen::MatrixXf>& matrices);

// Eigen's JacobiSVD (thin U and V) of each matrix, in order, matrices spread over every
// core; `backend` names the CPU.
SvdBatch cpuSvdBatch(const std::vector<Eigen::MatrixXf>& matrices);

}  // namespace rankflow::lowrank
