#pragma once
// Batched singular values, ranks, the derivative rank grid and thin SVDs with vectors on
// the device (plain C++).
// Buffers grow once and stay; the term table and the times are uploaded only when they
// change (UploadLedger); what comes back is the ranks and tolerances, and the spectra only
// when asked for.
#include <optional>
#include <string>
#include <vector>

#include "core/common/upload_ledger.h"
#include "core/lowrank/batched_spectra.h"
#include "core/lowrank/svd_batch.h"
#include "core/matfun/derivative_grid.h"
#include "kernels/device_buffer.h"

namespace rankflow::kernels {

class CudaSpectra {
 public:
  explicit CudaSpectra(std::string backend) : backend_(std::move(backend)) {}

  // Falls back to the CPU (with the reason in `note`) when a matrix does not fit one
  // block's shared memory, or when the device runs out of memory.
  lowrank::BatchedSpectra spectra(const lowrank::MatrixBatchView& batch, std::optional<double> tolerance);
  matfun::RankGrid rankGrid(const matfun::DerivativeTermTable& table, const std::vector<double>& times,
                            std::optional<double> tolerance, bool keepSpectra);
  // Thin SVDs with vectors (float32, N ≤ 64 on the device; larger on the CPU, saying so).
  lowrank::SvdBatch decompositions(const std::vector<Eigen::MatrixXf>& matrices);

 private:
  lowrank::SvdBatch deviceDecompositions(const std::vector<Eigen::MatrixXf>& matrices);
  lowrank::BatchedSpectra deviceSpectra(const lowrank::MatrixBatchView& batch, std::optional<double> tolerance);
  matfun::RankGrid deviceRankGrid(const matfun::DerivativeTermTable& table, const std::vector<double>& times,
                                  std::optional<double> tolerance, bool keepSpectra);
  void releaseAll();  // after an allocation failure: free what we hold before the CPU runs
  // On first use: planted-rank matrices in both precisions on the device against the CPU.
  // A device that disagrees (a driver or compiler fault) is not used again; `why` says so.
  bool deviceAgrees(std::string* why);

  enum class SelfCheck { NotRun, Passed, Failed };
  SelfCheck selfCheck_ = SelfCheck::NotRun;
  std::string selfCheckFailure_;
  std::string backend_;
  UploadLedger ledger_;
  DeviceBuffer<float> input32_, svdU_, svdSigma_, svdV_;
  DeviceBuffer<double> input64_, sigma_, tolerances_, times_, grid_;
  DeviceBuffer<int> ranks_, entryStart_;
  DeviceBuffer<matfun::FlatTerm> terms_;
};

}  // namespace rankflow::kernels
