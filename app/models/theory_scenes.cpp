#include "app/models/theory_scenes.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "app/models/theory_demo_parts.h"
#include "app/viewer/lowrank_engine.h"
#include "core/common/background_lane.h"
#include "core/common/error.h"
#include "core/common/timing.h"
#include "core/compute/device_fault.h"
#include "core/matfun/derivative_grid.h"
#include "core/matfun/matrix_function.h"
#include "core/matfun/rank.h"
#include "core/theory/constructions.h"
#include "core/theory/feasibility.h"
#include "core/theory/matrix_scenes.h"

namespace rankflow::app {
namespace {

using Kind = DemoParameterSpec::Kind;
using theory_demo::Clock;
using theory_demo::formatNumber;
using theory_demo::Params;
// The §3 demonstrations, for the table below (theory_query_demos.cpp).
using matfun::MatrixFunction;
using matfun::Oscillation;
using nlohmann::json;
using theory_demo::demoPointUpdates;
using theory_demo::RankProfiles;
using theory_demo::demoRemark111;
using theory_demo::demoSumPrefix;
using theory_demo::demoTheorem110;
using theory_demo::demoTheorem113;

// [SECTION] Parameter specs

const std::map<std::string, std::vector<DemoParameterSpec>>& allSpecs() {
  static const std::map<std::string, std::vector<DemoParameterSpec>> specs = {
      {"lemma1.2",
       {{"degree", "degree p of f₁ = tᵖ", Kind::Integer, 1, 8, "3"}, {"K", "orders K", Kind::Integer, 1, 8, "5"}}},
      {"lemma1.3", {{"K", "K", Kind::Integer, 1, 8, "4"}}},
      {"ode", {{"n", "size n", Kind::Integer, 2, 8, "4"}, {"degree", "D₁ = tᵖ u vᵀ, p", Kind::Integer, 0, 4, "1"}}},
      {"fact1.4", {{"terms", "rank r of B", Kind::Integer, 1, 3, "1"}, {"n", "size n", Kind::Integer, 6, 10, "6"}}},
      {"lemma1.5", {{"ranks", "target r₀..r_K", Kind::RankList, 0, 8, "1,3,5,2"}}},
      {"lemma1.6",
       {{"n", "size n", Kind::Integer, 4, 10, "4"}, {"degree", "degree of x, y", Kind::Integer, 2, 6, "3"}}},
      {"fact1.7", {{"copies", "copies of G_K (r₀)", Kind::Integer, 1, 3, "2"}, {"K", "K", Kind::Integer, 1, 6, "3"}}},
      {"lemma1.8", {{"ranks", "target r₀..r_K", Kind::RankList, 0, 6, "1,2,3,2"}}},
      {"lemma1.9",
       {{"permutation", "order π", Kind::RankList, 0, 5, "1,3,0,2"},
        {"relations", "relations", Kind::Text, 1, 5, "<<>"}}},
      {"theorem1.10",
       {{"m", "leaves m", Kind::Integer, 4, 64, "16"},
        {"l", "l", Kind::Integer, 0, 63, "3"},
        {"h", "h", Kind::Integer, 0, 63, "12"}}},
      {"remark1.11", {{"r", "rank r", Kind::Integer, 1, 32, "4"}, {"d", "d", Kind::Integer, 16, 64, "64"}}},
      {"sum_prefix",
       {{"log2m", "log₂ m", Kind::Integer, 8, 14, "12"}, {"mean", "mean of the factors", Kind::Integer, 0, 3, "1"}}},
      {"point_updates", {{"log2m", "log₂ m", Kind::Integer, 8, 14, "12"}}},
      {"theorem1.13", {{"d", "d", Kind::Integer, 2, 12, "6"}, {"m", "leaves m", Kind::Integer, 4, 32, "16"}}},
  };
  return specs;
}

bool parseInteger(const std::string& text, long* value) {
  char* end = nullptr;
  errno = 0;
  *value = std::strtol(text.c_str(), &end, 10);
  return !text.empty() && *end == '\0' && errno == 0;
}

std::string listText(const std::vector<int>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

// [SECTION] Shared pieces of the demonstrations

std::vector<int> ceilingFact14(const std::vector<int>& ranks) {
  std::vector<int> out(ranks.size(), 0);
  for (std::size_t k = 1; k < ranks.size(); ++k) out[k] = 2 * ranks[k - 1];
  return out;
}

std::vector<int> ceilingFact17(const std::vector<int>& ranks) {
  std::vector<int> out;
  for (std::size_t k = 0; k < ranks.size(); ++k)
    out.push_back(static_cast<int>(k + 1) * (ranks.empty() ? 0 : ranks[0]));
  return out;
}

RankChart chartOver(std::string title, std::string axis, int firstIndex, std::vector<RankSeries> series) {
  RankChart chart;
  chart.title = std::move(title);
  chart.axis = std::move(axis);
  chart.firstIndex = firstIndex;
  chart.series = std::move(series);
  return chart;
}

// Every pair obeys r_{k+j} ≤ (j+1) r_k: the necessary condition of docs/MATHEMATICS.md §2 (a).
bool obeysPairwiseBound(const std::vector<int>& r) {
  for (std::size_t k = 0; k < r.size(); ++k)
    for (std::size_t j = 1; k + j < r.size(); ++j)
      if (r[k + j] > static_cast<int>(j + 1) * r[k]) return false;
  return true;
}

// A polynomial column vector of random small odd integers times t^power.
MatrixFunction randomColumn(int n, int power, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> c(-3, 3);
  MatrixFunction v(n, 1);
  for (int i = 0; i < n; ++i) v.add(i, 0, {static_cast<double>(c(rng) | 1), power, Oscillation::Exp, 0.0});
  return v;
}

// [SECTION] §2 demonstrations

void demoLemma12(const Params& p, TheoryDemoResult& out) {
  const int degree = p.integer("degree"), maxK = p.integer("K");
  const std::vector<matfun::Entry> f = {{{1.0, degree, Oscillation::Exp, 0.0}},
                                        {{1.0, 1, Oscillation::Exp, 0.0}},
                                        {{1.0, 0, Oscillation::Exp, 0.0}},
                                        {{1.0, 0, Oscillation::Exp, 1.0}}};
  const MatrixFunction d1 = theory::lemma12(f, 4);
  const std::vector<int> observed = p.rankProfile(d1, maxK - 1);  // rank Dₖ = rank D₁⁽ᵏ⁻¹⁾
  const std::vector<int> predicted = theory::lemma12Prediction(f, maxK);
  out.lines.push_back("D₁ = diag(t" + superscript(degree) + ", t, 1, eᵗ): four constant rank-one directions");
  out.lines.push_back("rank Dₖ, k = 1.." + std::to_string(maxK) + ": " + listText(observed) +
                      "  (predicted #{i : fᵢ⁽ᵏ⁻¹⁾ ≠ 0}: " + listText(predicted) + ")");
  out.rankCharts.push_back(chartOver(
      "rank Dₖ (exact) against the prediction", "k", 1,
      {{"rank Dₖ", observed, RankSeries::Style::Bar}, {"#{i : fᵢ⁽ᵏ⁻¹⁾ ≠ 0}", predicted, RankSeries::Style::Dot}}));
  out.checks.push_back({"rank Dₖ = #{i : fᵢ⁽ᵏ⁻¹⁾ ≠ 0} for every k", observed == predicted});
  out.checks.push_back({"rank D₁ ≥ rank D₂ ≥ … (a staircase)", std::is_sorted(observed.rbegin(), observed.rend())});
}

void demoLemma13(const Params& p, TheoryDemoResult& out) {
  const int maxK = p.integer("K");
  const std::vector<int> observed = p.rankProfile(theory::outerProductBlock(maxK), maxK);
  std::vector<int> expected;
  for (int k = 0; k <= maxK; ++k) expected.push_back(k + 1);
  out.lines.push_back("x(t) = Σᵢ₌₀" + superscript(maxK) + " tⁱ/i! eᵢ₊₁ ∈ ℝ" + superscript(maxK + 1) +
                      ", D₁ = x xᵀ has rank 1");
  out.lines.push_back("rank D₁⁽ʲ⁾, j = 0.." + std::to_string(maxK) + ": " + listText(observed));
  out.rankCharts.push_back(
      chartOver("rank of D₁⁽ʲ⁾ (exact) and the expected j + 1", "j", 0,
                {{"rank D₁⁽ʲ⁾", observed, RankSeries::Style::Bar}, {"j + 1", expected, RankSeries::Style::Dot}}));
  out.checks.push_back({"ranks are 1, 2, …, K+1", observed == expected});
  out.checks.push_back({"ranks strictly increase", std::adjacent_find(observed.begin(), observed.end(),
                                                                      std::greater_equal<>()) == observed.end()});
}

void demoOde(const Params& p, TheoryDemoResult& out) {
  const int n = p.integer("n"), degree = p.integer("degree");
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> c(-3, 3);
  Eigen::MatrixXd cMatrix = Eigen::MatrixXd::NullaryExpr(n, n, [&] { return double(c(rng)); });
  cMatrix += 4.0 * n * Eigen::MatrixXd::Identity(n, n);  // diagonally dominant: A is full rank
  const MatrixFunction d1 = randomColumn(n, degree, rng).times(randomColumn(n, 0, rng).transpose());
  const MatrixFunction a = theory::solveFirstOrder(d1, cMatrix);
  const MatrixFunction residual = a.derivative().plus(a, -1.0).plus(d1, -1.0);
  double worst = 0.0, scale = 0.0;
  for (double t : {-1.3, -0.4, 0.0, 0.7, 1.9}) {
    worst = std::max(worst, residual.evaluate(t).cwiseAbs().maxCoeff());
    scale = std::max(scale, a.evaluate(t).cwiseAbs().maxCoeff());
  }
  const int orders = degree + 2;
  const std::vector<int> rankA = p.rankProfile(a, orders - 1);
  const std::vector<int> rankD = p.rankProfile(d1, orders - 1);
  out.lines.push_back("D₁ = t" + superscript(degree) + " u vᵀ, A(t) = eᵗ C − Σᵢ₌₀" + superscript(degree) +
                      " D₁⁽ⁱ⁾(t), C = random + 4n I");
  out.lines.push_back("max |A′ − A − D₁| over 5 values of t: " + formatNumber("%.3g", worst) + " (|A| up to " +
                      formatNumber("%.3g", scale) + ")");
  out.rankCharts.push_back(
      chartOver("rank A⁽ᵏ⁾ against rank Dₖ₊₁ = rank D₁⁽ᵏ⁾", "k", 0,
                {{"rank A⁽ᵏ⁾", rankA, RankSeries::Style::Bar}, {"rank D₁⁽ᵏ⁾", rankD, RankSeries::Style::Bar}}));
  out.checks.push_back({"A′ − A = D₁ exactly", worst <= 1e-12 * std::max(scale, 1.0)});
  out.checks.push_back({"A is full rank (" + std::to_string(n) + ")", rankA.front() == n});
  out.checks.push_back({"D₁ has rank 1", rankD.front() == 1});
}

// A sum of `terms` random rank-one polynomial products x_i y_iᵀ: B = P Qᵀ with inner dimension r.
MatrixFunction lowRankPolynomial(int n, int terms, int degree) {
  MatrixFunction b = theory::rankOneProduct(n, degree, 11);
  for (int i = 1; i < terms; ++i) b = b.plus(theory::rankOneProduct(n, degree, 11 + static_cast<unsigned>(i)));
  return b;
}

void demoFact14(const Params& p, TheoryDemoResult& out) {
  const int terms = p.integer("terms"), n = p.integer("n");
  const std::vector<int> ranks = p.rankProfile(lowRankPolynomial(n, terms, 3), 4);
  const std::vector<int> ceiling = ceilingFact14(ranks);
  bool holds = true;
  for (std::size_t k = 1; k < ranks.size(); ++k) holds = holds && ranks[k] <= ceiling[k];
  out.lines.push_back("B = P Qᵀ, P, Q random cubic polynomial " + std::to_string(n) + "×" + std::to_string(terms) +
                      ": B′ = P′Qᵀ + P Q′ᵀ = [P′ P][Q Q′]ᵀ");
  out.lines.push_back("ranks rₖ of B⁽ᵏ⁾: " + listText(ranks) + "; rank B′ = " + std::to_string(ranks[1]) +
                      (ranks[1] == 2 * ranks[0] ? ": the bound 2 rank B is attained" : ""));
  out.rankCharts.push_back(chartOver(
      "rank B⁽ᵏ⁾ under the Fact 1.4 ceiling 2 rank B⁽ᵏ⁻¹⁾", "k", 0,
      {{"rank B⁽ᵏ⁾", ranks, RankSeries::Style::Bar}, {"2 rank B⁽ᵏ⁻¹⁾", ceiling, RankSeries::Style::Ceiling}}));
  out.checks.push_back({"0 ≤ rank B′ ≤ 2 rank B", ranks[1] >= 0 && ranks[1] <= 2 * ranks[0]});
  out.checks.push_back({"rank B⁽ᵏ⁾ ≤ 2 rank B⁽ᵏ⁻¹⁾ for every k", holds});
}

void demoLemma15(const Params& p, TheoryDemoResult& out) {
  const std::vector<int> target = p.list("ranks");
  const int maxK = static_cast<int>(target.size()) - 1;
  const MatrixFunction b = theory::lemma15(target);
  std::vector<int> atZero;
  MatrixFunction current = b;
  for (int k = 0; k <= maxK; ++k) {
    atZero.push_back(matfun::numericalRank(current.evaluate(0.0)).rank);
    current = current.derivative();
  }
  const std::vector<int> generic = p.rankProfile(b, maxK);
  out.lines.push_back("B(t) = Σₖ tᵏ/k! Mₖ, Mₖ = diag of rₖ ones, " + std::to_string(b.rows()) + "×" +
                      std::to_string(b.cols()));
  out.lines.push_back("at t = 0: " + listText(atZero) + "   generically: " + listText(generic) +
                      "   target: " + listText(target));
  out.rankCharts.push_back(chartOver("rank B⁽ᵏ⁾(0) and generic rank B⁽ᵏ⁾ against the target", "k", 0,
                                     {{"rank at t = 0", atZero, RankSeries::Style::Bar},
                                      {"generic rank", generic, RankSeries::Style::Bar},
                                      {"target rₖ", target, RankSeries::Style::Dot}}));
  out.checks.push_back({"rank B⁽ᵏ⁾(0) = rₖ for every k", atZero == target});
  out.checks.push_back({"the generic ranks obey the pairwise bound rₖ₊ⱼ ≤ (j+1) rₖ", obeysPairwiseBound(generic)});
}

void demoLemma16(const Params& p, TheoryDemoResult& out) {
  const int n = p.integer("n"), degree = p.integer("degree");
  const std::vector<int> target = {1, 2, 4};
  const theory::Feasibility verdict = theory::checkFeasibility(target);
  const std::vector<int> ranks = p.rankProfile(theory::rankOneProduct(n, degree, 1), 3);
  out.lines.push_back("(1, 2, 4) obeys the step bound rₖ₊₁ ≤ 2 rₖ; the checker says: " +
                      std::string(theory::verdictName(verdict.verdict)) + " (" + verdict.reason + ")");
  out.lines.push_back("B = x yᵀ, x, y random of degree " + std::to_string(degree) + " in ℝ" + superscript(n) +
                      ": ranks of B, B′, B″, B‴ = " + listText(ranks));
  out.rankCharts.push_back(chartOver("B = x yᵀ: B″ = x″yᵀ + 2x′y′ᵀ + x y″ᵀ has rank ≤ 3", "k", 0,
                                     {{"rank B⁽ᵏ⁾", ranks, RankSeries::Style::Bar},
                                      {"target (1, 2, 4)", target, RankSeries::Style::Dot},
                                      {"2 rank B⁽ᵏ⁻¹⁾", ceilingFact14(ranks), RankSeries::Style::Ceiling}}));
  out.checks.push_back({"(1, 2, 4) obeys rₖ₊₁ ≤ 2 rₖ", target[1] <= 2 * target[0] && target[2] <= 2 * target[1]});
  out.checks.push_back({"the checker finds (1, 2, 4) infeasible", verdict.verdict == theory::Verdict::Infeasible});
  out.checks.push_back({"rank B″ ≤ 3 for B = x yᵀ", ranks[2] <= 3});
}

void demoFact17(const Params& p, TheoryDemoResult& out) {
  const int copies = p.integer("copies"), maxK = p.integer("K");
  const std::vector<MatrixFunction> blocks(static_cast<std::size_t>(copies), theory::outerProductBlock(maxK));
  const std::vector<int> ranks = p.rankProfile(theory::blockDiagonal(blocks), maxK + 1);
  const std::vector<int> ceiling = ceilingFact17(ranks);
  bool holds = true, attained = true;
  for (std::size_t k = 0; k < ranks.size(); ++k) {
    holds = holds && ranks[k] <= ceiling[k];
    if (static_cast<int>(k) <= maxK) attained = attained && ranks[k] == ceiling[k];
  }
  out.lines.push_back("B = blockdiag of " + std::to_string(copies) + " copies of G" + subscript(maxK) +
                      " = x xᵀ: rank B = " + std::to_string(ranks[0]));
  out.lines.push_back("ranks rₖ: " + listText(ranks) + "; ceiling (k+1) r₀: " + listText(ceiling) +
                      (attained ? " (attained up to k = K)" : ""));
  out.rankCharts.push_back(
      chartOver("rank B⁽ᵏ⁾ under the Fact 1.7 ceiling (k+1) rank B", "k", 0,
                {{"rank B⁽ᵏ⁾", ranks, RankSeries::Style::Bar}, {"(k+1) rank B", ceiling, RankSeries::Style::Ceiling}}));
  out.checks.push_back({"rank B⁽ᵏ⁾ ≤ (k+1) rank B for every k", holds});
}

void demoLemma18(const Params& p, TheoryDemoResult& out) {
  const std::vector<int> target = p.list("ranks");
  if (target.size() < 2) throw InvalidArgument("parameter ranks: give at least r_0, r_1");
  const theory::Feasibility f = theory::checkFeasibility(target);
  out.lines.push_back("(" + listText(target) + "): " + theory::verdictName(f.verdict) + " - " + f.reason);
  RankChart chart = chartOver("target against the construction's exact ranks", "k", 0, {});
  if (f.verdict == theory::Verdict::Feasible) {
    std::string blocks;
    for (std::size_t i = 0; i < f.blocks.size(); ++i) blocks += (i ? ", " : "") + f.blocks[i];
    out.lines.push_back("B = blockdiag(" + blocks + "), " + std::to_string(f.construction.rows()) + "×" +
                        std::to_string(f.construction.cols()) + "; exact ranks " + listText(f.realized));
    chart.series.push_back({"construction (exact)", f.realized, RankSeries::Style::Bar});
    out.checks.push_back({"the construction realises the target exactly", f.realized == target});
  }
  chart.series.push_back({"target rₖ", target, RankSeries::Style::Dot});
  chart.series.push_back({"(k+1) r₀", ceilingFact17(target), RankSeries::Style::Ceiling});
  out.rankCharts.push_back(chart);
  // The caution of docs/MATHEMATICS.md §2: the global bound is not sufficient.
  const std::vector<int> caution = {2, 1, 5};
  const theory::Feasibility c = theory::checkFeasibility(caution);
  out.lines.push_back("Caution: (2, 1, 5) obeys rₖ ≤ (k+1) r₀ yet is " + std::string(theory::verdictName(c.verdict)) +
                      ": " + c.reason);
  bool global = true;
  for (std::size_t k = 0; k < caution.size(); ++k)
    global = global && caution[k] <= static_cast<int>(k + 1) * caution[0];
  out.checks.push_back({"(2, 1, 5) obeys the global bound rₖ ≤ (k+1) r₀", global});
  out.checks.push_back({"(2, 1, 5) is infeasible (Fact 1.4 on B′)", c.verdict == theory::Verdict::Infeasible});
}

void demoLemma19(const Params& p, TheoryDemoResult& out) {
  const std::vector<int> permutation = p.list("permutation");
  const std::string& relations = p.text("relations");
  const std::vector<int> ranks = theory::lemma19Ranks(permutation, relations);
  const theory::Feasibility f = theory::checkFeasibility(ranks);
  const auto inOrder = [&](const std::vector<int>& r) {
    std::vector<int> ordered;
    for (int k : permutation) ordered.push_back(r[static_cast<std::size_t>(k)]);
    return ordered;
  };
  std::string wanted;
  for (std::size_t i = 0; i < permutation.size(); ++i) {
    wanted += "r" + subscript(permutation[i]);
    if (i < relations.size()) wanted += std::string(" ") + relations[i] + " ";
  }
  out.lines.push_back("wanted: " + wanted + "  →  weights shifted so min w ≥ max w − min w: r = (" + listText(ranks) +
                      ")");
  out.lines.push_back(std::string("checker: ") + theory::verdictName(f.verdict) + " - " + f.reason);
  if (f.verdict == theory::Verdict::Infeasible) {
    out.lines.push_back(
        "Lemma 1.9 fails for this ordering: the weights obey every pairwise bound, yet no B has these "
        "ranks (docs/THEORY.md)");
  } else if (f.verdict == theory::Verdict::Feasible && !f.blocks.empty()) {
    std::string blocks;
    for (std::size_t i = 0; i < f.blocks.size(); ++i) blocks += (i ? ", " : "") + f.blocks[i];
    out.lines.push_back("B = blockdiag(" + blocks + ")");
  }
  RankChart chart = chartOver("ranks in the order π (realised by the construction)", "order", 0, {});
  for (int k : permutation) chart.labels.push_back("r" + subscript(k));
  const std::vector<int> realized = f.realized.size() == ranks.size() ? f.realized : std::vector<int>{};
  if (!realized.empty()) chart.series.push_back({"construction (exact)", inOrder(realized), RankSeries::Style::Bar});
  chart.series.push_back({"r_π(i) wanted", inOrder(ranks), RankSeries::Style::Dot});
  out.rankCharts.push_back(chart);
  bool obeys = !realized.empty();
  for (std::size_t i = 0; obeys && i + 1 < permutation.size(); ++i) {
    const int a = realized[static_cast<std::size_t>(permutation[i])],
              b = realized[static_cast<std::size_t>(permutation[i + 1])];
    const char rel = relations[i];
    obeys = rel == '<' ? a < b : rel == '>' ? a > b : a == b;
  }
  const auto [lo, hi] = std::minmax_element(ranks.begin(), ranks.end());
  out.checks.push_back({"max w ≤ 2 min w", *hi <= 2 * *lo});
  out.checks.push_back({"the checker realises the ranks (feasible)", f.verdict == theory::Verdict::Feasible});
  out.checks.push_back({"the realised ranks follow the chosen relations", obeys});
}

using DemoFunction = void (*)(const Params&, TheoryDemoResult&);

const std::vector<std::pair<std::string, DemoFunction>>& demoTable() {
  static const std::vector<std::pair<std::string, DemoFunction>> table = {
      {"lemma1.2", demoLemma12},
      {"lemma1.3", demoLemma13},
      {"ode", demoOde},
      {"fact1.4", demoFact14},
      {"lemma1.5", demoLemma15},
      {"lemma1.6", demoLemma16},
      {"fact1.7", demoFact17},
      {"lemma1.8", demoLemma18},
      {"lemma1.9", demoLemma19},
      {"theorem1.10", demoTheorem110},
      {"remark1.11", demoRemark111},
      {"sum_prefix", demoSumPrefix},
      {"point_updates", demoPointUpdates},
      {"theorem1.13", demoTheorem113},
  };
  return table;
}

}  // namespace

// [SECTION] Public functions

const std::vector<std::string>& theoryDemoNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, function] : demoTable()) out.push_back(name);
    return out;
  }();
  return names;
}

const std::vector<DemoParameterSpec>& demoParameterSpecs(const std::string& demo) {
  const auto it = allSpecs().find(demo);
  if (it == allSpecs().end()) {
    std::string known;
    for (const auto& name : theoryDemoNames()) known += (known.empty() ? "" : ", ") + name;
    throw InvalidArgument("unknown demonstration '" + demo + "' (known: " + known + ")");
  }
  return it->second;
}

std::string checkParameterValue(const DemoParameterSpec& spec, const std::string& value) {
  const std::string range = "[" + std::to_string(spec.min) + ", " + std::to_string(spec.max) + "]";
  switch (spec.kind) {
    case Kind::Integer: {
      long v = 0;
      if (!parseInteger(value, &v) || v < spec.min || v > spec.max)
        return "must be an integer in " + range + ", got '" + value + "'";
      return "";
    }
    case Kind::RankList: {
      std::vector<int> ranks;
      try {
        ranks = theory::parseRankList(value);
      } catch (const InvalidArgument& e) {
        return e.what();
      }
      if (ranks.size() > 9) return "at most 9 entries";
      for (int r : ranks)
        if (r < spec.min || r > spec.max) return "entries must be in " + range + ", got " + std::to_string(r);
      return "";
    }
    case Kind::Text:
      if (static_cast<int>(value.size()) < spec.min || static_cast<int>(value.size()) > spec.max)
        return "must have " + std::to_string(spec.min) + " to " + std::to_string(spec.max) + " characters";
      return "";
  }
  return "unsupported parameter kind";
}

TheoryDemoResult computeTheoryDemo(const std::string& demo, const std::vector<DemoParameter>& parameters,
                                   lowrank::LowRankBackend* numericalBackend, const std::string& backendNote) {
  TheoryDemoResult out;
  out.demo = demo;
  out.parameters = parameters;
  const auto start = Clock::now();
  try {
    const auto it =
        std::find_if(demoTable().begin(), demoTable().end(), [&](const auto& e) { return e.first == demo; });
    if (it == demoTable().end()) demoParameterSpecs(demo);  // throws naming the known ones
    RankProfiles ranks(numericalBackend, backendNote);
    const Params params(demo, parameters, ranks);
    it->second(params, out);
    ranks.report(out);
  } catch (const compute::DeviceFault&) {
    throw;  // the runner moves to the CPU and computes the demonstration again there
  } catch (const std::exception& e) {
    TheoryDemoResult failed;
    failed.demo = demo;
    failed.parameters = parameters;
    failed.error = e.what();
    out = std::move(failed);
  }
  out.seconds = secondsSince(start);
  return out;
}

// [SECTION] Numerical ranks beside the exact ones

std::vector<int> theory_demo::RankProfiles::of(const matfun::MatrixFunction& b, int maxOrder) {
  const std::vector<int> exact = theory::rankProfile(b, maxOrder);
  if (!backend_) return exact;
  const matfun::DerivativeTermTable table = matfun::flattenDerivatives(b, maxOrder);
  const matfun::RankGrid grid = backend_->rankGrid(
      table, matfun::genericSampleTimes(matfun::kGenericSamples, matfun::kGenericSeed, -1.0, 1.0), std::nullopt, false);
  ++profiles_;
  seconds_ += grid.endToEndSeconds;
  computedOn_ = grid.backend + (grid.note.empty() ? "" : " (" + grid.note + ")");
  for (int k = 0; k <= maxOrder; ++k) {
    int generic = 0;
    for (std::size_t time = 0; time < grid.times.size(); ++time)
      generic = std::max(generic, grid.rank(static_cast<int>(time), k));
    if (generic != exact[static_cast<std::size_t>(k)])
      disagreements_.push_back("order " + std::to_string(k) + ": " + std::to_string(generic) + " (exact " +
                               std::to_string(exact[static_cast<std::size_t>(k)]) + ")");
  }
  return exact;
}

void theory_demo::RankProfiles::report(TheoryDemoResult& out) const {
  if (profiles_ == 0) return;
  std::string line = "numerical generic ranks on " + computedOn_ + ", " + formatSeconds(seconds_) + ": ";
  if (disagreements_.empty()) {
    line += "the exact ones at every order";
  } else {
    line += "differ at ";
    for (std::size_t i = 0; i < disagreements_.size(); ++i) line += (i ? ", " : "") + disagreements_[i];
    line += " (rounding against the tolerance σ_max·n·ε)";
  }
  if (!note_.empty()) line += " — " + note_;
  out.lines.push_back(line);
  out.numericalBackend = computedOn_;
}

// [SECTION] Background runner

struct TheoryDemoRunner::Shared {
  std::mutex mutex;
  std::condition_variable published;
  std::uint64_t newest = 0;  // the latest submitted generation
  std::uint64_t resultGeneration = 0;
  std::shared_ptr<const TheoryDemoResult> result;
  WindowLowRankBackend engine;  // made and used on the lane's thread only
  BackgroundLane lane;          // last: joined first, while everything its task touches still exists
};

TheoryDemoRunner::TheoryDemoRunner() : shared_(std::make_shared<Shared>()) {}

TheoryDemoRunner::~TheoryDemoRunner() = default;

std::uint64_t TheoryDemoRunner::submit(const std::string& demo, const std::vector<DemoParameter>& parameters) {
  {
    std::lock_guard lock(shared_->mutex);
    requested_ = ++shared_->newest;
  }
  shared_->lane.post([s = shared_.get(), generation = requested_, demo, parameters] {
    // The numerical ranks on the window's backend; a device fault computes it all again on
    // the CPU, and the line names the failure.
    auto result =
        std::make_shared<const TheoryDemoResult>(runWithCpuFallback(s->engine, [&](lowrank::LowRankBackend& backend) {
          const std::string& why = s->engine.whyNotCuda;
          return computeTheoryDemo(demo, parameters, &backend, why.rfind("CUDA failed", 0) == 0 ? why : "");
        }));
    const std::lock_guard lock(s->mutex);
    if (generation == s->newest) {  // a superseded request's result is never shown
      s->result = std::move(result);
      s->resultGeneration = generation;
      s->published.notify_all();
    }
  });
  return requested_;
}

bool TheoryDemoRunner::poll() {
  std::lock_guard lock(shared_->mutex);
  if (shared_->resultGeneration == shownGeneration_) return false;
  shownGeneration_ = shared_->resultGeneration;
  shown_ = shared_->result;
  return true;
}

bool TheoryDemoRunner::waitForResult(std::chrono::milliseconds timeout) {
  {
    std::unique_lock lock(shared_->mutex);
    shared_->published.wait_for(lock, timeout, [&] { return shared_->resultGeneration == requested_; });
  }
  poll();
  return !computing();
}

// [SECTION] Export

std::string theoryDemoJson(const TheoryDemoResult& r) {
  json params = json::object();
  for (const DemoParameter& p : r.parameters) params[p.name] = p.value;
  json out = {{"demo", r.demo}, {"parameters", params}, {"seconds", r.seconds}, {"lines", r.lines}};
  if (!r.error.empty()) out["error"] = r.error;
  json charts = json::array();
  for (const RankChart& c : r.rankCharts) {
    json series = json::array();
    for (const RankSeries& s : c.series) series.push_back({{"name", s.name}, {"values", s.values}});
    charts.push_back({{"title", c.title}, {"axis", c.axis}, {"first_index", c.firstIndex}, {"series", series}});
  }
  out["rank_charts"] = charts;
  json curves = json::array();
  for (const CurveChart& c : r.curveCharts) {
    json series = json::array(), markers = json::array();
    for (const CurveSeries& s : c.series) series.push_back({{"name", s.name}, {"x", s.x}, {"y", s.y}});
    for (const CurveMarker& m : c.markers) markers.push_back({{"name", m.name}, {"x", m.x}});
    curves.push_back(
        {{"title", c.title}, {"x_label", c.xLabel}, {"y_label", c.yLabel}, {"series", series}, {"markers", markers}});
  }
  out["curve_charts"] = curves;
  if (r.tree)
    out["tree"] = {
        {"m", r.tree->count}, {"leaves", r.tree->leaves}, {"l", r.tree->l}, {"h", r.tree->h}, {"nodes", r.tree->nodes}};
  json checks = json::array();
  for (const DemoCheck& c : r.checks) checks.push_back({{"claim", c.claim}, {"holds", c.holds}});
  out["checks"] = checks;
  return out.dump(1);
}

}  // namespace rankflow::app
