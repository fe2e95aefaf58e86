#include "core/matfun/matrix_function.h"

#include <cmath>

#include "core/common/error.h"

namespace rankflow::matfun {
namespace {

bool alike(const Term& a, const Term& b) {
  return a.kind == b.kind && a.power == b.power && a.rate == b.rate;
}

// Canonical forms: sin(0·t) = 0 and cos(0·t) = e^{0·t}, so equal functions compare equal.
Term canonical(Term term) {
  if (term.kind == Oscillation::Sin && term.rate == 0.0) term.coefficient = 0.0;
  if (term.kind == Oscillation::Cos && term.rate == 0.0) term.kind = Oscillation::Exp;
  if (term.kind != Oscillation::Exp && term.rate < 0.0) {  // sin(−ωt) = −sin(ωt), cos(−ωt) = cos(ωt)
    term.rate = -term.rate;
    if (term.kind == Oscillation::Sin) term.coefficient = -term.coefficient;
  }
  return term;
}

void addTerm(Entry& entry, Term term) {
  term = canonical(term);
  if (term.coefficient == 0.0) return;
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    if (alike(*it, term)) {
      it->coefficient += term.coefficient;
      if (it->coefficient == 0.0) entry.erase(it);
      return;
    }
  }
  entry.push_back(term);
}

}  // namespace

double Term::value(double t) const {
  const double base = coefficient * (power == 0 ? 1.0 : std::pow(t, power));
  switch (kind) {
    case Oscillation::Exp:
      return base * std::exp(rate * t);
    case Oscillation::Sin:
      return base * std::sin(rate * t);
    case Oscillation::Cos:
      return base * std::cos(rate * t);
  }
  return 0.0;
}

Entry differentiate(const Entry& entry) {
  Entry out;
  for (const Term& term : entry) {
    // (c t^p f)' = c p t^{p−1} f + c t^p f'
    if (term.power > 0) addTerm(out, {term.coefficient * term.power, term.power - 1, term.kind, term.rate});
    switch (term.kind) {
      case Oscillation::Exp:
        addTerm(out, {term.coefficient * term.rate, term.power, Oscillation::Exp, term.rate});
        break;
      case Oscillation::Sin:
        addTerm(out, {term.coefficient * term.rate, term.power, Oscillation::Cos, term.rate});
        break;
      case Oscillation::Cos:
        addTerm(out, {-term.coefficient * term.rate, term.power, Oscillation::Sin, term.rate});
        break;
    }
  }
  return out;
}

Entry multiply(const Entry& a, const Entry& b) {
  Entry out;
  for (const Term& x : a) {
    for (const Term& y : b) {
      const double c = x.coefficient * y.coefficient;
      const int p = x.power + y.power;
      // Products of oscillations are sums of oscillations: sin a sin b = ½[cos(a−b) − cos(a+b)], …
      if (x.kind == Oscillation::Exp && y.kind == Oscillation::Exp) {
        addTerm(out, {c, p, Oscillation::Exp, x.rate + y.rate});
      } else if (x.kind == Oscillation::Exp || y.kind == Oscillation::Exp) {
        const Term& e = x.kind == Oscillation::Exp ? x : y;
        const Term& o = x.kind == Oscillation::Exp ? y : x;
        if (e.rate != 0.0) throw InvalidArgument("matrix function: e^{λt}·sin/cos with λ ≠ 0 is outside the class");
        addTerm(out, {c, p, o.kind, o.rate});
      } else if (x.kind == Oscillation::Sin && y.kind == Oscillation::Sin) {
        addTerm(out, {0.5 * c, p, Oscillation::Cos, x.rate - y.rate});
        addTerm(out, {-0.5 * c, p, Oscillation::Cos, x.rate + y.rate});
      } else if (x.kind == Oscillation::Cos && y.kind == Oscillation::Cos) {
        addTerm(out, {0.5 * c, p, Oscillation::Cos, x.rate - y.rate});
        addTerm(out, {0.5 * c, p, Oscillation::Cos, x.rate + y.rate});
      } else {
        const Term& s = x.kind == Oscillation::Sin ? x : y;
        const Term& k = x.kind == Oscillation::Sin ? y : x;
        addTerm(out, {0.5 * c, p, Oscillation::Sin, s.rate + k.rate});
        addTerm(out, {0.5 * c, p, Oscillation::Sin, s.rate - k.rate});
      }
    }
  }
  return out;
}

MatrixFunction::MatrixFunction(int rows, int cols) : rows_(rows), cols_(cols) {
  if (rows <= 0 || cols <= 0 || rows > 4096 || cols > 4096)
    throw InvalidArgument("matrix function: size must be between 1 and 4096 per side");
  entries_.assign(static_cast<std::size_t>(rows) * cols, Entry{});
}

void MatrixFunction::add(int i, int j, const Term& term) {
  if (i < 0 || i >= rows_ || j < 0 || j >= cols_) throw InvalidArgument("matrix function: entry outside the matrix");
  if (!std::isfinite(term.coefficient) || !std::isfinite(term.rate) || term.power < 0)
    throw InvalidArgument("matrix function: a term needs finite c and rate and a power p >= 0");
  addTerm(at(i, j), term);
}

MatrixFunction MatrixFunction::plus(const MatrixFunction& other, double scale) const {
  if (other.rows_ != rows_ || other.cols_ != cols_) throw InvalidArgument("matrix function: sizes differ in a sum");
  MatrixFunction out = *this;
  for (std::size_t e = 0; e < entries_.size(); ++e) {
    for (Term t : other.entries_[e]) {
      t.coefficient *= scale;
      addTerm(out.entries_[e], t);
    }
  }
  return out;
}

MatrixFunction MatrixFunction::times(const MatrixFunction& other) const {
  if (cols_ != other.rows_) throw InvalidArgument("matrix function: inner sizes differ in a product");
  MatrixFunction out(rows_, other.cols_);
  for (int i = 0; i < rows_; ++i)
    for (int j = 0; j < other.cols_; ++j)
      for (int k = 0; k < cols_; ++k)
        for (const Term& t : multiply(at(i, k), other.at(k, j))) addTerm(out.at(i, j), t);
  return out;
}

MatrixFunction MatrixFunction::transpose() const {
  MatrixFunction out(cols_, rows_);
  for (int i = 0; i < rows_; ++i)
    for (int j = 0; j < cols_; ++j) out.at(j, i) = at(i, j);
  return out;
}

MatrixFunction MatrixFunction::derivative(int order) const {
  if (order < 0) throw InvalidArgument("matrix function: derivative order must be >= 0");
  MatrixFunction out = *this;
  for (int k = 0; k < order; ++k)
    for (auto& e : out.entries_) e = differentiate(e);
  return out;
}

Eigen::MatrixXd MatrixFunction::evaluate(double t) const {
  if (!std::isfinite(t)) throw InvalidArgument("matrix function: t is not finite");
  Eigen::MatrixXd m(rows_, cols_);
  for (int i = 0; i < rows_; ++i)
    for (int j = 0; j < cols_; ++j) {
      double v = 0.0;
      for (const Term& term : at(i, j)) v += term.value(t);
      m(i, j) = v;
    }
  return m;
}

bool MatrixFunction::isExpPolynomial(int* maxPower, int* minRate, int* maxRate) const {
  int power = 0, lo = 0, hi = 0;
  for (const auto& e : entries_) {
    for (const Term& t : e) {
      if (t.kind != Oscillation::Exp || t.rate != std::round(t.rate) || std::abs(t.rate) > 1e6) return false;
      power = std::max(power, t.power);
      lo = std::min(lo, static_cast<int>(t.rate));
      hi = std::max(hi, static_cast<int>(t.rate));
    }
  }
  if (maxPower) *maxPower = power;
  if (minRate) *minRate = lo;
  if (maxRate) *maxRate = hi;
  return true;
}

MatrixFunction MatrixFunction::constantTimes(const Eigen::MatrixXd& m, const Term& scalar) {
  MatrixFunction out(static_cast<int>(m.rows()), static_cast<int>(m.cols()));
  for (int i = 0; i < out.rows_; ++i)
    for (int j = 0; j < out.cols_; ++j)
      if (m(i, j) != 0.0) out.add(i, j, {scalar.coefficient * m(i, j), scalar.power, scalar.kind, scalar.rate});
  return out;
}

}  // namespace rankflow::matfun
