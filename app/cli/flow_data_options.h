#pragma once
// The data behind a flow, as the CLI (and later the GUI's session files) name it: a
// built-in data set, or a file of points (.csv, .npy) or a density image (.png).
#include <string>
#include <vector>

#include "app/cli/command_line.h"
#include "core/flows/flow_fields.h"

namespace rankflow::app {

struct LoadedFlowData {
  flows::FlowData data;
  std::vector<int> labels;  // per data point, for colouring; 0 when unknown
  int labelCount = 1;
  std::string description;  // "8gaussians · 512 points · seed 1"
};

// Points from an (N, 2) .npy array; InvalidArgument naming the file otherwise (also for
// N = 0 unless allowEmpty: a data set needs points, a query list may be empty).
std::vector<Vec2f> readPointsNpy(const std::string& path, bool allowEmpty = false);

// The options loadFlowData reads, for a command's option list.
std::vector<OptionSpec> flowDataOptions();

// --data NAME | --data-file FILE (.csv, .npy of shape (N, 2), .png density), --count,
// --seed, --mixture (8gaussians' exact mixture instead of samples). Bad input fails the
// command with one line.
LoadedFlowData loadFlowData(const CommandLine& cmd);

}  // namespace rankflow::app
