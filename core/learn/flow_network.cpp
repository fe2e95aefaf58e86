#include "core/learn/flow_network.h"

#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/common/error.h"
#include "core/common/parallel_for.h"
#include "core/common/random.h"

namespace rankflow::learn {
namespace {

// He-style uniform initialisation with a seeded generator (reproducible everywhere).
Eigen::MatrixXf initialWeights(Eigen::Index rows, Eigen::Index cols, SeededRandom& rng, float gain) {
  const float bound = gain * std::sqrt(3.0f / static_cast<float>(cols));
  Eigen::MatrixXf w(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) w(i, j) = bound * static_cast<float>(2.0 * rng.uniform() - 1.0);
  return w;
}

// SiLU and its derivative as whole-array expressions, so Eigen vectorises the exp.
Eigen::MatrixXf silu(const Eigen::MatrixXf& z) {
  return (z.array() / (1.0f + (-z.array()).exp())).matrix();
}

// SiLU'(z) = σ(z)(1 + z(1 − σ(z))), times the incoming gradient.
Eigen::MatrixXf siluBackward(const Eigen::MatrixXf& z, const Eigen::MatrixXf& gradient) {
  const Eigen::ArrayXXf s = 1.0f / (1.0f + (-z.array()).exp());
  return (gradient.array() * s * (1.0f + z.array() * (1.0f - s))).matrix();
}

// Per worker: the activations of one batch slice, kept for the backward pass.
struct Tape {
  std::vector<Eigen::MatrixXf> inputs;  // input of layer l
  std::vector<Eigen::MatrixXf> pre;     // W a + b of layer l
};

}  // namespace

const char* variantName(Variant variant) {
  switch (variant) {
    case Variant::Cascade:
      return "cascade";
    case Variant::Independent:
      return "independent";
    case Variant::Separate:
      return "separate";
  }
  return "?";
}

Variant parseVariant(const std::string& name) {
  if (name == "cascade") return Variant::Cascade;
  if (name == "independent") return Variant::Independent;
  if (name == "separate") return Variant::Separate;
  throw InvalidArgument("unknown variant '" + name + "' (cascade, independent or separate)");
}

void ModelConfig::validate() const {
  if (hiddenLayers < 1 || hiddenLayers > 16) throw InvalidArgument("model: hidden layers must be 1..16");
  if (width < 2 || width > 4096) throw InvalidArgument("model: width must be 2..4096");
  if (frequencies < 0 || frequencies > 64) throw InvalidArgument("model: time frequencies must be 0..64");
  if (!(timeMax > 0.0f && timeMax <= 1.0f)) throw InvalidArgument("model: the trained time range must end in (0, 1]");
  if (ranks.size() + 1 > static_cast<std::size_t>(kMaxOrders))
    throw InvalidArgument("model: at most " + std::to_string(kMaxOrders - 1) + " adapter ranks (orders 2 and 3)");
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    // r ≤ the smallest layer dimension: a larger rank cannot add anything and would not be low rank.
    const int limit = std::min({width, inputDim(), 2 > width ? 2 : width});
    if (ranks[i] < 0 || ranks[i] > limit)
      throw InvalidArgument("model: r_" + std::to_string(i + 2) + " = " + std::to_string(ranks[i]) +
                            " must lie in 0.." + std::to_string(limit) + " (at most the layer width)");
  }
}

std::vector<int> FlowNetwork::layerSizes(int width) const {
  std::vector<int> sizes = {config_.inputDim()};
  for (int l = 0; l < config_.hiddenLayers; ++l) sizes.push_back(width);
  sizes.push_back(2);
  return sizes;
}

FlowNetwork::FlowNetwork(const ModelConfig& config) : config_(config) {
  config_.validate();
  SeededRandom rng(config_.seed);
  const auto sizes = layerSizes(config_.width);
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const bool last = l + 2 == sizes.size();
    // SiLU keeps about half the variance: gain √2 on hidden layers, small output layer.
    base.push_back({initialWeights(sizes[l + 1], sizes[l], rng, last ? 0.5f : std::sqrt(2.0f)),
                    Eigen::VectorXf::Zero(sizes[l + 1])});
  }
  outputScales.assign(static_cast<std::size_t>(orders()), 1.0f);
  const int extra = orders() - 1;
  adapters.resize(static_cast<std::size_t>(extra));
  biases.resize(static_cast<std::size_t>(extra));
  separate.resize(static_cast<std::size_t>(extra));
  separateWidths.assign(static_cast<std::size_t>(extra), 0);
  for (int k = 2; k <= orders(); ++k) {
    if (config_.variant == Variant::Separate) {
      initSeparate(k, config_.seed + 1000u * static_cast<unsigned>(k));
    } else {
      initAdapter(k, config_.seed + 1000u * static_cast<unsigned>(k));
    }
  }
}

void FlowNetwork::initAdapter(int order, std::uint64_t seed) {
  SeededRandom rng(seed);
  const int r = config_.ranks[static_cast<std::size_t>(order - 2)];
  auto& layers = adapters[static_cast<std::size_t>(order - 2)];
  auto& b = biases[static_cast<std::size_t>(order - 2)];
  layers.clear();
  b.clear();
  for (const auto& layer : base) {
    // LoRA's initialisation: U = 0, V random, so a new adapter starts as the identity
    // change and the order starts from the previous order's function.
    layers.push_back({Eigen::MatrixXf::Zero(layer.w.rows(), r), initialWeights(layer.w.cols(), r, rng, 1.0f)});
    b.push_back(layer.b);
  }
}

void FlowNetwork::initSeparate(int order, std::uint64_t seed) {
  // Equal parameter budget: the width whose dense network has about as many parameters
  // as the cascade's adapter and biases of this order.
  const int r = config_.ranks[static_cast<std::size_t>(order - 2)];
  std::int64_t budget = 0;
  for (const auto& layer : base) budget += (layer.w.rows() + layer.w.cols()) * r + layer.b.size();
  int width = 2;
  for (int h = 2; h <= config_.width * 4; ++h) {
    const auto sizes = layerSizes(h);
    std::int64_t count = 0;
    for (std::size_t l = 0; l + 1 < sizes.size(); ++l)
      count += static_cast<std::int64_t>(sizes[l + 1]) * (sizes[l] + 1);
    if (count > budget) break;
    width = h;
  }
  separateWidths[static_cast<std::size_t>(order - 2)] = width;
  SeededRandom rng(seed);
  const auto sizes = layerSizes(width);
  auto& layers = separate[static_cast<std::size_t>(order - 2)];
  layers.clear();
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const bool last = l + 2 == sizes.size();
    layers.push_back({initialWeights(sizes[l + 1], sizes[l], rng, last ? 0.5f : std::sqrt(2.0f)),
                      Eigen::VectorXf::Zero(sizes[l + 1])});
  }
}

Eigen::MatrixXf FlowNetwork::features(std::span<const Vec2f> x, std::span<const float> t) const {
  if (x.size() != t.size()) throw InvalidArgument("features: points and times differ in count");
  const auto n = static_cast<Eigen::Index>(x.size());
  Eigen::MatrixXf f(config_.inputDim(), n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto s = static_cast<std::size_t>(i);
    f(0, i) = x[s].x;
    f(1, i) = x[s].y;
    f(2, i) = t[s];
    for (int k = 1; k <= config_.frequencies; ++k) {
      const float phase = 2.0f * std::numbers::pi_v<float> * static_cast<float>(k) * t[s];
      f(1 + 2 * k, i) = std::sin(phase);
      f(2 + 2 * k, i) = std::cos(phase);
    }
  }
  return f;
}

std::vector<DenseLayer> FlowNetwork::effectiveLayers(int order) const {
  if (order < 1 || order > orders()) throw InvalidArgument("network: order must be 1.." + std::to_string(orders()));
  if (order == 1) return base;
  if (config_.variant == Variant::Separate) return separate[static_cast<std::size_t>(order - 2)];
  std::vector<DenseLayer> layers = base;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const int first = config_.variant == Variant::Cascade ? 2 : order;
    for (int j = first; j <= order; ++j) {
      const auto& a = adapters[static_cast<std::size_t>(j - 2)][l];
      if (a.u.cols() > 0) layers[l].w.noalias() += a.u * a.v.transpose();
    }
    layers[l].b = biases[static_cast<std::size_t>(order - 2)][l];
  }
  return layers;
}

Eigen::MatrixXf FlowNetwork::forward(int order, const Eigen::MatrixXf& input) const {
  if (input.rows() != config_.inputDim()) throw InvalidArgument("network: features have the wrong dimension");
  const auto layers = effectiveLayers(order);
  Eigen::MatrixXf a = input;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    Eigen::MatrixXf z = layers[l].w * a;
    z.colwise() += layers[l].b;
    if (l + 1 < layers.size()) {
      a = silu(z);
    } else {
      a = std::move(z);
    }
  }
  return a;
}

float FlowNetwork::outputFactor(int order, float t) const {
  const float beta = std::max(flows::pathAt(config_.schedule, t).beta[0], 0.02f);
  return outputScales[static_cast<std::size_t>(order - 1)] / std::pow(beta, static_cast<float>(order));
}

Eigen::MatrixXf FlowNetwork::predict(int order, const Eigen::MatrixXf& input) const {
  // Row 2 of the features is t; columns beyond timeMax are re-featurised at timeMax.
  const Eigen::MatrixXf* features = &input;
  Eigen::MatrixXf clamped;
  if ((input.row(2).array() > config_.timeMax).any()) {
    std::vector<Vec2f> x(static_cast<std::size_t>(input.cols()));
    std::vector<float> t(x.size());
    for (Eigen::Index i = 0; i < input.cols(); ++i) {
      x[static_cast<std::size_t>(i)] = {input(0, i), input(1, i)};
      t[static_cast<std::size_t>(i)] = std::min(input(2, i), config_.timeMax);
    }
    clamped = this->features(x, t);
    features = &clamped;
  }
  Eigen::MatrixXf out = forward(order, *features);
  for (Eigen::Index i = 0; i < out.cols(); ++i) out.col(i) *= outputFactor(order, (*features)(2, i));
  return out;
}

void FlowNetwork::setRank(int order, int rank) {
  if (order < 2 || order > orders()) throw InvalidArgument("setRank: order must be 2.." + std::to_string(orders()));
  ModelConfig next = config_;
  next.ranks[static_cast<std::size_t>(order - 2)] = rank;
  next.validate();
  const int old = config_.ranks[static_cast<std::size_t>(order - 2)];
  config_ = next;
  if (config_.variant == Variant::Separate) {
    initSeparate(order, config_.seed + 1000u * static_cast<unsigned>(order) + static_cast<unsigned>(rank));
    return;
  }
  if (rank == old) return;
  for (auto& a : adapters[static_cast<std::size_t>(order - 2)]) {
    if (rank > old) {
      // Zero columns of U keep U Vᵀ; the new V columns are small random directions so
      // the new rank-one terms can grow (U = 0 and V = 0 would have zero gradient).
      SeededRandom rng(config_.seed + static_cast<unsigned>(rank));
      Eigen::MatrixXf u = Eigen::MatrixXf::Zero(a.u.rows(), rank);
      Eigen::MatrixXf v = initialWeights(a.v.rows(), rank, rng, 1.0f);
      u.leftCols(old) = a.u;
      v.leftCols(old) = a.v;
      a.u = std::move(u);
      a.v = std::move(v);
    } else {
      // Best rank-r approximation of U Vᵀ. A thin layer (the 2-row output) has fewer
      // singular values than r: its product is kept exactly, and the spare columns get
      // U = 0 (the product is unchanged) with small random V, as when a rank grows.
      const Eigen::MatrixXf delta = a.u * a.v.transpose();
      const Eigen::JacobiSVD<Eigen::MatrixXf> svd(delta, Eigen::ComputeThinU | Eigen::ComputeThinV);
      const int kept = std::min(rank, static_cast<int>(svd.singularValues().size()));
      const Eigen::VectorXf root = svd.singularValues().head(kept).cwiseSqrt();
      Eigen::MatrixXf u = Eigen::MatrixXf::Zero(a.u.rows(), rank);
      Eigen::MatrixXf v = Eigen::MatrixXf::Zero(a.v.rows(), rank);
      u.leftCols(kept) = svd.matrixU().leftCols(kept) * root.asDiagonal();
      v.leftCols(kept) = svd.matrixV().leftCols(kept) * root.asDiagonal();
      if (kept < rank) {
        SeededRandom rng(config_.seed + static_cast<unsigned>(rank));
        v.rightCols(rank - kept) = initialWeights(a.v.rows(), rank - kept, rng, 1.0f);
      }
      a.u = std::move(u);
      a.v = std::move(v);
    }
  }
}

std::vector<ParameterBlock> FlowNetwork::trainableBlocks(int order) {
  if (order < 1 || order > orders()) throw InvalidArgument("network: order must be 1.." + std::to_string(orders()));
  std::vector<ParameterBlock> blocks;
  auto add = [&](const std::string& name, auto& m) { blocks.push_back({name, m.data(), m.rows(), m.cols()}); };
  const std::string prefix = order == 1 ? "base" : "order" + std::to_string(order);
  auto addDense = [&](std::vector<DenseLayer>& layers) {
    for (std::size_t l = 0; l < layers.size(); ++l) {
      add(prefix + ".layers." + std::to_string(l) + ".weight", layers[l].w);
      add(prefix + ".layers." + std::to_string(l) + ".bias", layers[l].b);
    }
  };
  if (order == 1) {
    addDense(base);
  } else if (config_.variant == Variant::Separate) {
    addDense(separate[static_cast<std::size_t>(order - 2)]);
  } else {
    auto& layers = adapters[static_cast<std::size_t>(order - 2)];
    auto& b = biases[static_cast<std::size_t>(order - 2)];
    for (std::size_t l = 0; l < layers.size(); ++l) {
      add(prefix + ".layers." + std::to_string(l) + ".lora_U", layers[l].u);
      add(prefix + ".layers." + std::to_string(l) + ".lora_V", layers[l].v);
      add(prefix + ".layers." + std::to_string(l) + ".bias", b[l]);
    }
  }
  return blocks;
}

std::vector<ParameterBlock> FlowNetwork::allBlocks() {
  std::vector<ParameterBlock> blocks;
  for (int k = 1; k <= orders(); ++k) {
    auto b = trainableBlocks(k);
    blocks.insert(blocks.end(), b.begin(), b.end());
  }
  return blocks;
}

std::int64_t FlowNetwork::parameterCount(int order) const {
  if (order < 1 || order > orders()) throw InvalidArgument("network: order must be 1.." + std::to_string(orders()));
  std::int64_t count = 0;
  auto dense = [&](const std::vector<DenseLayer>& layers) {
    for (const auto& l : layers) count += l.w.size() + l.b.size();
  };
  if (order == 1) {
    dense(base);
  } else if (config_.variant == Variant::Separate) {
    dense(separate[static_cast<std::size_t>(order - 2)]);
  } else {
    for (const auto& a : adapters[static_cast<std::size_t>(order - 2)]) count += a.u.size() + a.v.size();
    for (const auto& b : biases[static_cast<std::size_t>(order - 2)]) count += b.size();
  }
  return count;
}

std::int64_t FlowNetwork::totalParameterCount() const {
  std::int64_t count = 0;
  for (int k = 1; k <= orders(); ++k) count += parameterCount(k);
  return count;
}

LossAndGradients lossAndGradients(FlowNetwork& network, int order, const Eigen::MatrixXf& input,
                                  const Eigen::MatrixXf& target) {
  const Eigen::Index n = input.cols();
  if (n == 0 || target.cols() != n || target.rows() != 2) throw InvalidArgument("training: batch shapes disagree");
  const std::vector<DenseLayer> layers = network.effectiveLayers(order);
  const std::size_t depth = layers.size();

  // Each worker takes a contiguous slice of the batch and returns dL/dW_eff, dL/db per layer.
  constexpr std::size_t kSlices = 2;
  struct Partial {
    std::vector<Eigen::MatrixXf> dw;
    std::vector<Eigen::VectorXf> db;
    double loss = 0.0;
  };
  std::vector<Partial> partials(kSlices);
  parallelFor(kSlices, [&](std::size_t first, std::size_t last) {
    for (std::size_t s = first; s < last; ++s) {
      const Eigen::Index begin = n * static_cast<Eigen::Index>(s) / static_cast<Eigen::Index>(kSlices);
      const Eigen::Index width = n * static_cast<Eigen::Index>(s + 1) / static_cast<Eigen::Index>(kSlices) - begin;
      Partial& p = partials[s];
      p.dw.resize(depth);
      p.db.resize(depth);
      if (width == 0) {
        for (std::size_t l = 0; l < depth; ++l) {
          p.dw[l] = Eigen::MatrixXf::Zero(layers[l].w.rows(), layers[l].w.cols());
          p.db[l] = Eigen::VectorXf::Zero(layers[l].b.size());
        }
        continue;
      }
      Tape tape;
      tape.inputs.resize(depth);
      tape.pre.resize(depth);
      Eigen::MatrixXf a = input.middleCols(begin, width);
      for (std::size_t l = 0; l < depth; ++l) {
        tape.inputs[l] = a;
        tape.pre[l].noalias() = layers[l].w * a;
        tape.pre[l].colwise() += layers[l].b;
        if (l + 1 < depth) a = silu(tape.pre[l]);
      }
      // Loss ½·mean‖out − target‖²: δ at the output is (out − target)/n.
      Eigen::MatrixXf delta = tape.pre[depth - 1] - target.middleCols(begin, width);
      p.loss = 0.5 * static_cast<double>(delta.squaredNorm());
      delta /= static_cast<float>(n);
      for (std::size_t l = depth; l-- > 0;) {
        p.dw[l].noalias() = delta * tape.inputs[l].transpose();
        p.db[l] = delta.rowwise().sum();
        if (l == 0) break;
        const Eigen::MatrixXf back = layers[l].w.transpose() * delta;
        delta = siluBackward(tape.pre[l - 1], back);
      }
    }
  });
  // Summed in slice order: the same bits whichever thread finished first.
  for (std::size_t s = 1; s < kSlices; ++s) {
    for (std::size_t l = 0; l < depth; ++l) {
      partials[0].dw[l] += partials[s].dw[l];
      partials[0].db[l] += partials[s].db[l];
    }
    partials[0].loss += partials[s].loss;
  }
  const auto& dw = partials[0].dw;
  const auto& db = partials[0].db;

  LossAndGradients result;
  result.loss = partials[0].loss / static_cast<double>(n);
  const Variant variant = network.config().variant;
  auto flat = [](const auto& m) { return Eigen::VectorXf(Eigen::Map<const Eigen::VectorXf>(m.data(), m.size())); };
  if (order == 1 || variant == Variant::Separate) {
    for (std::size_t l = 0; l < depth; ++l) {
      result.gradients.push_back(flat(dw[l]));
      result.gradients.push_back(flat(db[l]));
    }
    return result;
  }
  // W_eff = W + … + U_k V_kᵀ: dU_k = dW V_k, dV_k = dWᵀ U_k.
  const auto& adapter = network.adapters[static_cast<std::size_t>(order - 2)];
  for (std::size_t l = 0; l < depth; ++l) {
    const Eigen::MatrixXf du = dw[l] * adapter[l].v;
    const Eigen::MatrixXf dv = dw[l].transpose() * adapter[l].u;
    result.gradients.push_back(flat(du));
    result.gradients.push_back(flat(dv));
    result.gradients.push_back(flat(db[l]));
  }
  return result;
}

}  // namespace rankflow::learn
