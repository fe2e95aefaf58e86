#pragma once
// Hugging Face .safetensors checkpoints (what PEFT saves adapters as): an 8-byte
// little-endian header length N, N bytes of JSON naming each tensor's dtype, shape and byte
// range, then the packed little-endian C-order data. Tensors keep the file's bytes, so a
// checkpoint read and written again is identical bit for bit; values are decoded on demand
// from F16, BF16, F32 and F64 (exactly: every one of them is a float or a double). Every
// malformed file is an InvalidArgument with the reason, never an out-of-bounds read; writes
// are atomic (docs/formats.md).
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace rankflow::io {

// The element types of the safetensors format. All are parsed and written back verbatim;
// only the four floating-point ones decode to values.
enum class Dtype { Bool, U8, I8, F8E5M2, F8E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64 };

const char* dtypeName(Dtype dtype);  // as spelled in the header: "F32", "BF16", "F8_E4M3", …
std::size_t dtypeSize(Dtype dtype);  // bytes per element
bool dtypeDecodes(Dtype dtype);      // F16, BF16, F32 or F64

struct Tensor {
  Dtype dtype = Dtype::F32;
  std::vector<std::int64_t> shape;  // C order; {} is a scalar
  std::vector<std::uint8_t> bytes;  // little-endian, exactly elementCount() · dtypeSize(dtype) of them

  std::int64_t elementCount() const;
  // Exact for F16, BF16 and F32; F64 is rounded to nearest. InvalidArgument for the others.
  std::vector<float> toFloat() const;
  // Exact for F16, BF16, F32 and F64. InvalidArgument for the others.
  std::vector<double> toDouble() const;
  // toFloat() into caller-owned room of exactly elementCount() floats (a matrix's storage:
  // the C-order rows × cols data is the column-major cols × rows transpose).
  void decodeInto(std::span<float> out) const;
  void decodeInto(std::span<double> out) const;

  // InvalidArgument when a dimension is negative or the product differs from values.size().
  static Tensor fromFloat(std::vector<std::int64_t> shape, std::span<const float> values);
  static Tensor fromDouble(std::vector<std::int64_t> shape, std::span<const double> values);
  // `values` rounded to nearest (ties to even) in F16, BF16, F32 or F64; F16 and BF16 round
  // from the float32 nearest the value. InvalidArgument for another dtype.
  static Tensor encode(Dtype dtype, std::vector<std::int64_t> shape, std::span<const double> values);
};

struct SafeTensorsFile {
  std::map<std::string, std::string> metadata;  // the header's optional "__metadata__"
  std::map<std::string, Tensor> tensors;        // by name
};

SafeTensorsFile readSafeTensors(const std::string& path);
SafeTensorsFile parseSafeTensors(const std::string& bytes, const std::string& nameForErrors);

// The layout of the reference implementation: tensors ordered by element size (largest
// first, so each starts aligned to its own size) then by name, packed from offset 0, the
// JSON header padded with spaces to a multiple of 8 bytes. InvalidArgument for a tensor
// whose byte count disagrees with its shape, or one named "__metadata__".
std::string serializeSafeTensors(const SafeTensorsFile& file);
void writeSafeTensors(const std::string& path, const SafeTensorsFile& file);

}  // namespace rankflow::io
