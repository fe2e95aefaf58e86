#include "core/lowrank/svd_batch.h"

#include <Eigen/SVD>
#include <algorithm>
#include <chrono>

#include "core/common/error.h"
#include "core/common/parallel_for.h"

namespace rankflow::lowrank {

void validateSvdBatch(const std::vector<Eigen::MatrixXf>& matrices) {
  if (matrices.empty()) return;
  const Eigen::Index rows = matrices.front().rows(), cols = matrices.front().cols();
  for (std::size_t i = 0; i < matrices.size(); ++i) {
    const Eigen::MatrixXf& m = matrices[i];
    if (m.rows() != rows || m.cols() != cols || m.size() == 0)
      throw InvalidArgument("SVD batch: matrix " + std::to_string(i) + " is " + std::to_string(m.rows()) + "x" +
                            std::to_string(m.cols()) + "; every matrix must be one non-empty shape (" +
                            std::to_string(rows) + "x" + std::to_string(cols) + ")");
    if (!m.allFinite())
      throw InvalidArgument("SVD batch: matrix " + std::to_string(i) + " has a NaN or infinite entry");
  }
}

SvdBatch cpuSvdBatch(const std::vector<Eigen::MatrixXf>& matrices) {
  validateSvdBatch(matrices);
  const auto start = std::chrono::steady_clock::now();
  SvdBatch out;
  out.backend = "CPU · Eigen JacobiSVD";
  out.factors.resize(matrices.size());
  // About a Jacobi SVD's multiply-adds (a few sweeps of m·n·min(m, n)): a batch of small
  // matrices stays on the calling thread rather than paying for a worker's start.
  const std::size_t work = matrices.empty()
                               ? 0
                               : 8 * static_cast<std::size_t>(matrices[0].size()) *
                                     static_cast<std::size_t>(std::min(matrices[0].rows(), matrices[0].cols()));
  parallelFor(
      matrices.size(),
      [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
          const Eigen::JacobiSVD<Eigen::MatrixXf> svd(matrices[i], Eigen::ComputeThinU | Eigen::ComputeThinV);
          out.factors[i] = {svd.matrixU(), svd.singularValues(), svd.matrixV()};
        }
      },
      work);
  out.kernelSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace rankflow::lowrank
