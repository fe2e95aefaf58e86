#include "core/flows/flow_fields.h"

#include <cmath>

#include "core/common/error.h"
#include "core/common/parallel_for.h"
#include "core/flows/column_posterior.h"

namespace rankflow::flows {
namespace {

constexpr float kMaxCoordinate = 1e6f;

}  // namespace

FlowData FlowData::empirical(std::vector<Vec2f> pts) {
  FlowData d;
  d.points = std::move(pts);
  return d;
}

FlowData FlowData::fromMixture(const GaussianMixture& mixture) {
  if (!mixture.normalized())
    throw InvalidArgument("mixture: needs components with finite means, positive variances and weights summing to 1");
  FlowData d;
  for (const auto& c : mixture.components) {
    if (c.weight <= 0.0f) continue;  // a zero-weight component contributes nothing
    d.points.push_back(c.mean);
    d.variances.push_back(c.variance);
    d.logWeights.push_back(std::log(c.weight));
  }
  return d;
}

DataView<float> FlowData::view() const {
  DataView<float> v;
  v.points = points.data();
  v.count = static_cast<int>(points.size());
  v.variances = variances.empty() ? nullptr : variances.data();
  v.logWeights = logWeights.empty() ? nullptr : logWeights.data();
  return v;
}

void requireFinitePoints(std::span<const Vec2f> points, const char* what) {
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!std::isfinite(points[i].x) || !std::isfinite(points[i].y))
      throw InvalidArgument(std::string(what) + ": point " + std::to_string(i) + " is not finite");
    if (std::abs(points[i].x) > kMaxCoordinate || std::abs(points[i].y) > kMaxCoordinate)
      throw InvalidArgument(std::string(what) + ": point " + std::to_string(i) + " lies beyond ±1e6");
  }
}

void FlowData::validate() const {
  if (points.empty()) throw InvalidArgument("flow: the data set is empty");
  if (points.size() > (1u << 30)) throw InvalidArgument("flow: too many data points");
  requireFinitePoints(points, "data");
  if (!variances.empty() && variances.size() != points.size())
    throw InvalidArgument("flow: variances and points differ in count");
  if (!logWeights.empty() && logWeights.size() != points.size())
    throw InvalidArgument("flow: weights and points differ in count");
  for (float v : variances) {
    if (!(v >= 0.0f) || !std::isfinite(v)) throw InvalidArgument("flow: a component variance is negative or not finite");
  }
  for (float w : logWeights) {
    if (!std::isfinite(w)) throw InvalidArgument("flow: a component weight is zero or not finite");
  }
}

const char* fieldKindName(FieldKind kind) {
  return kind == FieldKind::Lagrangian ? "lagrangian" : "marginal";
}

FieldKind parseFieldKind(const std::string& name) {
  if (name == "marginal" || name == "conditional") return FieldKind::Marginal;
  if (name == "lagrangian") return FieldKind::Lagrangian;
  throw InvalidArgument("unknown field kind '" + name + "' (marginal or lagrangian)");
}

void FieldRequest::validate() const {
  if (!(t >= 0.0f && t <= 1.0f)) throw InvalidArgument("fields: t must lie in [0, 1]");
  if (maxOrder < 0 || maxOrder > 3) throw InvalidArgument("fields: the order must be 0..3");
}

void evaluateFields(const FlowData& data, const FieldRequest& request, std::span<const Vec2f> points,
                    std::span<Vec2f> out) {
  data.validate();
  request.validate();
  requireFinitePoints(points, "field query");
  const std::size_t stride = static_cast<std::size_t>(request.maxOrder) + 1;
  if (out.size() != points.size() * stride) throw InvalidArgument("fields: output size is not points × (order + 1)");
  if (points.empty()) return;
  const DataView<float> view = data.view();
  // Taylor-mode AD over the data per point (about 32 operations a datum and order): a few points
  // over a small data set stay on this thread.
  const std::size_t workPerPoint = 32 * stride * static_cast<std::size_t>(std::max(view.count, 1));
  if (request.kind == FieldKind::Lagrangian) {
    parallelFor(
        points.size(),
        [&](std::size_t begin, std::size_t end) {
          for (std::size_t p = begin; p < end; ++p) {
            const auto d = lagrangianDerivatives(view, request.schedule, points[p], request.t, request.maxOrder);
            Vec2f* o = &out[p * stride];
            o[0] = points[p];
            if (request.maxOrder >= 1) o[1] = d.velocity;
            if (request.maxOrder >= 2) o[2] = d.acceleration;
            if (request.maxOrder >= 3) o[3] = d.jerk;
          }
        },
        workPerPoint);
    return;
  }
  if (!data.isEmpirical()) {
    parallelFor(
        points.size(),
        [&](std::size_t begin, std::size_t end) {
          for (std::size_t p = begin; p < end; ++p)
            marginalFields(view, request.schedule, points[p], request.t, request.maxOrder, &out[p * stride]);
        },
        workPerPoint);
    return;
  }
  const PathDerivatives<float> path = pathAt(request.schedule, request.t);
  const float invBeta = 1.0f / path.beta[0];
  // A softmax over the data per point: a few points over a small data set stay on this thread.
  const std::size_t softmaxPerPoint = 8 * std::max<std::size_t>(data.points.size(), 1);
  parallelFor(
      points.size(),
      [&](std::size_t begin, std::size_t end) {
        ColumnPosterior posterior(data.points);
        for (std::size_t p = begin; p < end; ++p) {
          const Vec2f x = points[p];
          const Vec2f m = posterior.mean(x, path.alpha[0], path.beta[0]);
          const Vec2f noise = (x - path.alpha[0] * m) * invBeta;
          Vec2f* o = &out[p * stride];
          for (std::size_t k = 0; k < stride; ++k) o[k] = path.alpha[k] * m + path.beta[k] * noise;
        }
      },
      softmaxPerPoint);
}

std::vector<Vec2f> evaluateFields(const FlowData& data, const FieldRequest& request, std::span<const Vec2f> points) {
  std::vector<Vec2f> out(points.size() * (static_cast<std::size_t>(std::max(request.maxOrder, 0)) + 1));
  evaluateFields(data, request, points, out);
  return out;
}

std::vector<float> evaluateDivergence(const FlowData& data, Schedule schedule, float t, std::span<const Vec2f> points) {
  data.validate();
  FieldRequest{schedule, FieldKind::Marginal, t, 1}.validate();
  requireFinitePoints(points, "divergence query");
  std::vector<float> out(points.size());
  const DataView<float> view = data.view();
  parallelFor(points.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t p = begin; p < end; ++p) out[p] = velocityJacobian(view, schedule, points[p], t).divergence();
  });
  return out;
}

std::vector<Vec2f> squareGrid(int size, float extent) {
  if (size < 1 || size > 4096) throw InvalidArgument("grid: size must be 1..4096");
  if (!(extent > 0.0f) || !std::isfinite(extent)) throw InvalidArgument("grid: extent must be positive");
  std::vector<Vec2f> grid;
  grid.reserve(static_cast<std::size_t>(size) * static_cast<std::size_t>(size));
  const float step = size > 1 ? 2.0f * extent / static_cast<float>(size - 1) : 0.0f;
  for (int row = 0; row < size; ++row) {
    for (int col = 0; col < size; ++col) {
      grid.push_back(size > 1 ? Vec2f{-extent + step * static_cast<float>(col), -extent + step * static_cast<float>(row)}
                              : Vec2f{0.0f, 0.0f});
    }
  }
  return grid;
}

}  // namespace rankflow::flows
