#pragma once
// Batched evaluation of the exact fields of docs/MATHEMATICS.md §4 on the CPU: the marginal fields u_0..u_3
// (one posterior mean serves every order) and the Lagrangian velocity, acceleration and
// jerk, for empirical or Gaussian-mixture data, over a list of points or a grid.
#include <span>
#include <string>
#include <vector>

#include "core/common/vec2.h"
#include "core/flows/field_model.h"
#include "core/flows/gaussian_mixture.h"
#include "core/flows/schedule.h"

namespace rankflow::flows {

// The data behind a flow, owned. Empirical: points only (uniform weights, zero
// variance). Mixture: one isotropic Gaussian component per point.
struct FlowData {
  std::vector<Vec2f> points;
  std::vector<float> variances;   // empty for an empirical set
  std::vector<float> logWeights;  // empty for uniform weights

  static FlowData empirical(std::vector<Vec2f> points);
  static FlowData fromMixture(const GaussianMixture& mixture);

  bool isEmpirical() const { return variances.empty() && logWeights.empty(); }
  DataView<float> view() const;
  // Throws InvalidArgument: empty, non-finite, |coordinate| > 1e6, negative variance,
  // mismatched array sizes.
  void validate() const;
};

// Marginal: u_k = E[x_t^(k) | x_t = x] (order 0 is x itself). Lagrangian: the derivatives
// of x(t) along the ODE ẋ = u_1 (order 0 is x, 1 = v, 2 = a, 3 = j). Order 1 is the same
// in both.
enum class FieldKind { Marginal, Lagrangian };
const char* fieldKindName(FieldKind kind);
FieldKind parseFieldKind(const std::string& name);  // "marginal" | "lagrangian"

struct FieldRequest {
  Schedule schedule = Schedule::Linear;
  FieldKind kind = FieldKind::Marginal;
  float t = 0.5f;
  int maxOrder = 3;  // orders 0..maxOrder, 0 ≤ maxOrder ≤ 3
  void validate() const;
};

// out[p·(maxOrder + 1) + k] = order-k field at points[p]. Uses both cores; the
// empirical marginal case is the vectorised fast path (structure-of-arrays softmax).
void evaluateFields(const FlowData& data, const FieldRequest& request, std::span<const Vec2f> points,
                    std::span<Vec2f> out);
std::vector<Vec2f> evaluateFields(const FlowData& data, const FieldRequest& request, std::span<const Vec2f> points);

// Divergence ∇·u_1 at each point (forward-mode AD).
std::vector<float> evaluateDivergence(const FlowData& data, Schedule schedule, float t, std::span<const Vec2f> points);

// Rejects points that are not finite or beyond ±1e6 (their softmax would be 0/0).
void requireFinitePoints(std::span<const Vec2f> points, const char* what);

// A size × size lattice over [−extent, extent]², row-major from the bottom-left.
std::vector<Vec2f> squareGrid(int size, float extent);

}  // namespace rankflow::flows
