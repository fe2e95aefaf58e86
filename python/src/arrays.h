#pragma once
// NumPy arrays in and out of the core (docs/python.md, "Arrays"): inputs are read in place
// when they are C-contiguous with the dtype the core takes (the package's Python layer
// converts others first, and says so); outputs are NumPy arrays the core writes directly.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/common/vec2.h"

namespace rankflow::python {

namespace nb = nanobind;

using Points = nb::ndarray<const float, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
using FloatArray = nb::ndarray<nb::numpy, float>;
using DoubleArray = nb::ndarray<nb::numpy, double>;
using IntArray = nb::ndarray<nb::numpy, std::int32_t>;

// An (N, 2) float32 array as points, in place. ValueError naming `name` for another width.
std::span<const Vec2f> pointsOf(const Points& array, const char* name);

// A new NumPy array of `shape` that owns `values` (moved, not copied).
template <class T>
nb::ndarray<nb::numpy, T> ownedArray(std::vector<T>&& values, std::vector<std::size_t> shape) {
  auto* owned = new std::vector<T>(std::move(values));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nb::ndarray<nb::numpy, T>(owned->data(), shape.size(), shape.data(), owner);
}

// A Python callable taking the fraction done (None: no reports); a False result cancels.
// The core calls it from its worker threads: each call takes the GIL.
ProgressFn progressFrom(const nb::object& callback);

// The address of the last input buffer handed to the core (the zero-copy test reads it).
void noteInputAddress(const void* address);
std::uintptr_t lastInputAddress();

}  // namespace rankflow::python
