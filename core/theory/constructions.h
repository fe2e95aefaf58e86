#pragma once
// The constructions of docs/MATHEMATICS.md §2 (seed 000, Lemmas 1.2–1.9, Facts 1.4 and 1.7) as matrix
// functions, so each statement can be checked by computing ranks.
#include <vector>

#include "core/matfun/matrix_function.h"

namespace rankflow::theory {

using matfun::Entry;
using matfun::MatrixFunction;

// Exact ranks of B^(k), k = 0..maxOrder (exact over GF(p) when the entries allow, else
// the numerical generic rank).
std::vector<int> rankProfile(const MatrixFunction& b, int maxOrder);

// Lemma 1.2: D_1 = Σ_i f_i(t) e_i e_iᵀ in dimension n ≥ #f (constant, independent a_i, b_i).
MatrixFunction lemma12(const std::vector<Entry>& f, int n);
// What Lemma 1.2 predicts: rank D_k = #{i : f_i^(k−1) ≢ 0}, k = 1..maxK (index k−1).
std::vector<int> lemma12Prediction(const std::vector<Entry>& f, int maxK);

// x(t) = Σ_{i=0}^{m} t^i/i! e_{i+1} ∈ R^{m+1}.
MatrixFunction polynomialCurve(int m);
// Lemma 1.3 / the base block of Lemma 1.8: G_m = x xᵀ, (m+1)×(m+1); ranks 1, 2, …, m+1 then down.
MatrixFunction outerProductBlock(int m);
// The Wronskian block W_{a,b} = x_a y_b'ᵀ − x_a' y_bᵀ, (a+1)×(b+1), entries (j − i) t^(i+j−1).
// Its derivative x_a y_b''ᵀ − x_a'' y_bᵀ loses the cross terms, so rank W' = rank W = 2 while
// W'' = x y'''ᵀ + x' y''ᵀ − x'' y'ᵀ − x''' yᵀ reaches 4: W_{3,3} has ranks (2, 2, 4, 2, 2).
MatrixFunction wronskianBlock(int a, int b);
// The s-fold integral from 0 (constants zero) of a matrix function with polynomial entries.
MatrixFunction integrate(const MatrixFunction& f, int times);

// ODE constructions: A with A' − A = D_1 for polynomial D_1: A = e^t C − Σ_{i≥0} D_1^(i).
MatrixFunction solveFirstOrder(const MatrixFunction& d1, const Eigen::MatrixXd& c);

// Lemma 1.5: B(t) = Σ_k t^k/k! M_k with rank M_k = r_k (M_k = diag of r_k ones, n = max r_k).
MatrixFunction lemma15(const std::vector<int>& ranks);

// Lemma 1.6: B = x yᵀ for random polynomial vectors of degree `degree` in dimension n.
MatrixFunction rankOneProduct(int n, int degree, unsigned seed);

// Block-diagonal sum (generic ranks add over diagonal blocks).
MatrixFunction blockDiagonal(const std::vector<MatrixFunction>& blocks);

// Lemma 1.9: weights from a permutation and relations ('<', '>', '='), shifted so that
// min w ≥ max w − min w; returns r with r[π(i)] = w_i.
std::vector<int> lemma19Ranks(const std::vector<int>& permutation, const std::string& relations);

}  // namespace rankflow::theory
