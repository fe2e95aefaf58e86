// fields and sample: the exact flows of an empirical data set (docs/MATHEMATICS.md §4), on
// CUDA when a device exists and the CPU otherwise, with the GIL released while they run.
#include <nanobind/nanobind.h>
#include <nanobind/stl/function.h>
#include <nanobind/stl/string.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>

#include "core/common/error.h"
#include "core/compute/flow_backend.h"
#include "core/flows/flow_fields.h"
#include "core/flows/samplers.h"
#include "core/flows/schedule.h"
#include "python/src/arrays.h"
#include "python/src/backends.h"

namespace rankflow::python {
namespace {

FloatArray fields(const Points& data, const Points& points, float t, int order, const std::string& kind,
                  const std::string& schedule, const std::string& backend) {
  compute::FieldQuery query;
  query.data = pointsOf(data, "data");
  const std::span<const Vec2f> at = pointsOf(points, "points");  // noted last: the zero-copy test's buffer
  query.schedule = flows::parseSchedule(schedule);
  query.kind = flows::parseFieldKind(kind);
  query.t = t;
  query.maxOrder = order;
  if (order < 0 || order > 16) throw InvalidArgument("order: 0 to 16, got " + std::to_string(order));
  const std::size_t width = static_cast<std::size_t>(order) + 1;
  std::vector<float> out(at.size() * width * 2);
  auto& shared = flowBackend(backend);
  {
    nb::gil_scoped_release released;
    const std::lock_guard lock(shared.inUse);
    shared.backend->fields(query, at, {reinterpret_cast<Vec2f*>(out.data()), at.size() * width});
  }
  return ownedArray(std::move(out), {at.size(), width, 2});
}

nb::dict sample(const Points& data, const Points& start, float t0, float t1, int steps, const std::string& solver,
                const std::string& schedule, bool logDensity, float tolerance, const std::string& backend,
                const nb::object& progress) {
  flows::SamplerOptions options;
  options.solver = flows::parseSolver(solver);
  options.schedule = flows::parseSchedule(schedule);
  options.grid = {t0, t1, steps};
  options.trackDensity = logDensity;
  options.absoluteTolerance = options.relativeTolerance = tolerance;
  const std::span<const Vec2f> points = pointsOf(data, "data");
  const std::span<const Vec2f> from = pointsOf(start, "start");
  const ProgressFn report = progressFrom(progress);
  flows::SampleResult result;
  auto& shared = flowBackend(backend);
  {
    nb::gil_scoped_release released;
    const std::lock_guard lock(shared.inUse);
    result = shared.backend->sample(points, from, options, report);
  }
  const auto frames = static_cast<std::size_t>(result.store.frameCount());
  const auto n = static_cast<std::size_t>(result.store.particleCount());
  std::vector<float> positions(frames * n * 2), velocities(frames * n * 2);
  for (std::size_t f = 0; f < frames; ++f) {
    std::memcpy(positions.data() + f * n * 2, result.store.positions(static_cast<int>(f)).data(), n * sizeof(Vec2f));
    std::memcpy(velocities.data() + f * n * 2, result.store.velocities(static_cast<int>(f)).data(), n * sizeof(Vec2f));
  }
  nb::dict out;
  out["positions"] = ownedArray(std::move(positions), {frames, n, 2});
  out["velocities"] = ownedArray(std::move(velocities), {frames, n, 2});
  out["log_density"] = logDensity ? nb::cast(ownedArray(std::move(result.logDensity), {frames, n})) : nb::none();
  out["field_evaluations"] = result.fieldEvaluations;
  out["exhausted_particles"] = result.exhaustedParticles;
  return out;
}

// The same fields call repeated in C++: the baseline tools/python_bench.py measures the
// binding's overhead against, in the same process and run. Seconds per call.
double timeFieldsInCpp(const Points& data, const Points& points, float t, int order, int repeats) {
  compute::FieldQuery query;
  query.data = pointsOf(data, "data");
  query.t = t;
  query.maxOrder = order;
  const std::span<const Vec2f> at = pointsOf(points, "points");
  std::vector<Vec2f> out(at.size() * (static_cast<std::size_t>(order) + 1));
  auto& shared = flowBackend("cpu");
  nb::gil_scoped_release released;
  const std::lock_guard lock(shared.inUse);
  const auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < repeats; ++i) shared.backend->fields(query, at, out);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count() / std::max(1, repeats);
}

}  // namespace

void registerFlows(nb::module_& m) {
  m.def("_time_fields_in_cpp", &timeFieldsInCpp, nb::arg("data"), nb::arg("points"), nb::arg("t"), nb::arg("order"),
        nb::arg("repeats"), "Seconds per fields call on the CPU, repeated in C++ (the benchmark's baseline).");
  m.def("fields", &fields, nb::arg("data"), nb::arg("points"), nb::arg("t"), nb::arg("order") = 1,
        nb::arg("kind") = "marginal", nb::arg("schedule") = "linear", nb::arg("backend") = "auto",
        "The exact fields of order 0..order at each point: (P, order + 1, 2) float32.");
  m.def("sample", &sample, nb::arg("data"), nb::arg("start"), nb::arg("t0") = 0.0f, nb::arg("t1") = 1.0f,
        nb::arg("steps") = 100, nb::arg("solver") = "rk4", nb::arg("schedule") = "linear",
        nb::arg("log_density") = false, nb::arg("tolerance") = 1e-5f, nb::arg("backend") = "auto",
        nb::arg("progress") = nb::none(),
        "Particles from `start` through the flow of `data`: positions and velocities (S + 1, N, 2), and log p "
        "along each path (S + 1, N) when log_density.");
}

}  // namespace rankflow::python
