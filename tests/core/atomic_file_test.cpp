// Saves are atomic, and a save killed mid-write leaves a temporary that the next save to the
// same path clears (found by killing writers, issue 16), never another process's.
#include "core/io/atomic_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace rankflow {
namespace {

TEST(AtomicFile, TheNextSaveClearsStaleTemporariesOfOurPatternOnly) {
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_atomic_file";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto target = dir / "session.json";
  // A process that is gone (a PID above any pid_max), a live one (our parent), not our pattern.
  const auto stale = dir / "session.json.tmp-999999999-3";
  const auto live = dir / ("session.json.tmp-" + std::to_string(::getppid()) + "-0");
  const auto foreign = dir / "session.json.tmp-backup";
  const auto other = dir / "other.json.tmp-999999999-1";
  for (const auto& p : {stale, live, foreign, other}) std::ofstream(p) << "half";
  io::writeFileAtomic(target.string(), "{}");
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(std::filesystem::exists(live));
  EXPECT_TRUE(std::filesystem::exists(foreign));
  EXPECT_TRUE(std::filesystem::exists(other));  // another file's temporaries wait for its own save
  std::ifstream in(target);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "{}");
  std::size_t left = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++left;
  EXPECT_EQ(left, 4u);  // target, live, foreign, other
}

}  // namespace
}  // namespace rankflow
