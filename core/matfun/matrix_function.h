#pragma once
// Matrix functions of t whose entries are finite sums of c·t^p·e^{λt}, c·t^p·sin(ωt) and
// c·t^p·cos(ωt) (docs/MATHEMATICS.md §2). The class is closed under differentiation, so derivatives are
// exact (no finite differences) and evaluation at any t is direct.
#include <Eigen/Core>
#include <string>
#include <vector>

namespace rankflow::matfun {

enum class Oscillation { Exp, Sin, Cos };

struct Term {
  double coefficient = 0.0;
  int power = 0;  // p ≥ 0
  Oscillation kind = Oscillation::Exp;
  double rate = 0.0;  // λ for Exp, ω for Sin/Cos

  double value(double t) const;
};

using Entry = std::vector<Term>;  // a sum of terms; empty is 0

class MatrixFunction {
 public:
  MatrixFunction() = default;
  MatrixFunction(int rows, int cols);

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  Entry& at(int i, int j) { return entries_[static_cast<std::size_t>(i * cols_ + j)]; }
  const Entry& at(int i, int j) const { return entries_[static_cast<std::size_t>(i * cols_ + j)]; }

  // Adds c·t^p·(kind at rate) to entry (i, j), merging with a like term.
  void add(int i, int j, const Term& term);
  // (this) + other·scale, entry-wise.
  MatrixFunction plus(const MatrixFunction& other, double scale = 1.0) const;
  // The product with another matrix function (entries multiply term by term).
  MatrixFunction times(const MatrixFunction& other) const;
  MatrixFunction transpose() const;

  MatrixFunction derivative(int order = 1) const;
  Eigen::MatrixXd evaluate(double t) const;

  // Largest power of t and the integer range of exponential rates, when every term is
  // Exp with an integer rate (what the exact rank needs); false otherwise.
  bool isExpPolynomial(int* maxPower, int* minRate, int* maxRate) const;

  // A constant matrix times a scalar function c·t^p·(kind at rate).
  static MatrixFunction constantTimes(const Eigen::MatrixXd& m, const Term& scalar);
  static MatrixFunction zero(int rows, int cols) { return MatrixFunction(rows, cols); }

 private:
  int rows_ = 0;
  int cols_ = 0;
  std::vector<Entry> entries_;
};

Entry differentiate(const Entry& entry);
Entry multiply(const Entry& a, const Entry& b);

}  // namespace rankflow::matfun
