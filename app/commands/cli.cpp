#include <cstdio>
#include <exception>
#include <iostream>

#include "app/cli_error.h"
#include "app/commands/commands.h"
#include "core/common/error.h"

namespace rankflow::app {
namespace {

constexpr const char* kTopHelp = R"(usage: rankflow [COMMAND] [OPTIONS]

Rankflow — a lab for high-order flows and cascading low-rank fitting.

commands:
  gui       open the window on a scene (the default command)
  render    draw a scene offscreen to a PNG (no window system needed)
  info      Vulkan device, CUDA device or why there is none, backend, build options
  ranks     ranks of the derivatives of a matrix function (scene or JSON file)
  svals     singular values and numerical ranks of a batch of matrices (.npy), on CUDA or the CPU
  feasible  can a matrix function have this rank sequence? (verdict and construction)
  fit       cascading low-rank fit of a scene's derivative matrices
  sweep     every rank schedule: CSV and Pareto chart
  cascade   evaluate a cascading low-rank model on .npy files
  train     train the learned high-order flow (base + cascading adapters) to a .safetensors checkpoint
  sample    few-step sampling with a trained checkpoint
  compare   cascade vs independent LoRA vs separate networks, derivative spectra, few-step quality
  flow      exact fields u_0..u_3 and Lagrangian v, a, j; sample particles with any solver
  query     low-rank range query on a matrix or tensor segment tree (.npy in and out)
  bench     benchmarks: render, ui, advect, flow, train, segtree, cascade, rank, device
  vlfm      video latent flow: HiPPO-LegS fit of keyframes, frames at any rate (.npy + JSON)
  lora-ranks  rank profile of a PEFT LoRA adapter (.safetensors): numeric and energy ranks per module

'rankflow COMMAND --help' describes each command.
)";

}  // namespace

int runCli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string command = "gui";
  if (!args.empty() && args.front().rfind('-', 0) != 0) {
    command = args.front();
    args.erase(args.begin());
  } else if (!args.empty() && (args.front() == "--help" || args.front() == "-h")) {
    std::cout << kTopHelp;
    return kExitOk;
  }
  try {
    if (command == "gui") return runGuiCommand(args);
    if (command == "render") return runRenderCommand(args);
    if (command == "info") return runInfoCommand(args);
    if (command == "bench") return runBenchCommand(args);
    if (command == "query") return runQueryCommand(args);
    if (command == "feasible") return runFeasibleCommand(args);
    if (command == "ranks") return runRanksCommand(args);
    if (command == "svals") return runSvalsCommand(args);
    if (command == "fit") return runFitCommand(args);
    if (command == "sweep") return runSweepCommand(args);
    if (command == "cascade") return runCascadeCommand(args);
    if (command == "flow") return runFlowCommand(args);
    if (command == "train") return runTrainCommand(args);
    if (command == "sample") return runSampleCommand(args);
    if (command == "compare") return runCompareCommand(args);
    if (command == "vlfm") return runVlfmCommand(args);
    if (command == "lora-ranks") return runLoraRanksCommand(args);
    if (command == "help") {
      std::cout << kTopHelp;
      return kExitOk;
    }
    std::cerr
        << "rankflow: unknown command '" << command
        << "' (commands: gui, render, info, ranks, svals, feasible, fit, sweep, cascade, flow, query, bench, vlfm, "
           "lora-ranks, train, sample, compare; see 'rankflow --help')\n";
    return kExitUsage;
  } catch (const CliError& e) {
    std::cerr << "rankflow " << e.what() << "\n";
    return kExitUsage;
  } catch (const InvalidArgument& e) {
    std::cerr << "rankflow " << command << ": invalid input: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "rankflow " << command << ": error: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace rankflow::app
