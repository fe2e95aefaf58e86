#include "core/matfun/rank.h"

#include <Eigen/SVD>
#include <cmath>
#include <limits>
#include <random>

#include "core/common/error.h"
#include "core/matfun/derivative_grid.h"

namespace rankflow::matfun {
namespace {

// [SECTION] Arithmetic in GF(p), p = 2^61 − 1 (a Mersenne prime: products fit in 128 bits)
__extension__ typedef unsigned __int128 Wide;
constexpr std::uint64_t kPrime = (std::uint64_t(1) << 61) - 1;

std::uint64_t mulMod(std::uint64_t a, std::uint64_t b) {
  const Wide product = static_cast<Wide>(a) * b;
  std::uint64_t folded = static_cast<std::uint64_t>(product & kPrime) + static_cast<std::uint64_t>(product >> 61);
  if (folded >= kPrime) folded -= kPrime;
  return folded;
}
std::uint64_t addMod(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t s = a + b;
  return s >= kPrime ? s - kPrime : s;
}
std::uint64_t subMod(std::uint64_t a, std::uint64_t b) {
  return a >= b ? a - b : a + kPrime - b;
}
std::uint64_t powMod(std::uint64_t base, std::uint64_t exponent) {
  std::uint64_t result = 1;
  while (exponent) {
    if (exponent & 1) result = mulMod(result, base);
    base = mulMod(base, base);
    exponent >>= 1;
  }
  return result;
}
std::uint64_t inverseMod(std::uint64_t a) {
  return powMod(a, kPrime - 2);  // Fermat
}

// c as n/d with d ≤ 10^6 (continued fractions), or nothing when no such fraction is exact.
bool rational(double c, std::int64_t* numerator, std::int64_t* denominator) {
  if (!std::isfinite(c) || std::abs(c) > 1e12) return false;
  const double sign = c < 0 ? -1.0 : 1.0;
  double x = std::abs(c);
  std::int64_t h0 = 0, h1 = 1, k0 = 1, k1 = 0;
  for (int i = 0; i < 40; ++i) {
    const double a = std::floor(x);
    // Stop before the next denominator can pass 10^6 (and before the products overflow).
    if (k1 > 0 && a > (1e6 - static_cast<double>(k0)) / static_cast<double>(k1)) break;
    if (a > 1e12) break;
    const std::int64_t ai = static_cast<std::int64_t>(a);
    const std::int64_t h2 = ai * h1 + h0, k2 = ai * k1 + k0;
    if (k2 > 1000000) break;
    h0 = h1, h1 = h2, k0 = k1, k1 = k2;
    // Within a few ulps: 0.1 is 1/10, but π is not 833719/265381 (off by 3e-12).
    if (std::abs(static_cast<double>(h1) / static_cast<double>(k1) - std::abs(c)) <=
        8 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(c))) {
      *numerator = static_cast<std::int64_t>(sign) * h1;
      *denominator = k1;
      return true;
    }
    if (x - a < 1e-15) break;
    x = 1.0 / (x - a);
  }
  return false;
}

std::uint64_t toField(std::int64_t v) {
  const std::int64_t m = v % static_cast<std::int64_t>(kPrime);
  return static_cast<std::uint64_t>(m < 0 ? m + static_cast<std::int64_t>(kPrime) : m);
}

int rankModP(std::vector<std::vector<std::uint64_t>> a) {
  const std::size_t rows = a.size(), cols = rows ? a[0].size() : 0;
  int rank = 0;
  for (std::size_t col = 0; col < cols && static_cast<std::size_t>(rank) < rows; ++col) {
    std::size_t pivot = static_cast<std::size_t>(rank);
    while (pivot < rows && a[pivot][col] == 0) ++pivot;
    if (pivot == rows) continue;
    std::swap(a[pivot], a[static_cast<std::size_t>(rank)]);
    const auto& top = a[static_cast<std::size_t>(rank)];
    const std::uint64_t inv = inverseMod(top[col]);
    for (std::size_t r = static_cast<std::size_t>(rank) + 1; r < rows; ++r) {
      if (a[r][col] == 0) continue;
      const std::uint64_t factor = mulMod(a[r][col], inv);
      for (std::size_t c = col; c < cols; ++c) a[r][c] = subMod(a[r][c], mulMod(factor, top[c]));
    }
    ++rank;
  }
  return rank;
}

double defaultTolerance(double sigmaMax, Eigen::Index rows, Eigen::Index cols) {
  return sigmaMax * static_cast<double>(std::max(rows, cols)) * std::numeric_limits<double>::epsilon();
}

}  // namespace

// [SECTION] Numerical rank

NumericalRank numericalRank(const Eigen::MatrixXd& m, std::optional<double> tolerance) {
  if (!m.allFinite()) throw InvalidArgument("rank: matrix has a NaN or infinite entry");
  NumericalRank out;
  if (m.size() == 0) return out;
  // Jacobi, not BDCSVD: Debian's Eigen 3.4.0 BDCSVD segfaults on some low-rank inputs.
  out.singularValues = Eigen::JacobiSVD<Eigen::MatrixXd>(m).singularValues();
  const double sigmaMax = out.singularValues.size() ? out.singularValues(0) : 0.0;
  out.tolerance = tolerance.value_or(defaultTolerance(sigmaMax, m.rows(), m.cols()));
  for (Eigen::Index i = 0; i < out.singularValues.size(); ++i) out.rank += out.singularValues(i) > out.tolerance;
  return out;
}

int numericalRankQr(const Eigen::MatrixXd& m, std::optional<double> tolerance) {
  if (!m.allFinite()) throw InvalidArgument("rank: matrix has a NaN or infinite entry");
  if (m.size() == 0) return 0;
  // Column-pivoted Gram–Schmidt that stops as soon as every residual column is below the
  // tolerance: a rank-r matrix costs about r·n² multiply-adds instead of a full
  // factorisation. The matrix itself is never updated: residual column norms are
  // downdated (‖a_k‖² −= (qᵀa_k)²) and recomputed exactly from the basis once the
  // downdate has cancelled too many digits to be trusted (as LAPACK's xGEQP3 does); each
  // new direction is orthogonalised twice ("twice is enough").
  const Eigen::Index rows = m.rows(), cols = m.cols(), maxRank = std::min(rows, cols);
  Eigen::VectorXd original = m.colwise().squaredNorm().transpose();
  Eigen::VectorXd norms = original;
  const double first = std::sqrt(original.maxCoeff());
  // σ_max ≤ √n · (largest column norm): the default rule with that bound on σ_max.
  const double tol =
      tolerance.value_or(first * std::sqrt(static_cast<double>(cols)) * static_cast<double>(std::max(rows, cols)) *
                         std::numeric_limits<double>::epsilon());
  const double tol2 = tol * tol;
  Eigen::MatrixXd basis(rows, maxRank);
  Eigen::VectorXd q(rows), coefficients(maxRank);
  Eigen::RowVectorXd projections(cols);
  std::vector<char> used(static_cast<std::size_t>(cols), 0);
  Eigen::Index rank = 0;
  const auto exactResidualNorm = [&](Eigen::Index k) {
    q = m.col(k);
    for (int pass = 0; pass < 2; ++pass) {
      coefficients.head(rank).noalias() = basis.leftCols(rank).transpose() * q;
      q.noalias() -= basis.leftCols(rank) * coefficients.head(rank);
    }
    return q.squaredNorm();
  };
  std::vector<char> exact(static_cast<std::size_t>(cols), 1);
  std::vector<Eigen::Index> stale;
  while (rank < maxRank) {
    // A downdated norm that lost ~8 digits is recomputed (all such columns in one GEMM)
    // before it is believed.
    stale.clear();
    for (Eigen::Index k = 0; k < cols; ++k)
      if (!used[static_cast<std::size_t>(k)] && !exact[static_cast<std::size_t>(k)] && norms(k) < 1e-8 * original(k))
        stale.push_back(k);
    if (!stale.empty()) {
      Eigen::MatrixXd residual = m(Eigen::all, stale);
      for (int pass = 0; pass < 2; ++pass)
        residual -= basis.leftCols(rank) * (basis.leftCols(rank).transpose() * residual);
      const Eigen::RowVectorXd fresh = residual.colwise().squaredNorm();
      for (std::size_t i = 0; i < stale.size(); ++i) {
        norms(stale[i]) = fresh(static_cast<Eigen::Index>(i));
        exact[static_cast<std::size_t>(stale[i])] = 1;
      }
    }
    Eigen::Index pivot = -1;
    double best = tol2;
    for (Eigen::Index k = 0; k < cols; ++k)
      if (!used[static_cast<std::size_t>(k)] && norms(k) > best) best = norms(k), pivot = k;
    if (pivot < 0) break;
    const double residual = exactResidualNorm(pivot);  // leaves the residual in q
    if (residual <= tol2) {
      norms(pivot) = residual;
      used[static_cast<std::size_t>(pivot)] = 1;
      continue;
    }
    q /= std::sqrt(residual);
    basis.col(rank++) = q;
    used[static_cast<std::size_t>(pivot)] = 1;
    projections.noalias() = q.transpose() * m;
    norms -= projections.transpose().cwiseAbs2();
    std::fill(exact.begin(), exact.end(), 0);
  }
  return static_cast<int>(rank);
}

GenericRank numericalGenericRank(const MatrixFunction& f, int samples, std::uint64_t seed, double tMin, double tMax,
                                 std::optional<double> tolerance) {
  GenericRank out;
  out.rank = -1;
  for (const double t : genericSampleTimes(samples, seed, tMin, tMax)) {
    NumericalRank r = numericalRank(f.evaluate(t), tolerance);
    out.sampleTimes.push_back(t);
    out.sampleRanks.push_back(r.rank);
    if (r.rank > out.rank) {
      out.rank = r.rank;
      out.best = std::move(r);
    }
  }
  return out;
}

// [SECTION] Exact rank over GF(p)

ExactRank exactGenericRank(const MatrixFunction& f, std::uint64_t seed, double targetBound) {
  int maxPower = 0, minRate = 0, maxRate = 0;
  if (!f.isExpPolynomial(&maxPower, &minRate, &maxRate))
    throw InvalidArgument(
        "exact rank needs entries sum c t^p e^{lambda t} with integer lambda (no sin/cos); use the numerical rank");
  struct FieldTerm {
    std::uint64_t coefficient;
    int power;
    int rate;
  };
  std::vector<std::vector<FieldTerm>> terms(static_cast<std::size_t>(f.rows() * f.cols()));
  for (int i = 0; i < f.rows(); ++i) {
    for (int j = 0; j < f.cols(); ++j) {
      for (const Term& t : f.at(i, j)) {
        std::int64_t n = 0, d = 1;
        if (!rational(t.coefficient, &n, &d))
          throw InvalidArgument("exact rank: coefficient " + std::to_string(t.coefficient) +
                                " is not a fraction with denominator <= 10^6");
        terms[static_cast<std::size_t>(i * f.cols() + j)].push_back(
            {mulMod(toField(n), inverseMod(toField(d))), t.power, static_cast<int>(t.rate)});
      }
    }
  }
  ExactRank out;
  out.prime = kPrime;
  // Times s^{−minRate}, every entry is a polynomial in (t, s) of total degree at most
  // maxPower + (maxRate − minRate); an r×r minor has at most r times that.
  const double entryDegree = static_cast<double>(maxPower) + (static_cast<double>(maxRate) - minRate);
  const double degree = std::max(1.0, std::min(f.rows(), f.cols()) * entryDegree);
  out.degreeBound = degree > 2e9 ? 2000000000 : static_cast<int>(degree);
  const double perDraw = std::min(1.0, degree / static_cast<double>(kPrime));
  if (perDraw >= 1.0) throw InvalidArgument("exact rank: the degree bound exceeds the prime; no useful bound");
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::uint64_t> element(1, kPrime - 1);
  out.failureBound = 1.0;
  while (out.failureBound > targetBound && out.draws < 64) {
    const std::uint64_t t = element(rng), s = element(rng), sInverse = inverseMod(s);
    std::vector<std::vector<std::uint64_t>> m(static_cast<std::size_t>(f.rows()),
                                              std::vector<std::uint64_t>(static_cast<std::size_t>(f.cols()), 0));
    for (int i = 0; i < f.rows(); ++i)
      for (int j = 0; j < f.cols(); ++j)
        for (const FieldTerm& term : terms[static_cast<std::size_t>(i * f.cols() + j)]) {
          const std::uint64_t sPower = term.rate >= 0 ? powMod(s, static_cast<std::uint64_t>(term.rate))
                                                      : powMod(sInverse, static_cast<std::uint64_t>(-term.rate));
          const std::uint64_t value =
              mulMod(term.coefficient, mulMod(powMod(t, static_cast<std::uint64_t>(term.power)), sPower));
          auto& cell = m[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
          cell = addMod(cell, value);
        }
    out.rank = std::max(out.rank, rankModP(std::move(m)));
    ++out.draws;
    out.failureBound *= perDraw;
  }
  return out;
}

}  // namespace rankflow::matfun
