#include "app/viewer/video_encoder.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <utility>

#include "app/viewer/units_text.h"
#include "core/common/error.h"
#include "core/io/atomic_file.h"

extern char** environ;

namespace rankflow::app {
namespace {

// Keeps what ffmpeg printed last (one line, printable characters only, at most 300).
class StderrTail {
 public:
  void append(const char* bytes, std::size_t count) {
    const std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < count; ++i) {
      const char c = bytes[i];
      if (c == '\n' || c == '\r') {
        if (!current_.empty()) last_ = std::exchange(current_, {});
      } else if (current_.size() < 300) {
        current_ += (static_cast<unsigned char>(c) < 32 || c == 127) ? '?' : c;
      }
    }
  }
  std::string last() const {
    const std::lock_guard lock(mutex_);
    return current_.empty() ? last_ : current_;
  }

 private:
  mutable std::mutex mutex_;
  std::string current_, last_;
};

}  // namespace

struct VideoEncoder::State {
  VideoSettings settings;
  std::string temporary;
  pid_t child = -1;
  int input = -1;   // our end of ffmpeg's stdin
  int errors = -1;  // our end of ffmpeg's stderr
  std::thread errorReader;
  StderrTail tail;

  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::vector<std::uint8_t>> queue;
  bool closing = false;
  bool broken = false;  // ffmpeg stopped reading
  std::atomic<int> written{0};
  std::thread writer;
  bool finished = false;

  void writeLoop() {
    // A write to a pipe whose reader is gone raises SIGPIPE: blocked on this thread (ours
    // alone), the write returns EPIPE instead and the signal dies with the thread.
    sigset_t pipeSignal;
    sigemptyset(&pipeSignal);
    sigaddset(&pipeSignal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipeSignal, nullptr);
    for (;;) {
      std::vector<std::uint8_t> frame;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return closing || !queue.empty(); });
        if (queue.empty()) break;
        frame = std::move(queue.front());
        queue.pop_front();
      }
      changed.notify_all();
      std::size_t done = 0;
      while (done < frame.size()) {
        const ssize_t n = ::write(input, frame.data() + done, frame.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          const std::lock_guard lock(mutex);
          broken = true;
          queue.clear();
          break;
        }
        done += static_cast<std::size_t>(n);
      }
      if (done < frame.size()) break;
      ++written;
    }
    ::close(input);  // ffmpeg sees the end of its input
    input = -1;
    changed.notify_all();
  }

  // Waits for ffmpeg; its exit status (-1 when it did not exit normally).
  int reap() {
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    child = -1;
    if (errorReader.joinable()) errorReader.join();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string failure(const std::string& what) const {
    const std::string last = tail.last();
    return what + (last.empty() ? "" : ": " + last);
  }

  void stop() {
    {
      const std::lock_guard lock(mutex);
      closing = true;
      queue.clear();
    }
    changed.notify_all();
    if (child > 0) ::kill(child, SIGKILL);  // a blocked write then fails with EPIPE
    if (writer.joinable()) writer.join();
    if (child > 0) reap();
    if (errors >= 0) ::close(errors);
    errors = -1;
    std::remove(temporary.c_str());
  }
};

std::string ffmpegProgram() {
  const char* named = std::getenv("RANKFLOW_FFMPEG");
  return named && *named ? named : "ffmpeg";
}

std::vector<std::string> ffmpegArguments(const VideoSettings& s, const std::string& output) {
  const std::string program = s.program.empty() ? ffmpegProgram() : s.program;
  return {program,
          "-hide_banner",
          "-loglevel",
          "error",
          "-y",
          "-f",
          "rawvideo",
          "-pix_fmt",
          "rgba",
          "-s",
          std::to_string(s.width) + "x" + std::to_string(s.height),
          "-r",
          shortNumber(s.fps),
          "-i",
          "pipe:0",
          "-an",
          "-c:v",
          "libx264",
          "-preset",
          s.preset,
          "-crf",
          std::to_string(s.crf),
          "-pix_fmt",
          "yuv420p",
          "-movflags",
          "+faststart",
          "-f",
          "mp4",
          output};
}

VideoEncoder::VideoEncoder(const VideoSettings& settings) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.settings = settings;
  if (settings.width < 2 || settings.height < 2 || settings.width % 2 || settings.height % 2)
    throw InvalidArgument("video size " + std::to_string(settings.width) + "x" + std::to_string(settings.height) +
                          ": H.264 needs an even width and height");
  if (!(settings.fps > 0.0) || settings.fps > 1000.0)
    throw InvalidArgument("video frame rate must lie in (0, 1000], got " + shortNumber(settings.fps));
  namespace fs = std::filesystem;
  const fs::path target(settings.path);
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (settings.path.empty() || !fs::is_directory(folder, ec))
    throw InvalidArgument("cannot write video '" + settings.path + "': no such folder");
  if (fs::is_directory(target, ec)) throw InvalidArgument("cannot write video '" + settings.path + "': a folder");
  // A recording killed mid-way left its temporary; the next one to the path clears it.
  io::removeStaleTemporaries(settings.path);
  static std::atomic<unsigned> counter{0};
  s.temporary = settings.path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);

  int in[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) throw VideoError(std::string("cannot make a pipe: ") + std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    throw VideoError(std::string("cannot make a pipe: ") + std::strerror(errno));
  }
  const std::vector<std::string> args = ffmpegArguments(settings, s.temporary);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  pid_t pid = -1;
  const int spawned = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(err[1]);
  if (spawned != 0) {
    ::close(in[1]);
    ::close(err[0]);
    if (spawned == ENOENT && settings.program.empty() && !std::getenv("RANKFLOW_FFMPEG"))
      throw VideoError(
          "ffmpeg not found in PATH: install Debian's ffmpeg (apt-get install ffmpeg) or name the program "
          "in RANKFLOW_FFMPEG");
    throw VideoError("cannot run '" + args[0] + "': " + std::strerror(spawned));
  }
  s.child = pid;
  s.input = in[1];
  s.errors = err[0];
  s.errorReader = std::thread([&s] {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(s.errors, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      s.tail.append(buffer, static_cast<std::size_t>(n));
    }
  });
  s.writer = std::thread([&s] { s.writeLoop(); });
}

VideoEncoder::~VideoEncoder() {
  if (!state_->finished) state_->stop();
}

void VideoEncoder::write(std::vector<std::uint8_t> rgba) {
  State& s = *state_;
  if (rgba.size() != static_cast<std::size_t>(s.settings.width) * static_cast<std::size_t>(s.settings.height) * 4)
    throw InvalidArgument("video frame of " + std::to_string(rgba.size()) + " bytes, expected " +
                          std::to_string(s.settings.width) + "x" + std::to_string(s.settings.height) + "x4");
  std::unique_lock lock(s.mutex);
  s.changed.wait(lock, [&] { return s.broken || s.queue.size() < 2; });
  if (s.broken) {
    lock.unlock();
    s.stop();
    s.finished = true;
    throw VideoError(s.failure("ffmpeg stopped reading frames"));
  }
  s.queue.push_back(std::move(rgba));
  lock.unlock();
  s.changed.notify_all();
}

void VideoEncoder::finish() {
  State& s = *state_;
  if (s.finished) throw VideoError("the video was already finished or abandoned");
  s.finished = true;
  {
    const std::lock_guard lock(s.mutex);
    s.closing = true;
  }
  s.changed.notify_all();
  s.writer.join();
  const int status = s.reap();
  ::close(s.errors);
  s.errors = -1;
  if (status != 0 || s.broken) {
    std::remove(s.temporary.c_str());
    throw VideoError(
        s.failure("ffmpeg failed (" + (status < 0 ? std::string("killed") : "exit " + std::to_string(status)) + ")"));
  }
  std::error_code ec;
  std::filesystem::rename(s.temporary, s.settings.path, ec);
  if (ec) {
    std::remove(s.temporary.c_str());
    throw VideoError("cannot write '" + s.settings.path + "': " + ec.message());
  }
}

void VideoEncoder::abandon() {
  if (state_->finished) return;
  state_->finished = true;
  state_->stop();
}

int VideoEncoder::framesWritten() const {
  return state_->written.load();
}

}  // namespace rankflow::app
