#pragma once
// How long a model test waits for a background job before it fails: generous, because the
// sanitizer tree runs the same jobs several times slower (docs/RELIABILITY.md).
#include <chrono>

namespace rankflow::testing {

inline constexpr std::chrono::seconds kJobWait{120};

}  // namespace rankflow::testing
