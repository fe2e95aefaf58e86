#include "core/compute/flow_backend.h"

#include <cmath>
#include <vector>
#include <string>

#include "core/common/error.h"

namespace rankflow::compute {
namespace {

void requireData(std::span<const Vec2f> data) {
  if (data.empty()) throw InvalidArgument("flow: the data set is empty");
  // int indices in the kernels; 2^31 data points would not fit in memory anyway.
  if (data.size() > (1u << 30)) throw InvalidArgument("flow: too many data points");
  flows::requireFinitePoints(data, "data");
}

}  // namespace

const char* backendKindName(BackendKind kind) {
  return kind == BackendKind::Cuda ? "cuda" : "cpu";
}

void FlowBackend::fields(const FieldQuery& query, std::span<const Vec2f> points, std::span<Vec2f> out) const {
  requireData(query.data);
  flows::FieldRequest{query.schedule, query.kind, query.t, query.maxOrder}.validate();
  if (out.size() != points.size() * (static_cast<std::size_t>(query.maxOrder) + 1))
    throw InvalidArgument("fields: output size is not points × (order + 1)");
  flows::requireFinitePoints(points, "field query");
  if (points.empty()) return;
  fieldsImpl(query, points, out);
}

void FlowBackend::velocity(std::span<const Vec2f> data, float t, std::span<const Vec2f> points,
                           std::span<Vec2f> out, flows::Schedule schedule) const {
  if (out.size() != points.size()) throw InvalidArgument("velocity: output size differs from input size");
  std::vector<Vec2f> orders(points.size() * 2);
  fields({data, schedule, flows::FieldKind::Marginal, t, 1}, points, orders);
  for (std::size_t i = 0; i < points.size(); ++i) out[i] = orders[2 * i + 1];
}

flows::SampleResult FlowBackend::sample(std::span<const Vec2f> data, std::span<const Vec2f> start,
                                        const flows::SamplerOptions& options, const ProgressFn& progress) const {
  requireData(data);
  options.validate();
  if (start.empty()) throw InvalidArgument("sample: no particles");
  flows::requireFinitePoints(start, "particle start");
  flows::SampleResult result = sampleImpl(data, start, options, progress);
  if (progress && !progress(1.0)) throw Cancelled();
  return result;
}

flows::TrajectoryStore FlowBackend::integrateRk4(std::span<const Vec2f> data, std::span<const Vec2f> start,
                                                 const flows::TimeGrid& grid, const ProgressFn& progress) const {
  flows::SamplerOptions options;
  options.solver = flows::Solver::Rk4;
  options.grid = grid;
  return sample(data, start, options, progress).store;
}

}  // namespace rankflow::compute
