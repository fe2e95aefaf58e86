// Faults while saving (docs/RELIABILITY.md, "Faults"): a writer killed with SIGKILL at a
// random point while it overwrites a checkpoint, a session or an export never leaves the file
// truncated or unreadable, and a full disk (RLIMIT_FSIZE) is a clear error that keeps the old
// file. The writers are forked children running the same save functions as the application.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "app/viewer/session.h"
#include "app/viewer/view_export.h"
#include "core/io/atomic_file.h"
#include "core/learn/checkpoint.h"
#include "tests/support/cli_fixture.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int temporariesOf(const std::string& path) {
  const std::filesystem::path target(path);
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(target.parent_path()))
    if (entry.path().filename().string().rfind(target.filename().string() + ".tmp-", 0) == 0) ++count;
  return count;
}

// One kind of file: two versions to alternate between, and how the application loads it.
struct SavedKind {
  std::function<void(const std::string&)> saveA, saveB;
  std::function<void(const std::string&)> load;  // throws on a bad file
};

class SaveFaults : public testing::ScratchDirectoryTest {
 protected:
  // `rounds` times: a child overwrites `path` with A and B in a loop and is SIGKILLed after a
  // random delay; the file must then hold exactly A or B, and load.
  void killWhileSaving(const SavedKind& kind, const std::string& name, int rounds) {
    const std::uint64_t seed = testing::freshSeed();
    SCOPED_TRACE(name + ", seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    kind.saveA(path(name + ".a"));
    kind.saveB(path(name + ".b"));
    const std::string a = readBytes(path(name + ".a")), b = readBytes(path(name + ".b"));
    ASSERT_NE(a, b);
    const std::string target = path(name);
    kind.saveA(target);
    // Delays spread over a few save cycles, so kills land at every stage of a save.
    const auto started = std::chrono::steady_clock::now();
    kind.saveA(path(name + ".timing"));
    const auto cycle =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    std::uniform_int_distribution<long> delay(50, std::max<long>(2000, 4 * cycle.count()));
    int killedMidSave = 0;
    for (int round = 0; round < rounds; ++round) {
      const pid_t child = ::fork();
      ASSERT_GE(child, 0);
      if (child == 0) {
        try {
          for (;;) {
            kind.saveB(target);
            kind.saveA(target);
          }
        } catch (...) {
          ::_exit(3);
        }
      }
      std::this_thread::sleep_for(std::chrono::microseconds(delay(rng)));
      ::kill(child, SIGKILL);
      int status = 0;
      ASSERT_EQ(::waitpid(child, &status, 0), child);
      ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself, status " << status;
      const std::string now = readBytes(target);
      ASSERT_TRUE(now == a || now == b) << "round " << round << ": the file is neither version (" << now.size()
                                        << " bytes; the versions have " << a.size() << " and " << b.size() << ")";
      ASSERT_NO_THROW(kind.load(target)) << "round " << round;
      killedMidSave += temporariesOf(target);
    }
    // Most kills should land inside a save (a temporary left behind), else the test tests nothing.
    EXPECT_GE(killedMidSave, rounds / 5);
    // The next save clears what the killed writers left.
    kind.saveA(target);
    EXPECT_EQ(temporariesOf(target), 0);
    EXPECT_EQ(readBytes(target), a);
  }

  // A child limited to `limitBytes` per file (SIGXFSZ ignored, as the CLI does) overwrites
  // `path` with B: the save must throw io::WriteError naming the reason, the file keep A.
  void fullDisk(const SavedKind& kind, const std::string& name, rlim_t limitBytes) {
    const std::string target = path(name);
    kind.saveA(target);
    const std::string before = readBytes(target);
    int pipeEnds[2];
    ASSERT_EQ(::pipe(pipeEnds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(pipeEnds[0]);
      ::signal(SIGXFSZ, SIG_IGN);
      const rlimit limit{limitBytes, limitBytes};
      ::setrlimit(RLIMIT_FSIZE, &limit);
      std::string message = "no error";
      int code = 1;
      try {
        kind.saveB(target);
      } catch (const io::WriteError& e) {
        message = e.what();
        code = 0;
      } catch (const std::exception& e) {
        message = std::string("not a WriteError: ") + e.what();
      }
      [[maybe_unused]] const auto written = ::write(pipeEnds[1], message.data(), message.size());
      ::_exit(code);
    }
    ::close(pipeEnds[1]);
    std::string message;
    char buffer[512];
    for (ssize_t n; (n = ::read(pipeEnds[0], buffer, sizeof buffer)) > 0;)
      message.append(buffer, static_cast<std::size_t>(n));
    ::close(pipeEnds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << "the writer was ended by a signal: " << status;
    EXPECT_EQ(WEXITSTATUS(status), 0) << message;
    EXPECT_NE(message.find("File too large"), std::string::npos) << message;
    EXPECT_NE(message.find(target), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(readBytes(target), before);
    EXPECT_EQ(temporariesOf(target), 0);
    EXPECT_NO_THROW(kind.load(target));
  }
};

learn::FlowNetwork network(std::uint64_t seed) {
  learn::ModelConfig config;
  config.hiddenLayers = 3;
  config.width = 256;  // about 1 MB: a kill often lands inside the write
  config.seed = seed;
  return learn::FlowNetwork(config);
}

SavedKind checkpoints() {
  auto a = std::make_shared<learn::FlowNetwork>(network(1));
  auto b = std::make_shared<learn::FlowNetwork>(network(2));
  return {[a](const std::string& p) { learn::saveCheckpoint(p, *a); },
          [b](const std::string& p) { learn::saveCheckpoint(p, *b); },
          [](const std::string& p) { learn::loadCheckpoint(p); }};
}

SavedKind sessions() {
  // A drawn scene of 8192 points makes a session of a few hundred kilobytes.
  const auto session = [](std::uint64_t seed) {
    app::Session s;
    s.scene.name = app::kCustomSceneName;
    s.scene.points = testing::randomPoints(8192, 1.5f, seed);
    s.view.t = 0.25f * static_cast<float>(seed);
    return s;
  };
  auto a = std::make_shared<app::Session>(session(1));
  auto b = std::make_shared<app::Session>(session(2));
  return {[a](const std::string& p) { app::saveSession(p, *a); },
          [b](const std::string& p) { app::saveSession(p, *b); }, [](const std::string& p) { app::loadSession(p); }};
}

SavedKind exports() {
  // What the Export button writes goes through writeExportFile: two particle tables of ~2 MB.
  const auto table = [](std::uint64_t seed) {
    std::ostringstream out;
    out << "id,x,y\n";
    for (const auto& p : testing::randomPoints(60000, 1.0f, seed)) out << p.x << "," << p.y << "\n";
    return out.str();
  };
  auto a = std::make_shared<std::string>(table(1));
  auto b = std::make_shared<std::string>(table(2));
  return {[a](const std::string& p) { app::writeExportFile(p, *a); },
          [b](const std::string& p) { app::writeExportFile(p, *b); },
          [a, b](const std::string& p) {
            const std::string bytes = readBytes(p);
            if (bytes != *a && bytes != *b) throw std::runtime_error("a torn export");
          }};
}

TEST_F(SaveFaults, ACheckpointKilledWhileSavingIsAlwaysIntact) {
  killWhileSaving(checkpoints(), "model.safetensors", 50);
}

TEST_F(SaveFaults, ASessionKilledWhileSavingIsAlwaysIntact) {
  killWhileSaving(sessions(), "session.json", 50);
}

TEST_F(SaveFaults, AnExportKilledWhileSavingIsAlwaysIntact) {
  killWhileSaving(exports(), "particles.csv", 50);
}

TEST_F(SaveFaults, AFullDiskIsAClearErrorAndKeepsTheOldFile) {
  fullDisk(checkpoints(), "model.safetensors", 64 * 1024);
  fullDisk(sessions(), "session.json", 16 * 1024);
  fullDisk(exports(), "particles.csv", 64 * 1024);
}

TEST_F(SaveFaults, AMissingFolderIsAClearError) {
  try {
    io::writeFileAtomic(path("no/such/folder/file.txt"), "x");
    FAIL() << "no error";
  } catch (const io::WriteError& e) {
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rankflow
