#pragma once
// Shared by the Theory model's tests and the panel's: a scratch directory of preset files and
// a valid preset around a given demonstration.
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace rankflow::testing {

// A scratch directory that removes itself.
struct TempDirectory {
  std::filesystem::path path;
  TempDirectory() {
    std::random_device seed;
    path = std::filesystem::temp_directory_path() / ("rankflow-theory-" + std::to_string(seed()));
    std::filesystem::create_directories(path);
  }
  ~TempDirectory() { std::filesystem::remove_all(path); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
};

inline std::string validPreset(const std::string& demonstration = R"({"scene": "lemma1.3", "params": {"K": 4}})") {
  return R"({"reference": "Lemma 1.3", "title": "t", "statement": "s", "notice": "n", "demonstration": )" +
         demonstration + "}";
}

}  // namespace rankflow::testing
