#pragma once
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace rankflow::io {

// Writes bytes to a temporary file beside `path` (unique per process and call), then
// renames it over `path`: an interrupted or failed write never leaves a truncated file
// where a good one was. Throws std::runtime_error with the reason.
void writeFileAtomic(const std::string& path, std::string_view bytes);
// The same, the bytes written by `write` into the temporary file's stream (a large file need
// not be built in memory first). An exception from `write` removes the temporary and propagates.
void writeFileAtomicWith(const std::string& path, const std::function<void(std::ostream&)>& write);
// Removes `path`'s temporaries of the pattern above (PATH.tmp-PID-N) whose process is gone: a
// writer killed mid-save leaves one behind (issue 16). Every save calls it first.
void removeStaleTemporaries(const std::string& path);

}  // namespace rankflow::io
