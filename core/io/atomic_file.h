#pragma once
#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rankflow::io {

// A save that could not be completed: the disk is full, the file would exceed the size
// limit, the folder is missing or read-only. The message names the path and the system's
// reason in one line; the file that was there is unchanged. The CLI exits with 2.
class WriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes bytes to a temporary file beside `path` (unique per process and call), flushes it to
// the disk, then renames it over `path`: an interrupted (even SIGKILLed) or failed write never
// leaves a truncated file where a good one was (docs/RELIABILITY.md, "Faults"). Throws
// WriteError with the reason.
void writeFileAtomic(const std::string& path, std::string_view bytes);
// The same, the bytes written by `write` into the temporary file's stream (a large file need
// not be built in memory first). An exception from `write` removes the temporary and propagates.
void writeFileAtomicWith(const std::string& path, const std::function<void(std::ostream&)>& write);
// Removes `path`'s temporaries of the pattern above (PATH.tmp-PID-N) whose process is gone: a
// writer killed mid-save leaves one behind (issue 16). Every save calls it first.
void removeStaleTemporaries(const std::string& path);

}  // namespace rankflow::io
