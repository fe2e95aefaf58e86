#pragma once
// A file mapped read-only into memory (POSIX mmap): large arrays are read in place, without
// a buffer of their size being zero-filled and copied into first.
#include <cstddef>
#include <cstdint>
#include <string>

namespace rankflow::io {

class MappedFile {
 public:
  // Throws InvalidArgument naming the path when it cannot be opened or mapped.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace rankflow::io
