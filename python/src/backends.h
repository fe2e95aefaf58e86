#pragma once
// The Python module's backends: kernels' selection rule (kernels/backend_selection.h), each
// preference's backend made once per process (probing CUDA and making a context cost far more
// than a small call) and used by one call at a time, since calls run with the GIL released.
#include <mutex>
#include <string>

#include "kernels/backend_selection.h"

namespace rankflow::python {

template <class Backend>
struct SharedBackend {
  std::unique_ptr<Backend> backend;
  std::mutex inUse;
};

// name: "auto", "cpu" or "cuda"; InvalidArgument (ValueError) for another name, or for
// "cuda" without a device ("backend cuda: no CUDA device (…)").
SharedBackend<compute::FlowBackend>& flowBackend(const std::string& name);
SharedBackend<lowrank::LowRankBackend>& lowRankBackend(const std::string& name);

}  // namespace rankflow::python
