// libFuzzer harness: window sessions (app::loadSession) (docs/RELIABILITY.md, "Fuzzing"; seeds in
// tests/fuzz/corpus/session).
#include <cstddef>
#include <cstdint>

#include "app/viewer/session.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = rankflow::fuzz::inputFile(data, size, "session.json");
  rankflow::fuzz::parsedOrRefused([&] { rankflow::app::loadSession(path); });
  return 0;
}
