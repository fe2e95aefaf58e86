#include "core/learn/checkpoint_cascade.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

#include "core/common/error.h"
#include "core/common/parallel_for.h"
#include "core/common/shape_text.h"
#include "core/learn/tensor_matrix.h"

namespace rankflow::learn {
namespace {

bool isFittedWeight(const io::Tensor& t) {
  return t.shape.size() == 2 && io::dtypeDecodes(t.dtype);
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
  return rankflow::shapeText(shape, ShapeNotation::JsonList);
}

// The tensor's transpose in `into` (reused from tensor to tensor); the fit works on
// transposes throughout (truncation and norms commute with transposition).
void decodeTransposed(const io::Tensor& t, const std::string& where, Eigen::MatrixXf& into) {
  decodeTransposeInto(t, t.shape[0], t.shape[1], into);
  if (!into.allFinite()) throw InvalidArgument(where + " holds NaN or infinity");
}

// Every 2-D float weight of the base, checked against every target: same names, same shapes.
std::vector<std::string> sharedWeights(const io::SafeTensorsFile& base,
                                       const std::vector<const io::SafeTensorsFile*>& targets,
                                       const std::vector<std::string>& names, std::vector<std::string>& skipped) {
  std::vector<std::string> fitted;
  for (const auto& [name, tensor] : base.tensors) {
    if (!isFittedWeight(tensor)) {
      skipped.push_back(name);
      continue;
    }
    for (std::size_t j = 0; j < targets.size(); ++j) {
      const auto found = targets[j]->tensors.find(name);
      if (found == targets[j]->tensors.end()) {
        throw InvalidArgument(names[j + 1] + ": has no tensor '" + name + "', which " + names[0] + " has");
      }
      if (found->second.shape != tensor.shape) {
        throw InvalidArgument(names[j + 1] + ": tensor '" + name + "' has shape " + shapeText(found->second.shape) +
                              ", " + names[0] + " has " + shapeText(tensor.shape));
      }
      if (!io::dtypeDecodes(found->second.dtype)) {
        throw InvalidArgument(names[j + 1] + ": tensor '" + name + "' is " + io::dtypeName(found->second.dtype) +
                              ", not a float type");
      }
    }
    fitted.push_back(name);
  }
  for (std::size_t j = 0; j < targets.size(); ++j) {
    for (const auto& [name, tensor] : targets[j]->tensors) {
      if (isFittedWeight(tensor) && !base.tensors.count(name)) {
        throw InvalidArgument(names[j + 1] + ": has a tensor '" + name + "' that " + names[0] + " lacks");
      }
    }
  }
  if (fitted.empty()) throw InvalidArgument(names[0] + ": no 2-D float weight to fit");
  return fitted;
}

lowrank::TruncatedSvd truncate(const Eigen::MatrixXf& m, int rank, const CheckpointCascadeOptions& options) {
  return options.exactSvd ? lowrank::fullTruncatedSvd(m, rank) : lowrank::randomizedSvd(m, rank, options.svd);
}

double relative(double residual, double delta) {
  return delta > 0.0 ? residual / delta : 0.0;
}

}  // namespace

CheckpointCascade cascadeCheckpoints(const io::SafeTensorsFile& base,
                                     const std::vector<const io::SafeTensorsFile*>& targets,
                                     const std::vector<std::string>& names, const CheckpointCascadeOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (targets.empty()) throw InvalidArgument("a cascade needs at least one target checkpoint");
  if (names.size() != targets.size() + 1) throw InvalidArgument("one name per checkpoint is needed");
  if (options.ranks.size() != targets.size()) {
    throw InvalidArgument(std::to_string(options.ranks.size()) + " ranks for " + std::to_string(targets.size()) +
                          " targets: give one rank per target");
  }
  CheckpointCascade out;
  const std::vector<std::string> fitted = sharedWeights(base, targets, names, out.skipped);
  for (const std::string& name : fitted) {
    const auto& shape = base.tensors.at(name).shape;
    const std::int64_t smaller = std::min(shape[0], shape[1]);
    for (std::size_t k = 0; k < options.ranks.size(); ++k) {
      if (options.ranks[k] < 1 || options.ranks[k] > smaller) {
        throw InvalidArgument("rank " + std::to_string(options.ranks[k]) + " of order " + std::to_string(k + 1) +
                              " is outside 1.." + std::to_string(smaller) + " for tensor '" + name + "' " +
                              shapeText(shape));
      }
    }
  }

  const std::size_t orders = targets.size();
  out.tensors.resize(fitted.size());
  std::atomic<std::size_t> done{0};
  std::atomic<bool> cancelled{false};
  const double steps = static_cast<double>(fitted.size() * orders);
  // One tensor per core at a time: each holds its base, delta and cumulative update (three
  // rows × cols floats) and Eigen's products run on the calling thread.
  parallelFor(fitted.size(), [&](std::size_t begin, std::size_t end) {
    // Reused from tensor to tensor: fresh rows × cols buffers would cost a page fault per page.
    Eigen::MatrixXf t0, cumulative, delta, residual;
    for (std::size_t i = begin; i < end; ++i) {
      const std::string& name = fitted[i];
      const io::Tensor& baseTensor = base.tensors.at(name);
      CheckpointTensorFit& fit = out.tensors[i];
      fit.name = name;
      fit.shape = baseTensor.shape;
      fit.dtype = io::dtypeName(baseTensor.dtype);
      decodeTransposed(baseTensor, names[0] + ": tensor '" + name + "'", t0);
      // cumulative = (W_{k−1} − T_0)ᵀ, the sum of the updates so far.
      cumulative.setZero(t0.rows(), t0.cols());
      for (std::size_t k = 0; k < orders; ++k) {
        if (cancelled.load()) throw Cancelled();
        const int rank = options.ranks[k];
        decodeTransposed(targets[k]->tensors.at(name), names[k + 1] + ": tensor '" + name + "'", delta);
        delta -= t0;  // (T_k − T_0)ᵀ
        CheckpointOrderFit order;
        order.k = static_cast<int>(k) + 1;
        order.rank = rank;
        order.deltaNorm = static_cast<double>(delta.norm());
        // Cascade: the residual T_k − W_{k−1} = delta − cumulative, then minus its truncation.
        residual = delta - cumulative;
        const lowrank::TruncatedSvd step = truncate(residual, rank, options);
        residual.noalias() -= step.u * step.s.asDiagonal() * step.v.transpose();
        order.cascadeResidualNorm = static_cast<double>(residual.norm());
        cumulative = delta - residual;  // (W_k − T_0)ᵀ
        if (k == 0) {
          order.independentResidualNorm = order.cascadeResidualNorm;  // both fit T_1 − T_0 at r_1
        } else {
          const lowrank::TruncatedSvd alone = truncate(delta, rank, options);
          delta.noalias() -= alone.u * alone.s.asDiagonal() * alone.v.transpose();
          order.independentResidualNorm = static_cast<double>(delta.norm());
        }
        order.cascadeError = relative(order.cascadeResidualNorm, order.deltaNorm);
        order.independentError = relative(order.independentResidualNorm, order.deltaNorm);
        fit.orders.push_back(order);
        if (options.keepFactors) {
          // The step is (U S Vᵀ)ᵀ of the update: the update itself is V S Uᵀ.
          fit.up.push_back(step.v * step.s.asDiagonal());
          fit.down.push_back(step.u.transpose());
        }
        const std::size_t finished = ++done;
        if (options.progress && !options.progress(static_cast<double>(finished) / steps)) cancelled = true;
      }
    }
  });
  if (cancelled.load()) throw Cancelled();

  for (std::size_t k = 0; k < orders; ++k) {
    double cascade2 = 0.0, independent2 = 0.0, delta2 = 0.0;
    CheckpointOrderTotal total;
    total.k = static_cast<int>(k) + 1;
    total.rank = options.ranks[k];
    for (const CheckpointTensorFit& t : out.tensors) {
      const CheckpointOrderFit& o = t.orders[k];
      cascade2 += o.cascadeResidualNorm * o.cascadeResidualNorm;
      independent2 += o.independentResidualNorm * o.independentResidualNorm;
      delta2 += o.deltaNorm * o.deltaNorm;
      total.parameters += static_cast<std::int64_t>(o.rank) * (t.shape[0] + t.shape[1]);
    }
    total.cascadeError = relative(std::sqrt(cascade2), std::sqrt(delta2));
    total.independentError = relative(std::sqrt(independent2), std::sqrt(delta2));
    out.totals.push_back(total);
  }
  for (const CheckpointTensorFit& t : out.tensors) out.denseParameters += t.shape[0] * t.shape[1];
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

CheckpointCascade cascadeCheckpointFiles(const std::string& base, const std::vector<std::string>& targets,
                                         const CheckpointCascadeOptions& options) {
  const io::SafeTensorsFile baseFile = io::readSafeTensors(base);
  std::vector<io::SafeTensorsFile> files;
  files.reserve(targets.size());
  for (const auto& t : targets) files.push_back(io::readSafeTensors(t));
  std::vector<const io::SafeTensorsFile*> pointers;
  for (const auto& f : files) pointers.push_back(&f);
  std::vector<std::string> names{base};
  names.insert(names.end(), targets.begin(), targets.end());
  return cascadeCheckpoints(baseFile, pointers, names, options);
}

io::SafeTensorsFile cascadeFactorsFile(const CheckpointCascade& fit) {
  io::SafeTensorsFile file;
  file.metadata["format"] = "rankflow-cascade";
  std::string ranks;
  for (const CheckpointOrderTotal& t : fit.totals) ranks += (ranks.empty() ? "" : ",") + std::to_string(t.rank);
  file.metadata["ranks"] = ranks;
  for (const CheckpointTensorFit& t : fit.tensors) {
    if (t.up.size() != t.orders.size()) throw InvalidArgument("the cascade fit kept no factors for '" + t.name + "'");
    io::Dtype dtype = io::Dtype::F32;
    for (io::Dtype d : {io::Dtype::F16, io::Dtype::BF16, io::Dtype::F32, io::Dtype::F64})
      if (t.dtype == io::dtypeName(d)) dtype = d;
    for (std::size_t k = 0; k < t.up.size(); ++k) {
      const std::string prefix = t.name + ".cascade." + std::to_string(k + 1);
      file.tensors[prefix + ".up"] = encodeMatrix(dtype, t.up[k]);
      file.tensors[prefix + ".down"] = encodeMatrix(dtype, t.down[k]);
    }
  }
  return file;
}

}  // namespace rankflow::learn
