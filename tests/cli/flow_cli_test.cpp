// rankflow flow field|sample and bench flow as a user meets them: array shapes, values
// against the library, the trajectory figure, and one-line refusals (exit 2) of bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/flows/datasets.h"
#include "core/flows/flow_fields.h"
#include "core/io/npy.h"
#include "render/image.h"
#include "tests/support/cli_fixture.h"
#include "tests/support/run_command.h"

namespace rankflow {
namespace {

using namespace testing;  // the CLI fixture: runCommand, quoted, lineCount, …
using testing::kExe;

class FlowCli : public testing::ScratchDirectoryTest {
 protected:
};

TEST_F(FlowCli, FieldOnPointsMatchesTheLibraryForEveryOrder) {
  io::writeNpy(path("p.npy"), {3, 2}, {0.1, 0.2, -1.0, 0.5, 2.0, -2.0}, io::NpyType::Float64);
  const auto r = runCommand(kExe + " flow field --data moons --count 300 --seed 4 --schedule trig --t 0.4 --order 3 " +
                            "--points " + quoted(path("p.npy")) + " --out " + quoted(path("f.npy")) + " --backend cpu");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const io::NpyArray f = io::readNpy(path("f.npy"));
  ASSERT_EQ(f.shape, (std::vector<std::int64_t>{3, 4, 2}));
  flows::DatasetSpec spec;
  spec.name = "moons";
  spec.count = 300;
  spec.seed = 4;
  const auto data = flows::FlowData::empirical(flows::makeDataset(spec).points);
  const std::vector<Vec2f> points = {{0.1f, 0.2f}, {-1.0f, 0.5f}, {2.0f, -2.0f}};
  const auto expected =
      flows::evaluateFields(data, {flows::Schedule::Trigonometric, flows::FieldKind::Marginal, 0.4f, 3}, points);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(f.values[2 * i], expected[i].x, 1e-5 * (1 + std::abs(expected[i].x)));
    EXPECT_NEAR(f.values[2 * i + 1], expected[i].y, 1e-5 * (1 + std::abs(expected[i].y)));
  }
}

TEST_F(FlowCli, FieldOnAGridWritesLagrangianFieldsDivergenceAndDensity) {
  const auto r =
      runCommand(kExe + " flow field --grid 6 --t 0.5 --kind lagrangian --order 3 --out " + quoted(path("f.npy")) +
                 " --divergence " + quoted(path("d.npy")) + " --log-density " + quoted(path("l.npy")));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(io::readNpy(path("f.npy")).shape, (std::vector<std::int64_t>{36, 4, 2}));
  EXPECT_EQ(io::readNpy(path("d.npy")).shape, (std::vector<std::int64_t>{36}));
  const io::NpyArray density = io::readNpy(path("l.npy"));
  EXPECT_EQ(density.shape, (std::vector<std::int64_t>{6, 6}));
  for (double v : density.values) EXPECT_TRUE(std::isfinite(v));
}

TEST_F(FlowCli, SampleWritesFramesDensityAFigureAndASummary) {
  const auto r = runCommand(kExe + " flow sample --data rings --particles 64 --steps 12 --solver dopri5 --out " +
                            quoted(path("traj.npy")) + " --velocities " + quoted(path("v.npy")) + " --log-density " +
                            quoted(path("l.npy")) + " --png " + quoted(path("t.png")) + " --json --backend cpu");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(io::readNpy(path("traj.npy")).shape, (std::vector<std::int64_t>{13, 64, 2}));
  EXPECT_EQ(io::readNpy(path("v.npy")).shape, (std::vector<std::int64_t>{13, 64, 2}));
  EXPECT_EQ(io::readNpy(path("l.npy")).shape, (std::vector<std::int64_t>{13, 64}));
  const auto summary = nlohmann::json::parse(r.output);
  EXPECT_EQ(summary["solver"], "dopri5");
  EXPECT_GT(summary["accepted_steps"].get<long long>(), 64 * 12 - 1);
  EXPECT_GT(summary["straightness"].get<double>(), 0.0);
  const render::RgbaImage picture = render::readPng(path("t.png"));
  EXPECT_EQ(picture.width, 900);
}

TEST_F(FlowCli, DataFromCsvAndNpyFilesIsUsed) {
  {
    std::ofstream csv(path("pts.csv"));
    csv << "x,y\n1,1\n-1,0.5\n";
  }
  auto r = runCommand(kExe + " flow sample --data-file " + quoted(path("pts.csv")) + " --particles 8 --steps 5 --out " +
                      quoted(path("a.npy")));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  io::writeNpy(path("pts.npy"), {2, 2}, {1, 1, -1, 0.5});
  r = runCommand(kExe + " flow sample --data-file " + quoted(path("pts.npy")) + " --particles 8 --steps 5 --out " +
                 quoted(path("b.npy")));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(io::readNpy(path("a.npy")).values, io::readNpy(path("b.npy")).values);
}

TEST_F(FlowCli, BadInputIsOneLineAndExitTwo) {
  {
    std::ofstream empty(path("empty.csv"));
    std::ofstream words(path("words.csv"));
    words << "x,y\n1,2\nthree,4\n";
    std::ofstream notPng(path("fake.png"));
    notPng << "not a png";
  }
  io::writeNpy(path("nan.npy"), {1, 2}, {std::nan(""), 0.0});
  const std::string out = " --out " + quoted(path("o.npy"));
  const std::vector<std::string> cases = {
      " flow field --grid 4 --t 1.5" + out,
      " flow field --grid 4 --order 4" + out,
      " flow field --grid 4 --schedule quadratic" + out,
      " flow field --points " + quoted(path("nan.npy")) + out,
      " flow field --grid 4 --data-file " + quoted(path("empty.csv")) + out,
      " flow sample --data-file " + quoted(path("words.csv")) + out,
      " flow sample --data-file " + quoted(path("fake.png")) + out,
      " flow sample --particles 0" + out,
      " flow sample --solver leapfrog" + out,
      " flow sample --data spirale" + out,
      " flow sample --t0 0.6 --t1 0.5" + out,
      " flow nothing",
  };
  for (const auto& c : cases) {
    const auto r = runCommand(kExe + c);
    EXPECT_EQ(r.exitCode, 2) << c << "\n" << r.output;
    EXPECT_EQ(lineCount(r.output), 1) << c << "\n" << r.output;
  }
}

TEST_F(FlowCli, BenchFlowQuickRunsEveryWorkload) {
  const auto r = runCommand(kExe + " bench flow --quick");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  for (const char* word : {"marginal u_0..u_3", "Lagrangian", "euler", "heun", "rk4", "dopri5", "taylor3"})
    EXPECT_NE(r.output.find(word), std::string::npos) << word;
}

}  // namespace
}  // namespace rankflow
