#pragma once
// The low-rank backend the window's models use for ranks (the Ranks panel, the Timeline's
// rank strip): CUDA when the window's backend preference allows it and a device exists,
// Eigen otherwise. Each model makes its own instance on its worker thread (the CUDA one
// keeps device buffers between calls and is used by one thread at a time). No ImGui.
#include <memory>
#include <string>

#include "app/viewer/backend_selection.h"
#include "core/lowrank/lowrank_backend.h"

namespace rankflow::app {

// Set once by the window (gui --backend); Auto until then.
void setWindowLowRankPreference(BackendPreference preference);

struct WindowLowRankBackend {
  std::unique_ptr<lowrank::LowRankBackend> backend;
  bool cuda = false;
  std::string whyNotCuda;  // empty when CUDA is in use
};

// Never throws: a CUDA backend that fails to start (or `cuda` chosen without a device)
// leaves the CPU one, with the reason.
WindowLowRankBackend makeWindowLowRankBackend();

}  // namespace rankflow::app
