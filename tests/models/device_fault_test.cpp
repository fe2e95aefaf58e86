// A device that fails during a job (docs/RELIABILITY.md, "Faults"): through the test hook
// RANKFLOW_INJECT_DEVICE_FAULT the window's low-rank backend is a CUDA stand-in whose every
// job fails; the Ranks panel's and the Timeline strip's models move to the CPU, give the
// CPU's results, and say why in the note the panel shows beside the numbers. The Learned
// view's training, the Cascade panel's matrix fit and the Theory panel's numerical ranks do
// the same, naming the failure beside the trainer's name, the fit's SVDs and the ranks.
#include "core/compute/device_fault.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "app/models/cascade_fit_model.h"
#include "app/models/learned_model.h"
#include "app/models/rank_strip_model.h"
#include "app/models/ranks_model.h"
#include "app/models/theory_scenes.h"
#include "app/viewer/device_fault_injection.h"
#include "app/viewer/lowrank_engine.h"
#include "core/common/error.h"
#include "tests/support/job_wait.h"
#include "tests/support/learned_fixture.h"
#include "tests/support/rank_strip_check.h"

namespace rankflow {
namespace {

using namespace std::chrono_literals;

// Sets the hook for one test and clears it after.
class InjectedDeviceFault : public ::testing::Test {
 protected:
  void inject(const char* kind) { ::setenv(app::kInjectDeviceFaultVariable, kind, 1); }
  void TearDown() override { ::unsetenv(app::kInjectDeviceFaultVariable); }
};

TEST_F(InjectedDeviceFault, TheHookNamesTheCudaErrorAndRefusesUnknownKinds) {
  EXPECT_FALSE(app::injectedDeviceFault().has_value());
  inject("device-lost");
  EXPECT_NE(app::injectedDeviceFault()->find("cudaErrorDevicesUnavailable"), std::string::npos);
  inject("out-of-memory");
  EXPECT_NE(app::injectedDeviceFault()->find("cudaErrorMemoryAllocation"), std::string::npos);
  const auto backend = app::makeFailingLowRankBackend("cudaErrorMemoryAllocation (out of memory)");
  EXPECT_THROW(backend->singularValuesBatched({Eigen::MatrixXf::Identity(2, 2)}), compute::DeviceFault);
  inject("melted");
  EXPECT_THROW(app::injectedDeviceFault(), InvalidArgument);
}

// The generic rank of every order the model gives for one request.
std::vector<int> genericRanks(app::RanksModel& model) {
  model.setParameter("k", "3");
  model.setMaxOrder(4);
  model.setT(0.3);
  EXPECT_TRUE(model.waitForIdle(120s));
  std::vector<int> ranks;
  for (const auto& o : model.profile().orders) ranks.push_back(o.generic.rank);
  return ranks;
}

TEST_F(InjectedDeviceFault, TheRanksPanelFallsBackToTheCpuWithTheReason) {
  app::setWindowLowRankPreference(app::BackendPreference::Cpu);
  app::RanksModel onCpu;
  const std::vector<int> expected = genericRanks(onCpu);
  ASSERT_EQ(expected.size(), 5u);

  app::setWindowLowRankPreference(app::BackendPreference::Auto);
  inject("device-lost");
  app::RanksModel model;
  EXPECT_EQ(genericRanks(model), expected);
  const auto& p = model.profile();
  ASSERT_TRUE(p.error.empty()) << p.error;
  EXPECT_NE(p.computedOn.find("CPU"), std::string::npos) << p.computedOn;
  EXPECT_NE(p.computeNote.find("CUDA failed, the CPU runs from now on: cudaErrorDevicesUnavailable"), std::string::npos)
      << p.computeNote;
}

TEST_F(InjectedDeviceFault, TheTimelineStripFallsBackToTheCpuWithTheReason) {
  inject("out-of-memory");
  app::RankStripModel model;
  const std::map<std::string, std::string> params{{"ranks", "2,1,3"}};
  model.request("lemma1.5", params, 2, -1.0, 1.0, 33);
  ASSERT_TRUE(model.waitForIdle(120s));
  ASSERT_EQ(model.state(), app::TaskState::Done) << model.message();
  const app::RankStrip& strip = model.strip();
  EXPECT_NE(strip.computedOn.find("CPU"), std::string::npos) << strip.computedOn;
  EXPECT_NE(strip.computeNote.find("cudaErrorMemoryAllocation"), std::string::npos) << strip.computeNote;
  testing::expectStripMatchesCore(strip, params);
}

// Every SVD of the Cascade panel's matrix fit fails on the stand-in device: the fit moves
// to the CPU at its first batch, gives the CPU's errors exactly and names the failure.
TEST_F(InjectedDeviceFault, TheCascadeFitFallsBackToTheCpuWithTheReasonAndMatchesIt) {
  const auto fitOnce = [](app::CascadeFitModel& model) {
    EXPECT_TRUE(model.setRanks({3, 5, 2}));
    EXPECT_TRUE(model.waitForIdle(testing::kJobWait));
    return model.fit();
  };
  app::setWindowLowRankPreference(app::BackendPreference::Cpu);
  app::CascadeFitModel onCpu;
  const app::FitSnapshot expected = fitOnce(onCpu);
  ASSERT_TRUE(expected.error.empty()) << expected.error;
  ASSERT_EQ(expected.orders.size(), 3u);

  app::setWindowLowRankPreference(app::BackendPreference::Auto);
  inject("device-lost");
  app::CascadeFitModel model;
  const app::FitSnapshot fit = fitOnce(model);
  ASSERT_TRUE(fit.error.empty()) << fit.error;
  ASSERT_EQ(fit.orders.size(), expected.orders.size());
  for (std::size_t i = 0; i < fit.orders.size(); ++i) {
    EXPECT_EQ(fit.orders[i].cascadeError, expected.orders[i].cascadeError) << "order " << i + 1;
    EXPECT_EQ(fit.orders[i].independentError, expected.orders[i].independentError) << "order " << i + 1;
  }
  EXPECT_EQ(fit.svdCount, expected.svdCount);
  EXPECT_NE(fit.svdBackend.find("CPU"), std::string::npos) << fit.svdBackend;
  EXPECT_NE(fit.svdNote.find("CUDA failed, the CPU runs from now on: cudaErrorDevicesUnavailable"), std::string::npos)
      << fit.svdNote;
}

// The Theory panel's numerical rank check runs on the stand-in device and fails: the
// demonstration is computed again on the CPU, its numbers are the exact ones as always, and
// its line names the CPU and the failure.
TEST_F(InjectedDeviceFault, TheTheoryDemonstrationsNumericalRanksFallBackToTheCpuWithTheReason) {
  inject("device-lost");
  app::TheoryDemoRunner runner;
  runner.submit("lemma1.3", {{"K", "4"}});
  ASSERT_TRUE(runner.waitForResult(testing::kJobWait));
  ASSERT_NE(runner.result(), nullptr);
  const app::TheoryDemoResult& r = *runner.result();
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.allChecksHold());
  EXPECT_NE(r.numericalBackend.find("CPU"), std::string::npos) << r.numericalBackend;
  ASSERT_FALSE(r.lines.empty());
  EXPECT_NE(r.lines.back().find("CUDA failed, the CPU runs from now on: cudaErrorDevicesUnavailable"),
            std::string::npos)
      << r.lines.back();
}

TEST_F(InjectedDeviceFault, LearnedTrainingFallsBackToTheCpuWithTheReasonAndMatchesIt) {
  app::LearnedSettings onCpu = testing::tinySettings();
  app::LearnedModel cpuModel(onCpu);
  const auto scene = testing::sceneNamed("default");
  cpuModel.setScene(scene);
  ASSERT_TRUE(cpuModel.waitForIdle(testing::kJobWait));
  ASSERT_EQ(cpuModel.progress().state, app::TaskState::Done) << cpuModel.progress().error;

  inject("device-lost");
  app::LearnedSettings failing = testing::tinySettings();
  int enginesMade = 0;
  failing.trainingEngine = [&enginesMade] {
    ++enginesMade;
    return app::selectWindowTrainingEngine(app::BackendPreference::Auto);
  };
  app::LearnedModel model(failing);
  model.setScene(scene);
  ASSERT_TRUE(model.waitForIdle(testing::kJobWait));
  ASSERT_EQ(model.progress().state, app::TaskState::Done) << model.progress().error;
  const std::string& engine = model.snapshot().engine;
  EXPECT_EQ(engine.rfind("CPU", 0), 0u) << engine;
  EXPECT_NE(engine.find("CUDA failed, the CPU trains from now on: cudaErrorDevicesUnavailable"), std::string::npos)
      << engine;
  // The CPU run is the one a CPU-only model makes, to the bit (same batches, Adam from zero).
  ASSERT_EQ(model.snapshot().orders.size(), cpuModel.snapshot().orders.size());
  for (std::size_t k = 0; k < model.snapshot().orders.size(); ++k) {
    EXPECT_DOUBLE_EQ(model.snapshot().orders[k].heldOutRelativeError,
                     cpuModel.snapshot().orders[k].heldOutRelativeError)
        << "order " << k + 1;
  }
  // A later request (a rank moved) stays on the CPU: the failing device is not tried again.
  ASSERT_TRUE(model.setRank(3, 2)) << model.message();
  ASSERT_TRUE(model.waitForIdle(testing::kJobWait));
  ASSERT_EQ(model.progress().state, app::TaskState::Done) << model.progress().error;
  EXPECT_EQ(enginesMade, 1);
  EXPECT_NE(model.snapshot().engine.find("CUDA failed"), std::string::npos);
}

}  // namespace
}  // namespace rankflow
