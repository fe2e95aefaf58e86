// The Adapters panel's model against the core: the profile, grid and schedule of an opened
// file are the core's; a bad file changes nothing; the resized adapter it writes is what
// lora-resize writes for the same schedule; a checkpoint family's fit is cascadeCheckpoints's.
#include "app/models/adapters_model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "core/learn/lora_resize.h"
#include "tests/support/job_wait.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

using app::AdapterJob;
using app::AdaptersModel;
using namespace std::chrono_literals;
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

using testing::kJobWait;

io::Tensor stored(const Eigen::MatrixXd& m, io::Dtype dtype = io::Dtype::F32) {
  const RowMajor rows = m;
  return io::Tensor::encode(dtype, {m.rows(), m.cols()}, std::span<const double>(rows.data(), rows.size()));
}

class AdaptersModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rankflow_adapters_model_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Three layers × (q_proj, v_proj) in BF16, r = 6, with planted ranks 1..6.
  std::string writeAdapter(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    io::SafeTensorsFile file;
    file.metadata["lora_alpha"] = "12";  // scale 2
    int planted = 1;
    for (int layer = 0; layer < 3; ++layer) {
      for (const char* type : {"q_proj", "v_proj"}) {
        Eigen::MatrixXd a(6, 24), b(20, 6);
        for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = normal(rng);
        for (Eigen::Index i = 0; i < b.size(); ++i) b.data()[i] = normal(rng);
        b.rightCols(6 - planted).setZero();
        const std::string name = "base_model.model.model.layers." + std::to_string(layer) + ".self_attn." + type;
        file.tensors[name + ".lora_A.weight"] = stored(a, io::Dtype::BF16);
        file.tensors[name + ".lora_B.weight"] = stored(b, io::Dtype::BF16);
        ++planted;
      }
    }
    const std::string path = (dir_ / "adapter_model.safetensors").string();
    io::writeSafeTensors(path, file);
    return path;
  }

  void settle(AdaptersModel& model) {
    ASSERT_TRUE(model.waitIdle(kJobWait));
    model.poll();
  }

  std::filesystem::path dir_;
};

TEST_F(AdaptersModelTest, OpensTheDemoAtStartAndAFileAsTheCoreProfilesIt) {
  AdaptersModel model;
  settle(model);
  ASSERT_TRUE(model.adapter());
  EXPECT_EQ(model.adapter()->source, "demo");
  EXPECT_EQ(model.adapter()->profile.modules.size(), 56u);
  EXPECT_EQ(model.grid().layers.size(), 8u);
  EXPECT_EQ(model.grid().types,
            (std::vector<std::string>{"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}));
  // The demo plants numeric rank 3 in layer 0's keys.
  EXPECT_EQ(model.adapter()->profile.modules[static_cast<std::size_t>(model.grid().at(0, 1))].numericRank, 3);

  const std::string path = writeAdapter(testing::freshSeed());
  ASSERT_EQ(model.openAdapter(path), "");
  settle(model);
  EXPECT_EQ(model.status(AdapterJob::Open).state, app::TaskState::Done);
  const learn::LoraProfile core = learn::profileLoraFile(path);
  const auto& shown = model.adapter()->profile;
  ASSERT_EQ(shown.modules.size(), core.modules.size());
  for (std::size_t i = 0; i < core.modules.size(); ++i) {
    EXPECT_EQ(shown.modules[i].numericRank, core.modules[i].numericRank);
    EXPECT_EQ(shown.modules[i].singularValues, core.modules[i].singularValues);
    EXPECT_EQ(shown.modules[i].scale, 2.0);
  }
  EXPECT_EQ(model.grid().layers, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(model.grid().types, (std::vector<std::string>{"q_proj", "v_proj"}));
  // layers.1.v_proj is the fourth module planted: numeric rank 4.
  model.setMeasure(app::AdapterMeasure::Numeric);
  EXPECT_EQ(model.measureValue(model.grid().at(1, 1)), 4.0);

  // The schedule is the core's for every criterion the picker offers.
  for (const auto& [c, v] :
       std::vector<std::pair<learn::ScheduleCriterion, double>>{{learn::ScheduleCriterion::Energy, 0.9},
                                                                {learn::ScheduleCriterion::Rank, 2},
                                                                {learn::ScheduleCriterion::Ratio, 3}}) {
    ASSERT_EQ(model.setCriterion(c, v), "");
    EXPECT_EQ(model.schedule().ranks, learn::scheduleRanks(core, c, v).ranks);
  }
  // Budget 0 means half of the adapter's parameters.
  ASSERT_EQ(model.setCriterion(learn::ScheduleCriterion::Budget, 0.0), "");
  EXPECT_EQ(model.criterionValue(), std::floor(static_cast<double>(core.parameters) / 2.0));
  EXPECT_LE(model.schedule().parameters, core.parameters / 2);
  // A refused value changes nothing.
  const auto before = model.schedule().ranks;
  EXPECT_NE(model.setCriterion(learn::ScheduleCriterion::Energy, 2.0), "");
  EXPECT_EQ(model.criterion(), learn::ScheduleCriterion::Budget);
  EXPECT_EQ(model.schedule().ranks, before);
  const auto json = nlohmann::json::parse(model.exportJson());
  EXPECT_EQ(json["source"], path);
  EXPECT_EQ(json["modules"].size(), 6u);
  EXPECT_EQ(json["criterion"]["name"], "budget");
}

TEST_F(AdaptersModelTest, ABadFileChangesNothingAndSaysWhy) {
  AdaptersModel model;
  settle(model);
  const std::string bad = (dir_ / "bad.safetensors").string();
  std::ofstream(bad) << "not a checkpoint";
  ASSERT_EQ(model.openAdapter(bad), "");
  settle(model);
  EXPECT_EQ(model.status(AdapterJob::Open).state, app::TaskState::Failed);
  EXPECT_NE(model.status(AdapterJob::Open).error.find("not a readable .safetensors file"), std::string::npos);
  ASSERT_TRUE(model.adapter());
  EXPECT_EQ(model.adapter()->source, "demo");
  EXPECT_NE(model.openAdapter(""), "");
  EXPECT_NE(model.writeResized(dir_.string()), "");  // exists already
}

TEST_F(AdaptersModelTest, WritesTheResizedAdapterLoraResizeWritesForTheSameSchedule) {
  const std::string path = writeAdapter(testing::freshSeed());
  AdaptersModel model;
  settle(model);
  ASSERT_EQ(model.openAdapter(path), "");
  settle(model);
  ASSERT_EQ(model.setCriterion(learn::ScheduleCriterion::Energy, 0.8), "");
  const std::string out = (dir_ / "resized").string();
  ASSERT_EQ(model.writeResized(out), "");
  settle(model);
  ASSERT_EQ(model.status(AdapterJob::Write).state, app::TaskState::Done) << model.status(AdapterJob::Write).error;
  // Re-read: every module has the scheduled rank, and the bytes are lora-resize's.
  const learn::LoraProfile resized = learn::profileLoraFile(out + "/adapter_model.safetensors");
  for (std::size_t i = 0; i < resized.modules.size(); ++i)
    EXPECT_EQ(resized.modules[i].statedRank, model.schedule().ranks[i]) << resized.modules[i].module;
  learn::LoraResizeCriterion criterion{learn::LoraResizeCriterion::Kind::Energy, 0.8, {}};
  const learn::LoraResize expected = learn::resizeLoraAdapter(io::readSafeTensors(path), {}, criterion);
  std::ifstream written(out + "/adapter_model.safetensors", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, io::serializeSafeTensors(expected.adapter));
  // A second write into the same directory is refused before anything runs.
  EXPECT_NE(model.writeResized(out).find("exists already"), std::string::npos);
}

TEST_F(AdaptersModelTest, FitsACheckpointFamilyAsTheCoreDoesAndCancels) {
  std::mt19937_64 rng(testing::freshSeed());
  std::normal_distribution<double> normal;
  const auto random = [&](Eigen::Index rows, Eigen::Index cols) {
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = normal(rng);
    return m;
  };
  io::SafeTensorsFile t0, t1, t2;
  for (int l = 0; l < 3; ++l) {
    const std::string name = "layers." + std::to_string(l) + ".weight";
    const Eigen::MatrixXd w0 = random(40, 30), w1 = w0 + random(40, 3) * random(3, 30),
                          w2 = w1 + random(40, 2) * random(2, 30);
    t0.tensors[name] = stored(w0);
    t1.tensors[name] = stored(w1);
    t2.tensors[name] = stored(w2);
  }
  const std::string p0 = (dir_ / "t0.safetensors").string(), p1 = (dir_ / "t1.safetensors").string(),
                    p2 = (dir_ / "t2.safetensors").string();
  io::writeSafeTensors(p0, t0);
  io::writeSafeTensors(p1, t1);
  io::writeSafeTensors(p2, t2);
  AdaptersModel model;
  settle(model);
  EXPECT_NE(model.openFamily(p0, {p1, p2}, {3}), "");  // one rank per target
  ASSERT_EQ(model.openFamily(p0, {p1, p2}, {3, 2}), "");
  settle(model);
  ASSERT_TRUE(model.family()) << model.status(AdapterJob::Family).error;
  const learn::CheckpointCascade core = learn::cascadeCheckpoints(t0, {&t1, &t2}, {p0, p1, p2}, {.ranks = {3, 2}});
  ASSERT_EQ(model.family()->totals.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_NEAR(model.family()->totals[k].cascadeError, core.totals[k].cascadeError, 1e-6);
    EXPECT_NEAR(model.family()->totals[k].independentError, core.totals[k].independentError, 1e-6);
  }
  EXPECT_LT(model.family()->totals[1].cascadeError, 1e-4);
  EXPECT_GT(model.family()->totals[1].independentError, 0.1);

  // A mismatched family fails with the tensor named and keeps the last fit.
  io::SafeTensorsFile other = t2;
  other.tensors.erase("layers.2.weight");
  io::writeSafeTensors(p2, other);
  ASSERT_EQ(model.openFamily(p0, {p1, p2}, {3, 2}), "");
  settle(model);
  EXPECT_EQ(model.status(AdapterJob::Family).state, app::TaskState::Failed);
  EXPECT_NE(model.status(AdapterJob::Family).error.find("layers.2.weight"), std::string::npos);
  ASSERT_TRUE(model.family());

  // Cancel before the worker starts: the job stops at its first tensor.
  io::writeSafeTensors(p2, t2);
  ASSERT_EQ(model.openFamily(p0, {p1, p2}, {3, 2}), "");
  model.cancel();
  settle(model);
  EXPECT_TRUE(model.status(AdapterJob::Family).state == app::TaskState::Cancelled ||
              model.status(AdapterJob::Family).state == app::TaskState::Done);
}

}  // namespace
}  // namespace rankflow
