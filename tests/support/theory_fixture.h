#pragma once
// Shared by the Theory model's tests and the panel's: a scratch directory of preset files, a
// valid preset around a given demonstration, and readers of a demonstration's result.
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include "app/models/theory_scenes.h"

namespace rankflow::testing {

inline const app::RankSeries& seriesNamed(const app::TheoryDemoResult& r, const std::string& name) {
  for (const auto& chart : r.rankCharts)
    for (const auto& s : chart.series)
      if (s.name == name) return s;
  throw std::runtime_error("no series " + name);
}

inline std::string failedChecks(const app::TheoryDemoResult& r) {
  std::string out = r.error;
  for (const auto& c : r.checks)
    if (!c.holds) out += "\n  fails: " + c.claim;
  for (const auto& line : r.lines) out += "\n  " + line;
  return out;
}

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
