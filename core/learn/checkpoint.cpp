#include "core/learn/checkpoint.h"

#include <cmath>
#include <sstream>

#include "core/common/error.h"
#include "core/io/safetensors.h"

namespace rankflow::learn {
namespace {

constexpr const char* kFormat = "rankflow-flow-network-1";

// Eigen stores column-major; safetensors is C order: element (i, j) of an out × in matrix
// goes to i·in + j.
io::Tensor tensorOf(const Eigen::MatrixXf& m) {
  std::vector<float> values(static_cast<std::size_t>(m.size()));
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) values[static_cast<std::size_t>(i * m.cols() + j)] = m(i, j);
  return io::Tensor::fromFloat({m.rows(), m.cols()}, values);
}

io::Tensor tensorOf(const Eigen::VectorXf& v) {
  return io::Tensor::fromFloat({v.size()}, std::span<const float>(v.data(), static_cast<std::size_t>(v.size())));
}

const io::Tensor& find(const io::SafeTensorsFile& file, const std::string& name) {
  const auto it = file.tensors.find(name);
  if (it == file.tensors.end()) throw InvalidArgument("checkpoint: tensor '" + name + "' is missing");
  if (it->second.dtype != io::Dtype::F32) throw InvalidArgument("checkpoint: tensor '" + name + "' is not F32");
  return it->second;
}

// A NaN weight would sample NaN particles (found by fuzzing, issue 16): refused, named.
void requireFinite(const std::vector<float>& values, const std::string& name) {
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      throw InvalidArgument("checkpoint: tensor '" + name + "' holds a non-finite value (entry " + std::to_string(i) +
                            ")");
}

void load(const io::SafeTensorsFile& file, const std::string& name, Eigen::MatrixXf& m) {
  const io::Tensor& t = find(file, name);
  if (t.shape != std::vector<std::int64_t>{m.rows(), m.cols()})
    throw InvalidArgument("checkpoint: tensor '" + name + "' should be " + std::to_string(m.rows()) + " × " +
                          std::to_string(m.cols()));
  const std::vector<float> values = t.toFloat();
  requireFinite(values, name);
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = values[static_cast<std::size_t>(i * m.cols() + j)];
}

void load(const io::SafeTensorsFile& file, const std::string& name, Eigen::VectorXf& v) {
  const io::Tensor& t = find(file, name);
  if (t.shape != std::vector<std::int64_t>{v.size()})
    throw InvalidArgument("checkpoint: tensor '" + name + "' should have " + std::to_string(v.size()) + " values");
  const std::vector<float> values = t.toFloat();
  requireFinite(values, name);
  for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = values[static_cast<std::size_t>(i)];
}

std::string layerName(int order, std::size_t layer) {
  return (order == 1 ? std::string("base") : "order" + std::to_string(order)) + ".layers." + std::to_string(layer);
}

std::string joinInts(const std::vector<int>& values) {
  std::string s;
  for (int v : values) s += (s.empty() ? "" : ",") + std::to_string(v);
  return s;
}

std::vector<int> parseInts(const std::string& text, const std::string& key) {
  std::vector<int> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      std::size_t used = 0;
      values.push_back(std::stoi(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw InvalidArgument("checkpoint: metadata '" + key + "' is not a list of integers: '" + text + "'");
    }
  }
  return values;
}

const std::string& meta(const std::map<std::string, std::string>& m, const std::string& key) {
  const auto it = m.find(key);
  if (it == m.end()) throw InvalidArgument("checkpoint: metadata '" + key + "' is missing");
  return it->second;
}

int metaInt(const std::map<std::string, std::string>& m, const std::string& key) {
  const auto values = parseInts(meta(m, key), key);
  if (values.size() != 1) throw InvalidArgument("checkpoint: metadata '" + key + "' is not an integer");
  return values[0];
}

}  // namespace

void saveCheckpoint(const std::string& path, const FlowNetwork& network,
                    const std::map<std::string, std::string>& extraMetadata) {
  io::SafeTensorsFile file;
  file.metadata = extraMetadata;
  const ModelConfig& c = network.config();
  file.metadata["format"] = kFormat;
  file.metadata["hidden_layers"] = std::to_string(c.hiddenLayers);
  file.metadata["width"] = std::to_string(c.width);
  file.metadata["frequencies"] = std::to_string(c.frequencies);
  file.metadata["variant"] = variantName(c.variant);
  file.metadata["ranks"] = joinInts(c.ranks);
  file.metadata["seed"] = std::to_string(c.seed);
  file.metadata["schedule"] = flows::scheduleName(c.schedule);
  file.metadata["separate_widths"] = joinInts(network.separateWidths);
  file.tensors["time_max"] = io::Tensor::fromFloat({1}, std::vector<float>{c.timeMax});
  // Output scales are part of the function: stored as a tensor so they are exact.
  file.tensors["output_scales"] =
      io::Tensor::fromFloat({static_cast<std::int64_t>(network.outputScales.size())}, network.outputScales);
  for (std::size_t l = 0; l < network.base.size(); ++l) {
    file.tensors[layerName(1, l) + ".weight"] = tensorOf(network.base[l].w);
    file.tensors[layerName(1, l) + ".bias"] = tensorOf(network.base[l].b);
  }
  for (int k = 2; k <= network.orders(); ++k) {
    const auto o = static_cast<std::size_t>(k - 2);
    if (c.variant == Variant::Separate) {
      for (std::size_t l = 0; l < network.separate[o].size(); ++l) {
        file.tensors[layerName(k, l) + ".weight"] = tensorOf(network.separate[o][l].w);
        file.tensors[layerName(k, l) + ".bias"] = tensorOf(network.separate[o][l].b);
      }
      continue;
    }
    for (std::size_t l = 0; l < network.adapters[o].size(); ++l) {
      file.tensors[layerName(k, l) + ".lora_A.weight"] =
          tensorOf(Eigen::MatrixXf(network.adapters[o][l].v.transpose()));
      file.tensors[layerName(k, l) + ".lora_B.weight"] = tensorOf(network.adapters[o][l].u);
      file.tensors[layerName(k, l) + ".bias"] = tensorOf(network.biases[o][l]);
    }
  }
  io::writeSafeTensors(path, file);
}

FlowNetwork loadCheckpoint(const std::string& path, std::map<std::string, std::string>* metadata) {
  const io::SafeTensorsFile file = io::readSafeTensors(path);
  const auto& m = file.metadata;
  const auto format = m.find("format");
  if (format == m.end() || format->second != kFormat)
    throw InvalidArgument("'" + path + "' is not a Rankflow checkpoint (metadata 'format' is not '" + kFormat + "')");
  ModelConfig c;
  c.hiddenLayers = metaInt(m, "hidden_layers");
  c.width = metaInt(m, "width");
  c.frequencies = metaInt(m, "frequencies");
  c.variant = parseVariant(meta(m, "variant"));
  c.ranks = meta(m, "ranks").empty() ? std::vector<int>{} : parseInts(meta(m, "ranks"), "ranks");
  try {
    std::size_t used = 0;
    c.seed = static_cast<std::uint64_t>(std::stoull(meta(m, "seed"), &used));
    if (used != meta(m, "seed").size()) throw std::invalid_argument("seed");
  } catch (const std::logic_error&) {
    throw InvalidArgument("checkpoint: metadata 'seed' is not an unsigned integer");
  }
  c.schedule = flows::parseSchedule(meta(m, "schedule"));
  Eigen::VectorXf timeMax(1);
  load(file, "time_max", timeMax);
  c.timeMax = timeMax[0];
  c.validate();
  // The metadata's sizes must fit the tensors the file holds before the network is allocated:
  // a 7 KB file claiming width 4096 × 16 layers made 1.15 GB of weights first (issue 16).
  std::int64_t held = 0;
  for (const auto& [name, tensor] : file.tensors) held += tensor.elementCount();
  const std::int64_t width = c.width, needed = width * c.inputDim() + (c.hiddenLayers - 1) * width * width;
  if (needed > held)
    throw InvalidArgument("checkpoint: metadata says width " + std::to_string(c.width) + " × " +
                          std::to_string(c.hiddenLayers) + " layers (" + std::to_string(needed) +
                          " base weights at least), but the file holds " + std::to_string(held) + " values");
  FlowNetwork network(c);  // sets every shape
  if (c.variant == Variant::Separate) {
    const auto widths = meta(m, "separate_widths").empty() ? std::vector<int>{}
                                                           : parseInts(meta(m, "separate_widths"), "separate_widths");
    if (widths != network.separateWidths)
      throw InvalidArgument("checkpoint: separate network widths " + meta(m, "separate_widths") + " do not match");
  }
  Eigen::VectorXf scales(static_cast<Eigen::Index>(network.outputScales.size()));
  load(file, "output_scales", scales);
  for (Eigen::Index i = 0; i < scales.size(); ++i) network.outputScales[static_cast<std::size_t>(i)] = scales[i];
  for (std::size_t l = 0; l < network.base.size(); ++l) {
    load(file, layerName(1, l) + ".weight", network.base[l].w);
    load(file, layerName(1, l) + ".bias", network.base[l].b);
  }
  for (int k = 2; k <= network.orders(); ++k) {
    const auto o = static_cast<std::size_t>(k - 2);
    if (c.variant == Variant::Separate) {
      for (std::size_t l = 0; l < network.separate[o].size(); ++l) {
        load(file, layerName(k, l) + ".weight", network.separate[o][l].w);
        load(file, layerName(k, l) + ".bias", network.separate[o][l].b);
      }
      continue;
    }
    for (std::size_t l = 0; l < network.adapters[o].size(); ++l) {
      Eigen::MatrixXf vt(network.adapters[o][l].v.cols(), network.adapters[o][l].v.rows());
      load(file, layerName(k, l) + ".lora_A.weight", vt);
      network.adapters[o][l].v = vt.transpose();
      load(file, layerName(k, l) + ".lora_B.weight", network.adapters[o][l].u);
      load(file, layerName(k, l) + ".bias", network.biases[o][l]);
    }
  }
  if (metadata) *metadata = m;
  return network;
}

}  // namespace rankflow::learn
