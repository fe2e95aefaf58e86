// rankflow cascade-fit: the cascading low-rank fit of a family of checkpoints (a base and its
// successive fine-tunes), against independent LoRA at the same ranks (docs/cli.md).
#include <cstdio>
#include <iostream>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/viewer/cli_error.h"
#include "core/common/error.h"
#include "core/common/text.h"
#include "core/learn/checkpoint_cascade.h"
#include "core/learn/reports.h"
#include "core/theory/matrix_scenes.h"

namespace rankflow::app {

int runCascadeFitCommand(const std::vector<std::string>& args) {
  CommandLine cmd(
      "cascade-fit",
      "rankflow cascade-fit --base T0.safetensors --targets T1.safetensors,T2.safetensors,... --ranks r1,r2,... "
      "[--out C.safetensors] [--json]",
      "Cascading low-rank fit of a family of checkpoints: for every 2-D weight the files share (names matched, "
      "shapes checked), W_0 = T_0 and order k adds the best rank-r_k update of T_k - W_{k-1}; independent LoRA fits "
      "each T_k - T_0 alone at the same rank. Errors are relative Frobenius norms of the fine-tune's delta "
      "T_k - T_0. Dense deltas use a randomized truncated SVD (--exact: the full SVD).",
      {{"base", "T0.safetensors", "the base checkpoint T_0", ""},
       {"targets", "T1,T2,...", "the fine-tunes T_1..T_K, comma-separated", ""},
       {"ranks", "r1,r2,...", "the rank of each order, one per target", ""},
       {"out", "C.safetensors", "write the factors <name>.cascade.<k>.up/down (docs/formats.md)", ""},
       {"exact", "", "full SVD instead of the randomized one (slow at real size)", ""},
       {"power-iterations", "Q", "passes that sharpen the randomized range", "2"},
       {"oversampling", "P", "extra columns of the randomized sketch", "10"},
       {"seed", "S", "seed of the randomized sketch", "0"},
       {"json", "", "print the fit as JSON (fields in docs/cli.md)", ""}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  if (!cmd.has("base")) cmd.fail("--base T0.safetensors is required");
  if (!cmd.has("targets")) cmd.fail("--targets T1.safetensors,... is required");
  if (!cmd.has("ranks")) cmd.fail("--ranks r1,... is required (one per target)");
  const std::string basePath = cmd.text("base");
  const std::vector<std::string> targetPaths = splitOn(cmd.text("targets"), ',');
  for (const auto& p : targetPaths)
    if (p.empty()) cmd.fail("--targets has an empty name: '" + cmd.text("targets") + "'");
  learn::CheckpointCascadeOptions options;
  try {
    options.ranks = theory::parseRankList(cmd.text("ranks"));
  } catch (const InvalidArgument& e) {
    cmd.fail(std::string("--ranks: ") + e.what());
  }
  if (options.ranks.size() != targetPaths.size()) {
    cmd.fail("--ranks gives " + std::to_string(options.ranks.size()) + " ranks for " +
             std::to_string(targetPaths.size()) + " targets: give one per target");
  }
  options.exactSvd = cmd.has("exact");
  options.svd.powerIterations = cmd.integer("power-iterations", 0, 20);
  options.svd.oversampling = cmd.integer("oversampling", 0, 1000);
  options.svd.seed = static_cast<std::uint64_t>(cmd.integer("seed", 0, 1 << 30));
  const std::string out = cmd.text("out");
  options.keepFactors = !out.empty();

  keepLargeBuffersOnTheHeap();
  const learn::CheckpointCascade fit = learn::cascadeCheckpointFiles(basePath, targetPaths, options);
  if (!out.empty()) io::writeSafeTensors(out, learn::cascadeFactorsFile(fit));

  if (cmd.has("json")) {
    std::cout << learn::checkpointCascadeReport(basePath, targetPaths, fit, options) << "\n";
    return kExitOk;
  }
  std::printf(
      "%zu tensors, %zu orders, %s SVD, %.2f s%s\n", fit.tensors.size(), fit.totals.size(),
      options.exactSvd ? "full" : "randomized", fit.seconds,
      fit.skipped.empty() ? "" : (", " + std::to_string(fit.skipped.size()) + " non-2-D tensors skipped").c_str());
  std::printf("%-5s %6s %14s %18s %14s\n", "order", "rank", "cascade error", "independent error", "parameters");
  for (const auto& t : fit.totals)
    std::printf("%-5d %6d %14.4g %18.4g %14lld\n", t.k, t.rank, t.cascadeError, t.independentError,
                static_cast<long long>(t.parameters));
  if (!out.empty()) std::printf("factors written to %s\n", out.c_str());
  return kExitOk;
}

}  // namespace rankflow::app
