#include "core/theory/constructions.h"

#include <algorithm>
#include <random>
#include <string>

#include "core/common/error.h"
#include "core/matfun/rank.h"

namespace rankflow::theory {

using matfun::Oscillation;
using matfun::Term;

std::vector<int> rankProfile(const MatrixFunction& b, int maxOrder) {
  std::vector<int> profile;
  MatrixFunction current = b;
  for (int k = 0; k <= maxOrder; ++k) {
    if (current.isExpPolynomial(nullptr, nullptr, nullptr)) {
      try {
        profile.push_back(matfun::exactGenericRank(current).rank);
      } catch (const InvalidArgument&) {  // coefficients not recognisably rational
        profile.push_back(matfun::numericalGenericRank(current).rank);
      }
    } else {
      profile.push_back(matfun::numericalGenericRank(current).rank);
    }
    current = current.derivative();
  }
  return profile;
}

MatrixFunction lemma12(const std::vector<Entry>& f, int n) {
  if (n < static_cast<int>(f.size()) || f.empty())
    throw InvalidArgument("Lemma 1.2: need 1 <= #f <= n, got #f = " + std::to_string(f.size()) +
                          ", n = " + std::to_string(n));
  MatrixFunction d1(n, n);
  for (std::size_t i = 0; i < f.size(); ++i)
    for (const Term& t : f[i]) d1.add(static_cast<int>(i), static_cast<int>(i), t);
  return d1;
}

std::vector<int> lemma12Prediction(const std::vector<Entry>& f, int maxK) {
  std::vector<int> out;
  for (int k = 1; k <= maxK; ++k) {
    int count = 0;
    for (const Entry& e : f) {
      Entry d = e;
      for (int j = 0; j < k - 1; ++j) d = matfun::differentiate(d);
      count += !d.empty();
    }
    out.push_back(count);
  }
  return out;
}

// Integer coefficients (t^i instead of t^i/i!): a diagonal rescaling, so ranks are the
// same, and the exact rank sees small integers instead of 1/i!.
MatrixFunction polynomialCurve(int m) {
  if (m < 0 || m > 30) throw InvalidArgument("polynomial curve: degree must be in [0, 30]");
  MatrixFunction x(m + 1, 1);
  for (int i = 0; i <= m; ++i) x.add(i, 0, {1.0, i, Oscillation::Exp, 0.0});
  return x;
}

MatrixFunction outerProductBlock(int m) {
  const MatrixFunction x = polynomialCurve(m);
  return x.times(x.transpose());
}

MatrixFunction wronskianBlock(int a, int b) {
  if (a < 0 || b < 0) throw InvalidArgument("Wronskian block: degrees must be >= 0");
  const MatrixFunction x = polynomialCurve(a), y = polynomialCurve(b);
  return x.times(y.derivative().transpose()).plus(x.derivative().times(y.transpose()), -1.0);
}

MatrixFunction integrate(const MatrixFunction& f, int times) {
  if (times < 0) throw InvalidArgument("integrate: times must be >= 0");
  MatrixFunction out = f;
  for (int s = 0; s < times; ++s) {
    MatrixFunction next(out.rows(), out.cols());
    for (int i = 0; i < out.rows(); ++i)
      for (int j = 0; j < out.cols(); ++j)
        for (const Term& t : out.at(i, j)) {
          if (t.kind != Oscillation::Exp || t.rate != 0.0)
            throw InvalidArgument("integrate: only polynomial entries are integrated here");
          next.add(i, j, {t.coefficient / (t.power + 1), t.power + 1, Oscillation::Exp, 0.0});
        }
    out = next;
  }
  return out;
}

MatrixFunction solveFirstOrder(const MatrixFunction& d1, const Eigen::MatrixXd& c) {
  if (c.rows() != d1.rows() || c.cols() != d1.cols())
    throw InvalidArgument("ODE construction: C must match D_1's size");
  int degree = 0;
  for (int i = 0; i < d1.rows(); ++i)
    for (int j = 0; j < d1.cols(); ++j)
      for (const Term& t : d1.at(i, j)) {
        if (t.kind != Oscillation::Exp || t.rate != 0.0)
          throw InvalidArgument("ODE construction: D_1 must have polynomial entries");
        degree = std::max(degree, t.power);
      }
  MatrixFunction a = MatrixFunction::constantTimes(c, {1.0, 0, Oscillation::Exp, 1.0});
  MatrixFunction derivative = d1;
  for (int i = 0; i <= degree; ++i) {
    a = a.plus(derivative, -1.0);
    derivative = derivative.derivative();
  }
  return a;
}

MatrixFunction lemma15(const std::vector<int>& ranks) {
  if (ranks.empty()) throw InvalidArgument("Lemma 1.5: empty sequence");
  int n = 1;
  for (int r : ranks) {
    if (r < 0) throw InvalidArgument("Lemma 1.5: ranks must be >= 0");
    n = std::max(n, r);
  }
  MatrixFunction b(n, n);
  double factorial = 1.0;
  for (std::size_t k = 0; k < ranks.size(); ++k) {
    if (k > 0) factorial *= static_cast<double>(k);
    for (int i = 0; i < ranks[k]; ++i) b.add(i, i, {1.0 / factorial, static_cast<int>(k), Oscillation::Exp, 0.0});
  }
  return b;
}

MatrixFunction rankOneProduct(int n, int degree, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> coefficient(-5, 5);
  MatrixFunction x(n, 1), y(n, 1);
  for (int i = 0; i < n; ++i)
    for (int p = 0; p <= degree; ++p) {
      x.add(i, 0, {static_cast<double>(coefficient(rng)), p, Oscillation::Exp, 0.0});
      y.add(i, 0, {static_cast<double>(coefficient(rng)), p, Oscillation::Exp, 0.0});
    }
  return x.times(y.transpose());
}

MatrixFunction blockDiagonal(const std::vector<MatrixFunction>& blocks) {
  int rows = 0, cols = 0;
  for (const auto& b : blocks) rows += b.rows(), cols += b.cols();
  if (rows == 0) throw InvalidArgument("block diagonal: no blocks");
  MatrixFunction out(rows, cols);
  int r0 = 0, c0 = 0;
  for (const auto& b : blocks) {
    for (int i = 0; i < b.rows(); ++i)
      for (int j = 0; j < b.cols(); ++j) out.at(r0 + i, c0 + j) = b.at(i, j);
    r0 += b.rows();
    c0 += b.cols();
  }
  return out;
}

std::vector<int> lemma19Ranks(const std::vector<int>& permutation, const std::string& relations) {
  const std::size_t n = permutation.size();
  if (n == 0) throw InvalidArgument("Lemma 1.9: empty permutation");
  if (relations.size() + 1 != n)
    throw InvalidArgument("Lemma 1.9: " + std::to_string(n) + " orders need " + std::to_string(n - 1) + " relations");
  std::vector<int> sorted = permutation;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < n; ++i)
    if (sorted[i] != static_cast<int>(i))
      throw InvalidArgument("Lemma 1.9: not a permutation of 0.." + std::to_string(n - 1));
  std::vector<int> w(n, 0);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const char rel = relations[i];
    if (rel != '<' && rel != '>' && rel != '=') throw InvalidArgument("Lemma 1.9: relations are '<', '>' or '='");
    w[i + 1] = w[i] + (rel == '<' ? 1 : rel == '>' ? -1 : 0);
  }
  const int lo = *std::min_element(w.begin(), w.end());
  const int hi = *std::max_element(w.begin(), w.end());
  // Shift so that min w = max(spread, 1): then max w ≤ 2 min w, which satisfies the
  // pairwise Leibniz bound r_{k+j} ≤ (j+1) r_k for every pair.
  const int offset = std::max(hi - lo, 1) - lo;
  std::vector<int> ranks(n);
  for (std::size_t i = 0; i < n; ++i) ranks[static_cast<std::size_t>(permutation[i])] = w[i] + offset;
  return ranks;
}

}  // namespace rankflow::theory
