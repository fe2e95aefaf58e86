// LoRA adapters and checkpoint families from Python: the reports are the CLI's JSON
// (core/learn/reports.h), which the package turns into dicts.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <filesystem>

#include "core/common/error.h"
#include "core/learn/checkpoint_cascade.h"
#include "core/learn/lora_profile.h"
#include "core/learn/lora_resize.h"
#include "core/learn/reports.h"
#include "python/src/arrays.h"

namespace rankflow::python {
namespace {

std::string loraProfile(const std::string& path, double tolerance, double fro) {
  if (!(tolerance >= 0.0 && tolerance <= 1.0)) throw InvalidArgument("tolerance: in [0, 1]");
  if (!(fro >= 0.0 && fro <= 1.0)) throw InvalidArgument("fro: in [0, 1]");
  nb::gil_scoped_release released;
  return learn::loraProfileReport(path, tolerance, fro, learn::profileLoraFile(path, {.relativeTolerance = tolerance}));
}

std::string loraResize(const std::string& path, const std::string& out, const std::string& criterion, double value) {
  using Kind = learn::LoraResizeCriterion::Kind;
  learn::LoraResizeCriterion c;
  c.value = value;
  if (criterion == "rank")
    c.kind = Kind::Rank;
  else if (criterion == "energy")
    c.kind = Kind::Energy;
  else if (criterion == "fro")
    c.kind = Kind::Frobenius;
  else if (criterion == "ratio")
    c.kind = Kind::Ratio;
  else if (criterion == "cumulative")
    c.kind = Kind::Cumulative;
  else if (criterion == "budget")
    c.kind = Kind::Budget;
  else
    throw InvalidArgument("criterion: rank, energy, fro, ratio, cumulative or budget, got '" + criterion + "'");
  if (std::filesystem::exists(out)) throw InvalidArgument("out: " + out + " exists already: give a new directory");
  nb::gil_scoped_release released;
  const learn::LoraResize resize = learn::resizeLoraFile(path, c);
  learn::writeLoraResize(resize, out);
  return learn::loraResizeReport(path, out, resize);
}

std::string cascadeFit(const std::string& base, const std::vector<std::string>& targets, const std::vector<int>& ranks,
                       const std::optional<std::string>& out, bool exact, int powerIterations, int oversampling,
                       std::uint64_t seed, const nb::object& progress) {
  learn::CheckpointCascadeOptions options;
  options.ranks = ranks;
  options.exactSvd = exact;
  options.svd = {.oversampling = oversampling, .powerIterations = powerIterations, .seed = seed};
  options.keepFactors = out.has_value();
  options.progress = progressFrom(progress);
  nb::gil_scoped_release released;
  const learn::CheckpointCascade fit = learn::cascadeCheckpointFiles(base, targets, options);
  if (out) io::writeSafeTensors(*out, learn::cascadeFactorsFile(fit));
  return learn::checkpointCascadeReport(base, targets, fit, options);
}

}  // namespace

void registerLora(nb::module_& m) {
  m.def("lora_profile", &loraProfile, nb::arg("path"), nb::arg("tolerance") = 1e-6, nb::arg("fro") = 0.9,
        "The rank profile of a LoRA adapter as JSON text (lora-ranks --json's fields).");
  m.def("lora_resize", &loraResize, nb::arg("path"), nb::arg("out"), nb::arg("criterion"), nb::arg("value"),
        "Resize an adapter into the new directory `out`; the report as JSON text (lora-resize --json's fields).");
  m.def("cascade_fit", &cascadeFit, nb::arg("base"), nb::arg("targets"), nb::arg("ranks"),
        nb::arg("out").none() = nb::none(), nb::arg("exact") = false, nb::arg("power_iterations") = 2,
        nb::arg("oversampling") = 10, nb::arg("seed") = 0, nb::arg("progress") = nb::none(),
        "The cascading fit of a checkpoint family as JSON text (cascade-fit --json's fields).");
}

}  // namespace rankflow::python
