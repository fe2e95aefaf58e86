#include "kernels/backend_selection.h"

#include "core/common/error.h"
#include "kernels/cuda_lowrank.h"
#include "kernels/cuda_training.h"

namespace rankflow::kernels {

std::optional<BackendPreference> parseBackendPreference(const std::string& text) {
  if (text == "auto") return BackendPreference::Auto;
  if (text == "cpu") return BackendPreference::Cpu;
  if (text == "cuda") return BackendPreference::Cuda;
  return std::nullopt;
}

BackendSelection chooseFlowBackend(BackendPreference preference) {
  BackendSelection selection;
  selection.cuda = probeCuda();
  if (preference != BackendPreference::Cpu && selection.cuda.available) selection.backend = makeCudaBackend();
  if (!selection.backend) {
    if (preference == BackendPreference::Cuda) throw InvalidArgument("no CUDA device (" + selection.cuda.reason + ")");
    selection.whyNotCuda =
        preference == BackendPreference::Cpu ? "CPU chosen with --backend cpu" : selection.cuda.reason;
    selection.backend = compute::makeCpuBackend();
  }
  return selection;
}

std::shared_ptr<learn::TrainingEngine> chooseTrainingEngine(BackendPreference preference) {
  if (preference != BackendPreference::Cpu) {
    std::string why;
    try {
      if (auto cuda = makeCudaTrainingEngine()) return cuda;
      why = "no CUDA device (" + probeCuda().reason + ")";
    } catch (const std::exception& e) {
      // A device that fails to start (a lost context, no memory for cuBLAS): auto uses the CPU.
      why = std::string("the CUDA trainer failed to start: ") + e.what();
    }
    if (preference == BackendPreference::Cuda) throw InvalidArgument(why);
  }
  return learn::makeCpuTrainingEngine();
}

LowRankSelection chooseLowRankBackend(BackendPreference preference) {
  LowRankSelection selection;
  if (preference == BackendPreference::Cpu) {
    selection.whyNotCuda = "CPU chosen with --backend cpu";
  } else {
    try {
      selection.backend = makeCudaLowRankBackend();
      if (!selection.backend) selection.whyNotCuda = "no CUDA device (" + probeCuda().reason + ")";
    } catch (const std::exception& e) {
      selection.whyNotCuda = std::string("the CUDA low-rank backend failed to start: ") + e.what();
    }
    if (!selection.backend && preference == BackendPreference::Cuda) throw InvalidArgument(selection.whyNotCuda);
  }
  selection.cuda = selection.backend != nullptr;
  if (!selection.backend) selection.backend = lowrank::makeCpuLowRankBackend();
  return selection;
}

}  // namespace rankflow::kernels
