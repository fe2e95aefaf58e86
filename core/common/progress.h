#pragma once
#include <functional>
#include <stdexcept>

namespace rankflow {

// Called with the fraction done (0..1) from worker threads, so it must be thread-safe;
// returning false cancels the work, which then throws Cancelled.
using ProgressFn = std::function<bool(double fraction)>;

class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace rankflow
