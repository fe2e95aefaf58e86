#include "core/learn/learned_sampling.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/common/error.h"
#include "core/common/random.h"

namespace rankflow::learn {
namespace {

// One network evaluation over all points at once: a set of GEMMs, not a loop.
std::vector<Vec2f> evaluate(const FlowNetwork& network, int order, const std::vector<Vec2f>& x, float t) {
  const std::vector<float> times(x.size(), t);
  const Eigen::MatrixXf out = network.predict(order, network.features(x, times));
  std::vector<Vec2f> v(x.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = {out(0, static_cast<Eigen::Index>(i)), out(1, static_cast<Eigen::Index>(i))};
  return v;
}

std::vector<Vec2f> axpy(const std::vector<Vec2f>& x, float h, const std::vector<Vec2f>& v) {
  std::vector<Vec2f> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = x[i] + h * v[i];
  return out;
}

double quantile(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto i = static_cast<std::size_t>(position);
  const double frac = position - static_cast<double>(i);
  return i + 1 < sorted.size() ? sorted[i] * (1 - frac) + sorted[i + 1] * frac : sorted[i];
}

}  // namespace

int networkEvaluationsPerStep(flows::Solver solver) {
  switch (solver) {
    case flows::Solver::Euler:
      return 1;
    case flows::Solver::Heun:
      return 2;
    case flows::Solver::Rk4:
      return 4;
    case flows::Solver::Taylor3:
      return 3;
    case flows::Solver::DormandPrince:
      return 6;
  }
  return 0;
}

std::vector<Vec2f> sampleLearned(const FlowNetwork& network, flows::Solver solver, int steps,
                                 std::span<const Vec2f> start) {
  if (steps < 1 || steps > 100000) throw InvalidArgument("sample: steps must be 1..100000");
  if (start.empty()) throw InvalidArgument("sample: no particles");
  if (solver == flows::Solver::DormandPrince)
    throw InvalidArgument("sample: dopri5 is adaptive, not a few-step method; use euler, heun, rk4 or taylor3");
  if (solver == flows::Solver::Taylor3 && network.orders() < 3)
    throw InvalidArgument("sample: taylor3 needs a model with velocity, acceleration and jerk (two adapter ranks)");
  std::vector<Vec2f> x(start.begin(), start.end());
  const float h = 1.0f / static_cast<float>(steps);
  for (int s = 0; s < steps; ++s) {
    const float t = static_cast<float>(s) * h;
    switch (solver) {
      case flows::Solver::Euler:
        x = axpy(x, h, evaluate(network, 1, x, t));
        break;
      case flows::Solver::Heun: {
        const auto k1 = evaluate(network, 1, x, t);
        const auto k2 = evaluate(network, 1, axpy(x, h, k1), t + h);
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = x[i] + (0.5f * h) * (k1[i] + k2[i]);
        break;
      }
      case flows::Solver::Rk4: {
        const auto k1 = evaluate(network, 1, x, t);
        const auto k2 = evaluate(network, 1, axpy(x, 0.5f * h, k1), t + 0.5f * h);
        const auto k3 = evaluate(network, 1, axpy(x, 0.5f * h, k2), t + 0.5f * h);
        const auto k4 = evaluate(network, 1, axpy(x, h, k3), t + h);
        for (std::size_t i = 0; i < x.size(); ++i)
          x[i] = x[i] + (h / 6.0f) * (k1[i] + 2.0f * k2[i] + 2.0f * k3[i] + k4[i]);
        break;
      }
      case flows::Solver::Taylor3: {
        const auto v = evaluate(network, 1, x, t);
        const auto a = evaluate(network, 2, x, t);
        const auto j = evaluate(network, 3, x, t);
        for (std::size_t i = 0; i < x.size(); ++i)
          x[i] = x[i] + h * v[i] + (0.5f * h * h) * a[i] + (h * h * h / 6.0f) * j[i];
        break;
      }
      case flows::Solver::DormandPrince:
        break;
    }
  }
  return x;
}

double slicedWasserstein(std::span<const Vec2f> a, std::span<const Vec2f> b, int projections, std::uint64_t seed) {
  if (a.empty() || b.empty()) throw InvalidArgument("sliced Wasserstein: empty point set");
  if (projections < 1) throw InvalidArgument("sliced Wasserstein: at least one projection");
  SeededRandom rng(seed);
  const std::size_t grid = std::max(a.size(), b.size());
  std::vector<double> pa(a.size()), pb(b.size());
  double total = 0.0;
  for (int p = 0; p < projections; ++p) {
    const double angle = 2.0 * std::numbers::pi * rng.uniform();
    const double c = std::cos(angle), s = std::sin(angle);
    for (std::size_t i = 0; i < a.size(); ++i) pa[i] = c * a[i].x + s * a[i].y;
    for (std::size_t i = 0; i < b.size(); ++i) pb[i] = c * b[i].x + s * b[i].y;
    std::sort(pa.begin(), pa.end());
    std::sort(pb.begin(), pb.end());
    double w2 = 0.0;
    if (a.size() == b.size()) {
      for (std::size_t i = 0; i < a.size(); ++i) w2 += (pa[i] - pb[i]) * (pa[i] - pb[i]);
    } else {
      for (std::size_t i = 0; i < grid; ++i) {
        const double q = (static_cast<double>(i) + 0.5) / static_cast<double>(grid);
        const double d = quantile(pa, q) - quantile(pb, q);
        w2 += d * d;
      }
    }
    total += w2 / static_cast<double>(grid);
  }
  return std::sqrt(total / projections);
}

}  // namespace rankflow::learn
