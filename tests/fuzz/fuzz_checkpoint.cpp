// libFuzzer harness: trained flow checkpoints (learn::loadCheckpoint) (docs/RELIABILITY.md, "Fuzzing"; seeds in
// tests/fuzz/corpus/checkpoint).
#include <cstddef>
#include <cstdint>

#include "core/learn/checkpoint.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = rankflow::fuzz::inputFile(data, size, "model.safetensors");
  rankflow::fuzz::parsedOrRefused([&] { rankflow::learn::loadCheckpoint(path); });
  return 0;
}
