#include "core/learn/lora_resize.h"

#include <Eigen/QR>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <type_traits>

#include "core/common/error.h"
#include "core/common/parallel_for.h"
#include "core/io/atomic_file.h"
#include "core/learn/lora_schedule.h"
#include "core/learn/tensor_matrix.h"

namespace rankflow::learn {
namespace {

// The rank the criterion asks of one module.
int targetRank(const LoraResizeCriterion& c, const LoraModuleProfile& m) {
  const std::string where = "module '" + m.module + "': ";
  switch (c.kind) {
    case LoraResizeCriterion::Kind::Rank:
      return std::min(static_cast<int>(c.value), m.statedRank);
    case LoraResizeCriterion::Kind::Energy:
      for (std::size_t k = 0; k < m.energy.size(); ++k)
        if (m.energy[k] >= c.value - 1e-12) return static_cast<int>(k) + 1;
      return 1;  // ΔW = 0
    case LoraResizeCriterion::Kind::Frobenius:
      return std::max(1, rankByFrobenius(m.singularValues, c.value));
    case LoraResizeCriterion::Kind::Ratio:
    case LoraResizeCriterion::Kind::Cumulative:
    case LoraResizeCriterion::Kind::Budget:
      return m.statedRank;  // turned into a Schedule before the factors are computed
    case LoraResizeCriterion::Kind::Schedule: {
      const auto found = c.schedule.find(m.module);
      if (found == c.schedule.end()) throw InvalidArgument(where + "the schedule gives it no rank");
      if (found->second < 1 || found->second > m.statedRank) {
        throw InvalidArgument(where + "the schedule asks for rank " + std::to_string(found->second) + ", outside 1.." +
                              std::to_string(m.statedRank) + " (its rank r)");
      }
      return found->second;
    }
  }
  return m.statedRank;
}

void checkCriterion(const LoraResizeCriterion& c, const LoraProfile& profile) {
  using Kind = LoraResizeCriterion::Kind;
  if (c.kind == Kind::Rank && (c.value < 1 || c.value != std::floor(c.value) || c.value > profile.maxStatedRank)) {
    throw InvalidArgument("--rank " + std::to_string(c.value) + ": a target rank must be a whole number from 1 to " +
                          std::to_string(profile.maxStatedRank) + " (the adapter's largest r)");
  }
  if ((c.kind == Kind::Energy || c.kind == Kind::Frobenius) && !(c.value > 0.0 && c.value <= 1.0))
    throw InvalidArgument("the share must lie in (0, 1], got " + std::to_string(c.value));
  if (c.kind == Kind::Schedule) {
    for (const auto& entry : c.schedule) {
      const std::string& name = entry.first;  // not a binding: clang 14 cannot capture one
      const bool known = std::any_of(profile.modules.begin(), profile.modules.end(),
                                     [&](const LoraModuleProfile& m) { return m.module == name; });
      if (!known) throw InvalidArgument("the schedule names module '" + name + "', which the adapter does not have");
    }
  }
}

}  // namespace

namespace {

template <class File>
LoraResize resizeWithProfile(File& file, const LoraProfile& profile, const LoraResizeCriterion& criterion,
                             const std::string& baseConfigJson);

// A non-const file is consumed: each module's input factors are freed once its new ones
// exist, so the input and the output are never held whole together (docs/PERFORMANCE.md).
template <class File>
LoraResize resize(File& file, const LoraProfileOptions& options, const LoraResizeCriterion& criterion,
                  const std::string& baseConfigJson) {
  const LoraProfile profile = profileLoraAdapter(file, options);
  checkCriterion(criterion, profile);
  // kohya's other two criteria and a parameter budget: the schedule they give, module by module.
  using Kind = LoraResizeCriterion::Kind;
  if (criterion.kind == Kind::Ratio || criterion.kind == Kind::Cumulative || criterion.kind == Kind::Budget) {
    const ScheduleCriterion as = criterion.kind == Kind::Ratio        ? ScheduleCriterion::Ratio
                                 : criterion.kind == Kind::Cumulative ? ScheduleCriterion::Cumulative
                                                                      : ScheduleCriterion::Budget;
    const RankSchedule schedule = scheduleRanks(profile, as, criterion.value);
    LoraResizeCriterion scheduled{Kind::Schedule, 0.0, {}};
    for (std::size_t i = 0; i < profile.modules.size(); ++i)
      scheduled.schedule[profile.modules[i].module] = schedule.ranks[i];
    return resizeWithProfile(file, profile, scheduled, baseConfigJson);
  }
  return resizeWithProfile(file, profile, criterion, baseConfigJson);
}

template <class File>
LoraResize resizeWithProfile(File& file, const LoraProfile& profile, const LoraResizeCriterion& criterion,
                             const std::string& baseConfigJson) {
  constexpr bool release = !std::is_const_v<File>;
  LoraResize out;
  // Everything but the factors (and kohya's alphas), which are written anew below: copying
  // the whole input first would hold every factor twice.
  std::set<std::string> replaced;
  for (const LoraModuleProfile& m : profile.modules) {
    replaced.insert(m.tensorA);
    replaced.insert(m.tensorB);
    if (m.layout == "kohya") replaced.insert(m.module + ".alpha");
  }
  out.adapter.metadata = file.metadata;
  for (auto& [name, tensor] : file.tensors)
    if (!replaced.count(name)) {
      if constexpr (release) {
        out.adapter.tensors.emplace(name, std::move(tensor));
      } else {
        out.adapter.tensors.emplace(name, tensor);
      }
    }
  nlohmann::json config = nlohmann::json::object();
  if (!baseConfigJson.empty()) config = nlohmann::json::parse(baseConfigJson);  // checked by the profile
  // Each module's new factors on its own core; the file and the config are assembled after.
  struct NewFactors {
    io::Tensor a, b;
    int rank = 0;
    double error = 0.0;
  };
  std::vector<NewFactors> computed(profile.modules.size());
  parallelFor(profile.modules.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const LoraModuleProfile& m = profile.modules[i];
      const io::Tensor& ta = file.tensors.at(m.tensorA);
      const io::Tensor& tb = file.tensors.at(m.tensorB);
      const int r = m.statedRank;
      const int k = std::max(1, std::min(targetRank(criterion, m), r));
      // ΔW = scale·B·A = Q_B (scale·R_B R_Aᵀ) Q_Aᵀ; the r × r core's SVD U Σ Vᵀ gives ΔW_k =
      // (Q_B U_k √Σ_k)(√Σ_k V_kᵀ Q_Aᵀ): the new B and A, with scale 1.
      const Eigen::MatrixXd aT = decodeTranspose(ta, r, m.inFeatures);
      const Eigen::MatrixXd b = decodeTranspose(tb, m.outFeatures, r).transpose();
      const Eigen::HouseholderQR<Eigen::MatrixXd> qrB(b), qrA(aT);
      const Eigen::Index kb = std::min<Eigen::Index>(b.rows(), r), ka = std::min<Eigen::Index>(aT.rows(), r);
      const Eigen::MatrixXd rB = qrB.matrixQR().topRows(kb).triangularView<Eigen::Upper>();
      const Eigen::MatrixXd rA = qrA.matrixQR().topRows(ka).triangularView<Eigen::Upper>();
      const Eigen::JacobiSVD<Eigen::MatrixXd> svd(m.scale * rB * rA.transpose(),
                                                  Eigen::ComputeFullU | Eigen::ComputeFullV);
      const Eigen::Index kept = std::min<Eigen::Index>(k, svd.singularValues().size());
      const Eigen::VectorXd root = svd.singularValues().head(kept).cwiseSqrt();
      // Q_B·(U_k √Σ_k) by applying the Householder reflectors to the small factor padded with
      // zeros: O(out·r·k), where forming the thin Q_B first cost three times the QR itself.
      Eigen::MatrixXd newB = Eigen::MatrixXd::Zero(b.rows(), k), newAT = Eigen::MatrixXd::Zero(aT.rows(), k);
      newB.topLeftCorner(kb, kept) = svd.matrixU().leftCols(kept) * root.asDiagonal();
      newB.applyOnTheLeft(qrB.householderQ());
      newAT.topLeftCorner(ka, kept) = svd.matrixV().leftCols(kept) * root.asDiagonal();
      newAT.applyOnTheLeft(qrA.householderQ());
      const Eigen::MatrixXd newA = newAT.transpose();
      std::vector<std::int64_t> shapeA = ta.shape, shapeB = tb.shape;
      shapeA[0] = k;
      shapeB[1] = k;
      computed[i] = {encodeMatrix(ta.dtype, newA, shapeA), encodeMatrix(tb.dtype, newB, shapeB), k,
                     m.truncationError[static_cast<std::size_t>(kept)]};
      if constexpr (release) {  // distinct tensors per module: no two threads touch the same one
        std::vector<std::uint8_t>().swap(file.tensors.at(m.tensorA).bytes);
        std::vector<std::uint8_t>().swap(file.tensors.at(m.tensorB).bytes);
      }
    }
  });

  bool peft = false;
  int largest = 0;
  for (std::size_t i = 0; i < profile.modules.size(); ++i) {
    const LoraModuleProfile& m = profile.modules[i];
    NewFactors& f = computed[i];
    const int r = m.statedRank, k = f.rank;
    out.adapter.tensors[m.tensorA] = std::move(f.a);
    out.adapter.tensors[m.tensorB] = std::move(f.b);
    if (m.layout == "kohya") {
      // kohya's scale is alpha / r: alpha = k makes it 1.
      const std::string alphaName = m.module + ".alpha";
      const auto old = file.tensors.find(alphaName);
      const io::Dtype dtype =
          old != file.tensors.end() && io::dtypeDecodes(old->second.dtype) ? old->second.dtype : io::Dtype::F32;
      const std::vector<double> alpha = {static_cast<double>(k)};
      out.adapter.tensors[alphaName] = io::Tensor::encode(dtype, {}, alpha);
    } else {
      peft = true;
      config["rank_pattern"][m.module] = k;
      config["alpha_pattern"][m.module] = k;  // α/r = 1 with use_rslora off
    }
    largest = std::max(largest, k);
    const std::int64_t width = m.outFeatures + m.inFeatures;
    out.parametersBefore += static_cast<std::int64_t>(r) * width;
    out.parametersAfter += static_cast<std::int64_t>(k) * width;
    out.modules.push_back({m.module, m.adapter, r, k, f.error});
  }
  if (peft) {
    config["peft_type"] = config.value("peft_type", std::string("LORA"));
    config["r"] = largest;
    config["lora_alpha"] = largest;
    config["use_rslora"] = false;
    out.configJson = config.dump(2) + "\n";
  }
  out.adapter.metadata.erase("lora_alpha");  // the patterns (or kohya's alphas) state the scale now
  return out;
}

}  // namespace

LoraResize resizeLoraAdapter(const io::SafeTensorsFile& file, const LoraProfileOptions& options,
                             const LoraResizeCriterion& criterion, const std::string& baseConfigJson) {
  return resize(file, options, criterion, baseConfigJson);
}

LoraResize resizeLoraAdapter(io::SafeTensorsFile&& file, const LoraProfileOptions& options,
                             const LoraResizeCriterion& criterion, const std::string& baseConfigJson) {
  return resize(file, options, criterion, baseConfigJson);
}

LoraResize resizeLoraFile(const std::string& path, const LoraResizeCriterion& criterion) {
  io::SafeTensorsFile file = io::readSafeTensors(path);
  LoraProfileOptions options;
  std::string configText;
  if (auto beside = readLoraConfigBeside(path)) {
    configText = std::move(beside->text);
    options.config = std::move(beside->config);
  }
  return resizeLoraAdapter(std::move(file), options, criterion, configText);
}

void writeLoraResize(const LoraResize& resize, const std::string& directory) {
  namespace fs = std::filesystem;
  const fs::path target(directory);
  if (fs::exists(target)) throw InvalidArgument(directory + " exists already: give a new directory");
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(parent)) throw InvalidArgument(parent.string() + " is not a directory");
  const fs::path partial = parent / (target.filename().string() + ".partial-" + std::to_string(std::random_device{}()));
  try {
    fs::create_directory(partial);
    io::writeSafeTensors((partial / "adapter_model.safetensors").string(), resize.adapter);
    if (!resize.configJson.empty()) io::writeFileAtomic((partial / "adapter_config.json").string(), resize.configJson);
    fs::rename(partial, target);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(partial, ignored);
    throw;
  }
}

}  // namespace rankflow::learn
