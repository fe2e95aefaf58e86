#include <csignal>

#include "app/cli/commands.h"

int main(int argc, char** argv) {
  // A save past the file size limit (ulimit -f) then fails with EFBIG and is reported in one
  // line, the old file kept, instead of the signal ending the process (docs/RELIABILITY.md).
  std::signal(SIGXFSZ, SIG_IGN);
  return rankflow::app::runCli(argc, argv);
}
