#include "core/theory/sampled_blocks.h"

#include <random>

#include "core/common/error.h"
#include "core/theory/constructions.h"

namespace rankflow::theory {
namespace {

using matfun::MatrixFunction;
using matfun::Oscillation;

// Raw draws from mt19937_64 (whose output the standard fixes), not the library-specific
// distributions, so the same seed gives the same blocks with every standard library.
struct Draw {
  std::mt19937_64 rng;
  int below(int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }
  bool chance(int percent) { return below(100) < percent; }
  double coefficient() {  // ±1 or ±2
    const int c = 1 + below(2);
    return chance(50) ? c : -c;
  }
};

// An n×d polynomial matrix: each entry is zero with probability 1/2, else one or two
// monomials c t^p with p ≤ maxDegree.
MatrixFunction sparseFactor(Draw& d, int n, int cols, int maxDegree) {
  MatrixFunction f(n, cols);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < cols; ++j) {
      if (d.chance(50)) continue;
      const int monomials = d.chance(70) ? 1 : 2;
      for (int m = 0; m < monomials; ++m) f.add(i, j, {d.coefficient(), d.below(maxDegree + 1), Oscillation::Exp, 0.0});
    }
  return f;
}

MatrixFunction timesExp(const MatrixFunction& g, int rate) {
  if (rate == 0) return g;
  MatrixFunction out(g.rows(), g.cols());
  for (int i = 0; i < g.rows(); ++i)
    for (int j = 0; j < g.cols(); ++j)
      for (const auto& t : g.at(i, j))
        out.add(i, j, {t.coefficient, t.power, Oscillation::Exp, t.rate + static_cast<double>(rate)});
  return out;
}

// [x, x', …, x^(m)] for x = (1, t, …, t^m): (m+1)×(m+1), full rank (the Wronskian of
// the monomials).
MatrixFunction derivativeColumns(int m) {
  MatrixFunction x = polynomialCurve(m);
  MatrixFunction out(m + 1, m + 1);
  for (int j = 0; j <= m; ++j) {
    for (int i = 0; i <= m; ++i) out.at(i, j) = x.at(i, 0);
    x = x.derivative();
  }
  return out;
}

}  // namespace

std::vector<SampledBlock> sampledBlocks(const SampleBudget& budget) {
  if (budget.draws < 1 || budget.draws > 100000) throw InvalidArgument("sampled blocks: draws must be in [1, 100000]");
  if (budget.maxDimension < 2 || budget.maxDimension > 8)
    throw InvalidArgument("sampled blocks: the dimension must be in [2, 8]");
  if (budget.maxDegree < 0 || budget.maxDegree > 6) throw InvalidArgument("sampled blocks: degree must be in [0, 6]");
  if (budget.coupledDraws < 0 || budget.coupledDraws > 100000)
    throw InvalidArgument("sampled blocks: coupled draws must be in [0, 100000]");
  Draw d{std::mt19937_64(budget.seed)};
  std::vector<SampledBlock> out;
  out.reserve(static_cast<std::size_t>(budget.draws + budget.coupledDraws));
  for (int draw = 0; draw < budget.draws; ++draw) {
    const int n = 2 + d.below(budget.maxDimension - 1);
    MatrixFunction b(n, n);
    std::string text;
    const int terms = d.chance(60) ? 1 : 2;
    for (int term = 0; term < terms; ++term) {
      static constexpr int kRates[] = {0, 0, 0, 1, -1, 2};
      const int rate = kRates[d.below(6)];
      MatrixFunction pq;
      std::string kind;
      if (d.chance(40)) {  // coupled factors: x y'^T − x' y^T
        const MatrixFunction x = sparseFactor(d, n, 1, budget.maxDegree + 1);
        const MatrixFunction y = sparseFactor(d, n, 1, budget.maxDegree + 1);
        pq = x.times(y.derivative().transpose()).plus(x.derivative().times(y.transpose()), -1.0);
        kind = "W";
      } else {
        const int inner = 1 + d.below(2);
        pq = sparseFactor(d, n, inner, budget.maxDegree).times(sparseFactor(d, n, inner, budget.maxDegree).transpose());
        kind = "PQ^T";
      }
      const int integrals = d.chance(70) ? 0 : 1 + d.below(2);
      if (integrals > 0) kind = "int^" + std::to_string(integrals) + " " + kind;
      b = b.plus(timesExp(integrate(pq, integrals), rate));
      text += (term ? " + " : "") +
              (rate == 0 ? std::string()
                         : "e^{" +
                               (rate == 1    ? std::string()
                                : rate == -1 ? std::string("-")
                                             : std::to_string(rate)) +
                               "t} ") +
              kind;
    }
    if (d.chance(50)) {  // a sparse constant K with one or two unit entries
      const int entries = d.chance(60) ? 1 : 2;
      for (int e = 0; e < entries; ++e) b.add(d.below(n), d.below(n), {d.coefficient(), 0, Oscillation::Exp, 0.0});
      text += " + K";
    }
    out.push_back({"sample " + std::to_string(draw) + ": " + std::to_string(n) + "x" + std::to_string(n) + ", " + text,
                   std::move(b)});
  }
  for (int draw = 0; draw < budget.coupledDraws; ++draw) {
    const int a = 1 + d.below(6), c = 1 + d.below(6);
    Eigen::MatrixXd coefficients = Eigen::MatrixXd::Zero(a + 1, c + 1);
    const int nonzeros = 1 + d.below(5);
    for (int e = 0; e < nonzeros; ++e) {
      static constexpr int kValues[] = {-2, -1, 1, 2, 3};
      const int i = d.below(a + 1), j = d.below(c + 1);
      coefficients(i, j) = kValues[d.below(5)];
    }
    const int rate = d.chance(75) ? 0 : 1;
    const MatrixFunction weights =
        MatrixFunction::constantTimes(coefficients, {1.0, 0, Oscillation::Exp, static_cast<double>(rate)});
    const MatrixFunction b = derivativeColumns(a).times(weights).times(derivativeColumns(c).transpose());
    out.push_back({"coupled " + std::to_string(draw) + ": " + (rate ? "e^t " : "") + "X_" + std::to_string(a) +
                       " A Y_" + std::to_string(c) + "^T",
                   b});
  }
  return out;
}

}  // namespace rankflow::theory
