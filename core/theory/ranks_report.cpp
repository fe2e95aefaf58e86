#include "core/theory/ranks_report.h"

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/matfun/derivative_grid.h"
#include "core/matfun/rank.h"

namespace rankflow::theory {

RanksReport computeRanks(const MatrixScene& scene, lowrank::LowRankBackend& backend, const RanksRequest& request) {
  if (request.maxOrder < 0 || request.maxOrder > 16)
    throw InvalidArgument("max order: 0 to 16, got " + std::to_string(request.maxOrder));
  if (request.samples < 1 || request.samples > 1000)
    throw InvalidArgument("samples: 1 to 1000, got " + std::to_string(request.samples));
  if (request.stripTimes < 0 || request.stripTimes > (1 << 20))
    throw InvalidArgument("times: 0 to 2^20, got " + std::to_string(request.stripTimes));
  if (request.stripTimes > 0 && !(request.tMin <= request.tMax)) throw InvalidArgument("t-min must not exceed t-max");
  const int stripTimes = request.stripTimes;
  // One submission: the strip's times, then the generic rank's random ones (the same draws
  // as numericalGenericRank), every order at each.
  std::vector<double> times =
      stripTimes > 0 ? matfun::evenlySpacedTimes(request.tMin, request.tMax, stripTimes) : std::vector<double>{};
  const std::vector<double> generic = matfun::genericSampleTimes(request.samples, 1, -1.0, 1.0);
  times.insert(times.end(), generic.begin(), generic.end());
  const matfun::DerivativeTermTable table = matfun::flattenDerivatives(scene.b, request.maxOrder);
  const matfun::RankGrid grid = backend.rankGrid(table, times, request.tolerance, true);

  RanksReport report;
  report.scene = scene.name;
  report.statement = scene.statement;
  report.rows = scene.b.rows();
  report.cols = scene.b.cols();
  report.backend = grid.backend;
  report.method = grid.method;
  report.note = grid.note;
  report.kernelSeconds = grid.kernelSeconds;
  report.endToEndSeconds = grid.endToEndSeconds;
  matfun::MatrixFunction current = scene.b;
  const int length = grid.spectrumLength();
  int r0 = -1, previous = -1;
  for (int k = 0; k <= request.maxOrder; ++k) {
    // The first random sample reaching the maximum, as numericalGenericRank picks it.
    int best = stripTimes;
    for (int i = stripTimes; i < static_cast<int>(times.size()); ++i)
      if (grid.rank(i, k) > grid.rank(best, k)) best = i;
    const std::size_t cell = static_cast<std::size_t>(best * grid.orders() + k);
    OrderRanks order;
    order.k = k;
    order.numerical = grid.ranks[cell];
    order.tolerance = grid.tolerances[cell];
    const double* sigma = grid.singularValues.data() + cell * static_cast<std::size_t>(length);
    order.singularValues.assign(sigma, sigma + length);
    if (request.exact) {
      try {
        const auto e = matfun::exactGenericRank(current);
        order.exact = e.rank;
        order.failureBound = e.failureBound;
        order.draws = e.draws;
      } catch (const InvalidArgument& e) {
        order.exactUnavailable = e.what();
      }
    }
    const int rank = order.exact ? *order.exact : order.numerical;
    if (k == 0) r0 = rank;
    if (k > 0) order.ceilingFact14 = 2 * previous;
    order.ceilingFact17 = (k + 1) * r0;
    report.orders.push_back(std::move(order));
    previous = rank;
    if (request.exact && k < request.maxOrder) current = current.derivative();
  }
  for (int i = 0; i < stripTimes; ++i) {
    std::vector<int> ranks(static_cast<std::size_t>(grid.orders()));
    for (int k = 0; k < grid.orders(); ++k) ranks[static_cast<std::size_t>(k)] = grid.rank(i, k);
    report.stripTimes.push_back(times[static_cast<std::size_t>(i)]);
    report.strip.push_back(std::move(ranks));
  }
  return report;
}

std::string ranksReportJson(const RanksReport& report, const std::optional<std::string>& whyNotCuda) {
  using nlohmann::json;
  json orders = json::array();
  for (const OrderRanks& o : report.orders) {
    json order = {{"k", o.k}, {"numerical_rank", o.numerical}, {"tolerance", o.tolerance}};
    order["singular_values"] = o.singularValues;
    if (o.exact) {
      order["exact_rank"] = *o.exact;
      order["failure_bound"] = o.failureBound;
      order["draws"] = o.draws;
    } else if (!o.exactUnavailable.empty()) {
      order["exact_rank"] = nullptr;
      order["exact_unavailable"] = o.exactUnavailable;
    }
    order["ceiling_fact_1_4"] = o.ceilingFact14 ? json(*o.ceilingFact14) : json(nullptr);
    order["ceiling_fact_1_7"] = o.ceilingFact17;
    orders.push_back(order);
  }
  json out = {{"scene", report.scene},
              {"statement", report.statement},
              {"rows", report.rows},
              {"cols", report.cols},
              {"orders", orders},
              {"backend", report.backend},
              {"method", report.method},
              {"kernel_seconds", report.kernelSeconds},
              {"end_to_end_seconds", report.endToEndSeconds}};
  if (!report.strip.empty()) {
    json strip = json::array();
    for (std::size_t i = 0; i < report.strip.size(); ++i)
      strip.push_back({{"t", report.stripTimes[i]}, {"ranks", report.strip[i]}});
    out["strip"] = strip;
  }
  out["note"] = report.note.empty() ? json(nullptr) : json(report.note);
  out["why_not_cuda"] = whyNotCuda ? json(*whyNotCuda) : json(nullptr);
  return out.dump(1);
}

}  // namespace rankflow::theory
