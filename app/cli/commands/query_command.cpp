#include <cstdio>
#include <iostream>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/npy_matrices.h"
#include "app/viewer/cli_error.h"
#include "core/lowrank/range_tree.h"

namespace rankflow::app {
namespace {

std::string rangesJson(const lowrank::QueryPlan& plan) {
  std::string out = "[";
  for (std::size_t i = 0; i < plan.nodes.size(); ++i) {
    out += (i ? ", " : "") + std::string("{\"node\": ") + std::to_string(plan.nodes[i]) +
           ", \"first\": " + std::to_string(plan.nodeRanges[i].first) +
           ", \"last\": " + std::to_string(plan.nodeRanges[i].second) + "}";
  }
  return out + "]";
}

}  // namespace

int runQueryCommand(const std::vector<std::string>& args) {
  CommandLine cmd("query",
                  "rankflow query --a A.npy --b B.npy [--c C.npy] --x X.npy --l L --r R [--strategy S] --out Y.npy",
                  "Low-rank range query: Y = sum_{i=l}^{r} A_i B_i^T X (matrix tree), or with --c the tensor tree's "
                  "sum_i T_i x_3 X^T with T_i = sum_a A_i[:,a] (x) B_i[:,a] (x) C_i[:,a]. A, B, C are (m, d, r); X is "
                  "(d, n); indices are 0-based and inclusive. Y is (d, n), or (d, d, n) for the tensor tree.",
                  {{"a", "A.npy", "left factors, shape (m, d, r)", ""},
                   {"b", "B.npy", "right factors, shape (m, d, r)", ""},
                   {"c", "C.npy", "third factors: use the tensor tree", ""},
                   {"x", "X.npy", "the matrix queried, shape (d, n)", ""},
                   {"l", "L", "first index (0-based)", ""},
                   {"r", "R", "last index (inclusive)", ""},
                   {"strategy", "S", "tree, sum, fly, prefix or auto (the router's choice)", "auto"},
                   {"out", "Y.npy", "where to write the result (float32)", ""},
                   {"json", "", "print the query trace as JSON", ""}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  for (const char* required : {"a", "b", "x", "l", "r", "out"}) {
    if (!cmd.has(required)) cmd.fail(std::string("--") + required + " is required");
  }
  std::optional<lowrank::Strategy> strategy;
  try {
    strategy = lowrank::parseStrategy(cmd.text("strategy"));
  } catch (const std::exception& e) {
    cmd.fail(e.what());
  }
  const auto a = matricesFromNpy(io::readNpy(cmd.text("a")), "--a");
  const auto b = matricesFromNpy(io::readNpy(cmd.text("b")), "--b");
  const Eigen::MatrixXf x = matrixFromNpy(io::readNpy(cmd.text("x")), "--x");
  const bool tensor = cmd.has("c");
  const lowrank::LowRankRangeTree tree =
      tensor ? lowrank::makeTensorRangeTree(a, b, matricesFromNpy(io::readNpy(cmd.text("c")), "--c"))
             : lowrank::LowRankRangeTree(a, b);
  const int m = tree.count();
  const int l = cmd.integer("l", 0, m - 1);
  const int h = cmd.integer("r", 0, m - 1);
  if (l > h) cmd.fail("--l " + std::to_string(l) + " is after --r " + std::to_string(h));

  lowrank::QueryTrace trace;
  const Eigen::MatrixXf y = tree.query(l, h, x, strategy, lowrank::CostModel::forThisMachine(), &trace);
  std::vector<double> values;
  appendRowMajor(y, values);
  const auto d = static_cast<std::int64_t>(a.front().rows());
  const std::vector<std::int64_t> shape =
      tensor ? std::vector<std::int64_t>{d, d, y.cols()} : std::vector<std::int64_t>{y.rows(), y.cols()};
  io::writeNpy(cmd.text("out"), shape, values);

  const auto& p = trace.plan;
  if (cmd.has("json")) {
    std::printf(
        "{\"tree\": \"%s\", \"m\": %d, \"l\": %d, \"r\": %d, \"n\": %d, \"strategy\": \"%s\", "
        "\"router_choice\": \"%s\", \"nodes\": %s, \"predicted_seconds\": {",
        tensor ? "tensor" : "matrix", m, l, h, static_cast<int>(x.cols()), lowrank::strategyName(trace.used),
        lowrank::strategyName(p.chosen), rangesJson(p).c_str());
    for (int s = 0; s < lowrank::kStrategyCount; ++s)
      std::printf("%s\"%s\": %.3e", s ? ", " : "", lowrank::strategyName(static_cast<lowrank::Strategy>(s)),
                  p.predictedSeconds[static_cast<std::size_t>(s)]);
    std::printf("}, \"measured_seconds\": %.3e, \"out\": \"%s\"}\n", trace.measuredSeconds, cmd.text("out").c_str());
  } else {
    std::printf("%s tree, m = %d, [%d, %d], n = %d: %zu canonical nodes\n", tensor ? "tensor" : "matrix", m, l, h,
                static_cast<int>(x.cols()), p.nodes.size());
    for (int s = 0; s < lowrank::kStrategyCount; ++s)
      std::printf("  predicted %-6s %10.3f us%s\n", lowrank::strategyName(static_cast<lowrank::Strategy>(s)),
                  p.predictedSeconds[static_cast<std::size_t>(s)] * 1e6,
                  s == static_cast<int>(p.chosen) ? "  <- router" : "");
    std::printf("  used %s: measured %.3f us; wrote %s\n", lowrank::strategyName(trace.used),
                trace.measuredSeconds * 1e6, cmd.text("out").c_str());
  }
  return kExitOk;
}

}  // namespace rankflow::app
