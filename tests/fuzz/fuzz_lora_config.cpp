// libFuzzer harness: PEFT adapter_config.json (learn::parseLoraConfig) (docs/RELIABILITY.md, "Fuzzing"; seeds in
// tests/fuzz/corpus/lora_config).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/learn/lora_profile.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(rankflow::fuzz::inputText(data, size));
  rankflow::fuzz::parsedOrRefused([&] { rankflow::learn::parseLoraConfig(text, "adapter_config.json"); });
  return 0;
}
