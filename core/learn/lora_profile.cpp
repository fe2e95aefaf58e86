#include "core/learn/lora_profile.h"

#include <Eigen/QR>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/common/error.h"

namespace rankflow::learn {
namespace {

// PEFT's save_pretrained prefixes every key with the wrapper's attribute path.
constexpr const char* kPeftPrefix = "base_model.model.";
// Energies are ratios of sums; a curve that reaches 0.9 exactly must not miss it by an ulp.
constexpr double kEnergySlack = 1e-12;

enum class Half { A, B };

struct FactorName {
  std::string module;  // the full prefix, as in the file
  std::string adapter;
  Half half = Half::A;
};

// Recognises `<module>.lora_A[.<adapter>].weight` and `<module>.lora_embedding_A[.<adapter>]`
// (and the B halves); anything else is not a LoRA factor.
std::optional<FactorName> parseFactorName(const std::string& tensor) {
  struct Marker {
    const char* text;
    Half half;
    bool weightSuffix;
  };
  static const Marker kMarkers[] = {{".lora_A", Half::A, true},
                                    {".lora_B", Half::B, true},
                                    {".lora_embedding_A", Half::A, false},
                                    {".lora_embedding_B", Half::B, false}};
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
      return name;
    }
  }
  return std::nullopt;
}

struct Pair {
  const std::string* nameA = nullptr;
  const io::Tensor* a = nullptr;
  const std::string* nameB = nullptr;
  const io::Tensor* b = nullptr;
};

Eigen::MatrixXd rowMajorMatrix(const io::Tensor& t, std::int64_t rows, std::int64_t cols) {
  const std::vector<double> values = t.toDouble();
  return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(values.data(), rows,
                                                                                                  cols);
}

// R of a thin Householder QR: min(rows, cols) × cols, upper trapezoidal.
Eigen::MatrixXd triangularFactor(const Eigen::MatrixXd& m) {
  const Eigen::Index k = std::min(m.rows(), m.cols());
  if (k == 0) return Eigen::MatrixXd::Zero(0, m.cols());
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(m);
  return qr.matrixQR().topRows(k).triangularView<Eigen::Upper>();
}

LoraModuleProfile profilePair(const std::string& module, const std::string& adapter, const Pair& pair,
                              const LoraProfileOptions& options) {
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
  p.tensorA = *pair.nameA;
  p.tensorB = *pair.nameB;
  p.dtype = io::dtypeName(pair.a->dtype);
  if (pair.b->dtype != pair.a->dtype) p.dtype += std::string("/") + io::dtypeName(pair.b->dtype);
  p.outFeatures = shapeB[0];
  p.inFeatures = in;
  p.statedRank = static_cast<int>(shapeA[0]);
  const Eigen::MatrixXd a = rowMajorMatrix(*pair.a, shapeA[0], in);
  const Eigen::MatrixXd b = rowMajorMatrix(*pair.b, shapeB[0], shapeB[1]);
  if (!a.allFinite()) throw InvalidArgument(where + *pair.nameA + " holds a NaN or infinite value");
  if (!b.allFinite()) throw InvalidArgument(where + *pair.nameB + " holds a NaN or infinite value");

  const matfun::NumericalRank rank = lowRankProductRank(b, a, options.relativeTolerance);
  p.numericRank = rank.rank;
  p.tolerance = rank.tolerance;
  p.singularValues.assign(rank.singularValues.data(), rank.singularValues.data() + rank.singularValues.size());
  p.sigmaMax = p.singularValues.empty() ? 0.0 : p.singularValues.front();
  // Cumulative sums first, then one division by the last of them: the curve ends at exactly 1
  // however the compiler evaluates the sums.
  double sum = 0.0;
  for (double s : p.singularValues) p.energy.push_back(sum += s * s);
  const double total = sum;
  for (std::size_t k = 0; k < p.energy.size(); ++k) {
    p.energy[k] = total > 0.0 ? p.energy[k] / total : 0.0;
    const int captured = static_cast<int>(k) + 1;
    if (total > 0.0 && p.rank90 == 0 && p.energy[k] >= 0.90 - kEnergySlack) p.rank90 = captured;
    if (total > 0.0 && p.rank99 == 0 && p.energy[k] >= 0.99 - kEnergySlack) p.rank99 = captured;
  }
  return p;
}

}  // namespace

matfun::NumericalRank lowRankProductRank(const Eigen::MatrixXd& b, const Eigen::MatrixXd& a, double relativeTolerance) {
  if (b.cols() != a.rows()) {
    throw InvalidArgument("lowRankProductRank: B has " + std::to_string(b.cols()) + " columns but A has " +
                          std::to_string(a.rows()) + " rows");
  }
  if (!(relativeTolerance >= 0.0) || !std::isfinite(relativeTolerance))
    throw InvalidArgument("lowRankProductRank: the relative tolerance must be finite and >= 0");
  const Eigen::MatrixXd core = triangularFactor(b) * triangularFactor(a.transpose()).transpose();
  // numericalRank's own default tolerance is absolute-from-size; a LoRA profile states it
  // relative to σ_max, so the count is redone on the same spectrum.
  matfun::NumericalRank rank = matfun::numericalRank(core);
  const double sigmaMax = rank.singularValues.size() ? rank.singularValues(0) : 0.0;
  rank.tolerance = relativeTolerance * sigmaMax;
  rank.rank = 0;
  for (Eigen::Index i = 0; i < rank.singularValues.size(); ++i) rank.rank += rank.singularValues(i) > rank.tolerance;
  return rank;
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

  // Keyed by (module as displayed, adapter): std::map keeps them sorted for the report.
  std::map<std::pair<std::string, std::string>, Pair> pairs;
  for (const auto& [name, tensor] : file.tensors) {
    const auto factor = parseFactorName(name);
    if (!factor) {
      ++profile.ignoredTensors;
      continue;
    }
    std::string module = factor->module;
    if (module.rfind(kPeftPrefix, 0) == 0) module.erase(0, std::char_traits<char>::length(kPeftPrefix));
    Pair& pair = pairs[{module, factor->adapter}];
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

  std::vector<int> numericRanks;
  for (const auto& [key, pair] : pairs) {
    LoraModuleProfile module = profilePair(key.first, key.second, pair, options);
    if (profile.loraAlpha && module.statedRank > 0) module.scaling = *profile.loraAlpha / module.statedRank;
    const std::int64_t width = module.outFeatures + module.inFeatures;
    profile.parameters += module.statedRank * width;
    profile.parametersAtNumericRank += module.numericRank * width;
    numericRanks.push_back(module.numericRank);
    if (profile.modules.empty()) profile.minStatedRank = profile.maxStatedRank = module.statedRank;
    profile.minStatedRank = std::min(profile.minStatedRank, module.statedRank);
    profile.maxStatedRank = std::max(profile.maxStatedRank, module.statedRank);
    profile.modules.push_back(std::move(module));
  }
  std::sort(numericRanks.begin(), numericRanks.end());
  const std::size_t n = numericRanks.size();
  profile.medianNumericRank = n % 2 ? numericRanks[n / 2] : 0.5 * (numericRanks[n / 2 - 1] + numericRanks[n / 2]);
  return profile;
}

LoraProfile profileLoraFile(const std::string& path, const LoraProfileOptions& options) {
  const io::SafeTensorsFile file = io::readSafeTensors(path);
  try {
    return profileLoraAdapter(file, options);
  } catch (const InvalidArgument& e) {
    // Tensor names may hold any character; the message stays one line.
    std::string message = path + ": " + e.what();
    std::replace_if(
        message.begin(), message.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
    throw InvalidArgument(message);
  }
}

}  // namespace rankflow::learn
