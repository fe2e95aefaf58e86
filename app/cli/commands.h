#pragma once
#include <string>
#include <vector>

namespace rankflow::app {

// Each subcommand takes the arguments after its name and returns the exit code.
int runGuiCommand(const std::vector<std::string>& args);
int runRenderCommand(const std::vector<std::string>& args);
int runInfoCommand(const std::vector<std::string>& args);
int runBenchCommand(const std::vector<std::string>& args);
int runBenchFlow(const std::vector<std::string>& args);  // `bench flow`
int runQueryCommand(const std::vector<std::string>& args);
int runFeasibleCommand(const std::vector<std::string>& args);
int runRanksCommand(const std::vector<std::string>& args);
int runFitCommand(const std::vector<std::string>& args);
int runSweepCommand(const std::vector<std::string>& args);
int runCascadeCommand(const std::vector<std::string>& args);
int runFlowCommand(const std::vector<std::string>& args);
int runTrainCommand(const std::vector<std::string>& args);
int runSampleCommand(const std::vector<std::string>& args);
int runCompareCommand(const std::vector<std::string>& args);
int runBenchTrain(const std::vector<std::string>& args);   // `bench train`
int runBenchUi(const std::vector<std::string>& args);      // `bench ui`
int runBenchDevice(const std::vector<std::string>& args);  // `bench device`
int runBenchLora(const std::vector<std::string>& args);    // `bench lora`
int runBenchCheckpoints(const std::vector<std::string>& args);  // `bench checkpoints`
int runVlfmCommand(const std::vector<std::string>& args);
int runLoraRanksCommand(const std::vector<std::string>& args);
int runLoraResizeCommand(const std::vector<std::string>& args);
int runCascadeFitCommand(const std::vector<std::string>& args);
int runSvalsCommand(const std::vector<std::string>& args);
int runTrajectoriesCommand(const std::vector<std::string>& args);

// The top-level entry: dispatches, and turns exceptions into one-line messages and exit
// codes (2 for usage and bad input, 1 for runtime failures).
int runCli(int argc, char** argv);

}  // namespace rankflow::app
