#include "core/flows/principal_plane.h"

#include <Eigen/Dense>
#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/common/parallel_for.h"
#include "core/common/random.h"

namespace rankflow::flows {
namespace {

// Subspace iteration on the centred positions without forming them: (X − 1μᵀ)Q = XQ − 1(μᵀQ).
// The iterations run on at most kPcaSampleRows evenly strided rows (a plane to draw needs no
// more), then one Rayleigh–Ritz pass over every row gives the plane's variances exactly. A block
// of 8 and 5 iterations find the two leading directions to well under 1% of their variance
// whenever the third is clearly smaller (tests/core/trajectory_import_test.cpp).
constexpr std::size_t kPcaSampleRows = 8192;

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using StridedRows = Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>;

// (X − 1μᵀ)ᵀ(X − 1μᵀ)Q for the rows of x, summed over chunks small enough to stay in cache
// between the two products (each row is read from memory once).
Eigen::MatrixXd centredGramTimes(const StridedRows& x, const Eigen::VectorXf& mean, const Eigen::MatrixXd& q) {
  const auto rows = static_cast<std::size_t>(x.rows());
  const Eigen::Index dims = x.cols(), block = q.cols();
  const Eigen::MatrixXf qF = q.cast<float>();
  const Eigen::RowVectorXf shift = mean.transpose() * qF;
  const auto chunk = static_cast<std::size_t>(std::max<Eigen::Index>(16, (256 * 1024) / (4 * dims)));
  Eigen::MatrixXd z = Eigen::MatrixXd::Zero(dims, block);
  std::mutex lock;
  parallelFor(rows, [&](std::size_t begin, std::size_t end) {
    Eigen::MatrixXf local = Eigen::MatrixXf::Zero(dims, block);
    Eigen::MatrixXf y;
    Eigen::RowVectorXf ySum = Eigen::RowVectorXf::Zero(block);
    for (std::size_t r = begin; r < end; r += chunk) {
      const auto n = static_cast<Eigen::Index>(std::min(chunk, end - r));
      const auto part = x.middleRows(static_cast<Eigen::Index>(r), n);
      y.noalias() = part * qF;
      y.rowwise() -= shift;
      local.noalias() += part.transpose() * y;
      ySum += y.colwise().sum();
    }
    local -= mean * ySum;
    std::lock_guard guard(lock);
    z += local.cast<double>();
  });
  return z;
}

Eigen::MatrixXd orthonormalColumns(const Eigen::MatrixXd& m) {
  return Eigen::HouseholderQR<Eigen::MatrixXd>(m).householderQ() * Eigen::MatrixXd::Identity(m.rows(), m.cols());
}

}  // namespace

PcaProjection principalPlane(std::span<const float> positions, std::size_t rows, int dims, const ProgressFn& progress,
                             double progressShare) {
  PcaProjection pca;
  pca.dims = dims;
  pca.identity = false;
  const StridedRows all(positions.data(), static_cast<Eigen::Index>(rows), dims, Eigen::OuterStride<>(dims));
  std::mutex sumLock;

  // Mean and total variance, in double.
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(dims);
  double squares = 0.0;
  parallelFor(rows, [&](std::size_t begin, std::size_t end) {
    Eigen::VectorXd local = Eigen::VectorXd::Zero(dims);
    Eigen::VectorXf chunkSum = Eigen::VectorXf::Zero(dims);
    double localSquares = 0.0;
    for (std::size_t r = begin; r < end; ++r) {
      const auto row = all.row(static_cast<Eigen::Index>(r));
      chunkSum += row.transpose();
      localSquares += static_cast<double>(row.squaredNorm());
      if ((r - begin) % 256 == 255) {  // float partial sums of 256 rows, then double
        local += chunkSum.cast<double>();
        chunkSum.setZero();
      }
    }
    local += chunkSum.cast<double>();
    std::lock_guard lock(sumLock);
    sum += local;
    squares += localSquares;
  });
  const Eigen::VectorXd mean = sum / static_cast<double>(rows);
  pca.mean.assign(mean.data(), mean.data() + dims);
  pca.totalVariance = std::max(0.0, squares / static_cast<double>(rows) - mean.squaredNorm());
  const Eigen::VectorXf meanF = mean.cast<float>();

  const std::size_t stride = (rows + kPcaSampleRows - 1) / kPcaSampleRows;
  const StridedRows sample(positions.data(), static_cast<Eigen::Index>((rows + stride - 1) / stride), dims,
                           Eigen::OuterStride<>(static_cast<Eigen::Index>(stride) * dims));
  const int block = std::min(dims, 8);
  Eigen::MatrixXd q(dims, block);
  SeededRandom random(20261205);
  for (Eigen::Index i = 0; i < q.size(); ++i) q.data()[i] = random.normal();
  q = orthonormalColumns(q);
  constexpr int kIterations = 5;
  for (int pass = 0; pass < kIterations; ++pass) {
    q = orthonormalColumns(centredGramTimes(sample, meanF, q));
    if (progress && !progress(progressShare * (pass + 1) / (kIterations + 1))) throw Cancelled();
  }
  // Rayleigh–Ritz over every row: QᵀCQ's leading eigenvectors, mapped back through Q.
  const Eigen::MatrixXd z = centredGramTimes(all, meanF, q);
  if (progress && !progress(progressShare)) throw Cancelled();
  const Eigen::MatrixXd small = q.transpose() * z / static_cast<double>(rows);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(0.5 * (small + small.transpose()));
  pca.components.assign(2 * static_cast<std::size_t>(dims), 0.0);
  for (int axis = 0; axis < 2 && axis < block; ++axis) {
    const Eigen::Index column = block - 1 - axis;  // eigenvalues ascend
    Eigen::VectorXd direction = q * eigen.eigenvectors().col(column);
    direction.normalize();
    // A fixed sign: the largest entry positive, so the same data always draws the same way.
    Eigen::Index largest = 0;
    direction.cwiseAbs().maxCoeff(&largest);
    if (direction(largest) < 0) direction = -direction;
    std::copy(direction.data(), direction.data() + dims, pca.components.begin() + axis * dims);
    pca.variance[static_cast<std::size_t>(axis)] = std::max(0.0, eigen.eigenvalues()(column));
  }
  return pca;
}

Vec2f PcaProjection::project(std::span<const float> point) const {
  if (identity) return {point[0], point[1]};
  double a = 0.0, b = 0.0;
  const auto d = static_cast<std::size_t>(dims);
  for (std::size_t i = 0; i < d; ++i) {
    const double centred = point[i] - mean[i];
    a += components[i] * centred;
    b += components[d + i] * centred;
  }
  return {static_cast<float>(a), static_cast<float>(b)};
}

std::string PcaProjection::toJson() const {
  nlohmann::json j;
  j["dims"] = dims;
  j["identity"] = identity;
  j["mean"] = mean;
  j["components"] = {std::vector<double>(components.begin(), components.begin() + dims),
                     std::vector<double>(components.begin() + dims, components.end())};
  j["variance"] = variance;
  j["total_variance"] = totalVariance;
  j["explained_share"] = {explainedShare(0), explainedShare(1)};
  return j.dump(2);
}

}  // namespace rankflow::flows
