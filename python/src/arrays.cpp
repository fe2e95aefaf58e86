#include "python/src/arrays.h"

#include <atomic>
#include <memory>

#include "core/common/error.h"

namespace rankflow::python {
namespace {
std::atomic<std::uintptr_t> lastAddress{0};
}  // namespace

std::span<const Vec2f> pointsOf(const Points& array, const char* name) {
  if (array.shape(1) != 2) {
    throw InvalidArgument(std::string(name) + ": expected shape (N, 2), got (" + std::to_string(array.shape(0)) + ", " +
                          std::to_string(array.shape(1)) + ")");
  }
  static_assert(sizeof(Vec2f) == 2 * sizeof(float), "Vec2f is two packed floats");
  noteInputAddress(array.data());
  return {reinterpret_cast<const Vec2f*>(array.data()), array.shape(0)};
}

ProgressFn progressFrom(const nb::object& callback) {
  if (callback.is_none()) return {};
  // Held through a shared_ptr: the core may copy the function on a worker thread, and copying
  // an nb::object there would touch its reference count without the GIL.
  auto held = std::make_shared<nb::object>(callback);
  return [held](double fraction) {
    nb::gil_scoped_acquire gil;
    const nb::object answer = (*held)(fraction);
    return answer.is_none() || nb::cast<bool>(answer);
  };
}

void noteInputAddress(const void* address) {
  lastAddress = reinterpret_cast<std::uintptr_t>(address);
}
std::uintptr_t lastInputAddress() {
  return lastAddress.load();
}

}  // namespace rankflow::python
