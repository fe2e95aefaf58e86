#pragma once
// One flattened term of a matrix-function entry and its evaluation, shared by the CUDA
// derivative-grid kernel and the CPU (no Eigen here: this header is compiled by nvcc).
#include "core/common/host_device.h"

namespace rankflow::matfun {

// One term c·t^p·f(rate·t), f = exp (kind 0), sin (1) or cos (2).
struct FlatTerm {
  double coefficient = 0.0;
  double rate = 0.0;
  int power = 0;
  int kind = 0;
};

RF_HD inline double evaluateFlatEntry(const FlatTerm* terms, int begin, int end, double t) {
  double sum = 0.0;
  for (int i = begin; i < end; ++i) {
    const FlatTerm& term = terms[i];
    double value = term.coefficient;
    for (int p = 0; p < term.power; ++p) value *= t;  // exact for the small powers scenes use
#if defined(__CUDA_ARCH__)
    const double angle = term.rate * t;
    value *= term.kind == 0 ? ::exp(angle) : term.kind == 1 ? ::sin(angle) : ::cos(angle);
#else
    const double angle = term.rate * t;
    value *= term.kind == 0 ? std::exp(angle) : term.kind == 1 ? std::sin(angle) : std::cos(angle);
#endif
    sum += value;
  }
  return sum;
}

}  // namespace rankflow::matfun
