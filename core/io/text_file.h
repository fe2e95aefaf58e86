#pragma once
// Whole small files a user names (JSON, CSV, sessions): read with a size limit checked while
// reading, so an endless input (/dev/zero, /dev/urandom, a FIFO) is refused at once instead of
// filling memory first (found by fuzzing, issue 16).
#include <cstddef>
#include <string>

namespace rankflow::io {

// Throws InvalidArgument "cannot open 'PATH'", "'PATH' is a directory" or "'PATH' is over N MiB
// (what: at most N MiB)". `what` names the kind of file ("a session file").
std::string readTextFile(const std::string& path, std::size_t maxBytes, const std::string& what);

}  // namespace rankflow::io
