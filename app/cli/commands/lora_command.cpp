// rankflow lora-ranks: the rank profile of a LoRA adapter (.safetensors, PEFT or kohya layout).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/viewer/cli_error.h"
#include "core/common/error.h"
#include "core/common/json_input.h"
#include "core/io/text_file.h"
#include "core/learn/lora_profile.h"
#include "core/learn/lora_resize.h"
#include "core/learn/reports.h"

namespace rankflow::app {
namespace {

using nlohmann::json;

void printTable(const std::string& path, double tolerance, const learn::LoraProfile& profile) {
  std::size_t nameWidth = std::string("module").size();
  std::vector<std::string> names, shapes;
  for (const auto& m : profile.modules) {
    names.push_back(m.module + (m.adapter.empty() ? "" : " [" + m.adapter + "]"));
    shapes.push_back(std::to_string(m.outFeatures) + "x" + std::to_string(m.inFeatures));
    nameWidth = std::max(nameWidth, names.back().size());
  }
  std::size_t shapeWidth = std::string("out x in").size();
  for (const auto& s : shapes) shapeWidth = std::max(shapeWidth, s.size());
  const int nw = static_cast<int>(nameWidth), sw = static_cast<int>(shapeWidth);
  std::printf("%s: %zu LoRA modules, numeric rank counts sigma > %g * sigma_max\n", path.c_str(),
              profile.modules.size(), tolerance);
  std::printf("%-*s  %-*s  %5s  %5s  %5s  %5s  %8s  %10s  %s\n", nw, "module", sw, "out x in", "r", "rank", "r90",
              "r99", "scale", "sigma_max", "dtype");
  for (std::size_t i = 0; i < profile.modules.size(); ++i) {
    const auto& m = profile.modules[i];
    std::printf("%-*s  %-*s  %5d  %5d  %5d  %5d  %8.4g  %10.4g  %s\n", nw, names[i].c_str(), sw, shapes[i].c_str(),
                m.statedRank, m.numericRank, m.rank90, m.rank99, m.scale, m.sigmaMax, m.dtype.c_str());
  }
  const std::string stated = profile.minStatedRank == profile.maxStatedRank
                                 ? std::to_string(profile.minStatedRank)
                                 : std::to_string(profile.minStatedRank) + ".." + std::to_string(profile.maxStatedRank);
  std::printf("%zu modules, stated r %s, median numeric rank %g, %lld parameters (%lld at the numeric ranks)",
              profile.modules.size(), stated.c_str(), profile.medianNumericRank,
              static_cast<long long>(profile.parameters), static_cast<long long>(profile.parametersAtNumericRank));
  if (profile.loraAlpha) std::printf(", lora_alpha %g", *profile.loraAlpha);
  if (!profile.configPath.empty()) std::printf(", scales from %s", profile.configPath.c_str());
  if (profile.ignoredTensors) std::printf(", %d other tensors ignored", profile.ignoredTensors);
  std::printf("\n");
}

}  // namespace

int runLoraRanksCommand(const std::vector<std::string>& args) {
  CommandLine cmd("lora-ranks", "rankflow lora-ranks ADAPTER.safetensors [--tolerance T] [--fro F] [--json]",
                  "Rank profile of a LoRA adapter (PEFT lora_A/lora_B, or kohya lora_down/lora_up/alpha): for "
                  "every module, the singular values of its effective update scale*B*A (from the QR factors of B "
                  "and A^T, never forming B*A), its numeric rank, and the ranks that hold 90% and 99% of its "
                  "squared Frobenius norm, against the rank r it was given. The scale is alpha/r (alpha/sqrt(r) "
                  "with use_rslora) from adapter_config.json beside the file (rank_pattern and alpha_pattern "
                  "per module), kohya's per-module alpha tensor, or lora_alpha metadata; 1 when none states it.",
                  {{"tolerance", "T", "relative: sigma_i counts when sigma_i > T * sigma_max", "1e-6"},
                   {"fro", "F", "rank_fro: the smallest k with ||dW_k||_F >= F * ||dW||_F (kohya's sv_fro)", "0.9"},
                   {"json", "", "print the profile as JSON (fields in docs/cli.md)", ""}},
                  1);
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  if (cmd.positionals().empty()) cmd.fail("give the adapter file, e.g. adapter_model.safetensors");
  const double tolerance = cmd.number("tolerance", 0.0, 1.0);
  const double fro = cmd.number("fro", 0.0, 1.0);
  const std::string& path = cmd.positionals().front();
  keepLargeBuffersOnTheHeap();
  const learn::LoraProfile profile = learn::profileLoraFile(path, {.relativeTolerance = tolerance});
  if (cmd.has("json")) {
    std::cout << learn::loraProfileReport(path, tolerance, fro, profile) << "\n";
  } else {
    printTable(path, tolerance, profile);
  }
  return kExitOk;
}

// [SECTION] lora-resize

namespace {

std::string readText(const std::string& path) {
  return io::readTextFile(path, std::size_t(16) << 20, "a rank schedule");
}

// {"module": rank, …}
std::map<std::string, int> readSchedule(const std::string& path) {
  const json j = parseJsonInput(readText(path), path);
  if (!j.is_object()) throw InvalidArgument(path + ": a schedule is an object of module names and ranks");
  std::map<std::string, int> schedule;
  for (const auto& [module, rank] : j.items()) {
    if (!rank.is_number_integer())
      throw InvalidArgument(path + ": the rank of '" + module + "' must be a whole number");
    schedule[module] = rank.get<int>();
  }
  return schedule;
}

}  // namespace

int runLoraResizeCommand(const std::vector<std::string>& args) {
  CommandLine cmd(
      "lora-resize",
      "rankflow lora-resize ADAPTER.safetensors (--rank R | --energy E | --fro F | --ratio R | --cumulative C | "
      "--budget P | --schedule FILE.json) --out DIR [--json]",
      "Resizes a LoRA adapter (PEFT or kohya layout): every module's effective update scale*B*A becomes its best "
      "approximation of the chosen rank (Eckart-Young, from the QR factors of B and A^T), written to "
      "DIR/adapter_model.safetensors (and DIR/adapter_config.json for PEFT, with rank_pattern and alpha_pattern per "
      "module) in the input's names and dtypes, scale 1. Prints each module's rank change and relative error.",
      {{"rank", "R", "the same rank for every module (a module with a smaller r keeps it)", ""},
       {"energy", "E", "per module, the smallest rank holding the share E of ||dW||_F^2", ""},
       {"fro", "F", "per module, the smallest rank k with ||dW_k||_F >= F * ||dW||_F (kohya's sv_fro)", ""},
       {"ratio", "R", "per module, the ranks with sigma_i >= sigma_max / R (kohya's sv_ratio)", ""},
       {"cumulative", "C", "per module, the smallest rank whose sigma sum is the share C of the total (sv_cumulative)",
        ""},
       {"budget", "P", "P parameters in all, each rank going where it removes the most error per parameter", ""},
       {"schedule", "FILE.json", "per module ranks, {\"module\": rank, ...}, one for every module", ""},
       {"out", "DIR", "a new directory for the resized adapter (written whole or not at all)", ""},
       {"json", "", "print the result as JSON (fields in docs/cli.md)", ""}},
      1);
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  if (cmd.positionals().empty()) cmd.fail("give the adapter file, e.g. adapter_model.safetensors");
  const std::string& path = cmd.positionals().front();
  const std::string out = cmd.text("out");
  if (out.empty()) cmd.fail("--out DIR is required");
  using Kind = learn::LoraResizeCriterion::Kind;
  const int chosen = cmd.has("rank") + cmd.has("energy") + cmd.has("fro") + cmd.has("ratio") + cmd.has("cumulative") +
                     cmd.has("budget") + cmd.has("schedule");
  if (chosen != 1)
    cmd.fail("give exactly one of --rank, --energy, --fro, --ratio, --cumulative, --budget and --schedule");
  learn::LoraResizeCriterion criterion;
  if (cmd.has("rank")) {
    criterion = {Kind::Rank, static_cast<double>(cmd.integer("rank", 1, 1 << 20)), {}};
  } else if (cmd.has("energy")) {
    criterion = {Kind::Energy, cmd.number("energy", 1e-12, 1.0), {}};
  } else if (cmd.has("fro")) {
    criterion = {Kind::Frobenius, cmd.number("fro", 1e-12, 1.0), {}};
  } else if (cmd.has("ratio")) {
    criterion = {Kind::Ratio, cmd.number("ratio", 1.0, 1e300), {}};
  } else if (cmd.has("cumulative")) {
    criterion = {Kind::Cumulative, cmd.number("cumulative", 1e-12, 1.0), {}};
  } else if (cmd.has("budget")) {
    criterion = {Kind::Budget, cmd.number("budget", 1.0, 1e18), {}};
  } else {
    criterion = {Kind::Schedule, 0.0, readSchedule(cmd.text("schedule"))};
  }
  if (std::filesystem::exists(out)) cmd.fail("--out " + out + " exists already: give a new directory");

  keepLargeBuffersOnTheHeap();
  const learn::LoraResize resize = learn::resizeLoraFile(path, criterion);
  learn::writeLoraResize(resize, out);

  if (cmd.has("json")) {
    std::cout << learn::loraResizeReport(path, out, resize) << "\n";
    return kExitOk;
  }
  double worst = 0.0;
  for (const auto& m : resize.modules) {
    std::printf("%s: r %d -> %d, relative error %.3g\n", m.module.c_str(), m.fromRank, m.toRank, m.relativeError);
    worst = std::max(worst, m.relativeError);
  }
  std::printf("%zu modules resized into %s: %lld -> %lld parameters, worst relative error %.3g\n",
              resize.modules.size(), out.c_str(), static_cast<long long>(resize.parametersBefore),
              static_cast<long long>(resize.parametersAfter), worst);
  return kExitOk;
}

}  // namespace rankflow::app
