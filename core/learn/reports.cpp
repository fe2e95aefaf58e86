#include "core/learn/reports.h"

#include <nlohmann/json.hpp>

namespace rankflow::learn {
namespace {

using nlohmann::json;

std::string text(const json& j) {
  return j.dump(1, ' ', false, json::error_handler_t::replace);
}

json optionalNumber(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

json groupsJson(const std::vector<LoraGroup>& groups) {
  json out = json::array();
  for (const auto& g : groups)
    out.push_back({{"name", g.name},
                   {"modules", g.modules},
                   {"stated_rank", g.statedRank},
                   {"numeric_rank", g.numericRank},
                   {"rank_90", g.rank90},
                   {"rank_99", g.rank99},
                   {"parameters", g.parameters}});
  return out;
}

json profileJson(const std::string& path, double tolerance, double fro, const LoraProfile& profile) {
  json modules = json::array();
  for (const auto& m : profile.modules) {
    modules.push_back({{"module", m.module},
                       {"adapter", m.adapter},
                       {"tensor_a", m.tensorA},
                       {"tensor_b", m.tensorB},
                       {"dtype", m.dtype},
                       {"out", m.outFeatures},
                       {"in", m.inFeatures},
                       {"r", m.statedRank},
                       {"numeric_rank", m.numericRank},
                       {"tolerance", m.tolerance},
                       {"rank_90", m.rank90},
                       {"rank_99", m.rank99},
                       {"sigma_max", m.sigmaMax},
                       {"singular_values", m.singularValues},
                       {"energy", m.energy},
                       {"scaling", optionalNumber(m.scaling)},
                       {"scale", m.scale},
                       {"scale_source", m.scaleSource},
                       {"layout", m.layout},
                       {"type", m.type},
                       {"layer", m.layer},
                       {"rank_fro", rankByFrobenius(m.singularValues, fro)},
                       {"truncation_error", m.truncationError}});
  }
  return {{"file", path},
          {"relative_tolerance", tolerance},
          {"fro", fro},
          {"lora_alpha", optionalNumber(profile.loraAlpha)},
          {"config", profile.configPath.empty() ? json(nullptr) : json(profile.configPath)},
          {"metadata", profile.metadata},
          {"modules", modules},
          {"by_type", groupsJson(profile.byType)},
          {"by_layer", groupsJson(profile.byLayer)},
          {"summary",
           {{"modules", profile.modules.size()},
            {"stated_rank_min", profile.minStatedRank},
            {"stated_rank_max", profile.maxStatedRank},
            {"median_numeric_rank", profile.medianNumericRank},
            {"parameters", profile.parameters},
            {"parameters_at_numeric_rank", profile.parametersAtNumericRank},
            {"ignored_tensors", profile.ignoredTensors}}}};
}

json resizeJson(const std::string& path, const std::string& out, const LoraResize& resize) {
  json modules = json::array();
  for (const auto& m : resize.modules)
    modules.push_back({{"module", m.module},
                       {"adapter", m.adapter},
                       {"from", m.fromRank},
                       {"to", m.toRank},
                       {"relative_error", m.relativeError}});
  return {{"file", path},
          {"out", out},
          {"modules", modules},
          {"parameters_before", resize.parametersBefore},
          {"parameters_after", resize.parametersAfter}};
}

json cascadeJson(const std::string& basePath, const std::vector<std::string>& targetPaths, const CheckpointCascade& fit,
                 const CheckpointCascadeOptions& options) {
  json tensors = json::array();
  for (const auto& t : fit.tensors) {
    json orders = json::array();
    for (const auto& o : t.orders)
      orders.push_back({{"k", o.k},
                        {"rank", o.rank},
                        {"cascade_error", o.cascadeError},
                        {"independent_error", o.independentError},
                        {"delta_norm", o.deltaNorm}});
    tensors.push_back({{"name", t.name}, {"shape", t.shape}, {"dtype", t.dtype}, {"orders", orders}});
  }
  json totals = json::array();
  for (const auto& t : fit.totals)
    totals.push_back({{"k", t.k},
                      {"rank", t.rank},
                      {"cascade_error", t.cascadeError},
                      {"independent_error", t.independentError},
                      {"parameters", t.parameters}});
  return {{"base", basePath},
          {"targets", targetPaths},
          {"ranks", options.ranks},
          {"svd", options.exactSvd ? "full" : "randomized"},
          {"power_iterations", options.svd.powerIterations},
          {"oversampling", options.svd.oversampling},
          {"tensors", tensors},
          {"orders", totals},
          {"skipped", fit.skipped},
          {"dense_parameters", fit.denseParameters},
          {"seconds", fit.seconds}};
}

}  // namespace

std::string loraProfileReport(const std::string& path, double tolerance, double fro, const LoraProfile& profile) {
  return text(profileJson(path, tolerance, fro, profile));
}

std::string loraResizeReport(const std::string& path, const std::string& out, const LoraResize& resize) {
  return text(resizeJson(path, out, resize));
}

std::string checkpointCascadeReport(const std::string& basePath, const std::vector<std::string>& targetPaths,
                                    const CheckpointCascade& fit, const CheckpointCascadeOptions& options) {
  return text(cascadeJson(basePath, targetPaths, fit, options));
}

}  // namespace rankflow::learn
