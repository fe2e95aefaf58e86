#pragma once
// Support shared by the libFuzzer harnesses (docs/RELIABILITY.md, "Fuzzing"). Rankflow's
// parsers read paths, as the CLI and the window hand them files, so each input is written to
// a file (or a directory of files) in a private temporary directory and read back from there.
//
// The contract every harness checks: a parser either accepts its input or refuses it with
// rankflow::InvalidArgument whose message is one line. Any other exception, a crash, a leak
// or undefined behaviour is a finding: the harness aborts and libFuzzer saves the input.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/common/error.h"

namespace rankflow::fuzz {

// A directory of this process's own, made on first use and emptied for every input.
inline const std::filesystem::path& scratchDirectory() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path p = std::filesystem::temp_directory_path() / ("rankflow-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(p);
    return p;
  }();
  return dir;
}

inline std::string writeFile(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "fuzz harness: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path.string();
}

// The input as one file named `name` in the scratch directory.
inline std::string inputFile(const std::uint8_t* data, std::size_t size, const std::string& name) {
  return writeFile(scratchDirectory() / name, std::string_view(reinterpret_cast<const char*>(data), size));
}

inline std::string_view inputText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Runs one parse. A refusal is InvalidArgument with a one-line message; anything else aborts
// with what was thrown, so libFuzzer keeps the input as a crash.
template <class Parse>
void parsedOrRefused(Parse&& parse) {
  try {
    parse();
  } catch (const InvalidArgument& refusal) {
    const std::string_view message = refusal.what();
    if (message.empty() || message.find('\n') != std::string_view::npos ||
        message.find('\r') != std::string_view::npos) {
      std::fprintf(stderr, "fuzz harness: a refusal that is not one line: [%s]\n", refusal.what());
      std::abort();
    }
  } catch (const std::exception& other) {
    std::fprintf(stderr, "fuzz harness: not a refusal (InvalidArgument) but: %s\n", other.what());
    std::abort();
  }
}

}  // namespace rankflow::fuzz
