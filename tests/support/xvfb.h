#pragma once
// Runs the real window in a fresh Xvfb display (the GuiUnderXvfb tests).
#include <cstdlib>
#include <string>

#include "tests/support/run_command.h"

namespace rankflow::testing {

// Runs `rankflowArgs` (the executable and its arguments, quoted) in a fresh Xvfb display and
// returns rankflow's own exit code: xvfb-run's may be 5 when its cleanup of the temporary
// auth directory races with the server's exit, which says nothing about the program.
inline CommandResult runUnderXvfb(const std::string& rankflowArgs) {
  // The outer shell keeps the single-quoted paths in rankflowArgs for the inner one.
  auto result =
      runCommand("xvfb-run -a -s '-screen 0 1600x900x24' sh -c \"" + rankflowArgs + "; echo [rankflow exit \\$?]\"");
  const auto at = result.output.rfind("[rankflow exit ");
  if (at != std::string::npos) result.exitCode = std::atoi(result.output.c_str() + at + 15);
  return result;
}

}  // namespace rankflow::testing
