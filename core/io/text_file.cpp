#include "core/io/text_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/common/error.h"

namespace rankflow::io {

std::string readTextFile(const std::string& path, std::size_t maxBytes, const std::string& what) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) throw InvalidArgument("'" + path + "' is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("cannot open '" + path + "'");
  // In chunks, up to the limit and one byte more: reading stops there whatever the file claims
  // to hold, and at the first NUL byte (no text file holds one; /dev/zero and /dev/urandom do).
  std::string text;
  constexpr std::size_t kChunk = 64 * 1024;
  while (text.size() <= maxBytes) {
    const std::size_t at = text.size();
    text.resize(at + std::min(kChunk, maxBytes + 1 - at));
    in.read(text.data() + at, static_cast<std::streamsize>(text.size() - at));
    if (in.bad()) throw InvalidArgument("cannot read '" + path + "'");
    text.resize(at + static_cast<std::size_t>(in.gcount()));
    if (text.find('\0', at) != std::string::npos)
      throw InvalidArgument("'" + path + "' is not a text file (it holds a NUL byte; " + what + " is text)");
    if (!in) break;  // the end of the file
  }
  if (text.size() > maxBytes) {
    const std::size_t mib = maxBytes >> 20;
    const std::string limit = mib > 0 ? std::to_string(mib) + " MiB" : std::to_string(maxBytes) + " bytes";
    throw InvalidArgument("'" + path + "' is over " + limit + " (" + what + " is at most " + limit + ")");
  }
  return text;
}

}  // namespace rankflow::io
