// trajectories: a model's trajectories (S+1, N, D) imported as the window imports them
// (core/flows/trajectory_import.h): the PCA plane and the metrics in all D, GIL released.
#include <nanobind/nanobind.h>
#include <nanobind/stl/function.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstring>

#include "core/common/error.h"
#include "core/flows/trajectory_import.h"
#include "python/src/arrays.h"

namespace rankflow::python {
namespace {

using Positions = nb::ndarray<const float, nb::ndim<3>, nb::c_contig, nb::device::cpu>;
using Times = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using Labels = nb::ndarray<const std::int64_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

nb::dict trajectories(const Positions& positions, std::optional<Times> times, std::optional<Positions> velocities,
                      std::optional<Labels> labels, const nb::object& progress) {
  const auto dimension = [](std::size_t n, const char* name) {
    if (n > 0x7fffffff) throw InvalidArgument(std::string(name) + ": too large");
    return static_cast<int>(n);
  };
  flows::TrajectoryInput in;
  in.frames = dimension(positions.shape(0), "positions");
  in.particles = dimension(positions.shape(1), "positions");
  in.dims = dimension(positions.shape(2), "positions");
  in.positions = {positions.data(), positions.size()};
  noteInputAddress(positions.data());
  if (times) in.times = {times->data(), times->size()};
  if (velocities) {
    if (velocities->shape(0) != positions.shape(0) || velocities->shape(1) != positions.shape(1) ||
        velocities->shape(2) != positions.shape(2))
      throw InvalidArgument("velocities: must have the positions' shape");
    in.velocities = {velocities->data(), velocities->size()};
  }
  if (labels) in.labels = {labels->data(), labels->size()};
  const ProgressFn report = progressFrom(progress);
  flows::ImportedTrajectories imported;
  {
    nb::gil_scoped_release released;
    imported = flows::importTrajectories(in, report);
  }
  const auto frames = static_cast<std::size_t>(imported.frames), n = static_cast<std::size_t>(imported.particles);
  nb::dict out;
  const char* const names[] = {"speed", "acceleration", "jerk", "deviation"};
  for (int m = 0; m < flows::kTrajectoryMetricCount; ++m)
    out[names[m]] = ownedArray(std::move(imported.metrics[static_cast<std::size_t>(m)]), {frames, n});
  std::vector<float> projected(frames * n * 2);
  for (std::size_t f = 0; f < frames; ++f)
    std::memcpy(projected.data() + f * n * 2, imported.store.positions(static_cast<int>(f)).data(), n * sizeof(Vec2f));
  out["projected"] = ownedArray(std::move(projected), {frames, n, 2});
  out["straightness"] = ownedArray(std::move(imported.straightness), {n});
  out["mean_straightness"] = imported.meanStraightness;
  out["times"] = ownedArray(std::vector<double>(imported.times), {frames});
  out["derivatives"] = imported.derivativeSource();
  const flows::PcaProjection& pca = imported.projection;
  const auto d = static_cast<std::size_t>(pca.dims);
  nb::dict projection;
  projection["identity"] = pca.identity;
  projection["mean"] = ownedArray(std::vector<double>(pca.mean), {d});
  projection["components"] = ownedArray(std::vector<double>(pca.components), {2, d});
  projection["variance"] = ownedArray(std::vector<double>{pca.variance[0], pca.variance[1]}, {2});
  projection["total_variance"] = pca.totalVariance;
  projection["explained_share"] = ownedArray(std::vector<double>{pca.explainedShare(0), pca.explainedShare(1)}, {2});
  out["projection"] = projection;
  return out;
}

}  // namespace

void registerTrajectories(nb::module_& m) {
  m.def("trajectories", &trajectories, nb::arg("positions"), nb::arg("times").none(), nb::arg("velocities").none(),
        nb::arg("labels").none(), nb::arg("progress").none(),
        "Imports (S+1, N, D) float32 trajectories as the window does: metrics in all D, the PCA plane.");
}

}  // namespace rankflow::python
