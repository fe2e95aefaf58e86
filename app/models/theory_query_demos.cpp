// The §3 demonstrations of the Theory panel: low-rank range queries on a segment tree
// (Theorem 1.10, Remark 1.11, sum-then-multiply against prefix sums, point updates,
// Theorem 1.13's tensor tree), each measured live by the core and its claims checked.
#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include "app/models/queries_model.h"
#include "app/models/theory_demo_parts.h"
#include "app/viewer/units_text.h"
#include "core/common/timing.h"
#include "core/lowrank/crossover.h"
#include "core/lowrank/range_tree.h"

namespace rankflow::app::theory_demo {
namespace {

using lowrank::Strategy;

int ceilLog2(int m) {
  int levels = 0;
  while ((1 << levels) < m) ++levels;
  return levels;
}

// The canonical nodes cover [l, h] exactly once.
bool nodesPartition(const lowrank::LowRankRangeTree& tree, const std::vector<int>& nodes, int l, int h) {
  std::vector<int> covered(static_cast<std::size_t>(tree.count()), 0);
  for (int id : nodes) {
    const auto [first, last] = tree.nodeRange(id);
    for (int i = first; i <= std::min(last, tree.count() - 1); ++i) ++covered[static_cast<std::size_t>(i)];
  }
  for (int i = 0; i < tree.count(); ++i)
    if (covered[static_cast<std::size_t>(i)] != (i >= l && i <= h ? 1 : 0)) return false;
  return true;
}

TreeDiagram diagramOf(const lowrank::LowRankRangeTree& tree, const lowrank::QueryPlan& plan) {
  return {tree.count(), tree.leafCount(), plan.l, plan.h, plan.nodes};
}

std::string crossingText(double length) {
  return std::isfinite(length) ? formatNumber("%.0f", length) : std::string("none in [1, m]");
}

struct TimedStrategies {
  std::array<double, lowrank::kStrategyCount> seconds{};
  std::array<double, lowrank::kStrategyCount> error{};
};

TimedStrategies timeStrategies(const lowrank::LowRankRangeTree& tree, const QueryInputs& in, int l, int h,
                               int repetitions) {
  TimedStrategies out;
  const Eigen::MatrixXd reference = lowrank::referenceRangeQuery(in.left, in.right, l, h, in.x);
  for (Strategy s : lowrank::kAllStrategies) {
    Eigen::MatrixXf y = tree.query(l, h, in.x, s);  // also builds the prefix sums once
    const auto i = static_cast<std::size_t>(s);
    out.seconds[i] = bestSeconds(repetitions, [&] { y = tree.query(l, h, in.x, s); });
    out.error[i] = lowrank::relativeError(y, reference);
  }
  return out;
}

}  // namespace

void demoTheorem110(const Params& p, TheoryDemoResult& out) {
  const QuerySizes sizes{p.integer("m"), 32, 4, 16, 3};
  const int h = std::min(p.integer("h"), sizes.m - 1), l = std::min(p.integer("l"), h);
  const QueryInputs in = QueriesModel::makeInputs(sizes);
  const lowrank::LowRankRangeTree tree(in.left, in.right);
  const lowrank::QueryPlan plan = tree.plan(l, h, sizes.n, lowrank::CostModel::forThisMachine());
  const TimedStrategies timed = timeStrategies(tree, in, l, h, 5);
  out.tree = diagramOf(tree, plan);
  out.lines.push_back("m = " + std::to_string(sizes.m) + ", d = 32, r = 4, n = 16; [l, h] = [" + std::to_string(l) +
                      ", " + std::to_string(h) + "], L = " + std::to_string(h - l + 1) + ": " +
                      std::to_string(plan.nodes.size()) +
                      " canonical nodes (at most 2⌈log₂ m⌉ = " + std::to_string(2 * ceilLog2(sizes.m)) + ")");
  double worst = 0.0;
  for (Strategy s : lowrank::kAllStrategies) {
    const auto i = static_cast<std::size_t>(s);
    worst = std::max(worst, timed.error[i]);
    out.lines.push_back(std::string(lowrank::strategyName(s)) + ": " + formatSeconds(timed.seconds[i]) + " measured, " +
                        formatSeconds(plan.predictedSeconds[i]) + " predicted, error " +
                        formatNumber("%.1e", timed.error[i]) + (s == plan.chosen ? "  <- router" : ""));
  }
  out.checks.push_back(
      {"at most 2⌈log₂ m⌉ canonical nodes", static_cast<int>(plan.nodes.size()) <= 2 * std::max(1, ceilLog2(sizes.m))});
  out.checks.push_back({"the canonical nodes cover [l, h] exactly once", nodesPartition(tree, plan.nodes, l, h)});
  out.checks.push_back({"every strategy matches the float64 reference (1e-4)", worst <= 1e-4});
}

void demoRemark111(const Params& p, TheoryDemoResult& out) {
  const QuerySizes sizes{1024, p.integer("d"), p.integer("r"), 32, 5};
  const QueryInputs in = QueriesModel::makeInputs(sizes);
  const lowrank::LowRankRangeTree tree(in.left, in.right);
  const lowrank::CostModel& costs = lowrank::CostModel::forThisMachine();
  const std::array<Strategy, 3> shown = {Strategy::Tree, Strategy::SumThenMultiply, Strategy::OnTheFly};
  std::vector<double> lengths;
  std::array<std::vector<double>, 3> measured, predicted;
  for (int length : lowrank::logSpacedLengths(sizes.m, 12)) {
    const int l = (sizes.m - length) / 2, h = l + length - 1;
    const lowrank::QueryPlan plan = tree.plan(l, h, sizes.n, costs);
    lengths.push_back(length);
    for (std::size_t i = 0; i < shown.size(); ++i) {
      Eigen::MatrixXf y;
      measured[i].push_back(bestSeconds(3, [&] { y = tree.query(l, h, in.x, shown[i]); }));
      predicted[i].push_back(plan.predictedSeconds[static_cast<std::size_t>(shown[i])]);
    }
  }
  const double paper = static_cast<double>(sizes.d) * std::log2(sizes.m) / sizes.r;
  const double predictedCross = lowrank::logCrossing(lengths, predicted[2], predicted[0]);
  const double measuredCross = lowrank::logCrossing(lengths, measured[2], measured[0]);
  CurveChart chart{"time per query against interval length L", "L", "seconds", true, true, {}, {}};
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const std::string name = lowrank::strategyName(shown[i]);
    chart.series.push_back({name + " measured", lengths, measured[i], false});
    chart.series.push_back({name + " predicted", lengths, predicted[i], true});
  }
  chart.markers.push_back({"paper: L r = d log₂ m", paper});
  if (std::isfinite(predictedCross)) chart.markers.push_back({"cost model", predictedCross});
  if (std::isfinite(measuredCross)) chart.markers.push_back({"measured", measuredCross});
  out.curveCharts.push_back(chart);
  out.lines.push_back("m = 1024, d = " + std::to_string(sizes.d) + ", r = " + std::to_string(sizes.r) +
                      ", n = 32. Crossover fly → tree: paper L = d log₂ m / r = " + formatNumber("%.0f", paper) +
                      ", cost model " + crossingText(predictedCross) + ", measured " + crossingText(measuredCross));
  // One leaf costs d² n multiply-adds, on the fly 2 d r n: only with 2r < d is a single
  // factor pair cheaper without the tree, whatever the paper's asymptotic rule says.
  if (2 * sizes.r < sizes.d) {
    out.checks.push_back(
        {"predicted: on the fly is cheaper than the tree at L = 1", predicted[2].front() < predicted[0].front()});
  } else {
    out.lines.push_back("with 2r ≥ d even one factor pair costs on the fly (2 d r n) what a node does (d² n)");
  }
  out.checks.push_back(
      {"predicted: the tree is cheaper than on the fly at L = m", predicted[0].back() < predicted[2].back()});
}

void demoSumPrefix(const Params& p, TheoryDemoResult& out) {
  const QuerySizes sizes{1 << p.integer("log2m"), 32, 4, 16, 9};
  QueryInputs in = QueriesModel::makeInputs(sizes);
  // Factors with a common mean make the prefix sums grow like m instead of sqrt(m): the
  // cancellation of P_h − P_(l−1) then costs more digits.
  const float mean = static_cast<float>(p.integer("mean"));
  for (auto* factors : {&in.left, &in.right})
    for (Eigen::MatrixXf& f : *factors) f.array() += mean;
  const lowrank::LowRankRangeTree tree(in.left, in.right);
  std::vector<double> lengths;
  std::array<std::vector<double>, lowrank::kStrategyCount> errors;
  TimedStrategies shortest;
  for (int length : lowrank::logSpacedLengths(sizes.m, 10)) {
    const int h = sizes.m - 1, l = h - length + 1;  // at the far end: P_h - P_(l-1) subtracts two long sums
    const TimedStrategies timed = timeStrategies(tree, in, l, h, 1);
    if (lengths.empty()) shortest = timeStrategies(tree, in, l, h, 3);
    lengths.push_back(length);
    for (std::size_t i = 0; i < errors.size(); ++i) errors[i].push_back(std::max(timed.error[i], 1e-12));
  }
  CurveChart chart{
      "relative error against float64, interval [m - L, m - 1]", "L", "relative error", true, true, {}, {}};
  for (Strategy s : lowrank::kAllStrategies)
    chart.series.push_back({lowrank::strategyName(s), lengths, errors[static_cast<std::size_t>(s)], false});
  out.curveCharts.push_back(chart);
  const auto at = [](Strategy s) { return static_cast<std::size_t>(s); };
  out.lines.push_back("m = " + std::to_string(sizes.m) + ", d = 32, r = 4, n = 16, factor entries N(" +
                      std::to_string(p.integer("mean")) + ", 1). At L = 1: prefix error " +
                      formatNumber("%.1e", errors[at(Strategy::PrefixSums)].front()) + ", tree " +
                      formatNumber("%.1e", errors[at(Strategy::Tree)].front()));
  for (Strategy s : lowrank::kAllStrategies)
    out.lines.push_back(std::string(lowrank::strategyName(s)) + " at L = 1: " + formatSeconds(shortest.seconds[at(s)]));
  out.checks.push_back({"prefix sums lose accuracy by cancellation (error at L = 1 above the tree's)",
                        errors[at(Strategy::PrefixSums)].front() > errors[at(Strategy::Tree)].front()});
  double sumTree = 0.0;
  for (std::size_t i = 0; i < lengths.size(); ++i)
    sumTree = std::max({sumTree, errors[at(Strategy::SumThenMultiply)][i], errors[at(Strategy::Tree)][i]});
  out.checks.push_back({"sum-then-multiply is as accurate as the tree (1e-5)", sumTree <= 1e-5});
}

void demoPointUpdates(const Params& p, TheoryDemoResult& out) {
  const QuerySizes sizes{1 << p.integer("log2m"), 32, 4, 16, 13};
  QueryInputs in = QueriesModel::makeInputs(sizes);
  lowrank::LowRankRangeTree tree(in.left, in.right);
  const int l = sizes.m / 8, h = sizes.m - 1 - sizes.m / 8;
  tree.query(l, h, in.x, Strategy::PrefixSums);  // prefix sums current before the updates
  std::mt19937_64 rng(17);
  std::normal_distribution<float> normal;
  std::uniform_int_distribution<int> leaf(l, h);
  double updateSeconds = 1e300, rebuildSeconds = 1e300;
  bool staleAfterUpdate = true;
  for (int u = 0; u < 3; ++u) {
    const int i = leaf(rng);
    Eigen::MatrixXf a = Eigen::MatrixXf::NullaryExpr(sizes.d, sizes.r, [&] { return normal(rng); });
    Eigen::MatrixXf b = Eigen::MatrixXf::NullaryExpr(sizes.d, sizes.r, [&] { return normal(rng); });
    in.left[static_cast<std::size_t>(i)] = a;
    in.right[static_cast<std::size_t>(i)] = b;
    auto start = Clock::now();
    tree.update(i, std::move(a), std::move(b));
    updateSeconds = std::min(updateSeconds, secondsSince(start));
    staleAfterUpdate = staleAfterUpdate && tree.prefixSumsStale();
    const double withRebuild = bestSeconds(1, [&] { tree.query(l, h, in.x, Strategy::PrefixSums); });
    const double without = bestSeconds(2, [&] { tree.query(l, h, in.x, Strategy::PrefixSums); });
    rebuildSeconds = std::min(rebuildSeconds, std::max(withRebuild - without, 0.0));
  }
  const TimedStrategies after = timeStrategies(tree, in, l, h, 1);
  double worst = 0.0;
  for (double e : after.error) worst = std::max(worst, e);
  const auto treeWork = [&](double m) { return double(sizes.d) * sizes.d * (sizes.r + std::log2(m)); };
  const auto prefixWork = [&](double m) { return m * sizes.d * sizes.d; };
  CurveChart chart{"work per point update against m (d = 32, r = 4)", "m", "multiply-adds", true, true, {}, {}};
  CurveSeries treeSeries{"tree: d² (r + log₂ m)", {}, {}, false}, prefixSeries{"prefix: m d²", {}, {}, false};
  for (int e = 8; e <= 14; ++e) {
    const double m = std::ldexp(1.0, e);
    treeSeries.x.push_back(m);
    treeSeries.y.push_back(treeWork(m));
    prefixSeries.x.push_back(m);
    prefixSeries.y.push_back(prefixWork(m));
  }
  chart.series = {treeSeries, prefixSeries};
  chart.markers.push_back({"this m", static_cast<double>(sizes.m)});
  out.curveCharts.push_back(chart);
  out.lines.push_back("m = " + std::to_string(sizes.m) + ": tree update " + formatSeconds(updateSeconds) +
                      " (leaf to root), prefix rebuild " + formatSeconds(rebuildSeconds) + " (all m prefix sums)");
  out.lines.push_back("after 3 updates, worst strategy error on [" + std::to_string(l) + ", " + std::to_string(h) +
                      "]: " + formatNumber("%.1e", worst));
  out.checks.push_back({"an update makes the prefix sums stale (they need an O(m d²) rebuild)", staleAfterUpdate});
  out.checks.push_back({"after updates every strategy matches a fresh float64 reference (1e-4)", worst <= 1e-4});
  out.checks.push_back(
      {"the tree's update work is below the prefix rebuild's", treeWork(sizes.m) < prefixWork(sizes.m)});
}

void demoTheorem113(const Params& p, TheoryDemoResult& out) {
  const int d = p.integer("d"), m = p.integer("m"), r = 2, n = 4;
  std::mt19937_64 rng(23);
  std::normal_distribution<float> normal;
  const auto random = [&](int rows, int cols) {
    return Eigen::MatrixXf(Eigen::MatrixXf::NullaryExpr(rows, cols, [&] { return normal(rng); }));
  };
  std::vector<Eigen::MatrixXf> a, b, c;
  for (int i = 0; i < m; ++i) {
    a.push_back(random(d, r));
    b.push_back(random(d, r));
    c.push_back(random(d, r));
  }
  const Eigen::MatrixXf x = random(d, n);
  const lowrank::LowRankRangeTree tree = lowrank::makeTensorRangeTree(a, b, c);
  // Fact 1.12: (A ⊙ B) Cᵀ holds T = Σ_a A[:,a] ⊗ B[:,a] ⊗ C[:,a], row i·d + j, column k.
  const Eigen::MatrixXd leaf = (lowrank::khatriRao(a[0], b[0]) * c[0].transpose()).cast<double>();
  double leafError = 0.0, leafNorm = 0.0;
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j)
      for (int k = 0; k < d; ++k) {
        double t = 0.0;
        for (int q = 0; q < r; ++q) t += double(a[0](i, q)) * b[0](j, q) * c[0](k, q);
        leafError = std::max(leafError, std::abs(leaf(i * d + j, k) - t));
        leafNorm = std::max(leafNorm, std::abs(t));
      }
  const int l = m / 4, h = m - 1 - m / 4;
  // The float64 reference contracts each leaf tensor with X directly.
  Eigen::MatrixXd reference = Eigen::MatrixXd::Zero(d * d, n);
  for (int leafIndex = l; leafIndex <= h; ++leafIndex) {
    const auto s = static_cast<std::size_t>(leafIndex);
    const Eigen::MatrixXd cx = c[s].cast<double>().transpose() * x.cast<double>();  // r×n
    for (int i = 0; i < d; ++i)
      for (int j = 0; j < d; ++j)
        for (int q = 0; q < r; ++q) reference.row(i * d + j) += double(a[s](i, q)) * b[s](j, q) * cx.row(q);
  }
  const lowrank::QueryPlan plan = tree.plan(l, h, n, lowrank::CostModel::forThisMachine());
  out.tree = diagramOf(tree, plan);
  double worst = 0.0;
  for (Strategy s : {Strategy::Tree, Strategy::SumThenMultiply, Strategy::OnTheFly}) {
    Eigen::MatrixXf y;
    const double seconds = bestSeconds(3, [&] { y = tree.query(l, h, x, s); });
    const double error = lowrank::relativeError(y, reference);
    worst = std::max(worst, error);
    out.lines.push_back(std::string(lowrank::strategyName(s)) + ": " + formatSeconds(seconds) + ", error " +
                        formatNumber("%.1e", error));
  }
  out.lines.insert(out.lines.begin(), "d = " + std::to_string(d) + ", r = 2, n = 4, m = " + std::to_string(m) +
                                          "; query [" + std::to_string(l) + ", " + std::to_string(h) + "] gives a " +
                                          std::to_string(d) + "×" + std::to_string(d) +
                                          "×4 tensor; Fact 1.12 leaf error " + formatNumber("%.1e", leafError));
  out.checks.push_back({"Fact 1.12: (A ⊙ B) Cᵀ is the leaf tensor", leafError <= 1e-5 * std::max(leafNorm, 1.0)});
  out.checks.push_back({"the tensor tree's query matches the float64 contraction (1e-4)", worst <= 1e-4});
  out.checks.push_back(
      {"at most 2⌈log₂ m⌉ canonical nodes", static_cast<int>(plan.nodes.size()) <= 2 * std::max(1, ceilLog2(m))});
}

}  // namespace rankflow::app::theory_demo
