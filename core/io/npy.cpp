#include "core/io/npy.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "core/common/error.h"
#include "core/common/text.h"
#include "core/io/atomic_file.h"

namespace rankflow::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLength = 6;
// Arrays beyond this many elements are refused before any allocation (2^31 doubles is 16 GiB).
constexpr std::int64_t kMaxElements = std::int64_t(1) << 31;

// A corrupt header's bytes are quoted escaped: the message stays one line.
[[noreturn]] void bad(const std::string& name, const std::string& why) {
  throw InvalidArgument(printableText(name + ": not a readable .npy array: " + why));
}

// The value of `key` in the header's Python dict literal, as raw text.
std::string headerField(const std::string& header, const std::string& key, const std::string& name) {
  const std::string quoted = "'" + key + "'";
  const auto at = header.find(quoted);
  if (at == std::string::npos) bad(name, "header has no " + quoted);
  auto pos = header.find(':', at + quoted.size());
  if (pos == std::string::npos) bad(name, "header field " + quoted + " has no value");
  ++pos;
  while (pos < header.size() && std::isspace(static_cast<unsigned char>(header[pos]))) ++pos;
  if (pos >= header.size()) bad(name, "header field " + quoted + " has no value");
  const char open = header[pos];
  if (open == '\'' || open == '"') {
    const auto close = header.find(open, pos + 1);
    if (close == std::string::npos) bad(name, "unterminated string in the header");
    return header.substr(pos + 1, close - pos - 1);
  }
  if (open == '(') {
    const auto close = header.find(')', pos);
    if (close == std::string::npos) bad(name, "unterminated shape tuple in the header");
    return header.substr(pos + 1, close - pos - 1);
  }
  const auto end = header.find_first_of(",}", pos);
  std::string value = header.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
  return value;
}

std::vector<std::int64_t> parseShape(const std::string& tuple, const std::string& name) {
  std::vector<std::int64_t> shape;
  std::stringstream in(tuple);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t b = 0, e = item.size();
    while (b < e && std::isspace(static_cast<unsigned char>(item[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(item[e - 1]))) --e;
    if (b == e) continue;  // "(3,)" has an empty last item
    const std::string digits = item.substr(b, e - b);
    for (char c : digits) {
      if (!std::isdigit(static_cast<unsigned char>(c))) bad(name, "shape entry '" + digits + "' is not a size");
    }
    if (digits.size() > 12) bad(name, "shape entry " + digits + " is too large");
    shape.push_back(std::stoll(digits));
  }
  return shape;
}

NpyDtype dtypeOf(const std::string& descr) {
  // '<' little-endian, '|' not applicable (one byte), '=' native (little on every supported machine).
  if (descr.size() < 2) return NpyDtype::Unsupported;
  std::string code = descr;
  // Big-endian ('>') is read for one-byte types only, where byte order does not matter.
  if (code[0] == '>' && code.back() != '1') return NpyDtype::Unsupported;
  if (code[0] == '<' || code[0] == '|' || code[0] == '=' || code[0] == '>') code = code.substr(1);
  if (code == "f4") return NpyDtype::Float32;
  if (code == "f8") return NpyDtype::Float64;
  if (code == "i1") return NpyDtype::Int8;
  if (code == "u1") return NpyDtype::UInt8;
  if (code == "b1") return NpyDtype::Bool;
  if (code == "i2") return NpyDtype::Int16;
  if (code == "u2") return NpyDtype::UInt16;
  if (code == "i4") return NpyDtype::Int32;
  if (code == "u4") return NpyDtype::UInt32;
  if (code == "i8") return NpyDtype::Int64;
  if (code == "u8") return NpyDtype::UInt64;
  return NpyDtype::Unsupported;
}

std::size_t itemSizeOf(NpyDtype type) {
  switch (type) {
    case NpyDtype::Int8:
    case NpyDtype::UInt8:
    case NpyDtype::Bool:
      return 1;
    case NpyDtype::Int16:
    case NpyDtype::UInt16:
      return 2;
    case NpyDtype::Float32:
    case NpyDtype::Int32:
    case NpyDtype::UInt32:
      return 4;
    case NpyDtype::Float64:
    case NpyDtype::Int64:
    case NpyDtype::UInt64:
      return 8;
    case NpyDtype::Unsupported:
      break;
  }
  return 0;
}

template <typename From, typename T>
void convertAll(const char* bytes, std::span<T> out) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    From v;
    std::memcpy(&v, bytes + sizeof(From) * i, sizeof(From));
    out[i] = static_cast<T>(v);
  }
}

// Little-endian values of `type` at `bytes`, converted to T.
template <typename T>
void convertInto(const char* bytes, NpyDtype type, std::span<T> out) {
  switch (type) {
    case NpyDtype::Float32:
      return convertAll<float>(bytes, out);
    case NpyDtype::Float64:
      return convertAll<double>(bytes, out);
    case NpyDtype::Int8:
      return convertAll<std::int8_t>(bytes, out);
    case NpyDtype::UInt8:
      return convertAll<std::uint8_t>(bytes, out);
    case NpyDtype::Bool:
      return convertAll<std::uint8_t>(bytes, out);
    case NpyDtype::Int16:
      return convertAll<std::int16_t>(bytes, out);
    case NpyDtype::UInt16:
      return convertAll<std::uint16_t>(bytes, out);
    case NpyDtype::Int32:
      return convertAll<std::int32_t>(bytes, out);
    case NpyDtype::UInt32:
      return convertAll<std::uint32_t>(bytes, out);
    case NpyDtype::Int64:
      return convertAll<std::int64_t>(bytes, out);
    case NpyDtype::UInt64:
      return convertAll<std::uint64_t>(bytes, out);
    case NpyDtype::Unsupported:
      break;
  }
}

}  // namespace

std::int64_t NpyArray::size() const {
  std::int64_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

NpyHeader parseNpyHeader(const std::string& bytes, std::uint64_t fileSize, const std::string& name) {
  if (bytes.size() < kMagicLength + 4 || std::memcmp(bytes.data(), kMagic, kMagicLength) != 0)
    bad(name, "wrong magic (expected \\x93NUMPY)");
  const auto major = static_cast<unsigned char>(bytes[6]);
  std::size_t headerLength = 0;
  std::size_t headerStart = 0;
  if (major == 1) {
    headerLength =
        static_cast<unsigned char>(bytes[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) bad(name, "truncated header length");
    for (int i = 0; i < 4; ++i)
      headerLength |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    headerStart = 12;
  } else {
    bad(name, "unsupported format version " + std::to_string(major));
  }
  if (headerLength > bytes.size() - headerStart) bad(name, "header length runs past the end of the file");
  const std::string header = bytes.substr(headerStart, headerLength);

  NpyHeader result;
  const std::string descr = headerField(header, "descr", name);
  result.descr = descr;
  result.type = dtypeOf(descr);
  if (result.type == NpyDtype::Unsupported)
    bad(name, "dtype '" + descr + "' is not supported (float, integer or bool, little-endian)");
  result.itemSize = itemSizeOf(result.type);
  const std::string fortran = headerField(header, "fortran_order", name);
  if (fortran == "True") bad(name, "Fortran order is not supported; save with C order (numpy.ascontiguousarray)");
  if (fortran != "False") bad(name, "fortran_order is '" + fortran + "'");
  result.shape = parseShape(headerField(header, "shape", name), name);
  std::int64_t count = 1;
  std::int64_t nonZeroProduct = 1;  // an empty (…, 0, …) array must not describe 2^31 empty rows
  for (auto s : result.shape) {
    if (s > 0 && count > kMaxElements / s) bad(name, "array too large (more than 2^31 elements)");
    if (s > 0 && nonZeroProduct > kMaxElements / s) bad(name, "array too large (more than 2^31 elements)");
    count *= s;
    if (s > 0) nonZeroProduct *= s;
  }
  if (count > kMaxElements) bad(name, "array too large (more than 2^31 elements)");
  result.count = count;
  result.dataOffset = headerStart + headerLength;
  const std::uint64_t need = static_cast<std::uint64_t>(count) * result.itemSize;
  if (fileSize < result.dataOffset || fileSize - result.dataOffset != need)
    bad(name, "data holds " + std::to_string(fileSize < result.dataOffset ? 0 : fileSize - result.dataOffset) +
                  " bytes, shape needs " + std::to_string(need));
  return result;
}

NpyArray parseNpy(const std::string& bytes, const std::string& name) {
  const NpyHeader header = parseNpyHeader(bytes, bytes.size(), name);
  if (header.type != NpyDtype::Float32 && header.type != NpyDtype::Float64)
    bad(name, "dtype '" + header.descr + "' is not supported (float32 '<f4' or float64 '<f8')");
  NpyArray array;
  array.shape = header.shape;
  array.wasFloat32 = header.type == NpyDtype::Float32;
  array.values.resize(static_cast<std::size_t>(header.count));
  convertInto<double>(bytes.data() + header.dataOffset, header.type, array.values);
  return array;
}

NpyHeader readNpyHeader(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("cannot open '" + path + "'");
  // Its size must be known up front: a device or a pipe (/dev/zero) has none.
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
    bad(path, "not a regular file (a .npy array is a file of known size)");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  // A version 1 header is at most 10 + 65535 bytes; later versions are refused above this.
  constexpr std::size_t kMaxHeaderBytes = 1 << 20;
  std::string prefix(static_cast<std::size_t>(std::min<std::uint64_t>(size, kMaxHeaderBytes)), '\0');
  in.read(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  if (!in) throw InvalidArgument("cannot read '" + path + "'");
  return parseNpyHeader(prefix, size, path);
}

template <typename T>
void readNpyData(const std::string& path, const NpyHeader& header, std::span<T> out) {
  if (out.size() != static_cast<std::size_t>(header.count))
    throw InvalidArgument(path + ": reading " + std::to_string(header.count) + " values into room for " +
                          std::to_string(out.size()));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("cannot open '" + path + "'");
  in.seekg(static_cast<std::streamoff>(header.dataOffset));
  // In chunks: the file's bytes never sit in memory beside the converted values.
  constexpr std::size_t kChunkValues = 1 << 20;
  std::vector<char> chunk;
  for (std::size_t done = 0; done < out.size();) {
    const std::size_t n = std::min(kChunkValues, out.size() - done);
    if (header.type == NpyDtype::Float32 && std::is_same_v<T, float>) {
      in.read(reinterpret_cast<char*>(out.data() + done), static_cast<std::streamsize>(n * 4));
    } else {
      chunk.resize(n * header.itemSize);
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      convertInto<T>(chunk.data(), header.type, out.subspan(done, n));
    }
    if (!in) throw InvalidArgument(path + ": the file ended early (was it changed while reading?)");
    done += n;
  }
}
template void readNpyData<float>(const std::string&, const NpyHeader&, std::span<float>);
template void readNpyData<double>(const std::string&, const NpyHeader&, std::span<double>);

NpyArray readNpy(const std::string& path) {
  // The header first: its shape and the file's size are checked before the data is read, so
  // an endless input (/dev/zero) or a lying header costs nothing.
  const NpyHeader header = readNpyHeader(path);
  if (header.type != NpyDtype::Float32 && header.type != NpyDtype::Float64)
    bad(path, "dtype '" + header.descr + "' is not supported (float32 '<f4' or float64 '<f8')");
  NpyArray array;
  array.shape = header.shape;
  array.wasFloat32 = header.type == NpyDtype::Float32;
  array.values.resize(static_cast<std::size_t>(header.count));
  readNpyData<double>(path, header, array.values);
  return array;
}

namespace {

// The magic, version 1.0 and the header dict, padded so the data starts 64-byte aligned.
std::string npyPreamble(const std::vector<std::int64_t>& shape, const char* descr) {
  std::string dims;
  for (auto s : shape) dims += std::to_string(s) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);
  if (shape.size() == 1) dims.resize(dims.size() - 1);
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces so that magic + length + header + '\n' is a multiple of 64.
  const std::size_t unpadded = kMagicLength + 2 + 2 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, kMagicLength);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>((header.size() >> 8) & 0xFF);
  out += header;
  return out;
}

std::int64_t elementCount(const std::vector<std::int64_t>& shape) {
  std::int64_t count = 1;
  for (auto s : shape) {
    if (s < 0) throw InvalidArgument("npy: negative dimension");
    count *= s;
  }
  return count;
}

}  // namespace

std::string serializeNpy(const std::vector<std::int64_t>& shape, const std::vector<double>& values, NpyType type) {
  if (elementCount(shape) != static_cast<std::int64_t>(values.size()))
    throw InvalidArgument("npy: shape does not match the data");
  std::string out = npyPreamble(shape, type == NpyType::Float32 ? "<f4" : "<f8");
  for (double v : values) {
    if (type == NpyType::Float32) {
      const float f = static_cast<float>(v);
      out.append(reinterpret_cast<const char*>(&f), 4);
    } else {
      out.append(reinterpret_cast<const char*>(&v), 8);
    }
  }
  return out;
}

void writeNpy(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<double>& values,
              NpyType type) {
  writeFileAtomic(path, serializeNpy(shape, values, type));
}

void writeNpyFloat32(const std::string& path, const std::vector<std::int64_t>& shape, std::span<const float> values) {
  if (elementCount(shape) != static_cast<std::int64_t>(values.size()))
    throw InvalidArgument("npy: shape does not match the data");
  writeFileAtomicWith(path, [&](std::ostream& out) {
    out << npyPreamble(shape, "<f4");
    out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * 4));
  });
}

void writeNpyBytes(const std::string& path, const std::vector<std::int64_t>& shape,
                   std::span<const std::uint8_t> bytes) {
  if (elementCount(shape) != static_cast<std::int64_t>(bytes.size()))
    throw InvalidArgument("npy: shape does not match the data");
  writeFileAtomicWith(path, [&](std::ostream& out) {
    out << npyPreamble(shape, "|u1");
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  });
}

}  // namespace rankflow::io
