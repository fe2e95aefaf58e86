// libFuzzer harness: trajectory files of any model (flows::loadTrajectories) (docs/RELIABILITY.md, "Fuzzing"; seeds in
// tests/fuzz/corpus/trajectories).
#include <cstddef>
#include <cstdint>

#include "core/flows/trajectory_import.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rankflow::flows::TrajectoryFiles files;
  files.positions = rankflow::fuzz::inputFile(data, size, "positions.npy");
  // A small memory limit: a header that claims a huge array must be refused, not allocated.
  rankflow::fuzz::parsedOrRefused([&] { rankflow::flows::loadTrajectories(files, {}, 64ull << 20); });
  return 0;
}
