#pragma once
#include <memory>
#include <string>

#include "core/compute/flow_backend.h"
#include "core/learn/training_engine.h"
#include "core/lowrank/lowrank_backend.h"
#include "kernels/backend_selection.h"

namespace rankflow::app {

// The rule lives in kernels/backend_selection.h (the Python module shares it); here its
// refusals become the CLI's usage errors (CliError, exit 2).
using kernels::BackendPreference;
using kernels::BackendSelection;
using kernels::LowRankSelection;

// Parses "auto" | "cpu" | "cuda"; throws CliError otherwise.
BackendPreference parseBackendPreference(const std::string& text);

// auto: CUDA when a device exists, else the CPU. cuda: CUDA or an error (exit 2 with the
// reason). cpu: always the CPU.
BackendSelection selectBackend(BackendPreference preference);

// The trainer of the learned cascade by the same rule: the CUDA one when a device exists
// (auto, cuda), else the CPU one; cuda without a device is a CliError with the reason.
std::shared_ptr<learn::TrainingEngine> selectTrainingEngine(BackendPreference preference);

// The low-rank backend (cascade, range queries, batched spectra, rank grids) by the same
// rule: auto uses CUDA when a device exists and its backend starts, else the CPU; cuda
// without one is a CliError with the runtime's reason.
LowRankSelection selectLowRankBackend(BackendPreference preference);

}  // namespace rankflow::app
