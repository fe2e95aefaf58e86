// Label `gpu`: the CUDA trainer (kernels/cuda_training.h) against the float64 reference
// and the CPU trainer on fresh random inputs. Without a device every test reports SKIPPED
// with the runtime's reason; tests/core/training_plan_test.cpp runs the same plan on the
// CPU everywhere.
#include "kernels/cuda_training.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "core/flows/datasets.h"
#include "core/flows/empirical_data.h"
#include "core/flows/flow_fields.h"
#include "core/learn/trainer.h"
#include "kernels/cuda_backend.h"
#include "tests/support/reference_flow.h"
#include "tests/support/training_plan_check.h"

namespace rankflow {
namespace {

using testing::freshSeed;

class CudaTraining : public ::testing::Test {
 protected:
  void SetUp() override {
    const kernels::CudaProbe probe = kernels::probeCuda();
    if (!probe.available) GTEST_SKIP() << "no CUDA device: " << probe.reason;
  }
};

TEST_F(CudaTraining, GradientsMatchFloat64ReferenceForEveryVariantAndOrder) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto executor = kernels::makeCudaPlanExecutor();
  ASSERT_NE(executor, nullptr);
  for (const auto& c : testing::planCases()) {
    SCOPED_TRACE(c.describe());
    learn::FlowNetwork network(testing::smallModel(c, seed));
    testing::randomizeAdapters(network, seed + 1);
    // 1000 columns: several blocks per element-wise kernel and a partly filled last one.
    const auto batch = testing::randomBatch(network, 1000, seed + 2);
    const auto ref = testing::referenceGradients(network, c.order, batch.features, batch.targets);
    testing::expectGradientsMatch(testing::planGradients(*executor, network, c.order, batch), ref, 1e-4);
  }
}

// The same job on the CPU engine and on the CUDA engine: the same batches and Adam, so the
// two differ only by float rounding.
TEST_F(CudaTraining, FirstStepsAgreeWithTheCpuTrainer) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto cuda = kernels::makeCudaTrainingEngine();
  ASSERT_NE(cuda, nullptr);
  const auto cpu = learn::makeCpuTrainingEngine();
  for (const auto& c : testing::planCases()) {
    SCOPED_TRACE(c.describe());
    learn::FlowNetwork start(testing::smallModel(c, seed));
    testing::randomizeAdapters(start, seed + 1);
    const auto pool = testing::randomBatch(start, 2000, seed + 2);
    learn::FlowNetwork onGpu = start, onCpu = start;
    learn::OrderTrainingJob job;
    job.order = c.order;
    job.poolFeatures = &pool.features;
    job.poolTargets = &pool.targets;
    job.steps = 40;  // a full chunk of 32 and a shorter one
    job.batch = 256;
    job.learningRate = 3e-3f;
    job.seed = seed + 3;
    // The last batch's loss, as each engine reports it at the end.
    double gpuLoss = -1.0, cpuLoss = -2.0;
    job.network = &onGpu;
    cuda->train(job, [&](const learn::TrainProgress& p) {
      if (p.step == p.steps) gpuLoss = p.loss;
      return true;
    });
    job.network = &onCpu;
    cpu->train(job, [&](const learn::TrainProgress& p) {
      if (p.step == p.steps) cpuLoss = p.loss;
      return true;
    });
    const double gap = testing::relativeParameterGap(onGpu, onCpu, start, c.order);
    if (std::getenv("RANKFLOW_PRINT_GAPS")) std::printf("%s: gap %.3g\n", c.describe().c_str(), gap);
    // Measured on an H100: ≤ 5e-7 of the distance the parameters moved.
    EXPECT_LT(gap, 1e-5);
    EXPECT_NEAR(gpuLoss, cpuLoss, 1e-4 * (1.0 + cpuLoss));
  }
}

TEST_F(CudaTraining, IsReproducibleToTheBit) {
  const std::uint64_t seed = freshSeed();
  const testing::PlanCase c{learn::Variant::Cascade, 2, {8, 4}};
  learn::FlowNetwork start(testing::smallModel(c, seed));
  testing::randomizeAdapters(start, seed + 1);
  const auto pool = testing::randomBatch(start, 4096, seed + 2);
  learn::FlowNetwork first = start, second = start;
  learn::OrderTrainingJob job;
  job.order = 2;
  job.poolFeatures = &pool.features;
  job.poolTargets = &pool.targets;
  job.steps = 70;
  job.batch = 1024;
  job.seed = seed;
  job.network = &first;
  kernels::makeCudaTrainingEngine()->train(job, {});
  job.network = &second;
  kernels::makeCudaTrainingEngine()->train(job, {});
  for (std::size_t l = 0; l < first.adapters[0].size(); ++l) {
    EXPECT_EQ(first.adapters[0][l].u, second.adapters[0][l].u);
    EXPECT_EQ(first.adapters[0][l].v, second.adapters[0][l].v);
    EXPECT_EQ(first.biases[0][l], second.biases[0][l]);
  }
}

// The whole schedule on real targets, as the core test LearnedCascade.TrainingReduces…
// runs it on the CPU: base, then the adapters, on the CUDA engine. Each order's held-out
// error ends well below where it started and near the CPU trainer's.
TEST_F(CudaTraining, TrainsTheCascadeOnEightGaussiansLikeTheCpu) {
  const auto data = flows::FlowData::fromMixture(*flows::analyticMixture(flows::DatasetSpec{}));
  learn::TargetOptions targets;
  targets.count = 4096;
  targets.epsilon = 0.5f;
  const auto train = learn::makeTargets(data, targets);
  targets.seed = 2;
  targets.count = 1024;
  const auto heldOut = learn::makeTargets(data, targets);
  learn::ModelConfig config;
  config.hiddenLayers = 2;
  config.width = 48;
  config.frequencies = 4;
  config.ranks = {8, 4};
  learn::TrainOptions options;
  options.baseSteps = 800;
  options.baseBatch = 512;
  options.adapterSteps = 800;
  options.adapterBatch = 512;
  learn::FlowNetwork onGpu(config), onCpu(config);
  learn::Trainer gpuTrainer(onGpu, train, heldOut, options, kernels::makeCudaTrainingEngine());
  learn::Trainer cpuTrainer(onCpu, train, heldOut, options);
  EXPECT_NE(gpuTrainer.engineName().find("CUDA"), std::string::npos);
  std::vector<double> initial;
  for (int k = 1; k <= 3; ++k) initial.push_back(gpuTrainer.heldOutRelativeError(k));
  const auto gpuReports = gpuTrainer.trainAll();
  const auto cpuReports = cpuTrainer.trainAll();
  for (int k = 1; k <= 3; ++k) {
    SCOPED_TRACE("order " + std::to_string(k));
    const double gpu = gpuReports[static_cast<std::size_t>(k - 1)].heldOutRelativeError;
    const double cpu = cpuReports[static_cast<std::size_t>(k - 1)].heldOutRelativeError;
    if (std::getenv("RANKFLOW_PRINT_GAPS"))
      std::printf("order %d: initial %.4f, CUDA %.4f, CPU %.4f\n", k, initial[static_cast<std::size_t>(k - 1)], gpu,
                  cpu);
    EXPECT_LT(gpu, 0.4 * initial[static_cast<std::size_t>(k - 1)]);
    // Measured on an H100: equal to 4 digits after 800 steps of each order.
    EXPECT_NEAR(gpu, cpu, 2e-3 + 0.01 * cpu);
  }
}

}  // namespace
}  // namespace rankflow
