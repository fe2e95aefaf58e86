// libFuzzer harness: GUI scripts (app::GuiScript::parse: verbs, names, values, waits) (docs/RELIABILITY.md, "Fuzzing";
// seeds in tests/fuzz/corpus/gui_script).
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/shell/gui_script.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(rankflow::fuzz::inputText(data, size));
  rankflow::fuzz::parsedOrRefused([&] { rankflow::app::GuiScript::parse(text, "script.txt"); });
  return 0;
}
