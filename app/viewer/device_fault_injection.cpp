#include "app/viewer/device_fault_injection.h"

#include <cstdlib>

#include "core/common/error.h"
#include "core/compute/device_fault.h"

namespace rankflow::app {
namespace {

[[noreturn]] void fail(const std::string& error) {
  throw compute::DeviceFault(error + " (injected by " + kInjectDeviceFaultVariable + ")");
}

class FailingFlowBackend final : public compute::FlowBackend {
 public:
  explicit FailingFlowBackend(std::string error) : error_(std::move(error)) {}
  compute::BackendKind kind() const override { return compute::BackendKind::Cuda; }
  std::string description() const override { return "CUDA · injected fault"; }

 protected:
  void fieldsImpl(const compute::FieldQuery&, std::span<const Vec2f>, std::span<Vec2f>) const override { fail(error_); }
  flows::SampleResult sampleImpl(std::span<const Vec2f>, std::span<const Vec2f>, const flows::SamplerOptions&,
                                 const ProgressFn&) const override {
    fail(error_);
  }

 private:
  std::string error_;
};

class FailingLowRankBackend final : public lowrank::LowRankBackend {
 public:
  explicit FailingLowRankBackend(std::string error) : error_(std::move(error)) {}
  std::string description() const override { return "CUDA · injected fault"; }
  void evaluateCascade(const lowrank::CascadeModel&, const Eigen::MatrixXf&, lowrank::Activation,
                       std::vector<Eigen::MatrixXf>&) override {
    fail(error_);
  }
  std::unique_ptr<lowrank::PreparedRangeTree> prepare(const lowrank::LowRankRangeTree&) override { fail(error_); }
  std::vector<Eigen::VectorXf> singularValuesBatched(const std::vector<Eigen::MatrixXf>&) override { fail(error_); }
  lowrank::SvdBatch decompositions(const std::vector<Eigen::MatrixXf>&) override { fail(error_); }
  std::unique_ptr<lowrank::PreparedCascade> prepareCascade(const lowrank::CascadeModel&) override { fail(error_); }
  lowrank::BatchedSpectra spectra(const lowrank::MatrixBatchView&, std::optional<double>) override { fail(error_); }
  matfun::RankGrid rankGrid(const matfun::DerivativeTermTable&, const std::vector<double>&, std::optional<double>,
                            bool) override {
    fail(error_);
  }

 private:
  std::string error_;
};

class FailingTrainingEngine final : public learn::TrainingEngine {
 public:
  explicit FailingTrainingEngine(std::string error) : error_(std::move(error)) {}
  std::string name() const override { return "CUDA · injected fault"; }
  void train(const learn::OrderTrainingJob&, const learn::TrainProgressFn&) override { fail(error_); }

 private:
  std::string error_;
};

}  // namespace

std::shared_ptr<learn::TrainingEngine> makeFailingTrainingEngine(const std::string& error) {
  return std::make_shared<FailingTrainingEngine>(error);
}

std::optional<std::string> injectedDeviceFault() {
  const char* value = std::getenv(kInjectDeviceFaultVariable);
  if (value == nullptr || *value == '\0') return std::nullopt;
  const std::string kind = value;
  if (kind == "device-lost") return std::string("cudaErrorDevicesUnavailable (the device was lost)");
  if (kind == "out-of-memory") return std::string("cudaErrorMemoryAllocation (out of memory)");
  throw InvalidArgument(std::string(kInjectDeviceFaultVariable) + "='" + kind +
                        "': the test hook takes device-lost or out-of-memory");
}

std::unique_ptr<compute::FlowBackend> makeFailingFlowBackend(const std::string& error) {
  return std::make_unique<FailingFlowBackend>(error);
}

std::unique_ptr<lowrank::LowRankBackend> makeFailingLowRankBackend(const std::string& error) {
  return std::make_unique<FailingLowRankBackend>(error);
}

}  // namespace rankflow::app
