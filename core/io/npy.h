#pragma once
// NumPy .npy arrays (format versions 1.0, 2.0 and 3.0): float32 or float64, little-endian,
// C order. Everything read is validated (magic, header, dtype, shape, length) and a bad
// file is an InvalidArgument with the reason; writes are atomic (temporary + rename).
#include <cstdint>
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
NpyArray parseNpy(const std::string& bytes, const std::string& nameForErrors);

enum class NpyType { Float32, Float64 };
void writeNpy(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<double>& values,
              NpyType type = NpyType::Float32);
std::string serializeNpy(const std::vector<std::int64_t>& shape, const std::vector<double>& values, NpyType type);

}  // namespace rankflow::io
