#include "core/io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <streambuf>
#include <system_error>

namespace rankflow::io {

void removeStaleTemporaries(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string prefix = target.filename().string() + ".tmp-";
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    // Our pattern only: PID-N, digits. A live process's temporary is its save in progress.
    const std::string rest = name.substr(prefix.size());
    const auto dash = rest.find('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 == rest.size() ||
        rest.find_first_not_of("0123456789-") != std::string::npos || rest.find('-', dash + 1) != std::string::npos)
      continue;
    const long pid = std::strtol(rest.substr(0, dash).c_str(), nullptr, 10);
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    fs::remove(it->path(), ignored);
  }
}

namespace {

std::string reasonText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

// A stream buffer over a POSIX file descriptor that keeps the first write error's errno, so a
// full disk is reported as "No space left on device", not a bare failure (an ofstream loses
// errno), and that can fsync before the rename.
class FileWriter : public std::streambuf {
 public:
  // Truncates rather than refuses an existing file: the name is unique within this process, so
  // one that exists was left by a dead writer that had the same process id.
  explicit FileWriter(const std::string& path)
      : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) {
    if (fd_ < 0) error_ = errno;
    setp(buffer_, buffer_ + sizeof buffer_);
  }
  ~FileWriter() override {
    if (fd_ >= 0) ::close(fd_);
  }
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  int error() const { return error_; }

  // Writes what is buffered, flushes it to the disk and closes; false (with error()) on failure.
  bool finish() {
    if (!drain() || fd_ < 0) return false;
    if (::fsync(fd_) != 0) error_ = errno;
    if (::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
    return error_ == 0;
  }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    if (error_ != 0) return false;
    const char* next = pbase();
    while (next < pptr()) {
      const ssize_t written = ::write(fd_, next, static_cast<std::size_t>(pptr() - next));
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) {
        error_ = written < 0 ? errno : EIO;
        return false;
      }
      next += written;
    }
    setp(buffer_, buffer_ + sizeof buffer_);
    return true;
  }

  int fd_ = -1;
  int error_ = 0;
  char buffer_[1 << 16]{};
};

}  // namespace

void writeFileAtomicWith(const std::string& path, const std::function<void(std::ostream&)>& write) {
  static std::atomic<unsigned> counter{0};  // threads of one process may write at once
  // A writer killed mid-save left its temporary; the next save to the path clears it.
  removeStaleTemporaries(path);
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  {
    FileWriter file(temporary);
    if (file.error() != 0) throw WriteError("cannot write '" + path + "': " + reasonText(file.error()));
    std::ostream out(&file);
    try {
      write(out);
    } catch (...) {
      std::remove(temporary.c_str());
      throw;
    }
    out.flush();
    if (!file.finish()) {
      const int error = file.error() != 0 ? file.error() : EIO;
      std::remove(temporary.c_str());
      throw WriteError("cannot write '" + path + "': " + reasonText(error));
    }
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    throw WriteError("cannot write '" + path + "': " + reasonText(error));
  }
}

void writeFileAtomic(const std::string& path, std::string_view bytes) {
  writeFileAtomicWith(path,
                      [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

}  // namespace rankflow::io
