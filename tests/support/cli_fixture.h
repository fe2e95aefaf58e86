#pragma once
// Shared by the CLI test files: the executable under test, a fresh scratch directory per
// test, and the line count that checks "bad input is one line".
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/run_command.h"

namespace rankflow::testing {

inline const std::string& rankflowExe() {
  static const std::string exe = quoted(RANKFLOW_EXE);
  return exe;
}
inline const std::string& kExe = rankflowExe();

// A directory under the system's temporary one, made on first use and kept (one per test
// file; what a failing test wrote stays there to look at).
inline std::filesystem::path scratchDirectory(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::create_directories(dir);
  return dir;
}

// The panel figures' golden scene in `directory`: the default data with fewer particles, so
// every figure renders quickly.
inline std::string goldenSessionFile(const std::filesystem::path& directory) {
  const auto path = directory / "golden-session.json";
  std::ofstream(path) << R"({"version": 1, "scene": {"name": "default", "schedule": "linear", "solver": "rk4",)"
                      << R"( "particles": 2048}, "view": {"t": 0.5}})";
  return path.string();
}

inline int lineCount(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

// A directory named after the running test, emptied before and removed after it.
class ScratchDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rankflow_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

}  // namespace rankflow::testing
