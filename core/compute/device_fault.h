#pragma once
// A failure of the device that ran the work — lost, out of memory, a kernel that failed to
// launch — as opposed to bad input. Callers that can (the window's models) move the work to
// the CPU and say so (docs/RELIABILITY.md, "Faults"); kernels' CudaError is one.
#include <stdexcept>

namespace rankflow::compute {

class DeviceFault : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace rankflow::compute
