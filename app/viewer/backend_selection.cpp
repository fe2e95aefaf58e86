#include "app/viewer/backend_selection.h"

#include "app/viewer/cli_error.h"
#include "kernels/cuda_lowrank.h"
#include "kernels/cuda_training.h"

namespace rankflow::app {

BackendPreference parseBackendPreference(const std::string& text) {
  if (text == "auto") return BackendPreference::Auto;
  if (text == "cpu") return BackendPreference::Cpu;
  if (text == "cuda") return BackendPreference::Cuda;
  throw CliError("--backend must be auto, cpu or cuda, got '" + text + "'");
}

BackendSelection selectBackend(BackendPreference preference) {
  BackendSelection selection;
  selection.cuda = kernels::probeCuda();
  if (preference != BackendPreference::Cpu && selection.cuda.available) {
    selection.backend = kernels::makeCudaBackend();
  }
  if (!selection.backend) {
    if (preference == BackendPreference::Cuda)
      throw CliError("--backend cuda: no CUDA device (" + selection.cuda.reason + ")");
    selection.whyNotCuda =
        preference == BackendPreference::Cpu ? "CPU chosen with --backend cpu" : selection.cuda.reason;
    selection.backend = compute::makeCpuBackend();
  }
  return selection;
}

std::shared_ptr<learn::TrainingEngine> selectTrainingEngine(BackendPreference preference) {
  if (preference != BackendPreference::Cpu) {
    std::string why;
    try {
      if (auto cuda = kernels::makeCudaTrainingEngine()) return cuda;
      why = "no CUDA device (" + kernels::probeCuda().reason + ")";
    } catch (const std::exception& e) {
      // A device that fails to start (a lost context, no memory for cuBLAS): auto uses the CPU.
      why = std::string("the CUDA trainer failed to start: ") + e.what();
    }
    if (preference == BackendPreference::Cuda) throw CliError("--backend cuda: " + why);
  }
  return learn::makeCpuTrainingEngine();
}

LowRankSelection selectLowRankBackend(BackendPreference preference) {
  LowRankSelection selection;
  if (preference == BackendPreference::Cpu) {
    selection.whyNotCuda = "CPU chosen with --backend cpu";
  } else {
    try {
      selection.backend = kernels::makeCudaLowRankBackend();
      if (!selection.backend) selection.whyNotCuda = "no CUDA device (" + kernels::probeCuda().reason + ")";
    } catch (const std::exception& e) {
      selection.whyNotCuda = std::string("the CUDA low-rank backend failed to start: ") + e.what();
    }
    if (!selection.backend && preference == BackendPreference::Cuda)
      throw CliError("--backend cuda: " + selection.whyNotCuda);
  }
  selection.cuda = selection.backend != nullptr;
  if (!selection.backend) selection.backend = lowrank::makeCpuLowRankBackend();
  return selection;
}

}  // namespace rankflow::app
