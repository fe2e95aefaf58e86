// Sessions: what is saved comes back, older or partial files open with defaults, and a
// malformed file is refused with a message that names the field (never a crash).
#include "app/viewer/session.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/common/error.h"
#include "core/common/memory_limit.h"
#include "core/flows/trajectory_import.h"
#include "core/io/npy.h"
#include "tests/support/cli_fixture.h"

namespace rankflow {
namespace {

using app::Session;

// Each (text, expected) is refused with a message holding `expected` and `where`.
void expectRefused(const std::vector<std::pair<std::string, std::string>>& cases, const std::string& where) {
  for (const auto& [text, expected] : cases) {
    try {
      app::parseSession(text, "s.json");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << text << " -> " << e.what();
      EXPECT_NE(std::string(e.what()).find(where), std::string::npos) << e.what();
    }
  }
}

TEST(Session, RoundTripsEverythingItSaves) {
  Session s;
  s.scene.name = "spirals";
  s.scene.schedule = flows::Schedule::VpCosine;
  s.scene.solver = flows::Solver::Taylor3;
  s.scene.particles = 1234;
  s.view.t = 0.375f;
  s.view.playSpeed = 0.5f;
  s.view.camera = {0.25f, -1.5f, 2.0f};
  s.view.showTrails = false;
  s.view.showHeatmap = true;
  s.view.trailSpan = 0.1f;
  s.view.fieldOrder = 3;
  s.view.fieldKind = flows::FieldKind::Lagrangian;
  s.view.openPanels["ranks"] = true;
  s.view.openPanels["cascade"] = true;
  s.view.cascadeTab = 1;
  s.view.openPanels["theory"] = true;
  s.view.openPanels["timeline"] = false;
  s.view.showDensity = true;
  s.scene.seed = 77;
  s.cascade.fitScene = "lemma1.3";
  s.cascade.fitParameters = {{"k", "5"}};
  s.cascade.fitRanks = {2, 1, 3};
  s.cascade.learnedRanks = {12, 4};
  const auto path = std::filesystem::temp_directory_path() / "rankflow_session_roundtrip.json";
  app::saveSession(path.string(), s);
  const Session back = app::loadSession(path.string());
  EXPECT_EQ(back.scene.name, "spirals");
  EXPECT_EQ(back.scene.schedule, flows::Schedule::VpCosine);
  EXPECT_EQ(back.scene.solver, flows::Solver::Taylor3);
  EXPECT_EQ(back.scene.particles, 1234);
  EXPECT_EQ(back.view.t, 0.375f);
  EXPECT_EQ(back.view.playSpeed, 0.5f);
  EXPECT_EQ(back.view.camera.centerX, 0.25f);
  EXPECT_EQ(back.view.camera.centerY, -1.5f);
  EXPECT_EQ(back.view.camera.halfHeight, 2.0f);
  EXPECT_FALSE(back.view.showTrails);
  EXPECT_TRUE(back.view.showHeatmap);
  EXPECT_EQ(back.view.fieldOrder, 3);
  EXPECT_EQ(back.view.fieldKind, flows::FieldKind::Lagrangian);
  EXPECT_TRUE(back.view.panelOpen("ranks"));
  EXPECT_TRUE(back.view.panelOpen("cascade"));
  EXPECT_EQ(back.view.cascadeTab, 1);
  EXPECT_TRUE(back.view.panelOpen("theory"));
  EXPECT_FALSE(back.view.panelOpen("timeline"));
  EXPECT_TRUE(back.view.showDensity);
  EXPECT_EQ(back.scene.seed, 77u);
  EXPECT_EQ(back.cascade.fitScene, "lemma1.3");
  ASSERT_EQ(back.cascade.fitParameters.size(), 1u);
  EXPECT_EQ(back.cascade.fitParameters[0], (std::pair<std::string, std::string>{"k", "5"}));
  EXPECT_EQ(back.cascade.fitRanks, (std::vector<int>{2, 1, 3}));
  EXPECT_EQ(back.cascade.learnedRanks, (std::vector<int>{12, 4}));
  // The seed draws the particles: the scene a session describes starts from that noise.
  const auto start = app::prepareSessionScene(back.scene).start;
  const auto expected = flows::sampleStandardNormal(back.scene.particles, back.scene.seed);
  ASSERT_EQ(start.size(), expected.size());
  for (std::size_t i = 0; i < start.size(); ++i) {
    EXPECT_EQ(start[i].x, expected[i].x);
    EXPECT_EQ(start[i].y, expected[i].y);
  }
  EXPECT_FALSE(back.view.panelOpen("queries"));
  EXPECT_EQ(app::serializeSession(back), app::serializeSession(s));
  std::filesystem::remove(path);
}

TEST(Session, MissingFieldsKeepTheirDefaults) {
  const Session s = app::parseSession(R"({"scene": {"name": "moons"}, "view": {"t": 0.8}})", "partial");
  EXPECT_EQ(s.scene.name, "moons");
  EXPECT_EQ(s.scene.solver, flows::Solver::Rk4);
  EXPECT_EQ(s.view.t, 0.8f);
  EXPECT_TRUE(s.view.showParticles);
  EXPECT_EQ(s.view.fieldOrder, 1);
}

TEST(Session, MalformedFilesAreRefusedNamingTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "not valid JSON"},
      {"[1, 2]", "JSON object"},
      {R"({"format": "other"})", "format"},
      {R"({"scene": {"name": "galaxy"}})", "unknown scene"},
      {R"({"scene": {"solver": "leapfrog"}})", "unknown solver"},
      {R"({"scene": {"particles": 0}})", "particles"},
      {R"({"view": {"t": 1.5}})", "'t'"},
      {R"({"view": {"t": "late"}})", "wrong type"},
      {R"({"view": {"field_order": 4}})", "field_order"},
      {R"({"view": {"camera": {"half_height": 0}}})", "half_height"},
      {R"({"view": []})", "must be an object"},
      {R"({"scene": {"seed": -3}})", "seed"},
      {R"({"cascade": {"fit_ranks": [1, -2]}})", "fit_ranks"},
      {R"({"cascade": {"learned_ranks": [1, 2, 3]}})", "learned_ranks"},
      {R"({"cascade": {"fit_scene": 3}})", "fit_scene"},
      {R"({"cascade": {"fit_parameters": {"k": 4}}})", "fit parameter 'k'"},
      // A number beyond a double is refused naming its field (it was a bare library message).
      {R"({"view": {"t": 1e999}})", "$.view.t: the number 1e999 is beyond the range of a double"},
  };
  expectRefused(cases, "s.json");
  EXPECT_THROW(app::loadSession("/nonexistent/session.json"), InvalidArgument);
}

TEST(Session, CustomDataRoundTripsAndBuildsItsScene) {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<float> u(-2.5f, 2.5f);
  Session s;
  s.scene.name = app::kCustomSceneName;
  s.scene.schedule = flows::Schedule::VpCosine;
  s.scene.particles = 200;
  for (int i = 0; i < 57; ++i) {
    s.scene.points.push_back({u(rng), u(rng)});
    s.scene.labels.push_back(i / 20);
  }
  const auto path = std::filesystem::temp_directory_path() / "rankflow_session_custom.json";
  app::saveSession(path.string(), s);
  const Session back = app::loadSession(path.string());
  std::filesystem::remove(path);
  ASSERT_EQ(back.scene.name, "custom");
  ASSERT_EQ(back.scene.points.size(), 57u);
  for (std::size_t i = 0; i < 57; ++i) {
    EXPECT_EQ(back.scene.points[i].x, s.scene.points[i].x);
    EXPECT_EQ(back.scene.points[i].y, s.scene.points[i].y);
  }
  EXPECT_EQ(back.scene.labels, s.scene.labels);
  EXPECT_EQ(app::serializeSession(back), app::serializeSession(s));

  const flows::FlowScene scene = app::prepareSessionScene(back.scene);
  EXPECT_EQ(scene.name, "custom");
  EXPECT_EQ(scene.data.points.size(), 57u);
  EXPECT_EQ(scene.data.labels, s.scene.labels);
  EXPECT_EQ(scene.data.labelCount, 3);
  EXPECT_EQ(scene.schedule, flows::Schedule::VpCosine);
  EXPECT_EQ(scene.start.size(), 200u);
  EXPECT_EQ(scene.grid.steps, flows::DefaultSceneSpec{}.grid.steps) << "the default scene's sizes";
  // The pickers hold no points: the choice saved for a custom scene takes the scene's.
  app::SceneChoice picked;
  picked.name = app::kCustomSceneName;
  EXPECT_EQ(app::choiceForScene(picked, scene).points.size(), 57u);
  picked.name = "moons";
  EXPECT_TRUE(app::choiceForScene(picked, scene).points.empty());
  // Unlabelled points all take label 0.
  app::SceneChoice unlabelled = back.scene;
  unlabelled.labels.clear();
  EXPECT_EQ(app::prepareSessionScene(unlabelled).data.labelCount, 1);
}

// A session of imported trajectories names its files (absolute once saved, relative ones found
// beside the session), keeps the colouring, and builds the imported scene integrated.
TEST(Session, TrajectoryFilesRoundTripAndBuildTheirScene) {
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_session_trajectories";
  std::filesystem::create_directories(dir);
  std::mt19937_64 rng(std::random_device{}());
  std::normal_distribution<double> normal;
  std::vector<double> positions(7 * 5 * 3);
  for (double& x : positions) x = normal(rng);
  io::writeNpy((dir / "T.npy").string(), {7, 5, 3}, positions);
  std::ofstream(dir / "s.json") << R"({"scene": {"name": "trajectories", "trajectories": {"positions": "T.npy"}},)"
                                << R"( "view": {"t": 0.3, "colour_by": "jerk"}})";
  const Session loaded = app::loadSession((dir / "s.json").string());
  EXPECT_EQ(loaded.scene.trajectories.positions, (dir / "T.npy").string());
  EXPECT_EQ(loaded.view.particleColour, app::ParticleColour::Jerk);
  EXPECT_EQ(loaded.view.camera.halfHeight, 0.0f);  // none given: the window frames the scene
  const flows::FlowScene scene = app::prepareSessionScene(loaded.scene);
  ASSERT_TRUE(scene.imported);
  EXPECT_TRUE(scene.integrated());
  EXPECT_EQ(scene.imported->dims, 3);
  EXPECT_EQ(scene.trajectories.particleCount(), 5);
  EXPECT_FALSE(scene.hasField());

  Session saved = loaded;
  saved.scene = app::choiceForScene(loaded.scene, scene);
  const Session back = app::parseSession(app::serializeSession(saved), "back");
  EXPECT_EQ(back.scene.name, "trajectories");
  EXPECT_TRUE(std::filesystem::path(back.scene.trajectories.positions).is_absolute());
  EXPECT_EQ(std::filesystem::path(back.scene.trajectories.positions), std::filesystem::absolute(dir / "T.npy"));
  EXPECT_EQ(back.view.particleColour, app::ParticleColour::Jerk);

  expectRefused(
      {{R"({"scene": {"name": "trajectories"}})", "needs 'trajectories'"},
       {R"({"scene": {"name": "trajectories", "trajectories": {"times": "t.npy"}}})", "'positions' must name"},
       {R"({"view": {"colour_by": "mass"}})", "'colour_by' must be label, speed"}},
      "s.json");
  app::SceneChoice gone;
  gone.name = app::kTrajectoriesSceneName;
  gone.trajectories.positions = (dir / "missing.npy").string();
  EXPECT_THROW(app::prepareSessionScene(gone), InvalidArgument);
}

TEST(Session, BadCustomDataIsRefusedWithAClearMessage) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"scene": {"name": "custom"}})", "needs 'points'"},
      {R"({"scene": {"name": "custom", "points": []}})", "no points"},
      {R"({"scene": {"name": "custom", "points": {"x": 1}}})", "array of [x, y]"},
      {R"({"scene": {"name": "custom", "points": [[1, 2], [3]]}})", "points[1]"},
      {R"({"scene": {"name": "custom", "points": [[1, "a"]]}})", "points[0]"},
      {R"({"scene": {"name": "custom", "points": [[1, 1e300]]}})", "not a finite point"},
      {R"({"scene": {"name": "custom", "points": [[1, 2]], "labels": [0, 1]}})", "labels for"},
      {R"({"scene": {"name": "custom", "points": [[1, 2]], "labels": [-1]}})", "labels must lie"},
      {R"({"scene": {"name": "custom", "points": [[1, 2]], "labels": "x"}})", "wrong type"},
  };
  expectRefused(cases, "s.json: scene");
  app::SceneChoice choice;
  choice.name = app::kCustomSceneName;
  EXPECT_THROW(app::prepareSessionScene(choice), InvalidArgument);
  choice.points = {{0.5f, std::nanf("")}};
  try {
    app::prepareSessionScene(choice);
    ADD_FAILURE() << "a NaN point was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("point 0"), std::string::npos) << e.what();
  }
  // Older files, and other scenes with stray points, still open.
  const Session other = app::parseSession(R"({"scene": {"name": "moons", "points": [[1, 2]]}})", "s.json");
  EXPECT_TRUE(other.scene.points.empty());
}

// Found by fuzzing (issue 16): the bounds a message prints are themselves accepted, and
// misspelt keys are reported, one warning line each, instead of passing silently.
TEST(Session, PrintedBoundsAreAcceptedAndUnknownKeysAreReported) {
  const Session s = app::parseSession(R"({"veiw": {"t": 0.2}, "scene": {"nmae": "moons"},)"
                                      R"( "view": {"play_speed": 0.001, "camera": {"half_height": 0.001, "zoom": 2}}})",
                                      "s.json");
  EXPECT_EQ(s.view.playSpeed, 0.001f);
  EXPECT_EQ(s.view.camera.halfHeight, 0.001f);
  ASSERT_EQ(s.warnings.size(), 3u);
  EXPECT_NE(s.warnings[0].find("unknown key 'veiw' in the session ignored (known: format, scene, view"),
            std::string::npos)
      << s.warnings[0];
  EXPECT_NE(s.warnings[1].find("unknown key 'nmae' in scene"), std::string::npos) << s.warnings[1];
  EXPECT_NE(s.warnings[2].find("unknown key 'zoom' in view.camera"), std::string::npos) << s.warnings[2];
  try {
    app::parseSession(R"({"view": {"play_speed": 0.0009}})", "s.json");
    ADD_FAILURE() << "accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("must lie in [0.001, 100]"), std::string::npos) << e.what();
  }
  // The CLI prints each warning on its own line and goes on.
  const auto path = std::filesystem::temp_directory_path() / "rankflow_session_warning.json";
  std::ofstream(path) << R"({"veiw": {"t": 0.2}, "scene": {"name": "moons", "particles": 256}})";
  const auto r = testing::runCommand(testing::rankflowExe() + " render --session " + testing::quoted(path.string()) +
                                     " --width 64 --height 64 --out " +
                                     testing::quoted((std::filesystem::temp_directory_path() / "w.png").string()));
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("warning: '" + path.string() + "': unknown key 'veiw'"), std::string::npos) << r.output;
}

// A documented-valid size that does not fit is refused with the estimate and the limit before
// anything is allocated (it ended in std::bad_alloc, issue 16).
TEST(Session, AHugeSceneIsRefusedWithItsMemoryEstimate) {
  const Session s = app::parseSession(R"({"scene": {"name": "moons", "particles": 10000000}})", "s.json");
  // 10⁷ × 101 frames × 32 bytes: refused wherever it is over three quarters of the memory.
  if (memoryLimitBytes() >= 10'000'000ull * 101 * 32) GTEST_SKIP() << "this machine has room for it";
  try {
    app::prepareSessionScene(s.scene);
    ADD_FAILURE() << "accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("a scene of 10000000 particles × 101 frames needs about 30.10 GiB"),
              std::string::npos)
        << e.what();
  }
}

TEST(Session, GuiRefusesABadSessionFileInOneLine) {
  const auto path = std::filesystem::temp_directory_path() / "rankflow_session_bad.json";
  {
    std::ofstream out(path);
    out << R"({"view": {"t": 7}})";
  }
  const auto r = testing::runCommand("env -u DISPLAY -u WAYLAND_DISPLAY " + testing::rankflowExe() + " gui --session " +
                                     testing::quoted(path.string()));
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_EQ(testing::lineCount(r.output), 1) << r.output;
  std::filesystem::remove(path);
}

TEST(Session, HeadlessGuiDrawsTheSessionsSceneAndView) {
  // With no display the window's place is taken by a snapshot: of the session, not the
  // default scene.
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_session_headless";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "s.json");
    out << R"({"scene": {"name": "rings", "particles": 256}, "view": {"t": 0.9, "show_heatmap": true}})";
  }
  const auto r = testing::runCommand("cd " + testing::quoted(dir.string()) + " && env -u DISPLAY -u WAYLAND_DISPLAY " +
                                     testing::rankflowExe() + " gui --session s.json --width 320 --height 180");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("t = 0.90"), std::string::npos) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "rankflow-snapshot.png"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rankflow
