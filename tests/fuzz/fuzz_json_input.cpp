// libFuzzer harness: user JSON (parseJsonInput: paths of bad values, capped quotes) (docs/RELIABILITY.md, "Fuzzing";
// seeds in tests/fuzz/corpus/json_input).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/common/json_input.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(rankflow::fuzz::inputText(data, size));
  rankflow::fuzz::parsedOrRefused([&] { rankflow::parseJsonInput(text, "input.json"); });
  return 0;
}
