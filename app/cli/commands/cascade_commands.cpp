// rankflow sweep and rankflow cascade.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/cli/npy_matrices.h"
#include "app/cli/plots/pareto_chart.h"
#include "app/viewer/cli_error.h"
#include "core/common/error.h"
#include "core/io/atomic_file.h"
#include "core/lowrank/cascade.h"
#include "core/lowrank/sweep.h"
#include "core/matfun/json_format.h"
#include "core/theory/matrix_scenes.h"
#include "render/image.h"

namespace rankflow::app {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, separator)) out.push_back(item);
  return out;
}

}  // namespace

int runSweepCommand(const std::vector<std::string>& args) {
  CommandLine cmd("sweep",
                  "rankflow sweep --scene NAME [--param K=V ...] --t T --orders K (--max-rank R | --schedules "
                  "'8,4;4,2') --csv OUT.csv [--png OUT.png]",
                  "Fits every rank schedule (r_1..r_K, each r_k <= R, or the listed ones) to the derivative matrices "
                  "B^(k)(t) of a matrix-function scene, writes one CSV row per schedule (errors per order, "
                  "parameters, multiply-adds, Pareto flag) and optionally the error-vs-parameters chart.",
                  {{"scene", "NAME", "a matrix-function scene (see rankflow ranks --help)", ""},
                   {"param", "NAME=VALUE", "a scene parameter (repeatable)", ""},
                   {"function", "FILE.json", "a matrix function instead of a scene", ""},
                   {"t", "T", "time of the derivative matrices", "0.5"},
                   {"orders", "K", "number of adapters", "2"},
                   {"max-rank", "R", "sweep r_k = 0..R for every order", ""},
                   {"schedules", "'a,b;c,d'", "explicit schedules separated by ';'", ""},
                   {"csv", "OUT.csv", "where to write the table", ""},
                   {"png", "OUT.png", "where to write the Pareto chart", ""}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  if (!cmd.has("csv")) cmd.fail("--csv OUT.csv is required");
  if (cmd.has("max-rank") == cmd.has("schedules")) cmd.fail("give exactly one of --max-rank and --schedules");
  const int orders = cmd.integer("orders", 1, 8);
  const double t = cmd.number("t", -1e3, 1e3);
  const matfun::MatrixFunction b = loadMatrixFunction(cmd).b;
  if (b.rows() != b.cols()) cmd.fail("sweep needs a square matrix function");
  std::vector<Eigen::MatrixXf> targets;
  matfun::MatrixFunction current = b;
  for (int k = 0; k <= orders; ++k) {
    targets.push_back(current.evaluate(t).cast<float>());
    current = current.derivative();
  }
  std::vector<std::vector<int>> schedules;
  if (cmd.has("schedules")) {
    for (const auto& s : split(cmd.text("schedules"), ';')) {
      try {
        schedules.push_back(theory::parseRankList(s));
      } catch (const std::exception& e) {
        cmd.fail(std::string("--schedules: ") + e.what());
      }
      if (static_cast<int>(schedules.back().size()) != orders)
        cmd.fail("--schedules: '" + s + "' has " + std::to_string(schedules.back().size()) + " ranks, --orders is " +
                 std::to_string(orders));
      for (int r : schedules.back())
        if (r > b.rows())
          cmd.fail("--schedules: rank " + std::to_string(r) + " exceeds d = " + std::to_string(b.rows()));
    }
  }
  const int maxRank = cmd.has("max-rank") ? cmd.integer("max-rank", 0, b.rows()) : 0;
  const auto results = lowrank::sweepSchedules(targets, maxRank, schedules);
  io::writeFileAtomic(cmd.text("csv"), lowrank::schedulesCsv(results));
  int front = 0;
  for (const auto& r : results) front += r.pareto;
  std::printf("swept %zu schedules of %d orders (d = %d, t = %g): %d on the Pareto front; wrote %s\n", results.size(),
              orders, b.rows(), t, front, cmd.text("csv").c_str());
  if (cmd.has("png")) {
    const std::string title = (cmd.has("scene") ? cmd.text("scene") : std::string("function")) +
                              " at t = " + std::to_string(t).substr(0, 5) + ": error vs parameters";
    render::writePngAtomic(cmd.text("png"), renderParetoChart(results, title));
    std::printf("wrote %s\n", cmd.text("png").c_str());
  }
  return kExitOk;
}

int runCascadeCommand(const std::vector<std::string>& args) {
  CommandLine cmd("cascade",
                  "rankflow cascade --w W.npy --u U1.npy,U2.npy --v V1.npy,V2.npy --x X.npy [--act tanh] --out Y.npy",
                  "Evaluates the cascading low-rank model Y_k = act((W + sum_{j<=k} U_j V_j^T) X) for k = 0..K with "
                  "one stacked product and a prefix sum. W is (d, d), U_j and V_j are (d, r_j), X is (d, n); Y is "
                  "written as (K+1, d, n).",
                  {{"w", "W.npy", "base weight (d, d)", ""},
                   {"u", "U1.npy,...", "left adapters, comma-separated", ""},
                   {"v", "V1.npy,...", "right adapters, comma-separated", ""},
                   {"x", "X.npy", "inputs (d, n)", ""},
                   {"act", "A", "identity, tanh, relu or gelu", "identity"},
                   {"method", "M", "cascade, naive or independent", "cascade"},
                   {"out", "Y.npy", "output (K+1, d, n), float32", ""}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  for (const char* required : {"w", "u", "v", "x", "out"})
    if (!cmd.has(required)) cmd.fail(std::string("--") + required + " is required");
  lowrank::Activation act = lowrank::Activation::Identity;
  try {
    act = lowrank::parseActivation(cmd.text("act"));
  } catch (const std::exception& e) {
    cmd.fail(e.what());
  }
  const std::string method = cmd.text("method");
  if (method != "cascade" && method != "naive" && method != "independent")
    cmd.fail("--method must be cascade, naive or independent, got '" + method + "'");
  lowrank::CascadeModel model;
  model.w = matrixFromNpy(io::readNpy(cmd.text("w")), "--w");
  const auto uFiles = split(cmd.text("u"), ','), vFiles = split(cmd.text("v"), ',');
  if (uFiles.size() != vFiles.size())
    cmd.fail("--u has " + std::to_string(uFiles.size()) + " files but --v has " + std::to_string(vFiles.size()));
  for (std::size_t j = 0; j < uFiles.size(); ++j) {
    model.u.push_back(matrixFromNpy(io::readNpy(uFiles[j]), "--u " + uFiles[j]));
    model.v.push_back(matrixFromNpy(io::readNpy(vFiles[j]), "--v " + vFiles[j]));
  }
  const Eigen::MatrixXf x = matrixFromNpy(io::readNpy(cmd.text("x")), "--x");
  const auto y = method == "naive"         ? lowrank::evaluateNaive(model, x, act)
                 : method == "independent" ? lowrank::evaluateIndependent(model, x, act)
                                           : lowrank::evaluateCascade(model, x, act);
  std::vector<double> values;
  for (const auto& m : y) appendRowMajor(m, values);
  io::writeNpy(cmd.text("out"), {static_cast<std::int64_t>(y.size()), x.rows(), x.cols()}, values);
  std::printf("wrote %s: %zu orders × (%d, %d), %s, %s\n", cmd.text("out").c_str(), y.size(),
              static_cast<int>(x.rows()), static_cast<int>(x.cols()), method.c_str(), lowrank::activationName(act));
  return kExitOk;
}

}  // namespace rankflow::app
