// libFuzzer harness: .npy arrays (io::readNpy) (docs/RELIABILITY.md, "Fuzzing"; seeds in tests/fuzz/corpus/npy).
#include <cstddef>
#include <cstdint>

#include "core/io/npy.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = rankflow::fuzz::inputFile(data, size, "input.npy");
  rankflow::fuzz::parsedOrRefused([&] { rankflow::io::readNpy(path); });
  return 0;
}
