// libFuzzer harness: LoRA adapters (learn::profileLoraFile: the tensors, their pairing and their spectra)
// (docs/RELIABILITY.md, "Fuzzing"; seeds in tests/fuzz/corpus/lora_adapter).
#include <cstddef>
#include <cstdint>

#include "core/learn/lora_profile.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = rankflow::fuzz::inputFile(data, size, "adapter_model.safetensors");
  rankflow::fuzz::parsedOrRefused([&] { rankflow::learn::profileLoraFile(path); });
  return 0;
}
