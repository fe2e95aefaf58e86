#pragma once
#include <string>
#include <string_view>

namespace rankflow::io {

// Writes bytes to a temporary file beside `path` (unique per process and call), then
// renames it over `path`: an interrupted or failed write never leaves a truncated file
// where a good one was. Throws std::runtime_error with the reason.
void writeFileAtomic(const std::string& path, std::string_view bytes);

}  // namespace rankflow::io
