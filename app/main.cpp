#include "app/cli/commands.h"

int main(int argc, char** argv) {
  return rankflow::app::runCli(argc, argv);
}
