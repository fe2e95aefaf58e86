// libFuzzer harness: .safetensors files (io::readSafeTensors) (docs/RELIABILITY.md, "Fuzzing"; seeds in
// tests/fuzz/corpus/safetensors).
#include <cstddef>
#include <cstdint>

#include "core/io/safetensors.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = rankflow::fuzz::inputFile(data, size, "input.safetensors");
  rankflow::fuzz::parsedOrRefused([&] { rankflow::io::readSafeTensors(path); });
  return 0;
}
