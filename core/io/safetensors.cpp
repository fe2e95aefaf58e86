#include "core/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>

#include "core/common/error.h"
#include "core/common/shape_text.h"
#include "core/common/text.h"
#include "core/io/atomic_file.h"

namespace rankflow::io {
namespace {

// The data are little-endian and copied into floats and doubles with memcpy.
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

using nlohmann::json;

// The reference implementation's limit: a header this large is a corrupt length, not metadata.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;
// No tensor's byte count may pass this, so counts times sizes never overflow.
constexpr std::uint64_t kMaxTensorBytes = std::uint64_t(1) << 62;

struct DtypeInfo {
  Dtype dtype;
  const char* name;
  std::size_t size;
};
constexpr DtypeInfo kDtypes[] = {
    {Dtype::Bool, "BOOL", 1},      {Dtype::U8, "U8", 1},   {Dtype::I8, "I8", 1},   {Dtype::F8E5M2, "F8_E5M2", 1},
    {Dtype::F8E4M3, "F8_E4M3", 1}, {Dtype::I16, "I16", 2}, {Dtype::U16, "U16", 2}, {Dtype::F16, "F16", 2},
    {Dtype::BF16, "BF16", 2},      {Dtype::I32, "I32", 4}, {Dtype::U32, "U32", 4}, {Dtype::F32, "F32", 4},
    {Dtype::F64, "F64", 8},        {Dtype::I64, "I64", 8}, {Dtype::U64, "U64", 8},
};

const DtypeInfo& info(Dtype dtype) {
  for (const auto& d : kDtypes)
    if (d.dtype == dtype) return d;
  throw InvalidArgument("safetensors: invalid dtype value");
}

// Names and parser messages may hold control bytes from a corrupt file: shown escaped.
std::string printable(const std::string& text) {
  return printableText(text);
}

[[noreturn]] void bad(const std::string& name, const std::string& why) {
  throw InvalidArgument(printable(name + ": not a readable .safetensors file: " + why));
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
  return rankflow::shapeText(shape, ShapeNotation::JsonList);
}

// A non-negative JSON integer, or the reason it is not one.
bool jsonCount(const json& value, std::uint64_t* out, std::string* why) {
  if (value.is_number_unsigned()) {
    *out = value.get<std::uint64_t>();
    return true;
  }
  if (value.is_number_integer()) {
    *why = "is negative (" + std::to_string(value.get<std::int64_t>()) + ")";
    return false;
  }
  *why = value.is_number() ? "is not an integer (" + printable(value.dump()) + ")" : "is not a number";
  return false;
}

// Elements of the shape, or nothing when the product of its non-zero dimensions passes
// `limit` (an empty tensor must not describe 2^64 empty rows either).
bool boundedCount(const std::vector<std::int64_t>& shape, std::uint64_t limit, std::uint64_t* count) {
  std::uint64_t nonZero = 1;
  bool empty = false;
  for (auto s : shape) {
    if (s == 0) {
      empty = true;
      continue;
    }
    const auto u = static_cast<std::uint64_t>(s);
    if (u > limit / nonZero) return false;
    nonZero *= u;
  }
  *count = empty ? 0 : nonZero;
  return true;
}

float halfToFloat(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1fu;
  const std::uint32_t mantissa = h & 0x3ffu;
  std::uint32_t bits = 0;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf, or NaN keeping its payload
  } else if (exponent != 0) {
    bits = sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
  } else {
    // Zero or subnormal: mantissa · 2^-24, a normal float (or zero), so exact.
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  return std::bit_cast<float>(bits);
}

template <typename Out>
void decodeInto(const Tensor& t, Out* out) {
  if (!dtypeDecodes(t.dtype)) {
    throw InvalidArgument(std::string("safetensors: dtype ") + dtypeName(t.dtype) +
                          " has no floating-point values (F16, BF16, F32 and F64 do)");
  }
  const std::size_t n = t.bytes.size() / dtypeSize(t.dtype);
  const std::uint8_t* p = t.bytes.data();
  for (std::size_t i = 0; i < n; ++i) {
    switch (t.dtype) {
      case Dtype::F16: {
        const auto h = static_cast<std::uint16_t>(p[2 * i] | (p[2 * i + 1] << 8));
        out[i] = static_cast<Out>(halfToFloat(h));
        break;
      }
      case Dtype::BF16: {
        // bfloat16 is the top half of a float32.
        const std::uint32_t bits =
            (static_cast<std::uint32_t>(p[2 * i]) << 16) | (static_cast<std::uint32_t>(p[2 * i + 1]) << 24);
        out[i] = static_cast<Out>(std::bit_cast<float>(bits));
        break;
      }
      case Dtype::F32: {
        float v;
        std::memcpy(&v, p + 4 * i, 4);
        out[i] = static_cast<Out>(v);
        break;
      }
      case Dtype::F64: {
        double v;
        std::memcpy(&v, p + 8 * i, 8);
        out[i] = static_cast<Out>(v);
        break;
      }
      default:
        break;  // refused above
    }
  }
}

template <typename Out>
std::vector<Out> decode(const Tensor& t) {
  std::vector<Out> out(dtypeDecodes(t.dtype) ? t.bytes.size() / dtypeSize(t.dtype) : 0);
  decodeInto(t, out.data());
  return out;
}

// InvalidArgument unless `shape` holds exactly `given` values of `elementBytes` each.
void checkShapeHolds(const std::vector<std::int64_t>& shape, std::size_t given, std::size_t elementBytes) {
  for (auto s : shape)
    if (s < 0) throw InvalidArgument("safetensors: negative dimension in shape " + shapeText(shape));
  std::uint64_t count = 0;
  if (!boundedCount(shape, kMaxTensorBytes / elementBytes, &count))
    throw InvalidArgument("safetensors: shape " + shapeText(shape) + " is too large");
  if (count != given) {
    throw InvalidArgument("safetensors: shape " + shapeText(shape) + " holds " + std::to_string(count) + " values, " +
                          std::to_string(given) + " given");
  }
}

template <typename T>
Tensor fromValues(Dtype dtype, std::vector<std::int64_t> shape, std::span<const T> values) {
  checkShapeHolds(shape, values.size(), sizeof(T));
  Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.bytes.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

struct Located {
  std::string name;
  std::uint64_t begin, end;
};

}  // namespace

const char* dtypeName(Dtype dtype) {
  return info(dtype).name;
}
std::size_t dtypeSize(Dtype dtype) {
  return info(dtype).size;
}
bool dtypeDecodes(Dtype dtype) {
  return dtype == Dtype::F16 || dtype == Dtype::BF16 || dtype == Dtype::F32 || dtype == Dtype::F64;
}

std::int64_t Tensor::elementCount() const {
  std::int64_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

std::vector<float> Tensor::toFloat() const {
  return decode<float>(*this);
}
namespace {
template <typename Out>
void decodeIntoSpan(const Tensor& t, std::span<Out> out) {
  if (static_cast<std::int64_t>(out.size()) != t.elementCount()) {
    throw InvalidArgument("safetensors: decoding " + std::to_string(t.elementCount()) + " values into room for " +
                          std::to_string(out.size()));
  }
  decodeInto(t, out.data());
}
}  // namespace
void Tensor::decodeInto(std::span<float> out) const {
  decodeIntoSpan(*this, out);
}
void Tensor::decodeInto(std::span<double> out) const {
  decodeIntoSpan(*this, out);
}
std::vector<double> Tensor::toDouble() const {
  return decode<double>(*this);
}

Tensor Tensor::fromFloat(std::vector<std::int64_t> shape, std::span<const float> values) {
  return fromValues(Dtype::F32, std::move(shape), values);
}
Tensor Tensor::fromDouble(std::vector<std::int64_t> shape, std::span<const double> values) {
  return fromValues(Dtype::F64, std::move(shape), values);
}

namespace {

std::uint16_t bfloat16Bits(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  if (std::isnan(value)) return static_cast<std::uint16_t>((bits >> 16) | 0x40);  // stays a NaN
  return static_cast<std::uint16_t>((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
}

std::uint16_t halfBits(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000);
  std::uint32_t mantissa = bits & 0x7fffff;
  const int exponent = static_cast<int>((bits >> 23) & 0xff);
  if (exponent == 255) return static_cast<std::uint16_t>(sign | 0x7c00 | (mantissa ? 0x200 : 0));
  const int e = exponent - 127 + 15;
  if (e >= 31) return static_cast<std::uint16_t>(sign | 0x7c00);  // beyond 65504: infinity
  if (e <= 0) {                                                   // a subnormal half, or zero
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const int shift = 14 - e;
    std::uint32_t half = mantissa >> shift;
    const std::uint32_t rest = mantissa & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1))) ++half;
    return static_cast<std::uint16_t>(sign | half);
  }
  std::uint32_t half = (static_cast<std::uint32_t>(e) << 10) | (mantissa >> 13);
  const std::uint32_t rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) ++half;  // a carry moves to the next binade
  return static_cast<std::uint16_t>(sign | half);
}

}  // namespace

Tensor Tensor::encode(Dtype dtype, std::vector<std::int64_t> shape, std::span<const double> values) {
  if (dtype == Dtype::F64) return fromDouble(std::move(shape), values);
  if (dtype == Dtype::F32) {
    const std::vector<float> floats(values.begin(), values.end());
    return fromFloat(std::move(shape), floats);
  }
  if (dtype != Dtype::F16 && dtype != Dtype::BF16)
    throw InvalidArgument(std::string("safetensors: cannot encode values as ") + dtypeName(dtype));
  // Two bytes per value written directly: an F32 tensor shrunk afterwards would keep twice
  // the memory as capacity.
  checkShapeHolds(shape, values.size(), 2);
  Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.bytes.resize(values.size() * 2);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto nearest = static_cast<float>(values[i]);
    const std::uint16_t bits = dtype == Dtype::F16 ? halfBits(nearest) : bfloat16Bits(nearest);
    t.bytes[2 * i] = static_cast<std::uint8_t>(bits & 0xff);
    t.bytes[2 * i + 1] = static_cast<std::uint8_t>(bits >> 8);
  }
  return t;
}

namespace {

// The header length in the first 8 bytes, checked against the file's size.
std::uint64_t headerLengthOf(const char* first8, std::uint64_t fileSize, const std::string& name) {
  if (fileSize < 8)
    bad(name, "the file is " + std::to_string(fileSize) + " bytes, shorter than its 8-byte header length");
  std::uint64_t headerLength = 0;
  for (int i = 0; i < 8; ++i)
    headerLength |= static_cast<std::uint64_t>(static_cast<unsigned char>(first8[i])) << (8 * i);
  if (headerLength > kMaxHeaderBytes)
    bad(name, "header length " + std::to_string(headerLength) + " exceeds the 100 MB limit");
  if (headerLength > fileSize - 8) {
    bad(name, "header length " + std::to_string(headerLength) + " runs past the end of the file (" +
                  std::to_string(fileSize) + " bytes)");
  }
  return headerLength;
}

// Copies `count` bytes at `offset` (from the start of the data) into `out`; called only once
// the header has placed them inside the file.
using ReadData = std::function<void(std::uint64_t offset, std::uint64_t count, std::uint8_t* out)>;

// Everything but the 8-byte length: `headerText` is the JSON, `dataLength` the bytes after it.
SafeTensorsFile parseHeaderAndData(std::string_view headerText, std::uint64_t dataLength, const ReadData& readData,
                                   const std::string& name) {
  // JSON objects keep the last of repeated keys; the format forbids repeats, so the parser
  // tracks the keys of every open object and refuses a second one.
  std::vector<std::set<std::string>> openObjects;
  const json::parser_callback_t noRepeats = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) openObjects.emplace_back();
    if (event == json::parse_event_t::object_end && !openObjects.empty()) openObjects.pop_back();
    if (event == json::parse_event_t::key && !openObjects.empty() &&
        !openObjects.back().insert(parsed.get<std::string>()).second)
      bad(name, "header repeats the key '" + parsed.get<std::string>() + "'");
    return true;
  };
  json header;
  try {
    header = json::parse(headerText.begin(), headerText.end(), noRepeats);
  } catch (const json::exception& e) {
    bad(name, std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) bad(name, "header is not a JSON object");

  SafeTensorsFile file;
  std::vector<Located> located;
  for (const auto& [key, entry] : header.items()) {
    if (key == "__metadata__") {
      if (!entry.is_object()) bad(name, "__metadata__ is not an object");
      for (const auto& [metaKey, metaValue] : entry.items()) {
        if (!metaValue.is_string()) bad(name, "metadata '" + metaKey + "' is not a string");
        file.metadata[metaKey] = metaValue.get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + key + "': ";
    if (!entry.is_object()) bad(name, where + "entry is not an object");
    for (const char* field : {"dtype", "shape", "data_offsets"})
      if (!entry.contains(field)) bad(name, where + "no \"" + field + "\"");
    const json& dtypeJson = entry["dtype"];
    if (!dtypeJson.is_string()) bad(name, where + "dtype is not a string");
    const std::string dtypeText = dtypeJson.get<std::string>();
    const DtypeInfo* dtype = nullptr;
    for (const auto& d : kDtypes)
      if (dtypeText == d.name) dtype = &d;
    if (!dtype) bad(name, where + "unknown dtype '" + dtypeText + "'");

    const json& shapeJson = entry["shape"];
    if (!shapeJson.is_array()) bad(name, where + "shape is not an array");
    Tensor tensor;
    tensor.dtype = dtype->dtype;
    for (const auto& dim : shapeJson) {
      std::uint64_t size = 0;
      std::string why;
      if (!jsonCount(dim, &size, &why)) bad(name, where + "shape entry " + why);
      if (size > kMaxTensorBytes) bad(name, where + "shape entry " + std::to_string(size) + " is too large");
      tensor.shape.push_back(static_cast<std::int64_t>(size));
    }
    std::uint64_t count = 0;
    if (!boundedCount(tensor.shape, kMaxTensorBytes / dtype->size, &count))
      bad(name, where + "shape " + shapeText(tensor.shape) + " is too large");

    const json& offsetsJson = entry["data_offsets"];
    if (!offsetsJson.is_array() || offsetsJson.size() != 2) bad(name, where + "data_offsets is not [begin, end]");
    std::uint64_t offsets[2] = {0, 0};
    for (int i = 0; i < 2; ++i) {
      std::string why;
      if (!jsonCount(offsetsJson[static_cast<std::size_t>(i)], &offsets[i], &why))
        bad(name, where + "data_offsets entry " + why);
    }
    const std::string offsetText = "[" + std::to_string(offsets[0]) + ", " + std::to_string(offsets[1]) + "]";
    if (offsets[1] < offsets[0]) bad(name, where + "data_offsets " + offsetText + " are not ascending");
    if (offsets[1] > dataLength) {
      bad(name, where + "data_offsets " + offsetText + " run past the end of the data (" + std::to_string(dataLength) +
                    " bytes)");
    }
    const std::uint64_t need = count * dtype->size;
    if (offsets[1] - offsets[0] != need) {
      bad(name, where + "shape " + shapeText(tensor.shape) + " of " + dtype->name + " needs " + std::to_string(need) +
                    " bytes, data_offsets " + offsetText + " hold " + std::to_string(offsets[1] - offsets[0]));
    }
    tensor.bytes.resize(need);
    readData(offsets[0], need, tensor.bytes.data());
    file.tensors.emplace(key, std::move(tensor));
    located.push_back({key, offsets[0], offsets[1]});
  }

  // The reference layout packs tensors from offset 0 with no gaps, no overlaps and nothing after.
  std::sort(located.begin(), located.end(),
            [](const Located& a, const Located& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
  std::uint64_t expected = 0;
  const Located* previous = nullptr;
  for (const auto& t : located) {
    if (t.begin < expected) {
      bad(name, "tensor '" + t.name + "' (bytes " + std::to_string(t.begin) + ".." + std::to_string(t.end) +
                    ") overlaps tensor '" + previous->name + "' (bytes " + std::to_string(previous->begin) + ".." +
                    std::to_string(previous->end) + ")");
    }
    if (t.begin > expected)
      bad(name, "gap of " + std::to_string(t.begin - expected) + " bytes before tensor '" + t.name + "'");
    expected = t.end;
    previous = &t;
  }
  if (expected != dataLength)
    bad(name, std::to_string(dataLength - expected) + " bytes after the last tensor are not described by the header");
  return file;
}

}  // namespace

SafeTensorsFile parseSafeTensors(const std::string& bytes, const std::string& name) {
  const std::uint64_t headerLength = headerLengthOf(bytes.data(), bytes.size(), name);
  const std::uint64_t dataStart = 8 + headerLength;
  return parseHeaderAndData(
      std::string_view(bytes).substr(8, headerLength), bytes.size() - dataStart,
      [&](std::uint64_t offset, std::uint64_t count, std::uint8_t* out) {
        // An empty tensor has no buffer: memcpy from or to null is undefined even for 0 bytes.
        if (count > 0) std::memcpy(out, bytes.data() + dataStart + offset, count);
      },
      name);
}

// Reads the header, then each tensor's bytes straight into its own buffer: the file is never
// held whole beside its tensors, so a checkpoint costs its size in memory once.
SafeTensorsFile readSafeTensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("cannot open '" + path + "'");
  in.seekg(0, std::ios::end);
  const auto end = in.tellg();
  if (end < 0) throw InvalidArgument("cannot read '" + path + "'");
  const auto fileSize = static_cast<std::uint64_t>(end);
  in.seekg(0);
  char first8[8] = {};
  in.read(first8, static_cast<std::streamsize>(std::min<std::uint64_t>(8, fileSize)));
  const std::uint64_t headerLength = headerLengthOf(first8, fileSize, path);
  std::string header(headerLength, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(headerLength)))
    throw InvalidArgument("cannot read '" + path + "'");
  const std::uint64_t dataStart = 8 + headerLength;
  return parseHeaderAndData(
      header, fileSize - dataStart,
      [&](std::uint64_t offset, std::uint64_t count, std::uint8_t* out) {
        in.seekg(static_cast<std::streamoff>(dataStart + offset));
        if (!in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(count)))
          throw InvalidArgument("cannot read '" + path + "': it ended or failed inside a tensor");
      },
      path);
}

namespace {

// The 8-byte length and the padded JSON header, and the tensors in the order their bytes follow.
struct SerializedLayout {
  std::string head;
  std::vector<const Tensor*> order;
};

SerializedLayout layoutOf(const SafeTensorsFile& file) {
  std::vector<const std::pair<const std::string, Tensor>*> order;
  for (const auto& entry : file.tensors) {
    const Tensor& t = entry.second;
    if (entry.first == "__metadata__") throw InvalidArgument("safetensors: a tensor may not be named __metadata__");
    for (auto s : t.shape)
      if (s < 0) throw InvalidArgument("safetensors: tensor '" + printable(entry.first) + "' has a negative dimension");
    std::uint64_t count = 0;
    if (!boundedCount(t.shape, kMaxTensorBytes / dtypeSize(t.dtype), &count)) {
      throw InvalidArgument("safetensors: tensor '" + printable(entry.first) + "': shape " + shapeText(t.shape) +
                            " is too large");
    }
    if (count * dtypeSize(t.dtype) != t.bytes.size()) {
      throw InvalidArgument("safetensors: tensor '" + printable(entry.first) + "' holds " +
                            std::to_string(t.bytes.size()) + " bytes but its shape " + shapeText(t.shape) + " of " +
                            dtypeName(t.dtype) + " needs " + std::to_string(count * dtypeSize(t.dtype)));
    }
    order.push_back(&entry);
  }
  // Largest elements first: with the header a multiple of 8 bytes, each tensor then starts
  // at a multiple of its element size, so a reader may map it in place.
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return dtypeSize(a->second.dtype) > dtypeSize(b->second.dtype);
  });
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
  std::uint64_t offset = 0;
  for (const auto* entry : order) {
    const std::uint64_t end = offset + entry->second.bytes.size();
    header[entry->first] = {
        {"dtype", dtypeName(entry->second.dtype)}, {"shape", entry->second.shape}, {"data_offsets", {offset, end}}};
    offset = end;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::ordered_json::exception& e) {
    throw InvalidArgument(std::string("safetensors: a tensor name or metadata string is not valid UTF-8 (") + e.what() +
                          ")");
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  SerializedLayout layout;
  layout.head.reserve(8 + text.size());
  for (int i = 0; i < 8; ++i)
    layout.head += static_cast<char>((static_cast<std::uint64_t>(text.size()) >> (8 * i)) & 0xff);
  layout.head += text;
  for (const auto* entry : order) layout.order.push_back(&entry->second);
  return layout;
}

}  // namespace

std::string serializeSafeTensors(const SafeTensorsFile& file) {
  const SerializedLayout layout = layoutOf(file);
  std::size_t size = layout.head.size();
  for (const Tensor* t : layout.order) size += t->bytes.size();
  std::string out;
  out.reserve(size);
  out += layout.head;
  for (const Tensor* t : layout.order) out.append(t->bytes.begin(), t->bytes.end());
  return out;
}

// Streamed: the file is never built in memory beside its tensors.
void writeSafeTensors(const std::string& path, const SafeTensorsFile& file) {
  const SerializedLayout layout = layoutOf(file);
  writeFileAtomicWith(path, [&](std::ostream& out) {
    out.write(layout.head.data(), static_cast<std::streamsize>(layout.head.size()));
    for (const Tensor* t : layout.order)
      out.write(reinterpret_cast<const char*>(t->bytes.data()), static_cast<std::streamsize>(t->bytes.size()));
  });
}

}  // namespace rankflow::io
