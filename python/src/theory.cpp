// The rank dynamics of matrix functions, the cascading low-rank model and the video latent flow
// from Python: ranks (the CLI's JSON, core/theory/ranks_report.h), the derivative matrices of a
// scene, the cascade's fit, evaluation and schedule sweep, and vlfm. GIL released during work.
#include <nanobind/nanobind.h>
#include <nanobind/stl/function.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cmath>

#include "core/common/error.h"
#include "core/lowrank/cascade.h"
#include "core/lowrank/sweep.h"
#include "core/matfun/json_format.h"
#include "core/theory/matrix_scenes.h"
#include "core/theory/ranks_report.h"
#include "core/vlfm/latent_flow.h"
#include "core/vlfm/shapes.h"
#include "kernels/cuda_backend.h"
#include "python/src/arrays.h"
#include "python/src/backends.h"

namespace rankflow::python {
namespace {

using Matrix = nb::ndarray<const float, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A scene with its parameters, or a matrix function's JSON text (exactly one).
theory::MatrixScene matrixFunction(const std::optional<std::string>& scene,
                                   const std::map<std::string, std::string>& parameters,
                                   const std::optional<std::string>& function) {
  if (scene.has_value() == function.has_value()) throw InvalidArgument("give exactly one of scene and function");
  if (function) return {"function", "a matrix function given as JSON", matfun::parseMatrixFunctionJson(*function)};
  return theory::buildMatrixScene(*scene, parameters);
}

Eigen::MatrixXf matrixOf(const Matrix& m) {
  return Eigen::Map<const RowMajorF>(m.data(), static_cast<Eigen::Index>(m.shape(0)),
                                     static_cast<Eigen::Index>(m.shape(1)));
}

FloatArray arrayOf(const Eigen::MatrixXf& m) {
  const RowMajorF rowMajor = m;
  std::vector<float> values(rowMajor.data(), rowMajor.data() + rowMajor.size());
  return ownedArray(std::move(values), {static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols())});
}

std::vector<Eigen::MatrixXf> matricesOf(const std::vector<Matrix>& list) {
  std::vector<Eigen::MatrixXf> out;
  for (const Matrix& m : list) out.push_back(matrixOf(m));
  return out;
}

std::string ranks(const std::optional<std::string>& scene, const std::map<std::string, std::string>& parameters,
                  const std::optional<std::string>& function, int maxOrder, int samples,
                  std::optional<double> tolerance, bool exact, int times, double tMin, double tMax,
                  const std::string& backend) {
  const theory::MatrixScene b = matrixFunction(scene, parameters, function);
  theory::RanksRequest request;
  request.maxOrder = maxOrder;
  request.samples = samples;
  request.tolerance = tolerance;
  request.exact = exact;
  request.stripTimes = times;
  request.tMin = tMin;
  request.tMax = tMax;
  auto& shared = lowRankBackend(backend);
  nb::gil_scoped_release released;
  const std::lock_guard lock(shared.inUse);
  const theory::RanksReport report = theory::computeRanks(b, *shared.backend, request);
  const bool cuda = shared.backend->description().rfind("CUDA", 0) == 0;
  if (cuda) return theory::ranksReportJson(report, std::nullopt);
  const kernels::CudaProbe probe = kernels::probeCuda();
  return theory::ranksReportJson(report, probe.available ? "the CPU backend was asked for" : probe.reason);
}

// B^(k)(t) for k = 0..orders, as float32 (d, d) arrays.
std::vector<FloatArray> derivativeMatrices(const std::optional<std::string>& scene,
                                           const std::map<std::string, std::string>& parameters,
                                           const std::optional<std::string>& function, double t, int orders) {
  if (orders < 0 || orders > 16) throw InvalidArgument("orders: 0 to 16, got " + std::to_string(orders));
  if (!std::isfinite(t)) throw InvalidArgument("t: must be finite");
  matfun::MatrixFunction current = matrixFunction(scene, parameters, function).b;
  std::vector<FloatArray> out;
  for (int k = 0; k <= orders; ++k) {
    out.push_back(arrayOf(current.evaluate(t).cast<float>()));
    current = current.derivative();
  }
  return out;
}

nb::dict cascadeFit(const std::vector<Matrix>& targets, const std::vector<int>& ranks) {
  std::vector<Eigen::MatrixXf> t = matricesOf(targets);
  if (t.size() != ranks.size() + 1)
    throw InvalidArgument("targets: T_0..T_K, one more than ranks (" + std::to_string(ranks.size()) + "), got " +
                          std::to_string(t.size()));
  for (std::size_t k = 0; k < t.size(); ++k) {
    if (t[k].rows() != t[k].cols() || t[k].rows() != t[0].rows())
      throw InvalidArgument("targets: every T_k must be the same square d x d matrix (T_" + std::to_string(k) + ")");
    if (!t[k].allFinite()) throw InvalidArgument("targets: T_" + std::to_string(k) + " holds NaN or infinity");
  }
  for (std::size_t k = 0; k < ranks.size(); ++k)
    if (ranks[k] < 0 || ranks[k] > t[0].rows())
      throw InvalidArgument("ranks: r_" + std::to_string(k + 1) + " = " + std::to_string(ranks[k]) + " outside 0.." +
                            std::to_string(t[0].rows()));
  std::optional<lowrank::CascadeFit> fit;
  {
    nb::gil_scoped_release released;
    fit.emplace(std::move(t), ranks);
  }
  nb::list orders, u, v;
  for (std::size_t k = 0; k < fit->orders().size(); ++k) {
    nb::dict order;
    order["k"] = k + 1;
    order["rank"] = fit->orders()[k].rank;
    order["cascade_error"] = fit->orders()[k].cascadeError;
    order["independent_error"] = fit->orders()[k].independentError;
    orders.append(order);
    u.append(arrayOf(fit->model().u[k]));
    v.append(arrayOf(fit->model().v[k]));
  }
  const auto costs = lowrank::cascadeCosts(static_cast<int>(fit->model().dim()), ranks);
  nb::dict out;
  out["orders"] = orders;
  out["w"] = arrayOf(fit->model().w);
  out["u"] = u;
  out["v"] = v;
  out["cascade_parameters"] = costs.cascadeParameters;
  out["naive_parameters"] = costs.naiveParameters;
  out["cascade_macs_per_column"] = costs.cascadeMacsPerColumn;
  out["naive_macs_per_column"] = costs.naiveMacsPerColumn;
  return out;
}

std::vector<FloatArray> cascadeEvaluate(const Matrix& w, const std::vector<Matrix>& u, const std::vector<Matrix>& v,
                                        const Matrix& x, const std::string& method, const std::string& activation) {
  lowrank::CascadeModel model;
  model.w = matrixOf(w);
  model.u = matricesOf(u);
  model.v = matricesOf(v);
  model.validate();
  const Eigen::MatrixXf input = matrixOf(x);
  if (input.rows() != model.w.cols())
    throw InvalidArgument("x: needs d = " + std::to_string(model.w.cols()) + " rows, got " +
                          std::to_string(input.rows()));
  const lowrank::Activation act = lowrank::parseActivation(activation);
  if (method != "cascade" && method != "naive" && method != "independent")
    throw InvalidArgument("method: cascade, naive or independent, got '" + method + "'");
  std::vector<Eigen::MatrixXf> y;
  {
    nb::gil_scoped_release released;
    y = method == "naive"         ? lowrank::evaluateNaive(model, input, act)
        : method == "independent" ? lowrank::evaluateIndependent(model, input, act)
                                  : lowrank::evaluateCascade(model, input, act);
  }
  std::vector<FloatArray> out;
  for (const auto& m : y) out.push_back(arrayOf(m));
  return out;
}

nb::list cascadeSweep(const std::vector<Matrix>& targets, int maxRank, const std::vector<std::vector<int>>& schedules,
                      long maxSchedules, const nb::object& progress) {
  const std::vector<Eigen::MatrixXf> t = matricesOf(targets);
  if (t.size() < 2) throw InvalidArgument("targets: T_0 and at least T_1");
  for (const auto& m : t)
    if (m.rows() != t[0].rows() || m.cols() != t[0].rows() || !m.allFinite())
      throw InvalidArgument("targets: every T_k must be the same square, finite d x d matrix");
  if (maxRank < 0 || maxRank > t[0].rows()) throw InvalidArgument("max_rank: 0..d");
  const ProgressFn report = progressFrom(progress);
  bool cancelled = false;
  std::vector<lowrank::ScheduleResult> results;
  {
    nb::gil_scoped_release released;
    results = lowrank::sweepSchedules(t, maxRank, schedules, maxSchedules, [&](long done, long total) {
      if (!report) return true;
      const bool go = report(total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0);
      cancelled |= !go;
      return go;
    });
  }
  if (cancelled) throw Cancelled();
  nb::list out;
  for (const auto& r : results) {
    nb::dict row;
    row["ranks"] = r.ranks;
    row["errors"] = r.errors;
    row["mean_error"] = r.meanError;
    row["parameters"] = r.parameters;
    row["macs_per_column"] = r.macsPerColumn;
    row["pareto"] = r.pareto;
    out.append(row);
  }
  return out;
}

// keyframes: (N, P, 2) float64 points; the frames at `fps` over [0, end] with v, a, j.
nb::dict vlfm(nb::ndarray<const double, nb::ndim<3>, nb::c_contig, nb::device::cpu> keyframes, int order,
              double duration, double fps, std::optional<double> end, const std::string& variant) {
  const auto count = static_cast<int>(keyframes.shape(0));
  const auto points = static_cast<int>(keyframes.shape(1));
  if (keyframes.shape(2) != 2) throw InvalidArgument("keyframes: expected shape (N, P, 2)");
  if (count < 2) throw InvalidArgument("keyframes: at least 2");
  if (points < 1) throw InvalidArgument("keyframes: at least one point");
  if (!(fps > 0 && fps <= 1e4)) throw InvalidArgument("fps: in (0, 10000]");
  const double endTime = end.value_or(duration);
  if (!(endTime >= duration)) throw InvalidArgument("end: must not come before the keyframes end (duration)");
  if (endTime * fps + 1.0 > 1e6) throw InvalidArgument("fps x end asks for more than 1000000 frames");
  vlfm::requireFeasibleFit(count, points, order, fps, endTime);
  const vlfm::Discretization discretization = vlfm::parseDiscretization(variant);
  if (discretization == vlfm::Discretization::ForwardEuler && order > count)
    throw InvalidArgument("order " + std::to_string(order) + " exceeds the " + std::to_string(count) +
                          " keyframes; the euler recurrence needs s <= N (use variant='bilinear' or a lower order)");
  // As the CLI reads a keyframe directory: one list of points per keyframe.
  vlfm::Keyframes list(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k)
    for (int i = 0; i < points; ++i) {
      const double* xy = keyframes.data() + (static_cast<std::size_t>(k) * points + i) * 2;
      list[static_cast<std::size_t>(k)].push_back({static_cast<float>(xy[0]), static_cast<float>(xy[1])});
    }
  const Eigen::MatrixXd matrix = vlfm::keyframeMatrix(list);
  std::optional<vlfm::VideoLatentFlow> flow;
  vlfm::FrameSeries series;
  vlfm::ReconstructionError error;
  {
    nb::gil_scoped_release released;
    flow.emplace(matrix, duration, order, discretization);
    series = vlfm::sampleFrames(*flow, fps, endTime);
    error = vlfm::keyframeReconstructionError(*flow);
  }
  const auto frames = series.times.size(), p = static_cast<std::size_t>(points);
  nb::dict out;
  out["times"] = ownedArray(std::move(series.times), {frames});
  out["frames"] = ownedArray(std::move(series.position), {frames, p, 2});
  out["velocity"] = ownedArray(std::move(series.velocity), {frames, p, 2});
  out["acceleration"] = ownedArray(std::move(series.acceleration), {frames, p, 2});
  out["jerk"] = ownedArray(std::move(series.jerk), {frames, p, 2});
  out["extrapolated"] = series.extrapolated;
  nb::dict reconstruction;
  reconstruction["rms"] = error.rms;
  reconstruction["max"] = error.max;
  reconstruction["relative"] = error.relative;
  out["reconstruction_error"] = reconstruction;
  std::vector<double> keyframeTimes;
  for (int tau = 1; tau <= count; ++tau) keyframeTimes.push_back(flow->legs().keyframeTime(tau));
  out["keyframe_times"] = keyframeTimes;
  return out;
}

}  // namespace

void registerTheory(nb::module_& m) {
  m.def("ranks", &ranks, nb::arg("scene").none(), nb::arg("parameters"), nb::arg("function").none(),
        nb::arg("max_order"), nb::arg("samples"), nb::arg("tolerance").none(), nb::arg("exact"), nb::arg("times"),
        nb::arg("t_min"), nb::arg("t_max"), nb::arg("backend"), "`rankflow ranks --json` as text.");
  m.def("derivative_matrices", &derivativeMatrices, nb::arg("scene").none(), nb::arg("parameters"),
        nb::arg("function").none(), nb::arg("t"), nb::arg("orders"), "B^(k)(t), k = 0..orders, float32.");
  m.def("cascade_fit_matrices", &cascadeFit, nb::arg("targets"), nb::arg("ranks"),
        "The cascading fit of T_0..T_K with ranks r_1..r_K: errors and factors.");
  m.def("cascade_evaluate", &cascadeEvaluate, nb::arg("w"), nb::arg("u"), nb::arg("v"), nb::arg("x"), nb::arg("method"),
        nb::arg("activation"), "Y_k = act(W_k X), k = 0..K.");
  m.def("cascade_sweep", &cascadeSweep, nb::arg("targets"), nb::arg("max_rank"), nb::arg("schedules"),
        nb::arg("max_schedules"), nb::arg("progress").none(), "Every rank schedule's errors and costs.");
  m.def("vlfm", &vlfm, nb::arg("keyframes"), nb::arg("order"), nb::arg("duration"), nb::arg("fps"),
        nb::arg("end").none(), nb::arg("variant"), "The video latent flow through keyframes (N, P, 2).");
}

}  // namespace rankflow::python
