// libFuzzer harness: points CSV files (io::readPointsCsv) (docs/RELIABILITY.md, "Fuzzing"; seeds in
// tests/fuzz/corpus/points_csv).
#include <cstddef>
#include <cstdint>

#include "core/io/point_csv.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = rankflow::fuzz::inputFile(data, size, "points.csv");
  rankflow::fuzz::parsedOrRefused([&] { rankflow::io::readPointsCsv(path); });
  return 0;
}
