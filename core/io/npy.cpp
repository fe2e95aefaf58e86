#include "core/io/npy.h"

#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/common/error.h"
#include "core/io/atomic_file.h"

namespace rankflow::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLength = 6;
// Arrays beyond this many elements are refused before any allocation (2^31 doubles is 16 GiB).
constexpr std::int64_t kMaxElements = std::int64_t(1) << 31;

[[noreturn]] void bad(const std::string& name, const std::string& why) {
  throw InvalidArgument(name + ": not a readable .npy array: " + why);
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

}  // namespace

std::int64_t NpyArray::size() const {
  std::int64_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

NpyArray parseNpy(const std::string& bytes, const std::string& name) {
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

  NpyArray array;
  const std::string descr = headerField(header, "descr", name);
  std::size_t itemSize = 0;
  if (descr == "<f4" || descr == "=f4" || descr == "f4") {
    itemSize = 4;
    array.wasFloat32 = true;
  } else if (descr == "<f8" || descr == "=f8" || descr == "f8") {
    itemSize = 8;
  } else {
    bad(name, "dtype '" + descr + "' is not supported (float32 '<f4' or float64 '<f8')");
  }
  const std::string fortran = headerField(header, "fortran_order", name);
  if (fortran == "True") bad(name, "Fortran order is not supported; save with C order (numpy.ascontiguousarray)");
  if (fortran != "False") bad(name, "fortran_order is '" + fortran + "'");
  array.shape = parseShape(headerField(header, "shape", name), name);
  std::int64_t count = 1;
  std::int64_t nonZeroProduct = 1;  // an empty (…, 0, …) array must not describe 2^31 empty rows
  for (auto s : array.shape) {
    if (s > 0 && count > kMaxElements / s) bad(name, "array too large");
    if (s > 0 && nonZeroProduct > kMaxElements / s) bad(name, "array too large");
    count *= s;
    if (s > 0) nonZeroProduct *= s;
  }
  if (count > kMaxElements) bad(name, "array too large");
  const std::size_t dataStart = headerStart + headerLength;
  const std::size_t need = static_cast<std::size_t>(count) * itemSize;
  if (bytes.size() - dataStart != need)
    bad(name, "data holds " + std::to_string(bytes.size() - dataStart) + " bytes, shape needs " + std::to_string(need));
  array.values.resize(static_cast<std::size_t>(count));
  const char* data = bytes.data() + dataStart;
  for (std::size_t i = 0; i < array.values.size(); ++i) {
    if (itemSize == 4) {
      float v;
      std::memcpy(&v, data + 4 * i, 4);
      array.values[i] = v;
    } else {
      std::memcpy(&array.values[i], data + 8 * i, 8);
    }
  }
  return array;
}

NpyArray readNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("cannot open '" + path + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parseNpy(buffer.str(), path);
}

std::string serializeNpy(const std::vector<std::int64_t>& shape, const std::vector<double>& values, NpyType type) {
  std::int64_t count = 1;
  for (auto s : shape) {
    if (s < 0) throw InvalidArgument("npy: negative dimension");
    count *= s;
  }
  if (count != static_cast<std::int64_t>(values.size())) throw InvalidArgument("npy: shape does not match the data");
  std::string dims;
  for (auto s : shape) dims += std::to_string(s) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);
  if (shape.size() == 1) dims.resize(dims.size() - 1);
  std::string header = std::string("{'descr': '") + (type == NpyType::Float32 ? "<f4" : "<f8") +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
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

}  // namespace rankflow::io
