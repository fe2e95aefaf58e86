#pragma once
// A tensor shape as the messages about a file quote it: "(3, 4)" as NumPy prints an .npy
// shape (a one-dimensional one as "(5,)", a Python tuple), or "[3, 4]" as a safetensors
// header writes it, so a message shows the shape in the file's own notation.
#include <cstdint>
#include <string>
#include <vector>

namespace rankflow {

enum class ShapeNotation { NumpyTuple, JsonList };

inline std::string shapeText(const std::vector<std::int64_t>& shape, ShapeNotation notation) {
  const bool tuple = notation == ShapeNotation::NumpyTuple;
  std::string text = tuple ? "(" : "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (tuple ? (shape.size() == 1 ? ",)" : ")") : "]");
}

}  // namespace rankflow
