#pragma once
// Which backend runs (docs/ARCHITECTURE.md, "Backends"): CUDA when a device exists and its
// backend starts, else the CPU, with the reason why not CUDA. One rule for the app, the CLI
// and the Python module. Plain C++: no CUDA headers.
#include <memory>
#include <optional>
#include <string>

#include "core/compute/flow_backend.h"
#include "core/learn/training_engine.h"
#include "core/lowrank/lowrank_backend.h"
#include "kernels/cuda_backend.h"

namespace rankflow::kernels {

enum class BackendPreference { Auto, Cpu, Cuda };

// "auto" | "cpu" | "cuda"; nullopt for anything else.
std::optional<BackendPreference> parseBackendPreference(const std::string& text);

struct BackendSelection {
  std::unique_ptr<compute::FlowBackend> backend;
  CudaProbe cuda;
  std::string whyNotCuda;  // empty when CUDA is in use
};

struct LowRankSelection {
  std::unique_ptr<lowrank::LowRankBackend> backend;
  bool cuda = false;
  std::string whyNotCuda;  // empty when CUDA is in use
};

// auto: CUDA when a device exists, else the CPU. cpu: always the CPU. cuda: CUDA, or
// InvalidArgument with the reason there is none ("no CUDA device (…)").
BackendSelection chooseFlowBackend(BackendPreference preference);
LowRankSelection chooseLowRankBackend(BackendPreference preference);
std::shared_ptr<learn::TrainingEngine> chooseTrainingEngine(BackendPreference preference);

}  // namespace rankflow::kernels
