// The Queries panel's data as JSON (its export and the scripts' checks): sizes, the jobs'
// states, the last query with every strategy's times on both backends, the sweep.
#include <nlohmann/json.hpp>

#include "app/models/queries_model.h"

namespace rankflow::app {
namespace {

using lowrank::Strategy;

std::size_t index(Strategy s) {
  return static_cast<std::size_t>(s);
}

nlohmann::json strategyTimes(const std::array<double, lowrank::kStrategyCount>& values) {
  nlohmann::json out = nlohmann::json::object();
  for (Strategy s : lowrank::kAllStrategies) out[lowrank::strategyName(s)] = values[index(s)];
  return out;
}

nlohmann::json cudaTimes(const std::array<double, kCudaStrategyCount>& values) {
  nlohmann::json out = nlohmann::json::object();
  for (int c = 0; c < kCudaStrategyCount; ++c) {
    out[lowrank::strategyName(lowrank::kAllStrategies[static_cast<std::size_t>(c)])] =
        values[static_cast<std::size_t>(c)];
  }
  return out;
}

}  // namespace

std::string QueriesModel::exportJson() const {
  const QueriesView& v = view_;
  nlohmann::json out;
  out["sizes"] = {{"m", v.sizes.m}, {"d", v.sizes.d}, {"r", v.sizes.r}, {"n", v.sizes.n}, {"seed", v.sizes.seed}};
  out["tree_ready"] = v.treeReady;
  out["tree_version"] = v.treeVersion;
  out["interval"] = {{"l", v.l}, {"r", v.h}};
  out["backend"] = {{"cpu", v.cpuBackend}, {"cuda", v.cudaLine}, {"cuda_available", v.cudaAvailable}};
  out["cost_model"] = {{"seconds_per_multiply_add", v.costs.secondsPerMultiplyAdd},
                       {"seconds_per_add", v.costs.secondsPerAdd},
                       {"seconds_per_call", v.costs.secondsPerCall}};
  nlohmann::json jobs = nlohmann::json::object();
  constexpr std::array<const char*, kQueryJobCount> kJobNames = {"build", "update", "query", "sweep"};
  for (std::size_t k = 0; k < v.jobs.size(); ++k) {
    jobs[kJobNames[k]] = {
        {"state", taskStateName(v.jobs[k].state)}, {"progress", v.jobs[k].progress}, {"message", v.jobs[k].message}};
  }
  out["jobs"] = jobs;
  out["superseded_queries"] = v.supersededQueries;

  if (const auto& q = v.query) {
    nlohmann::json nodes = nlohmann::json::array();
    for (std::size_t i = 0; i < q->routerPlan.nodes.size(); ++i) {
      nodes.push_back({{"node", q->routerPlan.nodes[i]},
                       {"first", q->routerPlan.nodeRanges[i].first},
                       {"last", q->routerPlan.nodeRanges[i].second}});
    }
    nlohmann::json query = {{"l", q->l},
                            {"r", q->h},
                            {"n", q->n},
                            {"router_choice", lowrank::strategyName(q->routerChoice)},
                            {"router_measured_seconds", q->routerMeasuredSeconds},
                            {"router_predicted_seconds", strategyTimes(q->routerPlan.predictedSeconds)},
                            {"router_relative_error", q->routerRelativeError},
                            {"nodes", nodes},
                            {"measured_seconds", strategyTimes(q->measuredSeconds)},
                            {"predicted_seconds", strategyTimes(q->predictedSeconds)},
                            {"relative_error", strategyTimes(q->relativeError)},
                            {"max_strategy_difference", q->maxStrategyDifference}};
    if (q->cudaTimed) {
      query["cuda_seconds"] = cudaTimes(q->cudaSeconds);
      query["cuda_relative_error"] = cudaTimes(q->cudaRelativeError);
    }
    out["query"] = query;
  }
  if (const auto& s = v.sweep) {
    nlohmann::json points = nlohmann::json::array();
    for (const SweepPoint& p : s->points) {
      nlohmann::json point = {{"length", p.length},
                              {"l", p.l},
                              {"measured_seconds", strategyTimes(p.measuredSeconds)},
                              {"predicted_seconds", strategyTimes(p.predictedSeconds)}};
      if (s->cudaTimed) point["cuda_seconds"] = cudaTimes(p.cudaSeconds);
      points.push_back(point);
    }
    nlohmann::json cross = nlohmann::json::array();
    for (const SweepCrossover& c : s->crossovers) {
      cross.push_back({{"fly_against", lowrank::strategyName(c.against)},
                       {"predicted_length", c.predictedLength},
                       {"measured_length", c.measuredLength}});
    }
    out["sweep"] = {{"complete", s->complete},
                    {"points", points},
                    {"crossovers", cross},
                    {"paper_crossover_length", s->paperCrossoverLength}};
  }
  if (const auto& u = v.update) {
    out["update"] = {{"index", u->index},
                     {"l", u->l},
                     {"r", u->h},
                     {"inside_interval", u->insideInterval},
                     {"update_seconds", u->updateSeconds},
                     {"prefix_rebuild_seconds", u->prefixRebuildSeconds},
                     {"relative_error", strategyTimes(u->relativeError)},
                     {"max_relative_error", u->maxRelativeError},
                     {"updates_since_build", u->updatesSinceBuild}};
  }
  return out.dump(2);
}

}  // namespace rankflow::app
