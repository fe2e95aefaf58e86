// The command table: one list gives the top-level help, the dispatch and the list printed
// for an unknown command, so a command added here is found by all three.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "app/cli/command_table.h"
#include "app/cli/commands.h"
#include "app/viewer/cli_error.h"
#include "core/common/error.h"
#include "core/io/atomic_file.h"

namespace rankflow::app {
namespace {

int runHelp(const std::vector<std::string>& args);

constexpr Command kCommands[] = {
    {"gui", "open the window on a scene (the default command)", runGuiCommand},
    {"render", "draw a scene offscreen to a PNG (no window system needed)", runRenderCommand},
    {"info", "Vulkan device, CUDA device or why there is none, backend, build options", runInfoCommand},
    {"ranks", "ranks of the derivatives of a matrix function (scene or JSON file)", runRanksCommand},
    {"svals", "singular values and numerical ranks of a batch of matrices (.npy), on CUDA or the CPU", runSvalsCommand},
    {"feasible", "can a matrix function have this rank sequence? (verdict and construction)", runFeasibleCommand},
    {"fit", "cascading low-rank fit of a scene's derivative matrices", runFitCommand},
    {"sweep", "every rank schedule: CSV and Pareto chart", runSweepCommand},
    {"cascade", "evaluate a cascading low-rank model on .npy files", runCascadeCommand},
    {"train", "train the learned high-order flow (base + cascading adapters) to a .safetensors checkpoint",
     runTrainCommand},
    {"sample", "few-step sampling with a trained checkpoint", runSampleCommand},
    {"compare", "cascade vs independent LoRA vs separate networks, derivative spectra, few-step quality",
     runCompareCommand},
    {"flow", "exact fields u_0..u_3 and Lagrangian v, a, j; sample particles with any solver", runFlowCommand},
    {"query", "low-rank range query on a matrix or tensor segment tree (.npy in and out)", runQueryCommand},
    {"bench", "benchmarks: render, ui, advect, flow, train, segtree, cascade, rank, device, lora, checkpoints",
     runBenchCommand},
    {"vlfm", "video latent flow: HiPPO-LegS fit of keyframes, frames at any rate (.npy + JSON)", runVlfmCommand},
    {"lora-ranks", "rank profile of a LoRA adapter (.safetensors, PEFT or kohya): numeric and energy ranks per module",
     runLoraRanksCommand},
    {"lora-resize", "resize a LoRA adapter to a rank, an energy or a schedule (best approximation per module)",
     runLoraResizeCommand},
    {"cascade-fit", "cascading low-rank fit of a family of checkpoints (base and fine-tunes) vs independent LoRA",
     runCascadeFitCommand},
    {"trajectories", "a model's trajectories (.npy): PCA plane, |v| |a| |j| and straightness in all D",
     runTrajectoriesCommand},
    {"help", nullptr, runHelp},  // not listed: the same as --help
};

std::string topHelp() {
  std::string text =
      "usage: rankflow [COMMAND] [OPTIONS]\n\n"
      "Rankflow \xE2\x80\x94 a lab for high-order flows and cascading low-rank fitting.\n\n"
      "commands:\n";
  text += commandHelpLines(kCommands, 12);
  text += "\n'rankflow COMMAND --help' describes each command.\n";
  return text;
}

int runHelp(const std::vector<std::string>&) {
  std::cout << topHelp();
  return kExitOk;
}

}  // namespace

int runCli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string command = "gui";
  if (!args.empty() && args.front().rfind('-', 0) != 0) {
    command = args.front();
    args.erase(args.begin());
  } else if (!args.empty() && (args.front() == "--help" || args.front() == "-h")) {
    return runHelp(args);
  }
  try {
    if (const Command* c = findCommand(kCommands, command)) return c->run(args);
    std::cerr << "rankflow: unknown command '" << command << "' (commands: " << commandNames(kCommands, ", ")
              << "; see 'rankflow --help')\n";
    return kExitUsage;
  } catch (const CliError& e) {
    std::cerr << "rankflow " << e.what() << "\n";
    return kExitUsage;
  } catch (const InvalidArgument& e) {
    std::cerr << "rankflow " << command << ": invalid input: " << e.what() << "\n";
    return kExitUsage;
  } catch (const io::WriteError& e) {
    // A full disk or a read-only folder: the user can fix it, and the old file is intact.
    std::cerr << "rankflow " << command << ": " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "rankflow " << command << ": error: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace rankflow::app
