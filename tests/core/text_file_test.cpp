// Files a user names are read with their limits checked while reading: an endless input is
// refused at once, not after filling memory (found by fuzzing, issue 16).
#include "core/io/text_file.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>

#include "core/common/error.h"
#include "core/io/npy.h"
#include "core/io/point_csv.h"
#include "core/matfun/json_format.h"

namespace rankflow {
namespace {

std::string refusal(const std::function<void()>& read) {
  try {
    read();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted";
  return {};
}

TEST(TextFile, ReadsSmallFilesAndRefusesLargeOnes) {
  const auto path = (std::filesystem::temp_directory_path() / "rankflow_text_file.txt").string();
  std::ofstream(path) << std::string(1000, 'a');
  EXPECT_EQ(io::readTextFile(path, 1000, "a test file").size(), 1000u);
  EXPECT_EQ(refusal([&] { io::readTextFile(path, 999, "a test file"); }),
            "'" + path + "' is over 999 bytes (a test file is at most 999 bytes)");
  EXPECT_NE(refusal([&] { io::readTextFile("/nonexistent/x", 10, "x"); }).find("cannot open"), std::string::npos);
  const auto dir = std::filesystem::temp_directory_path().string();
  EXPECT_NE(refusal([&] { io::readTextFile(dir, 10, "x"); }).find("is a directory"), std::string::npos);
}

TEST(TextFile, EndlessInputsAreRefusedAtOnce) {
  const auto begin = std::chrono::steady_clock::now();
  for (const char* device : {"/dev/zero", "/dev/urandom"}) {
    EXPECT_NE(refusal([&] { io::readTextFile(device, std::size_t(512) << 20, "a points file"); }).find("NUL byte"),
              std::string::npos);
    EXPECT_NE(refusal([&] { io::readPointsCsv(device); }).find("not a text file"), std::string::npos);
    EXPECT_NE(refusal([&] { matfun::readMatrixFunctionJson(device); }).find("not a text file"), std::string::npos);
    EXPECT_NE(refusal([&] { io::readNpy(device); }).find("not a regular file"), std::string::npos);
  }
  // Each stopped within its first chunk: far under a second, with no gigabyte allocated.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count(), 1.0);
}

}  // namespace
}  // namespace rankflow
