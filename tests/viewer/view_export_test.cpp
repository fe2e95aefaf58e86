// The data behind the flow view: the density lattice equals the core's densityOnGrid on the
// same points and a newer request supersedes an older one; the exports read back through
// the core's readers with the values the core computes (float64 references).
#include "app/viewer/view_export.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "app/viewer/scene_frame.h"
#include "core/common/error.h"
#include "core/compute/flow_backend.h"
#include "core/flows/samplers.h"
#include "core/io/npy.h"
#include "tests/support/cli_fixture.h"

namespace rankflow {
namespace {

using namespace std::chrono_literals;

std::uint64_t freshSeed() {
  static std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) | device();
}

std::vector<Vec2f> randomPoints(std::mt19937_64& rng, int count, float extent) {
  std::uniform_real_distribution<float> u(-extent, extent);
  std::vector<Vec2f> points(static_cast<std::size_t>(count));
  for (auto& p : points) p = {u(rng), u(rng)};
  return points;
}

// The default scene's settings on `count` random data points, not integrated.
flows::FlowScene sceneOnRandomData(std::mt19937_64& rng, int count) {
  flows::FlowScene scene = flows::prepareScene("default");
  scene.data.points = randomPoints(rng, count, 2.0f);
  return scene;
}

// A small scene on random data, integrated on the CPU.
flows::FlowScene randomScene(std::mt19937_64& rng, int particles, flows::Schedule schedule) {
  flows::FlowScene scene = sceneOnRandomData(rng, 40);
  scene.name = "random";
  scene.data.labels.resize(scene.data.points.size());
  for (std::size_t i = 0; i < scene.data.labels.size(); ++i) scene.data.labels[i] = static_cast<int>(rng() % 5);
  scene.data.labelCount = 5;
  scene.schedule = schedule;
  scene.start = flows::sampleStandardNormal(particles, rng());
  scene.grid.steps = 40;
  flows::integrateScene(scene, *compute::makeCpuBackend());
  return scene;
}

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Rows of numbers after the '#' comments and the header row (which is returned).
std::vector<std::vector<double>> readCsvRows(const std::string& path, std::string& header) {
  std::istringstream in(readText(path));
  std::vector<std::vector<double>> rows;
  std::string line;
  header.clear();
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header.empty()) {
      header = line;
      continue;
    }
    std::vector<double> row;
    std::istringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) row.push_back(cell.empty() ? std::nan("") : std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

flows::LagrangianDerivatives<double> referenceDerivatives(const flows::FlowScene& scene, Vec2f x, float t) {
  std::vector<Vec2d> points;
  for (const auto& p : scene.data.points) points.push_back(p.cast<double>());
  flows::DataView<double> data;
  data.points = points.data();
  data.count = static_cast<int>(points.size());
  return flows::lagrangianDerivatives(data, scene.schedule, x.cast<double>(), static_cast<double>(t));
}

void expectClose(double actual, double reference, double relative, const char* what) {
  EXPECT_NEAR(actual, reference, relative * (1.0 + std::abs(reference))) << what;
}

// [SECTION] Density heatmap

TEST(DensityHeatmap, LatticeValuesEqualDensityOnGridOnTheSamePoints) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  flows::FlowScene scene = sceneOnRandomData(rng, 24);
  scene.schedule = flows::Schedule::VpCosine;
  constexpr int kCells = 6;
  constexpr int kSteps = 30;
  app::ViewState view;
  view.t = std::uniform_real_distribution<float>(0.3f, 0.9f)(rng);
  view.camera = {0.0f, 0.0f, std::uniform_real_distribution<float>(1.5f, 3.0f)(rng)};
  // Camera at the origin with a square target: the corners are densityOnGrid's nodes.
  app::DensityHeatmap density({kCells, kCells, kSteps});
  ASSERT_TRUE(density.request(scene, view, 1.0f));
  EXPECT_FALSE(density.request(scene, view, 1.0f)) << "the same view is not requested twice";
  ASSERT_TRUE(density.waitForIdle(20s));
  ASSERT_TRUE(density.error().empty()) << density.error();
  const auto reference = flows::densityOnGrid(flows::FlowData::empirical(scene.data.points), scene.schedule, view.t,
                                              kCells + 1, view.camera.halfHeight, kSteps);
  const auto& lattice = density.lattice();
  ASSERT_EQ(lattice.values.size(), reference.logDensity.size());
  const auto nodes = flows::squareGrid(kCells + 1, view.camera.halfHeight);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    EXPECT_NEAR(lattice.corners[i].x, nodes[i].x, 1e-5f);
    EXPECT_NEAR(lattice.corners[i].y, nodes[i].y, 1e-5f);
    EXPECT_NEAR(lattice.values[i], reference.logDensity[i], 1e-3f * (1.0f + std::abs(reference.logDensity[i])));
  }
  EXPECT_EQ(density.t(), view.t);
  EXPECT_LT(density.lowLogDensity(), density.highLogDensity());
  EXPECT_EQ(density.triangles().size(), static_cast<std::size_t>(kCells * kCells * 6));

  // Off-centre and wide: logDensityAt is densityOnGrid's arithmetic at any point.
  view.camera = {0.7f, -0.4f, 2.0f};
  ASSERT_TRUE(density.request(scene, view, 1.6f));
  ASSERT_TRUE(density.waitForIdle(20s));
  const auto direct = flows::logDensityAt(flows::FlowData::empirical(scene.data.points), scene.schedule, view.t,
                                        density.lattice().corners, kSteps);
  ASSERT_EQ(direct.size(), density.lattice().values.size());
  for (std::size_t i = 0; i < direct.size(); ++i) EXPECT_EQ(direct[i], density.lattice().values[i]);
  const auto json = nlohmann::json::parse(density.exportJson());
  EXPECT_EQ(json["cells"], kCells);
  EXPECT_EQ(json["lattice"].size(), direct.size());
}

TEST(DensityHeatmap, NewerRequestCancelsTheRunningOneWhileScrubbing) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const flows::FlowScene scene = sceneOnRandomData(rng, 64);
  // The first request would take minutes at this step count: the test only finishes in time
  // if the second one cancels it.
  app::DensityHeatmap density({48, 48, 100000});
  app::ViewState view;
  view.t = 1.0f;
  ASSERT_TRUE(density.request(scene, view, 1.0f));
  std::this_thread::sleep_for(20ms);  // let it start (the test holds whichever way it falls)
  view.t = 0.0f;                      // one RK4 step at t = 0: log p is the standard normal's
  ASSERT_TRUE(density.request(scene, view, 1.0f));
  ASSERT_TRUE(density.waitForIdle(20s));
  EXPECT_EQ(density.shownGeneration(), 2u);
  EXPECT_EQ(density.t(), 0.0f);
  EXPECT_FALSE(density.computing());
  const auto& lattice = density.lattice();
  for (std::size_t i = 0; i < lattice.values.size(); ++i)
    EXPECT_NEAR(lattice.values[i], flows::standardNormalLogDensity(lattice.corners[i].cast<double>()), 1e-4);
}

TEST(DensityHeatmap, WhilePlayingTheRunningRequestFinishesAndTheNewestFollows) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const flows::FlowScene scene = sceneOnRandomData(rng, 16);
  app::DensityHeatmap density({8, 4, 20});
  app::ViewState view;
  view.playing = true;
  for (const float t : {0.2f, 0.3f, 0.4f}) {
    view.t = t;
    ASSERT_TRUE(density.request(scene, view, 1.0f));
  }
  ASSERT_TRUE(density.waitForIdle(20s));
  EXPECT_EQ(density.cancelledCount(), 0);
  EXPECT_EQ(density.shownGeneration(), 3u);
  EXPECT_EQ(density.t(), 0.4f);
  EXPECT_EQ(density.lattice().cells, 4) << "playing uses the coarser lattice";
}

TEST(DensityHeatmap, BadDataGivesAMessageAndKeepsTheLastLattice) {
  std::mt19937_64 rng(freshSeed());
  flows::FlowScene scene = sceneOnRandomData(rng, 16);
  app::DensityHeatmap density({4, 4, 20});
  app::ViewState view;
  ASSERT_TRUE(density.request(scene, view, 1.0f));
  ASSERT_TRUE(density.waitForIdle(20s));
  const auto before = density.lattice().values;
  scene.data.points[3].x = std::nanf("");
  ASSERT_TRUE(density.request(scene, view, 1.0f));
  ASSERT_TRUE(density.waitForIdle(20s));
  EXPECT_NE(density.error(), "");
  EXPECT_EQ(density.lattice().values, before);
}

TEST(HeatLattice, FieldHeatmapStillColoursLogMagnitudeOverTheView) {
  std::mt19937_64 rng(freshSeed());
  flows::FlowScene scene = sceneOnRandomData(rng, 16);
  app::ViewState view;
  view.camera = {0.3f, 0.1f, 2.5f};
  app::FieldHeatmap heatmap;
  ASSERT_TRUE(heatmap.update(scene, view, 1.5f));
  EXPECT_FALSE(heatmap.update(scene, view, 1.5f));
  scene.schedule = flows::Schedule::VpCosine;  // same object, same data count: still re-evaluated
  EXPECT_TRUE(heatmap.update(scene, view, 1.5f));
  const int cells = app::FieldHeatmap::kCells;
  ASSERT_EQ(heatmap.triangles().size(), static_cast<std::size_t>(cells * cells * 6));
  EXPECT_NEAR(heatmap.triangles().front().x, 0.3f - 2.5f * 1.5f, 1e-5f);
  EXPECT_NEAR(heatmap.triangles().front().y, 0.1f - 2.5f, 1e-5f);
  EXPECT_LT(heatmap.low(), heatmap.high());
}

// [SECTION] Exports

class ViewExport : public testing::ScratchDirectoryTest {};

TEST_F(ViewExport, ParticleCsvAndNpyHoldTheStoredPositionsAndTheCoreDerivatives) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const flows::FlowScene scene = randomScene(rng, 48, flows::Schedule::Linear);
  app::ViewState view;
  view.t = std::uniform_real_distribution<float>(0.1f, 0.95f)(rng);
  app::exportParticlesCsv(path("p.csv"), scene, view);
  app::exportParticlesNpy(path("p.npy"), scene, view);

  std::string header;
  const auto rows = readCsvRows(path("p.csv"), header);
  EXPECT_EQ(header, "id,x,y,label,vx,vy,ax,ay,jx,jy");
  const io::NpyArray npy = io::readNpy(path("p.npy"));
  ASSERT_EQ(npy.shape, (std::vector<std::int64_t>{48, 10}));
  ASSERT_EQ(rows.size(), 48u);
  std::vector<Vec2f> positions(48);
  scene.trajectories.positionsAt(view.t, positions);
  for (std::size_t p = 0; p < rows.size(); ++p) {
    const auto& row = rows[p];
    ASSERT_EQ(row.size(), 10u);
    // The CSV's 9 digits read back as the same float the NPY holds exactly.
    for (std::size_t c = 0; c < 10; ++c)
      EXPECT_EQ(static_cast<float>(npy.values[p * 10 + c]), static_cast<float>(row[c])) << "csv and npy agree";
    EXPECT_EQ(row[0], static_cast<double>(p));
    EXPECT_EQ(static_cast<float>(row[1]), positions[p].x);
    EXPECT_EQ(static_cast<float>(row[2]), positions[p].y);
    EXPECT_EQ(row[3], scene.particleLabels[p]);
    const auto d = referenceDerivatives(scene, positions[p], view.t);
    expectClose(row[4], d.velocity.x, 1e-4, "vx");
    expectClose(row[5], d.velocity.y, 1e-4, "vy");
    expectClose(row[6], d.acceleration.x, 1e-3, "ax");
    expectClose(row[7], d.acceleration.y, 1e-3, "ay");
    expectClose(row[8], d.jerk.x, 1e-2, "jx");
    expectClose(row[9], d.jerk.y, 1e-2, "jy");
  }
}

TEST_F(ViewExport, LatticeCsvHoldsTheArrowsAsEvaluated) {
  std::mt19937_64 rng(freshSeed());
  const flows::FlowScene scene = randomScene(rng, 16, flows::Schedule::VpCosine);
  app::ViewState view;
  view.t = 0.6f;
  view.fieldOrder = 2;
  view.fieldKind = flows::FieldKind::Lagrangian;
  view.camera = {0.2f, -0.3f, 2.5f};
  app::LatticeField field;
  field.update(*compute::makeCpuBackend(), scene, view, 1.25f);
  app::exportLatticeCsv(path("lattice.csv"), field, view);
  std::string header;
  const auto rows = readCsvRows(path("lattice.csv"), header);
  EXPECT_EQ(header, "x,y,field_x,field_y,magnitude");
  ASSERT_EQ(rows.size(), field.points().size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Vec2f x = field.points()[i];
    EXPECT_EQ(static_cast<float>(rows[i][0]), x.x);
    EXPECT_EQ(static_cast<float>(rows[i][1]), x.y);
    // The Lagrangian acceleration is the core's, in float64.
    const auto d = referenceDerivatives(scene, x, view.t);
    expectClose(rows[i][2], d.acceleration.x, 1e-3, "ax");
    expectClose(rows[i][3], d.acceleration.y, 1e-3, "ay");
    expectClose(rows[i][4], std::hypot(rows[i][2], rows[i][3]), 1e-6, "magnitude");
  }
}

TEST_F(ViewExport, SummaryAndExportViewDescribeTheSceneAndEveryLayer) {
  std::mt19937_64 rng(freshSeed());
  flows::FlowScene scene = randomScene(rng, 32, flows::Schedule::Linear);
  scene.straightness =
      flows::measureStraightness(flows::FlowData::empirical(scene.data.points), scene.schedule, scene.trajectories, 16);
  app::ViewState view;
  view.t = 0.45f;
  view.fieldOrder = 3;
  view.camera = {0.5f, 0.25f, 2.0f};
  app::LatticeField field;
  field.update(*compute::makeCpuBackend(), scene, view, 1.0f);
  app::FieldHeatmap heatmap;
  heatmap.update(scene, view, 1.0f);
  app::DensityHeatmap density({4, 4, 20});
  density.request(scene, view, 1.0f);
  ASSERT_TRUE(density.waitForIdle(20s));
  const auto written = app::exportView(path("view"), {scene, view, &field, &heatmap, &density});
  ASSERT_EQ(written.size(), 5u);
  for (const auto& file : written) EXPECT_TRUE(std::filesystem::exists(file)) << file;
  const auto j = nlohmann::json::parse(readText(path("view-view.json")));
  EXPECT_EQ(j["scene"]["name"], "random");
  EXPECT_EQ(j["scene"]["schedule"], "linear");
  EXPECT_EQ(j["scene"]["solver"], "rk4");
  EXPECT_EQ(j["t"], 0.45f);
  EXPECT_EQ(j["field"]["order"], 3);
  EXPECT_EQ(j["field"]["kind"], "marginal");
  EXPECT_EQ(j["camera"]["center_x"], 0.5f);
  EXPECT_EQ(j["counts"]["particles"], 32);
  EXPECT_EQ(j["counts"]["data_points"], 40);
  EXPECT_DOUBLE_EQ(j["straightness"]["straightness"].get<double>(), scene.straightness.straightness);
  EXPECT_EQ(j["heatmap"]["low"], heatmap.low());
  EXPECT_EQ(j["density"]["high"], density.highLogDensity());
  std::string header;
  const auto densityRows = readCsvRows(path("view-density.csv"), header);
  EXPECT_EQ(header, "x,y,log_density");
  ASSERT_EQ(densityRows.size(), density.lattice().values.size());
  for (std::size_t i = 0; i < densityRows.size(); ++i)
    EXPECT_EQ(static_cast<float>(densityRows[i][2]), density.lattice().values[i]);
}

TEST_F(ViewExport, UnwritablePathsAndUnintegratedScenesAreRefusedWithAMessage) {
  std::mt19937_64 rng(freshSeed());
  const flows::FlowScene scene = randomScene(rng, 8, flows::Schedule::Linear);
  const app::ViewState view;
  const std::string missing = path("no/such/dir/p.csv");
  try {
    app::exportParticlesCsv(missing, scene, view);
    ADD_FAILURE() << "wrote into a missing directory";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("export failed"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(missing));
  flows::FlowScene pending = flows::prepareScene("default");
  EXPECT_THROW(app::exportParticlesNpy(path("p.npy"), pending, view), InvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(path("p.npy")));
  const app::LatticeField empty;
  EXPECT_THROW(app::exportLatticeCsv(path("l.csv"), empty, view), InvalidArgument);
  const app::DensityHeatmap none;
  EXPECT_THROW(app::exportDensityCsv(path("d.csv"), none), InvalidArgument);
}

}  // namespace
}  // namespace rankflow

namespace rankflow {
namespace {

// Above 65536 particles the draw data are built on every core: each trail vertex and point
// must still be its own particle's position at its own time.
TEST(SceneFrame, ManyParticlesBuildTheSameTrailsAndPointsOnEveryCore) {
  flows::FlowScene scene = flows::prepareScene("default");
  const int n = 70001;  // uneven, so the last range is shorter
  scene.grid = {0.0f, 1.0f, 8};
  scene.trajectories = flows::TrajectoryStore(n, scene.grid);
  std::mt19937 rng(std::random_device{}());  // fresh inputs every run
  std::normal_distribution<float> normal;
  for (int f = 0; f < scene.trajectories.frameCount(); ++f) {
    for (auto& x : scene.trajectories.positions(f)) x = {normal(rng), normal(rng)};
    for (auto& v : scene.trajectories.velocities(f)) v = {normal(rng), normal(rng)};
  }
  scene.particleLabels.assign(static_cast<std::size_t>(n), 0);
  for (int p = 0; p < n; ++p) scene.particleLabels[static_cast<std::size_t>(p)] = p % 8;
  app::ViewState view = app::initialViewState(scene, 0.43f);
  view.showArrows = false;
  view.showData = false;
  view.showTrails = true;
  view.trailSpan = 0.2f;
  app::SceneFrameBuilder builder(scene);
  const app::LatticeField field;
  const auto frame = builder.build(view, field, 900.0f);
  ASSERT_EQ(frame.points.size(), static_cast<std::size_t>(n));
  const std::size_t length = frame.stripLength;
  ASSERT_GE(length, 2u);
  ASSERT_EQ(frame.stripVertices.size(), static_cast<std::size_t>(n) * length);
  for (int p : {0, 1, 4374, 35000, 65535, 65536, 69999, 70000}) {
    SCOPED_TRACE("particle " + std::to_string(p));
    const Vec2f at = scene.trajectories.positionAt(p, view.t);
    EXPECT_EQ(frame.points[static_cast<std::size_t>(p)].x, at.x);
    EXPECT_EQ(frame.points[static_cast<std::size_t>(p)].y, at.y);
    EXPECT_EQ(frame.points[static_cast<std::size_t>(p)].color, app::labelColor(p % 8, 235));
    for (std::size_t k = 0; k < length; ++k) {
      const float back = static_cast<float>(length - 1 - k) / static_cast<float>(length - 1);
      const Vec2f trail = scene.trajectories.positionAt(p, std::max(0.0f, view.t - back * view.trailSpan));
      const auto& vertex = frame.stripVertices[static_cast<std::size_t>(p) * length + k];
      EXPECT_EQ(vertex.x, trail.x);
      EXPECT_EQ(vertex.y, trail.y);
    }
  }
}

}  // namespace
}  // namespace rankflow
