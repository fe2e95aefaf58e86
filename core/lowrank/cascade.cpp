#include "core/lowrank/cascade.h"

#include <chrono>
#include <cmath>

#include "core/common/error.h"
#include "core/common/parallel_for.h"

namespace rankflow::lowrank {
namespace {

// tanh-approximation GELU (the form GPT-2 and most LoRA code use).
template <class T>
T gelu(T z) {
  constexpr T kSqrt2OverPi = T(0.7978845608028654);
  return T(0.5) * z * (T(1) + std::tanh(kSqrt2OverPi * (z + T(0.044715) * z * z * z)));
}

template <class Matrix>
void applyActivation(const Matrix& c, Matrix& y, Activation act) {
  using T = typename Matrix::Scalar;
  switch (act) {
    case Activation::Identity:
      y = c;
      break;
    case Activation::Tanh:
      y = c.array().tanh().matrix();
      break;
    case Activation::Relu:
      y = c.cwiseMax(T(0));
      break;
    case Activation::Gelu:
      y = c.unaryExpr([](T z) { return gelu(z); });
      break;
  }
}

void requireColumns(const CascadeModel& model, const Eigen::MatrixXf& x) {
  model.validate();
  if (x.rows() != model.dim())
    throw InvalidArgument("cascade: X has " + std::to_string(x.rows()) + " rows, W is " + std::to_string(model.dim()) +
                          "×" + std::to_string(model.dim()));
  if (!x.allFinite()) throw InvalidArgument("cascade: X has a NaN or infinite entry");
}

// Best rank-r approximation from a thin SVD: U_r Σ_r (as U) and V_r (as V).
void truncate(const SvdFactors& svd, int rank, Eigen::MatrixXf& u, Eigen::MatrixXf& v) {
  u = svd.u.leftCols(rank) * svd.sigma.head(rank).asDiagonal();
  v = svd.v.leftCols(rank);
}

}  // namespace

const char* activationName(Activation a) {
  switch (a) {
    case Activation::Identity:
      return "identity";
    case Activation::Tanh:
      return "tanh";
    case Activation::Relu:
      return "relu";
    case Activation::Gelu:
      return "gelu";
  }
  return "?";
}

Activation parseActivation(const std::string& name) {
  for (Activation a : {Activation::Identity, Activation::Tanh, Activation::Relu, Activation::Gelu})
    if (name == activationName(a)) return a;
  throw InvalidArgument("activation must be identity, tanh, relu or gelu, got '" + name + "'");
}

int CascadeModel::totalRank() const {
  int r = 0;
  for (const auto& m : u) r += static_cast<int>(m.cols());
  return r;
}

void CascadeModel::validate() const {
  const auto d = w.rows();
  if (d == 0 || w.cols() != d) throw InvalidArgument("cascade: W must be square and non-empty");
  if (u.size() != v.size()) throw InvalidArgument("cascade: as many U as V adapters are needed");
  if (!w.allFinite()) throw InvalidArgument("cascade: W has a NaN or infinite entry");
  for (std::size_t k = 0; k < u.size(); ++k) {
    const std::string order = "order " + std::to_string(k + 1);
    if (u[k].rows() != d || v[k].rows() != d)
      throw InvalidArgument("cascade: " + order + ": U and V must have " + std::to_string(d) + " rows");
    if (u[k].cols() != v[k].cols()) throw InvalidArgument("cascade: " + order + ": U and V ranks differ");
    if (u[k].cols() > d)
      throw InvalidArgument("cascade: " + order + ": rank " + std::to_string(u[k].cols()) +
                            " exceeds d = " + std::to_string(d));
    if (!u[k].allFinite() || !v[k].allFinite()) throw InvalidArgument("cascade: " + order + ": NaN or infinite entry");
  }
}

CascadeCosts cascadeCosts(int d, const std::vector<int>& ranks) {
  double r = 0;
  for (int rk : ranks) r += rk;
  const double k = static_cast<double>(ranks.size());
  CascadeCosts c{};
  c.naiveMacsPerColumn = (k + 1) * d * static_cast<double>(d);
  c.cascadeMacsPerColumn = static_cast<double>(d) * d + 2.0 * d * r;
  c.naiveParameters = (k + 1) * d * static_cast<double>(d);
  c.cascadeParameters = static_cast<double>(d) * d + 2.0 * d * r;
  c.idealSpeedup = (k + 1) * d / (d + 2.0 * r);
  return c;
}

namespace {

// Every evaluation runs over blocks of kBlockColumns columns of X, one block per task,
// split across the CPU workers. Within a block the running sum C (d × 128, 128 KiB at d = 256) stays in L2,
// so the prefix sum and σ are applied while C is hot: the epilogue writes each Y_k once
// and reads nothing from memory (the "fused epilogue").
constexpr Eigen::Index kBlockColumns = 128;

void prepareOutputs(std::vector<Eigen::MatrixXf>& y, std::size_t count, Eigen::Index rows, Eigen::Index cols) {
  y.resize(count);
  for (auto& m : y) {
    if (m.rows() != rows || m.cols() != cols) m.resize(rows, cols);
  }
}

template <class BlockBody>
void forColumnBlocks(Eigen::Index columns, BlockBody&& body) {
  const auto blocks = static_cast<std::size_t>((columns + kBlockColumns - 1) / kBlockColumns);
  parallelFor(blocks, [&](std::size_t first, std::size_t last) {
    for (std::size_t b = first; b < last; ++b) {
      const Eigen::Index start = static_cast<Eigen::Index>(b) * kBlockColumns;
      body(start, std::min(kBlockColumns, columns - start));
    }
  });
}

template <class Block>
void activateInto(const Eigen::MatrixXf& c, Block&& out, Activation act) {
  switch (act) {
    case Activation::Identity:
      out = c;
      break;
    case Activation::Tanh:
      out = c.array().tanh().matrix();
      break;
    case Activation::Relu:
      out = c.cwiseMax(0.0f);
      break;
    case Activation::Gelu:
      out = c.unaryExpr([](float z) { return gelu(z); });
      break;
  }
}

}  // namespace

void evaluateNaiveInto(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act,
                       std::vector<Eigen::MatrixXf>& y) {
  requireColumns(model, x);
  const int orders = model.orders();
  std::vector<Eigen::MatrixXf> weights(static_cast<std::size_t>(orders + 1));
  weights[0] = model.w;
  for (int k = 1; k <= orders; ++k) {
    weights[static_cast<std::size_t>(k)] = weights[static_cast<std::size_t>(k - 1)];
    weights[static_cast<std::size_t>(k)].noalias() +=
        model.u[static_cast<std::size_t>(k - 1)] * model.v[static_cast<std::size_t>(k - 1)].transpose();
  }
  prepareOutputs(y, weights.size(), model.dim(), x.cols());
  forColumnBlocks(x.cols(), [&](Eigen::Index start, Eigen::Index width) {
    Eigen::MatrixXf c(model.dim(), width);
    for (std::size_t k = 0; k < weights.size(); ++k) {
      c.noalias() = weights[k] * x.middleCols(start, width);
      activateInto(c, y[k].middleCols(start, width), act);
    }
  });
}

void evaluateIndependentInto(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act,
                             std::vector<Eigen::MatrixXf>& y) {
  requireColumns(model, x);
  prepareOutputs(y, static_cast<std::size_t>(model.orders() + 1), model.dim(), x.cols());
  forColumnBlocks(x.cols(), [&](Eigen::Index start, Eigen::Index width) {
    const auto xb = x.middleCols(start, width);
    const Eigen::MatrixXf p = model.w * xb;
    activateInto(p, y[0].middleCols(start, width), act);
    Eigen::MatrixXf c;
    for (int k = 1; k <= model.orders(); ++k) {
      const auto& u = model.u[static_cast<std::size_t>(k - 1)];
      const auto& v = model.v[static_cast<std::size_t>(k - 1)];
      c = p;
      c.noalias() += u * (v.transpose() * xb);
      activateInto(c, y[static_cast<std::size_t>(k)].middleCols(start, width), act);
    }
  });
}

namespace {

// The cascade's block loop, shared by the evaluation and by its GEMM-only benchmark twin so
// the two time exactly the same products. `epilogue(order, c, start, width)` runs after
// each order's running sum C is complete.
template <class Epilogue>
void cascadeBlocks(const CascadeModel& model, const Eigen::MatrixXf& x, Epilogue&& epilogue) {
  const int d = model.dim();
  const int k = model.orders();
  const int r = model.totalRank();
  // [V_1ᵀ; …; V_Kᵀ] as one R×d matrix, so Q is one product.
  Eigen::MatrixXf stackedVt(r, d);
  for (int j = 0, row = 0; j < k; ++j) {
    const auto& v = model.v[static_cast<std::size_t>(j)];
    stackedVt.middleRows(row, v.cols()) = v.transpose();
    row += static_cast<int>(v.cols());
  }
  forColumnBlocks(x.cols(), [&](Eigen::Index start, Eigen::Index width) {
    const auto xb = x.middleCols(start, width);
    const Eigen::MatrixXf q = stackedVt * xb;
    Eigen::MatrixXf c = model.w * xb;
    epilogue(0, c, start, width);
    for (int j = 0, row = 0; j < k; ++j) {
      const auto& u = model.u[static_cast<std::size_t>(j)];
      c.noalias() += u * q.middleRows(row, u.cols());  // the prefix sum happens inside the GEMM
      row += static_cast<int>(u.cols());
      epilogue(j + 1, c, start, width);
    }
  });
}

}  // namespace

void evaluateCascadeInto(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act,
                         std::vector<Eigen::MatrixXf>& y) {
  requireColumns(model, x);
  prepareOutputs(y, static_cast<std::size_t>(model.orders() + 1), model.dim(), x.cols());
  cascadeBlocks(model, x, [&](int order, const Eigen::MatrixXf& c, Eigen::Index start, Eigen::Index width) {
    activateInto(c, y[static_cast<std::size_t>(order)].middleCols(start, width), act);
  });
}

float cascadeGemmsOnly(const CascadeModel& model, const Eigen::MatrixXf& x) {
  requireColumns(model, x);
  std::vector<float> sinks(static_cast<std::size_t>(x.cols() / kBlockColumns + 1), 0.0f);
  cascadeBlocks(model, x, [&](int order, const Eigen::MatrixXf& c, Eigen::Index start, Eigen::Index) {
    // One coefficient per order keeps the products observable without an epilogue's cost.
    if (order == model.orders()) sinks[static_cast<std::size_t>(start / kBlockColumns)] = c(0, 0);
  });
  float total = 0.0f;
  for (float s : sinks) total += s;
  return total;
}

std::vector<Eigen::MatrixXf> evaluateNaive(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act) {
  std::vector<Eigen::MatrixXf> y;
  evaluateNaiveInto(model, x, act, y);
  return y;
}

std::vector<Eigen::MatrixXf> evaluateIndependent(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act) {
  std::vector<Eigen::MatrixXf> y;
  evaluateIndependentInto(model, x, act, y);
  return y;
}

std::vector<Eigen::MatrixXf> evaluateCascade(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act) {
  std::vector<Eigen::MatrixXf> y;
  evaluateCascadeInto(model, x, act, y);
  return y;
}

std::vector<Eigen::MatrixXd> evaluateReference(const CascadeModel& model, const Eigen::MatrixXf& x, Activation act) {
  requireColumns(model, x);
  std::vector<Eigen::MatrixXd> y(static_cast<std::size_t>(model.orders() + 1));
  Eigen::MatrixXd wk = model.w.cast<double>();
  const Eigen::MatrixXd xd = x.cast<double>();
  Eigen::MatrixXd c;
  for (int k = 0; k <= model.orders(); ++k) {
    if (k > 0)
      wk += model.u[static_cast<std::size_t>(k - 1)].cast<double>() *
            model.v[static_cast<std::size_t>(k - 1)].cast<double>().transpose();
    c = wk * xd;
    applyActivation(c, y[static_cast<std::size_t>(k)], act);
  }
  return y;
}

// [SECTION] Cascading fit

CascadeFit::CascadeFit(std::vector<Eigen::MatrixXf> targets, std::vector<int> ranks, SvdBatchSolver solver)
    : targets_(std::move(targets)), ranks_(std::move(ranks)), solver_(std::move(solver)) {
  if (!solver_) solver_ = cpuSvdBatch;
  if (targets_.size() < 2) throw InvalidArgument("cascade fit: need targets T_0..T_K with K >= 1");
  if (ranks_.size() + 1 != targets_.size())
    throw InvalidArgument("cascade fit: " + std::to_string(targets_.size()) + " targets need " +
                          std::to_string(targets_.size() - 1) + " ranks, got " + std::to_string(ranks_.size()));
  const auto d = targets_[0].rows();
  for (std::size_t k = 0; k < targets_.size(); ++k) {
    if (targets_[k].rows() != d || targets_[k].cols() != d || d == 0)
      throw InvalidArgument("cascade fit: every target must be the same non-empty square matrix");
    if (!targets_[k].allFinite()) throw InvalidArgument("cascade fit: T_" + std::to_string(k) + " has NaN");
  }
  for (std::size_t k = 0; k < ranks_.size(); ++k) {
    if (ranks_[k] < 0 || ranks_[k] > d)
      throw InvalidArgument("cascade fit: r_" + std::to_string(k + 1) + " = " + std::to_string(ranks_[k]) +
                            " is outside [0, d = " + std::to_string(d) + "]");
  }
  const std::size_t orders = ranks_.size();
  model_.w = targets_[0];
  model_.u.assign(orders, Eigen::MatrixXf());
  model_.v.assign(orders, Eigen::MatrixXf());
  cascadeSvd_.resize(orders);
  independentSvd_.resize(orders);
  fits_.assign(orders, OrderFit{});
  refitFrom(1);
}

void CascadeFit::setRank(int order, int rank) {
  const int d = static_cast<int>(targets_[0].rows());
  if (order < 1 || order > static_cast<int>(ranks_.size()))
    throw InvalidArgument("cascade fit: order " + std::to_string(order) + " outside 1.." +
                          std::to_string(ranks_.size()));
  if (rank < 0 || rank > d)
    throw InvalidArgument("cascade fit: rank " + std::to_string(rank) + " outside [0, d = " + std::to_string(d) + "]");
  ranks_[static_cast<std::size_t>(order - 1)] = rank;
  // Order `order` keeps its SVD (its residual T_k − W_{k−1} did not change); later orders'
  // residuals did, so their SVDs are dropped.
  for (std::size_t k = static_cast<std::size_t>(order); k < cascadeSvd_.size(); ++k) cascadeSvd_[k].reset();
  refitFrom(order);
}

void CascadeFit::setRanks(const std::vector<int>& ranks) {
  if (ranks.size() != ranks_.size())
    throw InvalidArgument("cascade fit: " + std::to_string(ranks_.size()) + " ranks expected, got " +
                          std::to_string(ranks.size()));
  const int d = static_cast<int>(targets_[0].rows());
  for (int r : ranks)
    if (r < 0 || r > d)
      throw InvalidArgument("cascade fit: rank " + std::to_string(r) + " outside [0, d = " + std::to_string(d) + "]");
  std::size_t first = 0;
  while (first < ranks.size() && ranks[first] == ranks_[first]) ++first;
  if (first == ranks.size()) return;
  ranks_ = ranks;
  for (std::size_t k = first + 1; k < cascadeSvd_.size(); ++k) cascadeSvd_[k].reset();
  refitFrom(static_cast<int>(first) + 1);
}

std::vector<SvdFactors> CascadeFit::solve(const std::vector<Eigen::MatrixXf>& residuals, double* seconds) {
  const auto begin = std::chrono::steady_clock::now();
  SvdBatch batch = solver_(residuals);
  if (batch.factors.size() != residuals.size())
    throw InvalidArgument("cascade fit: the SVD backend returned " + std::to_string(batch.factors.size()) +
                          " decompositions for " + std::to_string(residuals.size()) + " matrices");
  for (std::size_t i = 0; i < residuals.size(); ++i) {
    const SvdFactors& f = batch.factors[i];
    const Eigen::Index rows = residuals[i].rows(), cols = residuals[i].cols(), n = std::min(rows, cols);
    if (f.u.rows() != rows || f.u.cols() != n || f.sigma.size() != n || f.v.rows() != cols || f.v.cols() != n)
      throw InvalidArgument("cascade fit: the SVD backend returned factors of the wrong shape for matrix " +
                            std::to_string(i));
  }
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  svdCount_ += static_cast<int>(residuals.size());
  svdBackend_ = std::move(batch.backend);
  svdNote_ = std::move(batch.note);
  return std::move(batch.factors);
}

void CascadeFit::refitFrom(int order) {
  const int orders = static_cast<int>(ranks_.size());
  for (int k = order; k <= orders; ++k) fits_[static_cast<std::size_t>(k - 1)].singularValuesSeconds = 0;
  // The independent residuals T_k − W do not depend on one another: one batch for all
  // that are missing (all K on the first fit), its time shared evenly among them.
  std::vector<Eigen::MatrixXf> independent;
  std::vector<std::size_t> missing;
  for (int k = order; k <= orders; ++k)
    if (!independentSvd_[static_cast<std::size_t>(k - 1)]) {
      missing.push_back(static_cast<std::size_t>(k - 1));
      independent.push_back(targets_[static_cast<std::size_t>(k)] - model_.w);
    }
  if (!missing.empty()) {
    double seconds = 0.0;
    std::vector<SvdFactors> solved = solve(independent, &seconds);
    for (std::size_t j = 0; j < missing.size(); ++j) {
      independentSvd_[missing[j]] = std::move(solved[j]);
      fits_[missing[j]].singularValuesSeconds += seconds / static_cast<double>(missing.size());
    }
  }

  Eigen::MatrixXf wPrevious = model_.w;
  for (int k = 1; k < order; ++k)
    wPrevious.noalias() +=
        model_.u[static_cast<std::size_t>(k - 1)] * model_.v[static_cast<std::size_t>(k - 1)].transpose();
  for (int k = order; k <= orders; ++k) {
    const std::size_t i = static_cast<std::size_t>(k - 1);
    const Eigen::MatrixXf& target = targets_[static_cast<std::size_t>(k)];
    OrderFit& fit = fits_[i];
    fit.rank = ranks_[i];
    if (!cascadeSvd_[i]) {  // T_k − W_{k−1} depends on the order before: one at a time
      double seconds = 0.0;
      cascadeSvd_[i] = std::move(solve({target - wPrevious}, &seconds).front());
      fit.singularValuesSeconds += seconds;
    }
    truncate(*cascadeSvd_[i], fit.rank, model_.u[i], model_.v[i]);
    wPrevious.noalias() += model_.u[i] * model_.v[i].transpose();
    const double norm = std::max(static_cast<double>(target.norm()), 1e-30);
    fit.cascadeError = (target - wPrevious).norm() / norm;
    Eigen::MatrixXf iu, iv;
    truncate(*independentSvd_[i], fit.rank, iu, iv);
    fit.independentError = (target - model_.w - iu * iv.transpose()).norm() / norm;
  }
}

}  // namespace rankflow::lowrank
