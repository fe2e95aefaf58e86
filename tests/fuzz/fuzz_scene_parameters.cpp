// libFuzzer harness: scene parameters and rank lists on the command line (theory::parseSceneParameters, parseRankList)
// (docs/RELIABILITY.md, "Fuzzing"; seeds in tests/fuzz/corpus/scene_parameters).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/theory/matrix_scenes.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(rankflow::fuzz::inputText(data, size));
  rankflow::fuzz::parsedOrRefused([&] { rankflow::theory::parseSceneParameters(text); });
  rankflow::fuzz::parsedOrRefused([&] { rankflow::theory::parseRankList(text); });
  return 0;
}
