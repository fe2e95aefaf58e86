#include "core/learn/lora_profile.h"

#include <Eigen/QR>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "core/common/error.h"
#include "core/common/json_input.h"
#include "core/common/parallel_for.h"
#include "core/io/text_file.h"
#include "core/learn/tensor_matrix.h"

namespace rankflow::learn {
namespace {

// PEFT's save_pretrained prefixes every key with the wrapper's attribute path.
constexpr const char* kPeftPrefix = "base_model.model.";
// Energies are ratios of sums; a curve that reaches 0.9 exactly must not miss it by an ulp.
constexpr double kEnergySlack = 1e-12;

enum class Half { A, B };
enum class Layout { Peft, Kohya };

struct FactorName {
  std::string module;  // the full prefix, as in the file
  std::string adapter;
  Half half = Half::A;
  Layout layout = Layout::Peft;
};

// Recognises `<module>.lora_A[.<adapter>].weight` and `<module>.lora_embedding_A[.<adapter>]`
// (and the B halves); anything else is not a LoRA factor.
std::optional<FactorName> parseFactorName(const std::string& tensor) {
  struct Marker {
    const char* text;
    Half half;
    bool weightSuffix;
    Layout layout;
  };
  static const Marker kMarkers[] = {{".lora_A", Half::A, true, Layout::Peft},
                                    {".lora_B", Half::B, true, Layout::Peft},
                                    {".lora_embedding_A", Half::A, false, Layout::Peft},
                                    {".lora_embedding_B", Half::B, false, Layout::Peft},
                                    {".lora_down", Half::A, true, Layout::Kohya},
                                    {".lora_up", Half::B, true, Layout::Kohya}};
  // A leading '.' lets a factor at the top level ("lora_A.weight") match with an empty module.
  const std::string dotted = "." + tensor;
  for (const auto& marker : kMarkers) {
    const std::string text = marker.text;
    for (auto at = dotted.rfind(text); at != std::string::npos;
         at = at == 0 ? std::string::npos : dotted.rfind(text, at - 1)) {
      std::string rest = dotted.substr(at + text.size());
      if (!rest.empty() && rest.front() != '.') continue;  // ".lora_Ab" is something else
      if (marker.weightSuffix) {
        const std::string weight = ".weight";
        if (rest.size() < weight.size() || rest.compare(rest.size() - weight.size(), weight.size(), weight) != 0) break;
        rest.resize(rest.size() - weight.size());
      }
      // What is left is empty or ".<adapter>" with no further dots.
      if (!rest.empty() && (rest.size() == 1 || rest.find('.', 1) != std::string::npos)) break;
      FactorName name;
      name.module = at == 0 ? std::string() : dotted.substr(1, at - 1);
      name.adapter = rest.empty() ? std::string() : rest.substr(1);
      name.half = marker.half;
      name.layout = marker.layout;
      if (name.layout == Layout::Kohya && !name.adapter.empty()) break;  // kohya has no adapter names
      return name;
    }
  }
  return std::nullopt;
}

struct Pair {
  Layout layout = Layout::Peft;
  const std::string* nameA = nullptr;
  const io::Tensor* a = nullptr;
  const std::string* nameB = nullptr;
  const io::Tensor* b = nullptr;
};

// R of a thin Householder QR: min(rows, cols) × cols, upper trapezoidal.
Eigen::MatrixXd triangularFactor(const Eigen::MatrixXd& m) {
  const Eigen::Index k = std::min(m.rows(), m.cols());
  if (k == 0) return Eigen::MatrixXd::Zero(0, m.cols());
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(m);
  return qr.matrixQR().topRows(k).triangularView<Eigen::Upper>();
}

// σ(B·A) from the R factors of B and Aᵀ (docs/MATHEMATICS.md §5); Aᵀ as decoded.
matfun::NumericalRank productRankFromTransposedA(const Eigen::MatrixXd& b, const Eigen::MatrixXd& aT,
                                                 double relativeTolerance) {
  if (!(relativeTolerance >= 0.0) || !std::isfinite(relativeTolerance))
    throw InvalidArgument("lowRankProductRank: the relative tolerance must be finite and >= 0");
  const Eigen::MatrixXd core = triangularFactor(b) * triangularFactor(aT).transpose();
  // numericalRank's own default tolerance is absolute-from-size; a LoRA profile states it
  // relative to σ_max, so the count is redone on the same spectrum.
  matfun::NumericalRank rank = matfun::numericalRank(core);
  const double sigmaMax = rank.singularValues.size() ? rank.singularValues(0) : 0.0;
  rank.tolerance = relativeTolerance * sigmaMax;
  rank.rank = 0;
  for (Eigen::Index i = 0; i < rank.singularValues.size(); ++i) rank.rank += rank.singularValues(i) > rank.tolerance;
  return rank;
}

// The scale of ΔW = scale·B·A and what stated it (empty: nothing did, the scale is 1).
struct Scale {
  double value = 1.0;
  std::string source;
};

LoraModuleProfile profilePair(const std::string& module, const std::string& adapter, const Pair& pair,
                              const LoraProfileOptions& options, const std::function<Scale(int rank)>& scaleFor) {
  const std::string where =
      "module '" + module + "'" + (adapter.empty() ? std::string() : " (adapter '" + adapter + "')") + ": ";
  if (!pair.a) throw InvalidArgument(where + "has " + *pair.nameB + " but no matching lora_A");
  if (!pair.b) throw InvalidArgument(where + "has " + *pair.nameA + " but no matching lora_B");
  for (const auto& [name, tensor] : {std::pair{pair.nameA, pair.a}, std::pair{pair.nameB, pair.b}}) {
    if (!io::dtypeDecodes(tensor->dtype))
      throw InvalidArgument(where + *name + " is " + io::dtypeName(tensor->dtype) + ", not a float tensor");
    if (tensor->shape.size() < 2) {
      throw InvalidArgument(where + *name + " has " + std::to_string(tensor->shape.size()) +
                            " dimensions, a LoRA factor has at least 2");
    }
  }
  const auto& shapeA = pair.a->shape;
  const auto& shapeB = pair.b->shape;
  for (std::size_t i = 2; i < shapeB.size(); ++i) {
    if (shapeB[i] != 1) {
      throw InvalidArgument(where + *pair.nameB + " has trailing dimension " + std::to_string(shapeB[i]) +
                            " (a LoRA B factor is (out, r) or (out, r, 1, 1))");
    }
  }
  if (shapeA[0] != shapeB[1]) {
    throw InvalidArgument(where + "ranks disagree: " + *pair.nameA + " has r = " + std::to_string(shapeA[0]) +
                          " rows but " + *pair.nameB + " has " + std::to_string(shapeB[1]) + " columns");
  }
  if (shapeA[0] > std::numeric_limits<int>::max())
    throw InvalidArgument(where + *pair.nameA + " states r = " + std::to_string(shapeA[0]) + ", too large");
  std::int64_t in = 1;
  for (std::size_t i = 1; i < shapeA.size(); ++i) in *= shapeA[i];

  LoraModuleProfile p;
  p.module = module;
  p.adapter = adapter;
  p.layout = pair.layout == Layout::Kohya ? "kohya" : "peft";
  p.tensorA = *pair.nameA;
  p.tensorB = *pair.nameB;
  p.dtype = io::dtypeName(pair.a->dtype);
  if (pair.b->dtype != pair.a->dtype) p.dtype += std::string("/") + io::dtypeName(pair.b->dtype);
  p.outFeatures = shapeB[0];
  p.inFeatures = in;
  p.statedRank = static_cast<int>(shapeA[0]);
  const Eigen::MatrixXd aT = decodeTranspose(*pair.a, shapeA[0], in);
  Eigen::MatrixXd b = decodeTranspose(*pair.b, shapeB[0], shapeB[1]).transpose();
  if (!aT.allFinite()) throw InvalidArgument(where + *pair.nameA + " holds a NaN or infinite value");
  if (!b.allFinite()) throw InvalidArgument(where + *pair.nameB + " holds a NaN or infinite value");
  const Scale scale = scaleFor(p.statedRank);
  p.scale = scale.value;
  p.scaleSource = scale.source;
  if (!scale.source.empty()) p.scaling = scale.value;

  // The effective update is what every figure describes: its singular values are |scale|·σ(B·A).
  b *= scale.value;
  const matfun::NumericalRank rank = productRankFromTransposedA(b, aT, options.relativeTolerance);
  p.numericRank = rank.rank;
  p.tolerance = rank.tolerance;
  p.singularValues.assign(rank.singularValues.data(), rank.singularValues.data() + rank.singularValues.size());
  p.sigmaMax = p.singularValues.empty() ? 0.0 : p.singularValues.front();
  // Cumulative sums first, then one division by the last of them: the curve ends at exactly 1
  // however the compiler evaluates the sums.
  double sum = 0.0;
  for (double s : p.singularValues) p.energy.push_back(sum += s * s);
  const double total = sum;
  p.truncationError.assign(p.energy.size() + 1, 0.0);
  for (std::size_t k = 0; k < p.energy.size(); ++k) {
    p.energy[k] = total > 0.0 ? p.energy[k] / total : 0.0;
    const int captured = static_cast<int>(k) + 1;
    if (total > 0.0 && p.rank90 == 0 && p.energy[k] >= 0.90 - kEnergySlack) p.rank90 = captured;
    if (total > 0.0 && p.rank99 == 0 && p.energy[k] >= 0.99 - kEnergySlack) p.rank99 = captured;
  }
  // The tail sums directly (not 1 − energy): small errors keep their digits.
  if (total > 0.0) {
    double tail = 0.0;
    for (std::size_t k = p.singularValues.size(); k-- > 0;) {
      tail += p.singularValues[k] * p.singularValues[k];
      p.truncationError[k] = std::sqrt(tail / total);
    }
  }
  std::tie(p.type, p.layer) = loraModuleTypeAndLayer(module);
  return p;
}

// The longest key of `pattern` naming `module` (equal to it, or its last dotted segments).
template <class Value>
const std::pair<const std::string, Value>* patternFor(const std::map<std::string, Value>& pattern,
                                                      const std::string& module) {
  const std::pair<const std::string, Value>* best = nullptr;
  for (const auto& entry : pattern) {
    const std::string& key = entry.first;
    const bool matches = module == key || (module.size() > key.size() &&
                                           module.compare(module.size() - key.size(), key.size(), key) == 0 &&
                                           module[module.size() - key.size() - 1] == '.');
    if (matches && (!best || key.size() > best->first.size())) best = &entry;
  }
  return best;
}

// A kohya `.alpha` tensor: one finite float.
double alphaValue(const std::string& name, const io::Tensor& tensor) {
  if (!io::dtypeDecodes(tensor.dtype) || tensor.elementCount() != 1)
    throw InvalidArgument(name + " must hold one float (the module's alpha), it is " + io::dtypeName(tensor.dtype) +
                          " with " + std::to_string(tensor.elementCount()) + " values");
  const double value = tensor.toDouble().front();
  if (!std::isfinite(value)) throw InvalidArgument(name + " is not finite");
  return value;
}

// PEFT: the config's rank must be the factors' (rank_pattern, else r); α from alpha_pattern,
// else lora_alpha, else PEFT's default 8; over r, or √r with use_rslora.
Scale peftConfigScale(const LoraConfig& config, const std::string& module, int rank) {
  const auto* rankKey = patternFor(config.rankPattern, module);
  const std::optional<int> stated = rankKey ? std::optional<int>(rankKey->second) : config.r;
  if (stated && *stated != rank) {
    throw InvalidArgument("module '" + module + "': adapter_config.json states r = " + std::to_string(*stated) +
                          (rankKey ? " (rank_pattern '" + rankKey->first + "')" : std::string(" (r)")) +
                          " but its factors have rank " + std::to_string(rank));
  }
  const auto* alphaKey = patternFor(config.alphaPattern, module);
  const double alpha = alphaKey ? alphaKey->second : config.loraAlpha.value_or(8.0);
  const double denominator = config.useRslora ? std::sqrt(static_cast<double>(rank)) : rank;
  return {rank > 0 ? alpha / denominator : 1.0, "adapter_config.json"};
}

}  // namespace

int rankByRatio(const std::vector<double>& sigma, double ratio) {
  if (!(ratio >= 1.0)) throw InvalidArgument("the ratio criterion needs a ratio >= 1");
  if (sigma.empty() || !(sigma.front() > 0.0)) return 0;
  int k = 0;
  while (k < static_cast<int>(sigma.size()) && sigma[static_cast<std::size_t>(k)] * ratio >= sigma.front()) ++k;
  return k;
}

namespace {

// The smallest k ≥ 1 whose running sum of f(σ_i) reaches share·total (with an ulp of slack).
template <class F>
int rankByShare(const std::vector<double>& sigma, double share, const char* criterion, F&& f) {
  if (!(share >= 0.0 && share <= 1.0))
    throw InvalidArgument(std::string("the ") + criterion + " share must lie in [0, 1]");
  double total = 0.0;
  for (double s : sigma) total += f(s);
  if (!(total > 0.0)) return 0;
  double running = 0.0;
  for (std::size_t k = 0; k < sigma.size(); ++k) {
    running += f(sigma[k]);
    if (running >= share * total * (1.0 - kEnergySlack)) return static_cast<int>(k) + 1;
  }
  return static_cast<int>(sigma.size());
}

}  // namespace

int rankByCumulative(const std::vector<double>& sigma, double share) {
  return rankByShare(sigma, share, "cumulative", [](double s) { return s; });
}

int rankByFrobenius(const std::vector<double>& sigma, double share) {
  // √(Σ σ_i²) ≥ share·√(Σ σ²) ⇔ Σ σ_i² ≥ share²·Σ σ².
  if (!(share >= 0.0 && share <= 1.0)) throw InvalidArgument("the frobenius share must lie in [0, 1]");
  return rankByShare(sigma, share * share, "frobenius", [](double s) { return s * s; });
}

std::pair<std::string, std::string> loraModuleTypeAndLayer(const std::string& module) {
  std::string type = module;
  if (const auto dot = module.rfind('.'); dot != std::string::npos) {
    type = module.substr(dot + 1);
  } else {
    // kohya: what follows the last "_<digits>_".
    for (std::size_t i = module.size(); i-- > 1;) {
      if (module[i] != '_' || !std::isdigit(static_cast<unsigned char>(module[i - 1]))) continue;
      std::size_t start = i - 1;
      while (start > 0 && std::isdigit(static_cast<unsigned char>(module[start - 1]))) --start;
      if (start > 0 && module[start - 1] == '_' && i + 1 < module.size()) {
        type = module.substr(i + 1);
        break;
      }
    }
  }
  // The first number standing between separators.
  std::string layer;
  for (std::size_t i = 0; i < module.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(module[i]))) continue;
    std::size_t end = i;
    while (end < module.size() && std::isdigit(static_cast<unsigned char>(module[end]))) ++end;
    const bool before = i == 0 || module[i - 1] == '.' || module[i - 1] == '_';
    const bool after = end == module.size() || module[end] == '.' || module[end] == '_';
    if (before && after) {
      layer = module.substr(i, end - i);
      break;
    }
    i = end;
  }
  return {type, layer};
}

LoraConfig parseLoraConfig(const std::string& text, const std::string& nameForErrors) {
  const nlohmann::json j = parseJsonInput(text, nameForErrors);
  if (!j.is_object()) throw InvalidArgument(nameForErrors + ": must be a JSON object");
  const auto fail = [&](const std::string& field, const std::string& why) {
    throw InvalidArgument(nameForErrors + ": field '" + field + "' " + why);
  };
  const auto rankOf = [&](const nlohmann::json& v, const std::string& field) {
    if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 1 << 20)
      fail(field, "must be a whole number from 1 to 1048576");
    return v.get<int>();
  };
  const auto alphaOf = [&](const nlohmann::json& v, const std::string& field) {
    if (!v.is_number() || !std::isfinite(v.get<double>())) fail(field, "must be a finite number");
    return v.get<double>();
  };
  LoraConfig config;
  if (j.contains("r") && !j["r"].is_null()) config.r = rankOf(j["r"], "r");
  if (j.contains("lora_alpha") && !j["lora_alpha"].is_null()) config.loraAlpha = alphaOf(j["lora_alpha"], "lora_alpha");
  if (j.contains("use_rslora") && !j["use_rslora"].is_null()) {
    if (!j["use_rslora"].is_boolean()) fail("use_rslora", "must be true or false");
    config.useRslora = j["use_rslora"].get<bool>();
  }
  for (const char* field : {"rank_pattern", "alpha_pattern"}) {
    if (!j.contains(field) || j[field].is_null()) continue;
    if (!j[field].is_object()) fail(field, "must be an object of module names");
    for (const auto& [key, value] : j[field].items()) {
      const std::string where = std::string(field) + "." + key;
      if (std::string(field) == "rank_pattern")
        config.rankPattern[key] = rankOf(value, where);
      else
        config.alphaPattern[key] = alphaOf(value, where);
    }
  }
  return config;
}

matfun::NumericalRank lowRankProductRank(const Eigen::MatrixXd& b, const Eigen::MatrixXd& a, double relativeTolerance) {
  if (b.cols() != a.rows()) {
    throw InvalidArgument("lowRankProductRank: B has " + std::to_string(b.cols()) + " columns but A has " +
                          std::to_string(a.rows()) + " rows");
  }
  return productRankFromTransposedA(b, a.transpose(), relativeTolerance);
}

LoraProfile profileLoraAdapter(const io::SafeTensorsFile& file, const LoraProfileOptions& options) {
  if (!(options.relativeTolerance >= 0.0) || !(options.relativeTolerance <= 1.0))
    throw InvalidArgument("the relative tolerance must lie in [0, 1]");
  LoraProfile profile;
  profile.metadata = file.metadata;
  if (const auto alpha = file.metadata.find("lora_alpha"); alpha != file.metadata.end()) {
    const char* text = alpha->second.c_str();
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text, &end);
    if (alpha->second.empty() || *end != '\0' || errno != 0 || !std::isfinite(value))
      throw InvalidArgument("metadata lora_alpha '" + alpha->second + "' is not a number");
    profile.loraAlpha = value;
  }

  if (options.config) profile.loraAlpha = options.config->loraAlpha;

  // Keyed by (module as displayed, adapter): std::map keeps them sorted for the report.
  std::map<std::pair<std::string, std::string>, Pair> pairs;
  std::map<std::string, std::pair<const std::string*, const io::Tensor*>> alphas;  // kohya's, by module
  for (const auto& [name, tensor] : file.tensors) {
    const auto factor = parseFactorName(name);
    if (!factor) {
      const std::string suffix = ".alpha";
      if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
        alphas[name.substr(0, name.size() - suffix.size())] = {&name, &tensor};
      else
        ++profile.ignoredTensors;
      continue;
    }
    std::string module = factor->module;
    if (module.rfind(kPeftPrefix, 0) == 0) module.erase(0, std::char_traits<char>::length(kPeftPrefix));
    Pair& pair = pairs[{module, factor->adapter}];
    if (pair.a || pair.b) {
      if (pair.layout != factor->layout)
        throw InvalidArgument("module '" + module + "': " + name + " mixes the kohya and PEFT layouts");
    }
    pair.layout = factor->layout;
    const std::string*& slotName = factor->half == Half::A ? pair.nameA : pair.nameB;
    const io::Tensor*& slot = factor->half == Half::A ? pair.a : pair.b;
    if (slot) {
      throw InvalidArgument("module '" + module + "': both " + *slotName + " and " + name + " are its lora_" +
                            (factor->half == Half::A ? "A" : "B"));
    }
    slotName = &name;
    slot = &tensor;
  }
  if (pairs.empty())
    throw InvalidArgument("no LoRA factors (tensors named <module>.lora_A.weight and <module>.lora_B.weight)");

  // Modules are independent: each is profiled on its own core (QR of two tall factors).
  std::vector<const std::pair<const std::pair<std::string, std::string>, Pair>*> work;
  for (const auto& entry : pairs) work.push_back(&entry);
  std::vector<LoraModuleProfile> results(work.size());
  std::atomic<std::size_t> done{0};
  std::atomic<bool> cancelled{false};
  parallelFor(work.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t w = begin; w < end; ++w) {
      if (cancelled.load()) throw Cancelled();
      // Named references, not a structured binding: clang 14 cannot capture bindings in a
      // lambda (the fuzzing and sanitizer builds use it; docs/RELIABILITY.md).
      const auto& key = work[w]->first;
      const Pair& pair = work[w]->second;
      const std::string& name = key.first;
      const auto scaleFor = [&](int rank) -> Scale {
        if (pair.layout == Layout::Kohya) {
          const auto alpha = alphas.find(name);
          if (alpha == alphas.end()) return {};  // kohya's default α = r
          const double value = alphaValue(*alpha->second.first, *alpha->second.second);
          return {rank > 0 ? value / rank : 1.0, "alpha tensor"};
        }
        if (options.config) return peftConfigScale(*options.config, name, rank);
        if (profile.loraAlpha && rank > 0) return {*profile.loraAlpha / rank, "metadata"};
        return {};
      };
      results[w] = profilePair(name, key.second, pair, options, scaleFor);
      const double fraction = static_cast<double>(++done) / static_cast<double>(work.size());
      if (options.progress && !options.progress(fraction)) cancelled = true;
    }
  });
  if (cancelled.load()) throw Cancelled();
  std::vector<int> numericRanks;
  for (LoraModuleProfile& module : results) {
    const std::int64_t width = module.outFeatures + module.inFeatures;
    profile.parameters += module.statedRank * width;
    profile.parametersAtNumericRank += module.numericRank * width;
    numericRanks.push_back(module.numericRank);
    if (profile.modules.empty()) profile.minStatedRank = profile.maxStatedRank = module.statedRank;
    profile.minStatedRank = std::min(profile.minStatedRank, module.statedRank);
    profile.maxStatedRank = std::max(profile.maxStatedRank, module.statedRank);
    profile.modules.push_back(std::move(module));
  }
  // Groups by type and by layer; layers sort as numbers.
  std::map<std::string, LoraGroup> types;
  std::map<std::pair<std::size_t, std::string>, LoraGroup> layers;
  for (const auto& m : profile.modules) {
    for (LoraGroup* g : {&types[m.type], m.layer.empty() ? nullptr : &layers[{m.layer.size(), m.layer}]}) {
      if (!g) continue;
      ++g->modules;
      g->statedRank += m.statedRank;
      g->numericRank += m.numericRank;
      g->rank90 += m.rank90;
      g->rank99 += m.rank99;
      g->parameters += m.statedRank * (m.outFeatures + m.inFeatures);
    }
  }
  for (auto& [name, group] : types) {
    group.name = name;
    profile.byType.push_back(group);
  }
  for (auto& [key, group] : layers) {
    group.name = key.second;
    profile.byLayer.push_back(group);
  }

  // An alpha without a kohya module of its name is just another tensor.
  for (const auto& [module, alpha] : alphas)
    if (!pairs.count({module, ""}) || pairs.at({module, ""}).layout != Layout::Kohya) ++profile.ignoredTensors;
  std::sort(numericRanks.begin(), numericRanks.end());
  const std::size_t n = numericRanks.size();
  profile.medianNumericRank = n % 2 ? numericRanks[n / 2] : 0.5 * (numericRanks[n / 2 - 1] + numericRanks[n / 2]);
  return profile;
}

std::optional<LoraConfigFile> readLoraConfigBeside(const std::string& adapterPath) {
  const std::filesystem::path beside = std::filesystem::path(adapterPath).parent_path() / "adapter_config.json";
  if (!std::filesystem::exists(beside)) return std::nullopt;
  LoraConfigFile file;
  file.path = beside.string();
  file.text = io::readTextFile(file.path, std::size_t(16) << 20, "an adapter_config.json");
  file.config = parseLoraConfig(file.text, file.path);
  return file;
}

LoraProfile profileLoraFile(const std::string& path, const LoraProfileOptions& options) {
  const io::SafeTensorsFile file = io::readSafeTensors(path);
  LoraProfileOptions withConfig = options;
  std::string configPath;
  if (!withConfig.config) {
    if (auto beside = readLoraConfigBeside(path)) {
      configPath = beside->path;
      withConfig.config = std::move(beside->config);
    }
  }
  try {
    LoraProfile profile = profileLoraAdapter(file, withConfig);
    profile.configPath = configPath;
    return profile;
  } catch (const InvalidArgument& e) {
    // Tensor names may hold any character; the message stays one line.
    std::string message = path + ": " + e.what();
    std::replace_if(
        message.begin(), message.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
    throw InvalidArgument(message);
  }
}

}  // namespace rankflow::learn
