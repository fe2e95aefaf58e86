#pragma once
// NumPy .npy arrays (format versions 1.0, 2.0 and 3.0): float32 or float64, little-endian,
// C order. Everything read is validated (magic, header, dtype, shape, length) and a bad
// file is an InvalidArgument with the reason; writes are atomic (temporary + rename).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace rankflow::io {

struct NpyArray {
  std::vector<std::int64_t> shape;
  std::vector<double> values;  // C order, widened to double whatever the file held
  bool wasFloat32 = false;

  std::int64_t size() const;
};

NpyArray readNpy(const std::string& path);

// [SECTION] Large arrays, read straight into the caller's buffer

// Integer and boolean types are read too (labels), converted on reading.
enum class NpyDtype { Float32, Float64, Int8, UInt8, Bool, Int16, UInt16, Int32, UInt32, Int64, UInt64, Unsupported };

struct NpyHeader {
  std::vector<std::int64_t> shape;
  std::string descr;  // as the file spells it ('<f4')
  NpyDtype type = NpyDtype::Float32;
  std::size_t itemSize = 4;
  std::size_t dataOffset = 0;  // bytes from the start of the file
  std::int64_t count = 0;      // elements
};

// The header of `bytes` (the file's start, at least its header) for a file of `fileSize`
// bytes: the same validation as parseNpy, including that the data fills the file exactly.
NpyHeader parseNpyHeader(const std::string& bytes, std::uint64_t fileSize, const std::string& nameForErrors);
// Reads only the header, so a caller can check sizes and memory before allocating.
NpyHeader readNpyHeader(const std::string& path);
// The data of `path` (whose header is `header`), converted to T, into `out` (header.count values).
template <typename T>
void readNpyData(const std::string& path, const NpyHeader& header, std::span<T> out);
NpyArray parseNpy(const std::string& bytes, const std::string& nameForErrors);

enum class NpyType { Float32, Float64 };
void writeNpy(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<double>& values,
              NpyType type = NpyType::Float32);
std::string serializeNpy(const std::vector<std::int64_t>& shape, const std::vector<double>& values, NpyType type);
// Large arrays straight from the caller's buffer (streamed to the temporary file, then renamed):
// float32 values, or raw bytes as uint8 ('|u1', an image's (H, W, 4) pixels).
void writeNpyFloat32(const std::string& path, const std::vector<std::int64_t>& shape, std::span<const float> values);
void writeNpyBytes(const std::string& path, const std::vector<std::int64_t>& shape,
                   std::span<const std::uint8_t> bytes);

}  // namespace rankflow::io
