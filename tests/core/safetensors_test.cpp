// .safetensors checkpoints: bit-exact round trips, exact half-precision decoding, the
// reference layout, and a reason for every malformed file (never a crash on a corrupt one).
#include "core/io/safetensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

#include "core/common/error.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using io::Dtype;
using io::SafeTensorsFile;
using io::Tensor;

// The on-disk layout written by hand: 8-byte little-endian header length, header, data.
std::string fileWith(const std::string& header, const std::string& data) {
  std::string out;
  for (int i = 0; i < 8; ++i) out += static_cast<char>((static_cast<std::uint64_t>(header.size()) >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string headerOf(const std::string& bytes) {
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  return bytes.substr(8, n);
}

Tensor rawTensor(Dtype dtype, std::vector<std::int64_t> shape, const std::vector<std::uint16_t>& halves) {
  Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  for (auto h : halves) {
    t.bytes.push_back(static_cast<std::uint8_t>(h & 0xff));
    t.bytes.push_back(static_cast<std::uint8_t>(h >> 8));
  }
  return t;
}

template <typename T>
auto bitsOf(const std::vector<T>& values) {
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  std::vector<U> bits;
  for (T v : values) bits.push_back(std::bit_cast<U>(v));
  return bits;
}

TEST(SafeTensors, Float32RoundTripsBitForBitIncludingZerosSubnormalsAndInfinities) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  using F = std::numeric_limits<float>;
  std::vector<float> values = {0.0f,          -0.0f,          F::denorm_min(), -F::denorm_min(), F::min() / 3.0f,
                               F::infinity(), -F::infinity(), F::max(),        F::lowest(),      F::epsilon()};
  // Any bit pattern with an exponent below all-ones is a finite float: every class is covered.
  while (values.size() < 6 * 7) {
    const auto bits = static_cast<std::uint32_t>(rng());
    if (((bits >> 23) & 0xff) != 0xff) values.push_back(std::bit_cast<float>(bits));
  }
  SafeTensorsFile file;
  file.tensors["w"] = Tensor::fromFloat({6, 7}, values);
  file.tensors["scalar"] = Tensor::fromFloat({}, std::vector<float>{-1.5f});
  file.tensors["empty"] = Tensor::fromFloat({0, 3}, std::vector<float>{});
  const std::string bytes = io::serializeSafeTensors(file);
  const SafeTensorsFile back = io::parseSafeTensors(bytes, "mem");
  ASSERT_EQ(back.tensors.size(), 3u);
  const Tensor& w = back.tensors.at("w");
  EXPECT_EQ(w.dtype, Dtype::F32);
  EXPECT_EQ(w.shape, (std::vector<std::int64_t>{6, 7}));
  EXPECT_EQ(bitsOf(w.toFloat()), bitsOf(values));
  // float → double is exact, so the widened values are the same numbers.
  const std::vector<double> wide = w.toDouble();
  for (std::size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(std::bit_cast<std::uint64_t>(wide[i]), std::bit_cast<std::uint64_t>(static_cast<double>(values[i])));
  EXPECT_EQ(back.tensors.at("scalar").toFloat(), std::vector<float>{-1.5f});
  EXPECT_EQ(back.tensors.at("scalar").elementCount(), 1);
  EXPECT_TRUE(back.tensors.at("empty").toFloat().empty());
  EXPECT_EQ(back.tensors.at("empty").shape, (std::vector<std::int64_t>{0, 3}));
  // Serialising what was read gives the same bytes: the layout is deterministic.
  EXPECT_EQ(io::serializeSafeTensors(back), bytes);

  const auto path = std::filesystem::temp_directory_path() / "rankflow_safetensors_f32.safetensors";
  io::writeSafeTensors(path.string(), file);
  EXPECT_EQ(bitsOf(io::readSafeTensors(path.string()).tensors.at("w").toFloat()), bitsOf(values));
  std::filesystem::remove(path);
}

TEST(SafeTensors, Float64RoundTripsBitForBit) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  using D = std::numeric_limits<double>;
  std::vector<double> values = {0.0, -0.0, D::denorm_min(), D::infinity(), -D::infinity(), D::max(), D::lowest()};
  while (values.size() < 3 * 4 * 5) {
    const std::uint64_t bits = rng();
    if (((bits >> 52) & 0x7ff) != 0x7ff) values.push_back(std::bit_cast<double>(bits));
  }
  SafeTensorsFile file;
  file.tensors["a.b"] = Tensor::fromDouble({3, 4, 5}, values);
  const SafeTensorsFile back = io::parseSafeTensors(io::serializeSafeTensors(file), "mem");
  EXPECT_EQ(back.tensors.at("a.b").dtype, Dtype::F64);
  EXPECT_EQ(bitsOf(back.tensors.at("a.b").toDouble()), bitsOf(values));
}

TEST(SafeTensors, MetadataRoundTrips) {
  SafeTensorsFile file;
  file.metadata = {{"format", "pt"}, {"lora_alpha", "16"}, {"note \"quoted\"\n", "λ → ∞ \\ tab\t"}, {"empty", ""}};
  file.tensors["x"] = Tensor::fromFloat({1}, std::vector<float>{2.0f});
  const SafeTensorsFile back = io::parseSafeTensors(io::serializeSafeTensors(file), "mem");
  EXPECT_EQ(back.metadata, file.metadata);
  // No metadata: no "__metadata__" key at all, as the reference writes it.
  SafeTensorsFile bare;
  bare.tensors["x"] = file.tensors["x"];
  EXPECT_EQ(headerOf(io::serializeSafeTensors(bare)).find("__metadata__"), std::string::npos);
  EXPECT_TRUE(io::parseSafeTensors(io::serializeSafeTensors(bare), "mem").metadata.empty());
}

TEST(SafeTensors, DecodesHalfAndBfloat16BitPatternsExactly) {
  const float inf = std::numeric_limits<float>::infinity();
  // IEEE binary16: 1.0, −2.5, smallest subnormal 2^-24, largest subnormal, largest finite, ±inf, −0.
  const std::vector<std::uint16_t> f16 = {0x3C00, 0xC100, 0x0001, 0x03FF, 0x7BFF, 0x7C00, 0xFC00, 0x8000, 0x3555};
  const std::vector<float> f16Expected = {1.0f, -2.5f, std::ldexp(1.0f, -24),   std::ldexp(1023.0f, -24), 65504.0f, inf,
                                          -inf, -0.0f, std::ldexp(1365.0f, -12)};
  // bfloat16: the top 16 bits of a float32; 0x0001 is float's subnormal 2^-133.
  const std::vector<std::uint16_t> bf16 = {0x3F80, 0xC020, 0x0001, 0x7F80, 0xFF80, 0x8000, 0x7F7F, 0x3EAB};
  const std::vector<float> bf16Expected = {1.0f,
                                           -2.5f,
                                           std::ldexp(1.0f, -133),
                                           inf,
                                           -inf,
                                           -0.0f,
                                           std::bit_cast<float>(0x7F7F0000u),
                                           std::bit_cast<float>(0x3EAB0000u)};
  SafeTensorsFile file;
  file.tensors["h"] = rawTensor(Dtype::F16, {static_cast<std::int64_t>(f16.size())}, f16);
  file.tensors["b"] = rawTensor(Dtype::BF16, {2, 4}, bf16);
  file.tensors["nan"] = rawTensor(Dtype::F16, {2}, {0x7E00, 0xFFFF});
  const SafeTensorsFile back = io::parseSafeTensors(io::serializeSafeTensors(file), "mem");
  EXPECT_EQ(bitsOf(back.tensors.at("h").toFloat()), bitsOf(f16Expected));
  EXPECT_EQ(bitsOf(back.tensors.at("b").toFloat()), bitsOf(bf16Expected));
  const std::vector<double> wide = back.tensors.at("h").toDouble();
  EXPECT_EQ(wide[2], std::ldexp(1.0, -24));
  EXPECT_EQ(wide[1], -2.5);
  for (float v : back.tensors.at("nan").toFloat()) EXPECT_TRUE(std::isnan(v));
  // Written back verbatim: half-precision tensors survive a read–write cycle untouched.
  EXPECT_EQ(back.tensors.at("b").bytes, file.tensors["b"].bytes);
  EXPECT_EQ(back.tensors.at("h").dtype, Dtype::F16);
  // Every 16-bit pattern agrees with the arithmetic definition (sign, exponent, mantissa).
  std::vector<std::uint16_t> all(65536);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint16_t>(i);
  const std::vector<float> decoded = rawTensor(Dtype::F16, {65536}, all).toFloat();
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const int exponent = (h >> 10) & 0x1f;
    const int mantissa = h & 0x3ff;
    const double sign = (h & 0x8000) ? -1.0 : 1.0;
    if (exponent == 0x1f) {
      EXPECT_EQ(std::isnan(decoded[h]), mantissa != 0) << h;
      continue;
    }
    const double expected =
        exponent == 0 ? sign * std::ldexp(mantissa, -24) : sign * std::ldexp(1024 + mantissa, exponent - 25);
    ASSERT_EQ(static_cast<double>(decoded[h]), expected) << h;
    ASSERT_EQ(std::signbit(decoded[h]), sign < 0) << h;
  }
}

TEST(SafeTensors, HeaderIsPaddedToEightBytesAndTensorsAlignToTheirElementSize) {
  for (int nameLength = 1; nameLength <= 9; ++nameLength) {
    SafeTensorsFile file;
    file.metadata["m"] = std::string(static_cast<std::size_t>(nameLength), 'v');
    file.tensors[std::string(static_cast<std::size_t>(nameLength), 'a')] =
        Tensor::fromFloat({3}, std::vector<float>{1, 2, 3});
    file.tensors["z64"] = Tensor::fromDouble({1}, std::vector<double>{4});
    file.tensors["half"] = rawTensor(Dtype::BF16, {1}, {0x3F80});
    const std::string bytes = io::serializeSafeTensors(file);
    const std::string header = headerOf(bytes);
    EXPECT_EQ(header.size() % 8, 0u) << nameLength;
    EXPECT_EQ(header.front(), '{');
    EXPECT_EQ(header.substr(header.find_last_not_of(' ') + 1), std::string(header.size() - header.rfind('}') - 1, ' '));
    // Larger elements first: the F64 tensor opens the data, then F32, then BF16.
    EXPECT_NE(header.find("\"z64\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}"), std::string::npos)
        << header;
    EXPECT_NE(header.find("\"data_offsets\":[8,20]"), std::string::npos) << header;
    EXPECT_NE(header.find("\"data_offsets\":[20,22]"), std::string::npos) << header;
    EXPECT_EQ(bytes.size(), 8 + header.size() + 22);
  }
}

TEST(SafeTensors, ReadsAFileLaidOutByTheReferenceWriter) {
  // What Python's safetensors.torch.save_file writes for {"w": float32 [[1, 2], [3, 4]]}
  // with metadata {"format": "pt"}: compact JSON, padded with spaces to a multiple of 8.
  std::string header = R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string data;
  for (float v : {1.0f, 2.0f, 3.0f, 4.0f}) data.append(reinterpret_cast<const char*>(&v), 4);
  const SafeTensorsFile file = io::parseSafeTensors(fileWith(header, data), "ref");
  EXPECT_EQ(file.metadata.at("format"), "pt");
  EXPECT_EQ(file.tensors.at("w").toFloat(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(io::serializeSafeTensors(file), fileWith(header, data));
  // Other dtypes are kept as bytes (a checkpoint's integer buffers) but have no float values.
  const SafeTensorsFile ints = io::parseSafeTensors(
      fileWith(R"({"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", std::string(8, '\x01')), "ints");
  EXPECT_EQ(ints.tensors.at("ids").dtype, Dtype::I64);
  EXPECT_THROW(ints.tensors.at("ids").toFloat(), InvalidArgument);
}

// Parsed from memory, and read from a file (which streams each tensor from the file instead):
// the same reason both ways.
void expectBad(const std::string& bytes, const std::string& why) {
  try {
    io::parseSafeTensors(bytes, "x.safetensors");
    ADD_FAILURE() << "accepted: " << why;
  } catch (const InvalidArgument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(why), std::string::npos) << message;
    EXPECT_EQ(message.rfind("x.safetensors: not a readable .safetensors file: ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  const std::string path =
      (std::filesystem::temp_directory_path() / ("rankflow_bad_" + std::to_string(::getpid()) + ".safetensors"))
          .string();
  {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  try {
    io::readSafeTensors(path);
    ADD_FAILURE() << "read: " << why;
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind(path + ": not a readable .safetensors file: ", 0), 0u) << e.what();
  }
  std::filesystem::remove(path);
}

std::string entry(const std::string& dtype, const std::string& shape, const std::string& offsets) {
  return R"({"dtype":)" + dtype + R"(,"shape":)" + shape + R"(,"data_offsets":)" + offsets + "}";
}

TEST(SafeTensors, RejectsEveryMalformedFileWithItsReason) {
  const std::string four(4, '\0'), eight(8, '\0'), twelve(12, '\0');
  expectBad("", "shorter than its 8-byte header length");
  expectBad("abc", "the file is 3 bytes");
  std::string huge = fileWith("{}", "");
  huge[5] = '\x01';  // 2^40
  expectBad(huge, "exceeds the 100 MB limit");
  std::string pastEnd = fileWith("{}", "");
  pastEnd[0] = 100;
  expectBad(pastEnd, "header length 100 runs past the end of the file (10 bytes)");
  expectBad(fileWith("{not json", ""), "header is not valid JSON");
  expectBad(fileWith("{\"a\":\n\x01}", ""), "header is not valid JSON");  // and the message stays one line
  expectBad(fileWith("[1, 2]", ""), "header is not a JSON object");
  expectBad(fileWith(R"({"a":3})", ""), "tensor 'a': entry is not an object");
  expectBad(fileWith(R"({"a":{"dtype":"F32","shape":[1]}})", four), "tensor 'a': no \"data_offsets\"");
  expectBad(fileWith(R"({"a":{"shape":[1],"data_offsets":[0,4]}})", four), "tensor 'a': no \"dtype\"");
  expectBad(fileWith(R"({"a":)" + entry("5", "[1]", "[0,4]") + "}", four), "dtype is not a string");
  expectBad(fileWith(R"({"a":)" + entry(R"("Q4")", "[1]", "[0,4]") + "}", four), "unknown dtype 'Q4'");
  expectBad(fileWith(R"({"a":)" + entry(R"("f32")", "[1]", "[0,4]") + "}", four), "unknown dtype 'f32'");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", R"("x")", "[0,4]") + "}", four), "shape is not an array");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", "[-1]", "[0,4]") + "}", four), "shape entry is negative (-1)");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", "[1.5]", "[0,4]") + "}", four), "shape entry is not an integer");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", "[\"1\"]", "[0,4]") + "}", four), "shape entry is not a number");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", "[4294967296,4294967296]", "[0,4]") + "}", four),
            "shape [4294967296, 4294967296] is too large");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", "[18446744073709551615]", "[0,4]") + "}", four),
            "shape entry 18446744073709551615 is too large");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", "[1]", "[0]") + "}", four), "data_offsets is not [begin, end]");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", "[1]", "[0,4,8]") + "}", four), "data_offsets is not [begin, end]");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", "[1]", "[0,-4]") + "}", four), "data_offsets entry is negative");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", "[0]", "[4,0]") + "}", four), "[4, 0] are not ascending");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", "[100]", "[0,400]") + "}", four),
            "data_offsets [0, 400] run past the end of the data (4 bytes)");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", "[2]", "[0,4]") + "}", four),
            "shape [2] of F32 needs 8 bytes, data_offsets [0, 4] hold 4");
  expectBad(
      fileWith(R"({"a":)" + entry(R"("F32")", "[2]", "[0,8]") + R"(,"b":)" + entry(R"("F32")", "[2]", "[4,12]") + "}",
               twelve),
      "tensor 'b' (bytes 4..12) overlaps tensor 'a' (bytes 0..8)");
  expectBad(
      fileWith(R"({"a":)" + entry(R"("F32")", "[1]", "[0,4]") + R"(,"b":)" + entry(R"("F32")", "[1]", "[8,12]") + "}",
               twelve),
      "gap of 4 bytes before tensor 'b'");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", "[1]", "[4,8]") + "}", eight), "gap of 4 bytes before tensor 'a'");
  expectBad(fileWith(R"({"a":)" + entry(R"("F32")", "[1]", "[0,4]") + "}", eight),
            "4 bytes after the last tensor are not described by the header");
  expectBad(fileWith(R"({"__metadata__":{"k":1}})", ""), "metadata 'k' is not a string");
  expectBad(fileWith(R"({"__metadata__":["x"]})", ""), "__metadata__ is not an object");
  expectBad(
      fileWith(R"({"a":)" + entry(R"("F32")", "[1]", "[0,4]") + R"(,"a":)" + entry(R"("F32")", "[1]", "[0,4]") + "}",
               four),
      "header repeats the key 'a'");
  expectBad(fileWith(R"({"a":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}})", four),
            "header repeats the key 'dtype'");
  // A name with a control character is shown escaped: the message stays one line.
  expectBad(fileWith("{\"a\\nb\":3}", ""), "tensor 'a\\x0ab': entry is not an object");

  EXPECT_THROW(io::readSafeTensors("/nonexistent/adapter.safetensors"), InvalidArgument);
}

TEST(SafeTensors, StreamedWriteIsTheSerializedFileAndDecodesIntoCallerStorage) {
  std::mt19937_64 rng(testing::freshSeed());
  std::normal_distribution<double> normal;
  SafeTensorsFile file;
  file.metadata["format"] = "pt";
  for (Dtype dtype : {Dtype::F16, Dtype::BF16, Dtype::F32, Dtype::F64}) {
    std::vector<double> values(6 * 5);
    for (double& v : values) v = normal(rng);
    file.tensors[std::string("t_") + io::dtypeName(dtype)] = Tensor::encode(dtype, {6, 5}, values);
  }
  const std::string path =
      (std::filesystem::temp_directory_path() / ("rankflow_stream_" + std::to_string(::getpid()) + ".safetensors"))
          .string();
  io::writeSafeTensors(path, file);
  std::ifstream in(path, std::ios::binary);
  const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, io::serializeSafeTensors(file));
  const SafeTensorsFile back = io::readSafeTensors(path);
  std::filesystem::remove(path);
  for (const auto& [name, tensor] : file.tensors) {
    EXPECT_EQ(back.tensors.at(name).bytes, tensor.bytes) << name;
    std::vector<float> floats(30);
    std::vector<double> doubles(30);
    tensor.decodeInto(std::span<float>(floats));
    tensor.decodeInto(std::span<double>(doubles));
    EXPECT_EQ(floats, tensor.toFloat()) << name;
    EXPECT_EQ(doubles, tensor.toDouble()) << name;
    std::vector<float> wrong(29);
    EXPECT_THROW(tensor.decodeInto(std::span<float>(wrong)), InvalidArgument) << name;
  }
  // encode writes two bytes per value for the 16-bit types, with no spare capacity kept.
  EXPECT_EQ(file.tensors.at("t_BF16").bytes.size(), 60u);
  EXPECT_THROW(Tensor::encode(Dtype::BF16, {6, 4}, std::vector<double>(30)), InvalidArgument);
}

TEST(SafeTensors, RefusesToWriteInconsistentTensors) {
  SafeTensorsFile file;
  Tensor t = Tensor::fromFloat({2}, std::vector<float>{1, 2});
  t.bytes.pop_back();
  file.tensors["short"] = t;
  EXPECT_THROW(io::serializeSafeTensors(file), InvalidArgument);
  file.tensors.clear();
  file.tensors["__metadata__"] = Tensor::fromFloat({1}, std::vector<float>{1});
  EXPECT_THROW(io::serializeSafeTensors(file), InvalidArgument);
  file.tensors.clear();
  file.tensors["bad\xff"] = Tensor::fromFloat({1}, std::vector<float>{1});
  EXPECT_THROW(io::serializeSafeTensors(file), InvalidArgument);  // not UTF-8
  EXPECT_THROW(Tensor::fromFloat({2, 2}, std::vector<float>{1, 2, 3}), InvalidArgument);
  EXPECT_THROW(Tensor::fromDouble({-1}, std::vector<double>{}), InvalidArgument);
}

TEST(SafeTensors, RandomCorruptionEitherParsesOrThrowsInvalidArgument) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  SafeTensorsFile file;
  file.metadata = {{"format", "pt"}, {"lora_alpha", "8"}};
  std::vector<float> a(4 * 6), b(5 * 4);
  for (auto& v : a) v = std::uniform_real_distribution<float>(-1, 1)(rng);
  for (auto& v : b) v = std::uniform_real_distribution<float>(-1, 1)(rng);
  file.tensors["base_model.model.q.lora_A.weight"] = Tensor::fromFloat({4, 6}, a);
  file.tensors["base_model.model.q.lora_B.weight"] = Tensor::fromFloat({5, 4}, b);
  file.tensors["d"] = Tensor::fromDouble({2}, std::vector<double>{1, 2});
  file.tensors["h"] = rawTensor(Dtype::BF16, {3}, {0x3F80, 0x4000, 0x0000});
  const std::string good = io::serializeSafeTensors(file);
  const std::size_t headerEnd = 8 + headerOf(good).size();
  int parsed = 0, refused = 0;
  for (int trial = 0; trial < 600; ++trial) {
    std::string bytes = good;
    const int kind = static_cast<int>(rng() % 5);
    const auto at = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    if (kind == 0) {  // flip bytes anywhere
      for (int i = 0, n = 1 + static_cast<int>(rng() % 4); i < n; ++i)
        bytes[at(bytes.size())] = static_cast<char>(rng());
    } else if (kind == 1) {  // flip a byte of the header, where the structure lives
      bytes[at(headerEnd)] = static_cast<char>(rng());
    } else if (kind == 2) {  // replace a header byte by a character JSON cares about
      static const char kJson[] = "{}[]\",:0123456789-.e ";
      bytes[8 + at(headerEnd - 8)] = kJson[at(sizeof(kJson) - 1)];
    } else if (kind == 3) {  // truncate
      bytes.resize(at(bytes.size()));
    } else {  // insert or delete a few bytes inside
      const std::size_t where = at(bytes.size());
      if (rng() % 2) {
        bytes.insert(where, std::string(1 + at(9), static_cast<char>(rng())));
      } else {
        bytes.erase(where, 1 + at(9));
      }
    }
    try {
      const SafeTensorsFile back = io::parseSafeTensors(bytes, "corrupt");
      ++parsed;
      for (const auto& [name, tensor] : back.tensors) {
        ASSERT_EQ(static_cast<std::int64_t>(tensor.bytes.size()),
                  tensor.elementCount() * static_cast<std::int64_t>(io::dtypeSize(tensor.dtype)))
            << name;
        if (io::dtypeDecodes(tensor.dtype)) {
          EXPECT_EQ(tensor.toDouble().size(), tensor.bytes.size() / io::dtypeSize(tensor.dtype));
        }
      }
    } catch (const InvalidArgument& e) {
      ++refused;
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "trial " << trial << " threw something other than InvalidArgument: " << e.what();
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_EQ(parsed + refused, 600);
}

}  // namespace
}  // namespace rankflow
