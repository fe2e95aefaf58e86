// libFuzzer harness: Theory scene presets (app::parseTheoryPreset) (docs/RELIABILITY.md, "Fuzzing"; seeds in
// tests/fuzz/corpus/theory_preset).
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/models/theory_scenes.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(rankflow::fuzz::inputText(data, size));
  rankflow::fuzz::parsedOrRefused([&] { rankflow::app::parseTheoryPreset(text, "preset.json"); });
  return 0;
}
