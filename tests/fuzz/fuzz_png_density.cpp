// libFuzzer harness: PNG density images (flows::sampleDensityPng) (docs/RELIABILITY.md, "Fuzzing"; seeds in
// tests/fuzz/corpus/png_density).
#include <cstddef>
#include <cstdint>

#include "core/flows/datasets.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = rankflow::fuzz::inputFile(data, size, "density.png");
  rankflow::fuzz::parsedOrRefused([&] { rankflow::flows::sampleDensityPng(path, 64, 1); });
  return 0;
}
