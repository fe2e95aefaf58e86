// The Eigen CPU backend: the library's batched field evaluation and samplers
// (core/flows), which split points and particles over both cores and take the
// vectorised structure-of-arrays softmax for empirical data.
#include <Eigen/Core>
#include <string>

#include "core/common/parallel_for.h"
#include "core/compute/flow_backend.h"

namespace rankflow::compute {
namespace {

class CpuFlowBackend final : public FlowBackend {
 public:
  BackendKind kind() const override { return BackendKind::Cpu; }

  std::string description() const override {
    return "CPU · Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
           std::to_string(EIGEN_MINOR_VERSION) + " · " + std::to_string(cpuWorkerCount()) + " threads";
  }

 protected:
  void fieldsImpl(const FieldQuery& query, std::span<const Vec2f> points, std::span<Vec2f> out) const override {
    const flows::FlowData data = flows::FlowData::empirical({query.data.begin(), query.data.end()});
    flows::evaluateFields(data, {query.schedule, query.kind, query.t, query.maxOrder}, points, out);
  }

  flows::SampleResult sampleImpl(std::span<const Vec2f> data, std::span<const Vec2f> start,
                                 const flows::SamplerOptions& options, const ProgressFn& progress) const override {
    return flows::sampleFlow(flows::FlowData::empirical({data.begin(), data.end()}), start, options, progress);
  }
};

}  // namespace

std::unique_ptr<FlowBackend> makeCpuBackend() {
  return std::make_unique<CpuFlowBackend>();
}

}  // namespace rankflow::compute
