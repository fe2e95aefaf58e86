// libFuzzer harness: keyframe directories (vlfm::readKeyframeDirectory). The input is split
// at every "\n--\n" into the files 000.csv, 001.csv, … of one directory (docs/RELIABILITY.md,
// "Fuzzing"; seeds in tests/fuzz/corpus/keyframes).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/vlfm/shapes.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path dir = rankflow::fuzz::scratchDirectory() / "keyframes";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string_view rest = rankflow::fuzz::inputText(data, size);
  constexpr std::string_view separator = "\n--\n";
  for (int file = 0; file < 64; ++file) {
    const std::size_t cut = rest.find(separator);
    char name[16];
    std::snprintf(name, sizeof name, "%03d.csv", file);
    rankflow::fuzz::writeFile(dir / name, rest.substr(0, cut));
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + separator.size());
  }
  rankflow::fuzz::parsedOrRefused([&] { rankflow::vlfm::readKeyframeDirectory(dir.string()); });
  return 0;
}
