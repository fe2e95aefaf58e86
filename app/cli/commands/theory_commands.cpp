// rankflow feasible, ranks and fit: the rank-dynamics and cascading-fit cores on the
// command line, with JSON output whose field names are in docs/cli.md.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/viewer/cli_error.h"
#include "core/common/error.h"
#include "core/lowrank/cascade.h"
#include "core/matfun/derivative_grid.h"
#include "core/matfun/json_format.h"
#include "core/matfun/rank.h"
#include "core/theory/feasibility.h"
#include "core/theory/matrix_scenes.h"
#include "core/theory/ranks_report.h"

namespace rankflow::app {
namespace {

using nlohmann::json;

std::string listText(const std::vector<int>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

std::vector<int> ranksFrom(const CommandLine& cmd, const std::string& text) {
  try {
    return theory::parseRankList(text);
  } catch (const std::exception& e) {
    cmd.fail(e.what());
  }
}

std::string sceneHelp() {
  std::string out;
  for (const auto& s : theory::matrixScenes())
    out += "\n  " + s.name + (s.parameters.empty() ? "" : " (" + s.parameters + ")") + ": " + s.statement;
  return out;
}

}  // namespace

int runFeasibleCommand(const std::vector<std::string>& args) {
  CommandLine cmd("feasible", "rankflow feasible r_0,r_1,...,r_K [--json]",
                  "Can a matrix function B have rank B^(k) = r_k for k = 0..K? Answers feasible (with a "
                  "block-diagonal construction verified by exact rank), infeasible (with the violated inequality) "
                  "or unknown.",
                  {{"json", "", "print the verdict as JSON", ""}}, 1);
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  if (cmd.positionals().empty()) cmd.fail("give the rank sequence, e.g. 2,1,5");
  const std::vector<int> ranks = ranksFrom(cmd, cmd.positionals().front());
  if (ranks.size() > 9) cmd.fail("at most 9 ranks (r_0..r_8)");
  const theory::Feasibility f = theory::checkFeasibility(ranks);
  if (cmd.has("json")) {
    json out = {
        {"ranks", ranks}, {"verdict", theory::verdictName(f.verdict)}, {"reason", f.reason}, {"blocks", f.blocks}};
    if (f.verdict == theory::Verdict::Feasible) {
      out["realized"] = f.realized;
      out["construction"] = json::parse(matfun::toJson(f.construction));
    }
    std::cout << out.dump(1) << "\n";
  } else {
    std::printf("(%s): %s — %s\n", listText(ranks).c_str(), theory::verdictName(f.verdict), f.reason.c_str());
    if (f.verdict == theory::Verdict::Feasible) {
      std::printf("  B = blockdiag(");
      for (std::size_t i = 0; i < f.blocks.size(); ++i) std::printf("%s%s", i ? ", " : "", f.blocks[i].c_str());
      std::printf("), %dx%d; exact ranks of B^(k): %s\n", f.construction.rows(), f.construction.cols(),
                  listText(f.realized).c_str());
    }
  }
  return kExitOk;
}

int runRanksCommand(const std::vector<std::string>& args) {
  CommandLine cmd("ranks",
                  "rankflow ranks --scene NAME [--param K=V ...] | --function FILE.json --max-order K [--exact] "
                  "[--times N [--t-min A] [--t-max B]] [--backend auto|cpu|cuda]",
                  "Ranks of the derivatives B^(k), k = 0..K, of a matrix function: numerical generic rank (max over "
                  "random t) with the spectrum at the best t, the Fact 1.4 / 1.7 ceilings, and with --exact the exact "
                  "generic rank over GF(p) with its failure bound. With --times N also the rank strip: the rank of "
                  "every order at N evenly spaced t. The derivative matrices and their SVDs (float64) run on CUDA when "
                  "a device exists, in one submission with the generic-rank samples. Scenes:" +
                      sceneHelp(),
                  {{"scene", "NAME", "a built-in matrix-function scene", ""},
                   {"param", "NAME=VALUE", "a scene parameter (repeatable)", ""},
                   {"function", "FILE.json", "a matrix function in the format of docs/formats.md", ""},
                   {"max-order", "K", "highest derivative", "4"},
                   {"samples", "S", "random t for the numerical generic rank", "8"},
                   {"tol", "TOL", "singular values above this count (default sigma_max * max(m,n) * eps)", ""},
                   {"exact", "", "also the exact generic rank over GF(2^61 - 1)", ""},
                   {"times", "N", "also the rank strip at N evenly spaced t in [t-min, t-max]", ""},
                   {"t-min", "A", "first t of the strip", "0"},
                   {"t-max", "B", "last t of the strip", "1"},
                   backendOption(),
                   {"json", "", "print JSON", ""}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  theory::RanksRequest request;
  request.maxOrder = cmd.integer("max-order", 0, 16);
  request.samples = cmd.integer("samples", 1, 1000);
  if (cmd.has("tol")) request.tolerance = cmd.number("tol", 0.0, 1e300);
  request.exact = cmd.has("exact");
  request.stripTimes = cmd.has("times") ? cmd.integer("times", 1, 1 << 20) : 0;
  request.tMin = cmd.number("t-min", -20.0, 20.0);
  request.tMax = cmd.number("t-max", -20.0, 20.0);
  if (request.stripTimes > 0 && !(request.tMin <= request.tMax)) cmd.fail("--t-min must not exceed --t-max");
  const LowRankSelection selection = lowRankBackendFor(cmd);
  const theory::MatrixScene scene = loadMatrixFunction(cmd);
  const theory::RanksReport report = theory::computeRanks(scene, *selection.backend, request);
  if (cmd.has("json")) {
    std::cout << theory::ranksReportJson(
                     report, selection.cuda ? std::nullopt : std::optional<std::string>(selection.whyNotCuda))
              << "\n";
    return kExitOk;
  }
  std::printf("%s: %s (%dx%d)\n  k  numerical  exact  ceiling(1.4)  ceiling(1.7)  spectrum at best t\n",
              report.scene.c_str(), report.statement.c_str(), report.rows, report.cols);
  for (const theory::OrderRanks& o : report.orders) {
    std::printf("  %d  %9d  %5s  %12s  %12d  ", o.k, o.numerical, o.exact ? std::to_string(*o.exact).c_str() : "-",
                o.ceilingFact14 ? std::to_string(*o.ceilingFact14).c_str() : "-", o.ceilingFact17);
    for (std::size_t i = 0; i < std::min<std::size_t>(6, o.singularValues.size()); ++i)
      std::printf("%.2e ", o.singularValues[i]);
    std::printf("(tol %.1e)\n", o.tolerance);
  }
  for (std::size_t i = 0; i < report.strip.size(); ++i) {
    if (i == 0)
      std::printf("  rank strip, %d times in [%g, %g]:\n  t          r_0..r_%d\n", request.stripTimes, request.tMin,
                  request.tMax, request.maxOrder);
    std::printf("  %-9.5g  %s\n", report.stripTimes[i], listText(report.strip[i]).c_str());
  }
  std::printf("  on %s (%s): compute %.3f ms, end to end %.3f ms%s%s\n", report.backend.c_str(), report.method.c_str(),
              report.kernelSeconds * 1e3, report.endToEndSeconds * 1e3, report.note.empty() ? "" : "; ",
              report.note.c_str());
  return kExitOk;
}

int runFitCommand(const std::vector<std::string>& args) {
  CommandLine cmd("fit", "rankflow fit --scene NAME [--param K=V ...] --t T --ranks 8,4,2 [--json]",
                  "Cascading fit of the derivative matrices T_k = B^(k)(t) of a matrix-function scene: W = T_0 and "
                  "U_k V_k^T the best rank-r_k fit of T_k - W_{k-1}. Prints per order the relative error of the "
                  "cascade and of independent LoRA, parameters and multiply-adds per column.",
                  {{"scene", "NAME", "a built-in matrix-function scene (see rankflow ranks --help)", ""},
                   {"param", "NAME=VALUE", "a scene parameter (repeatable)", ""},
                   {"function", "FILE.json", "a matrix function instead of a scene", ""},
                   {"t", "T", "the time at which the derivatives are taken", "0.5"},
                   {"ranks", "R1,R2,...", "rank of each order k = 1..K", ""},
                   {"json", "", "print JSON", ""}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  if (!cmd.has("ranks")) cmd.fail("--ranks is required");
  const std::vector<int> ranks = ranksFrom(cmd, cmd.text("ranks"));
  const double t = cmd.number("t", -1e3, 1e3);
  const theory::MatrixScene scene = loadMatrixFunction(cmd);
  if (scene.b.rows() != scene.b.cols()) cmd.fail("fit needs a square matrix function");
  for (std::size_t k = 0; k < ranks.size(); ++k)
    if (ranks[k] > scene.b.rows())
      cmd.fail("r_" + std::to_string(k + 1) + " = " + std::to_string(ranks[k]) +
               " exceeds d = " + std::to_string(scene.b.rows()));
  std::vector<Eigen::MatrixXf> targets;
  matfun::MatrixFunction current = scene.b;
  for (std::size_t k = 0; k <= ranks.size(); ++k) {
    targets.push_back(current.evaluate(t).cast<float>());
    current = current.derivative();
  }
  const lowrank::CascadeFit fit(targets, ranks);
  const auto costs = lowrank::cascadeCosts(scene.b.rows(), ranks);
  if (cmd.has("json")) {
    json orders = json::array();
    for (std::size_t k = 0; k < fit.orders().size(); ++k)
      orders.push_back({{"k", k + 1},
                        {"rank", fit.orders()[k].rank},
                        {"cascade_error", fit.orders()[k].cascadeError},
                        {"independent_error", fit.orders()[k].independentError}});
    std::cout << json{{"scene", scene.name},
                      {"t", t},
                      {"d", scene.b.rows()},
                      {"orders", orders},
                      {"cascade_parameters", costs.cascadeParameters},
                      {"naive_parameters", costs.naiveParameters},
                      {"cascade_macs_per_column", costs.cascadeMacsPerColumn},
                      {"naive_macs_per_column", costs.naiveMacsPerColumn}}
                     .dump(1)
              << "\n";
  } else {
    std::printf("%s at t = %g, d = %d\n  k  rank  cascade error  independent error\n", scene.name.c_str(), t,
                scene.b.rows());
    for (std::size_t k = 0; k < fit.orders().size(); ++k)
      std::printf("  %zu  %4d  %13.3e  %17.3e\n", k + 1, fit.orders()[k].rank, fit.orders()[k].cascadeError,
                  fit.orders()[k].independentError);
    std::printf("  parameters: cascade %.0f vs naive %.0f; multiply-adds per column: %.0f vs %.0f\n",
                costs.cascadeParameters, costs.naiveParameters, costs.cascadeMacsPerColumn, costs.naiveMacsPerColumn);
  }
  return kExitOk;
}

}  // namespace rankflow::app
