// rankflow._rankflow: the core from Python (docs/python.md). The package rankflow wraps these
// with argument conversion and docstrings; errors keep the CLI's messages: InvalidArgument is
// ValueError, every other failure RuntimeError.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <chrono>

#include "core/common/error.h"
#include "core/common/parallel_for.h"
#include "core/lowrank/batched_spectra.h"
#include "core/lowrank/lowrank_backend.h"
#include "core/theory/feasibility.h"
#include "kernels/cuda_backend.h"
#include "python/src/arrays.h"
#include "python/src/backends.h"

namespace rankflow::python {

void registerFlows(nb::module_& m);
void registerLora(nb::module_& m);
void registerRangeTree(nb::module_& m);
void registerTrajectories(nb::module_& m);
void registerTheory(nb::module_& m);

namespace {

nb::dict info() {
  const kernels::CudaProbe probe = kernels::probeCuda();
  nb::dict out;
  out["version"] = RANKFLOW_VERSION;
  out["cpu"] = compute::makeCpuBackend()->description();
  out["cpu_threads"] = cpuWorkerCount();
  out["cuda_compiled"] = probe.compiled;
  out["cuda_available"] = probe.available;
  out["cuda_device"] = probe.device;
  out["cuda_reason"] = probe.reason;
  out["cuda_build"] = probe.buildInfo;
  return out;
}

nb::dict feasible(const std::vector<int>& ranks, long searchLimit) {
  theory::Feasibility f;
  {
    nb::gil_scoped_release released;
    f = theory::checkFeasibility(ranks, searchLimit);
  }
  nb::dict out;
  out["verdict"] = theory::verdictName(f.verdict);
  out["reason"] = f.reason;
  out["blocks"] = f.blocks;
  out["realized"] = f.realized;
  return out;
}

// (B, m, n) float32 or float64, C-contiguous, read in place.
nb::tuple svals(nb::ndarray<nb::ndim<3>, nb::c_contig, nb::device::cpu, nb::ro> batch, std::optional<double> tolerance,
                const std::string& backend) {
  lowrank::MatrixBatchView view;
  if (batch.dtype() == nb::dtype<float>()) {
    view.f32 = static_cast<const float*>(batch.data());
  } else if (batch.dtype() == nb::dtype<double>()) {
    view.f64 = static_cast<const double*>(batch.data());
  } else {
    throw InvalidArgument("batch: float32 or float64 values, got another dtype");
  }
  const auto fits = [](std::size_t n) { return n <= static_cast<std::size_t>(1 << 30); };
  if (!fits(batch.shape(0)) || !fits(batch.shape(1)) || !fits(batch.shape(2)))
    throw InvalidArgument("batch: a dimension is too large");
  view.batch = static_cast<int>(batch.shape(0));
  view.rows = static_cast<int>(batch.shape(1));
  view.cols = static_cast<int>(batch.shape(2));
  noteInputAddress(batch.data());
  lowrank::BatchedSpectra spectra;
  auto& shared = lowRankBackend(backend);
  {
    nb::gil_scoped_release released;
    lowrank::validateBatch(view);
    const std::lock_guard lock(shared.inUse);
    spectra = shared.backend->spectra(view, tolerance);
  }
  const auto k = static_cast<std::size_t>(spectra.spectrumLength());
  std::vector<std::int32_t> ranks(spectra.ranks.begin(), spectra.ranks.end());
  return nb::make_tuple(ownedArray(std::move(spectra.singularValues), {static_cast<std::size_t>(view.batch), k}),
                        ownedArray(std::move(ranks), {static_cast<std::size_t>(view.batch)}), spectra.backend);
}

double timeFeasibleInCpp(const std::vector<int>& ranks, int repeats) {
  nb::gil_scoped_release released;
  const auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < repeats; ++i) theory::checkFeasibility(ranks);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count() / std::max(1, repeats);
}

}  // namespace

}  // namespace rankflow::python

NB_MODULE(_rankflow, m) {
  using namespace rankflow::python;
  namespace nb = nanobind;
  m.doc() = "Rankflow's core (docs/python.md). Use the package rankflow, which wraps this module.";
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const rankflow::Cancelled& e) {
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    }
  });
  m.def("info", &info, "Version, the CPU backend and whether CUDA was compiled and a device found (and why not).");
  m.def("feasible", &feasible, nb::arg("ranks"), nb::arg("search_limit") = 2'000'000,
        "Can a matrix function have the rank sequence (rank B, rank B', ...)? verdict, reason, construction blocks.");
  m.def("svals", &svals, nb::arg("batch"), nb::arg("tolerance").none() = nb::none(), nb::arg("backend") = "auto",
        "Singular values (B, min(m, n)) float64 and numerical ranks (B,) int32 of a (B, m, n) batch, and the "
        "backend's description.");
  m.def("_time_feasible_in_cpp", &timeFeasibleInCpp, nb::arg("ranks"), nb::arg("repeats"),
        "Seconds per feasible call repeated in C++ (the benchmark's baseline).");
  m.def("_last_input_address", &lastInputAddress,
        "Address of the last input buffer the core read (tests check that inputs are not copied).");
  registerFlows(m);
  registerLora(m);
  registerRangeTree(m);
  registerTrajectories(m);
  registerTheory(m);
}
