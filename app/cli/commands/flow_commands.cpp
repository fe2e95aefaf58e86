// `rankflow flow field|sample`: the exact fields and the samplers of docs/MATHEMATICS.md §4 on the
// command line, arrays in and out as .npy.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/cli/flow_data_options.h"
#include "app/cli/plots/raster_canvas.h"
#include "app/viewer/cli_error.h"
#include "app/viewer/scene_frame.h"
#include "core/common/error.h"
#include "core/common/timing.h"
#include "core/flows/empirical_data.h"
#include "core/flows/samplers.h"
#include "core/io/atomic_file.h"
#include "core/io/npy.h"

namespace rankflow::app {
namespace {

std::vector<OptionSpec> withFlowData(std::vector<OptionSpec> options) {
  std::vector<OptionSpec> all = flowDataOptions();
  all.insert(all.end(), options.begin(), options.end());
  return all;
}

OptionSpec scheduleOption() {
  return {"schedule", "NAME", "interpolation schedule: linear, trig, vp-cosine, cubic", "linear"};
}

flows::Schedule scheduleFor(const CommandLine& cmd) {
  try {
    return flows::parseSchedule(cmd.text("schedule"));
  } catch (const InvalidArgument& e) {
    cmd.fail(e.what());
  }
}

std::vector<double> flatten(std::span<const Vec2f> points) {
  std::vector<double> values;
  values.reserve(points.size() * 2);
  for (const auto& p : points) {
    values.push_back(p.x);
    values.push_back(p.y);
  }
  return values;
}

// [SECTION] flow field

int runFlowField(const std::vector<std::string>& args) {
  CommandLine cmd(
      "flow field",
      "rankflow flow field [--data NAME | --data-file FILE] --schedule S --t T --order K "
      "(--points P.npy | --grid G) --out F.npy",
      "Evaluates the exact fields of order 0..K at time t: the marginal u_k = E[x_t^(k) | x_t = x], or with "
      "--kind lagrangian the derivatives x, v, a, j along the ODE. F.npy has shape (P, K + 1, 2); with "
      "--grid the points are a G×G lattice over [−extent, extent]², row-major from the bottom-left.",
      withFlowData({scheduleOption(),
                    {"t", "T", "time in [0, 1]", "0.5"},
                    {"order", "K", "highest order, 0..3", "3"},
                    {"kind", "marginal|lagrangian", "which fields", "marginal"},
                    {"points", "P.npy", "query points, shape (P, 2)", ""},
                    {"grid", "G", "query a G×G lattice instead of --points", ""},
                    {"extent", "E", "half-width of the lattice", "3"},
                    {"out", "F.npy", "the fields (written atomically)", ""},
                    {"divergence", "D.npy", "also write ∇·u_1 at the points, shape (P,)", ""},
                    {"log-density", "L.npy", "with --grid: also write log p_t on the lattice, shape (G, G)", ""},
                    backendOption()}));
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const float t = static_cast<float>(cmd.number("t", 0.0, 1.0));
  const int order = cmd.integer("order", 0, 3);
  const std::string out = cmd.text("out");
  if (out.empty()) cmd.fail("--out F.npy is required");
  if (cmd.has("points") == cmd.has("grid")) cmd.fail("give exactly one of --points P.npy and --grid G");
  if (cmd.has("log-density") && !cmd.has("grid")) cmd.fail("--log-density needs --grid");
  flows::FieldKind kind{};
  try {
    kind = flows::parseFieldKind(cmd.text("kind"));
  } catch (const InvalidArgument& e) {
    cmd.fail(e.what());
  }
  const flows::Schedule schedule = scheduleFor(cmd);
  const LoadedFlowData loaded = loadFlowData(cmd);
  int gridSize = 0;
  float extent = 0.0f;
  std::vector<Vec2f> points;
  if (cmd.has("grid")) {
    gridSize = cmd.integer("grid", 1, 4096);
    extent = static_cast<float>(cmd.number("extent", 1e-3, 1e6));
    points = flows::squareGrid(gridSize, extent);
  } else {
    try {
      points = readPointsNpy(cmd.text("points"), true);
    } catch (const InvalidArgument& e) {
      cmd.fail(e.what());
    }
  }

  const auto start = std::chrono::steady_clock::now();
  std::vector<Vec2f> fields(points.size() * static_cast<std::size_t>(order + 1));
  std::string backendName = "CPU";
  if (loaded.data.isEmpirical()) {
    const BackendSelection selection = selectBackendFor(cmd);
    selection.backend->fields({loaded.data.points, schedule, kind, t, order}, points, fields);
    backendName = selection.backend->description();
  } else {
    flows::evaluateFields(loaded.data, {schedule, kind, t, order}, points, fields);
  }
  const double elapsed = secondsSince(start);
  io::writeNpy(out, {static_cast<std::int64_t>(points.size()), order + 1, 2}, flatten(fields));
  std::printf("wrote %s: %s fields of order 0..%d at t = %.3f for %zu points (%s, %s, %.1f ms on %s)\n", out.c_str(),
              flows::fieldKindName(kind), order, t, points.size(), loaded.description.c_str(),
              flows::scheduleName(schedule), elapsed * 1e3, backendName.c_str());
  if (cmd.has("divergence")) {
    const auto div = flows::evaluateDivergence(loaded.data, schedule, t, points);
    io::writeNpy(cmd.text("divergence"), {static_cast<std::int64_t>(points.size())},
                 std::vector<double>(div.begin(), div.end()));
    std::printf("wrote %s: divergence of u_1\n", cmd.text("divergence").c_str());
  }
  if (cmd.has("log-density")) {
    const auto density = flows::densityOnGrid(loaded.data, schedule, t, gridSize, extent);
    io::writeNpy(cmd.text("log-density"), {gridSize, gridSize},
                 std::vector<double>(density.logDensity.begin(), density.logDensity.end()));
    std::printf("wrote %s: log p_t on the %dx%d lattice\n", cmd.text("log-density").c_str(), gridSize, gridSize);
  }
  return kExitOk;
}

// [SECTION] flow sample

Rgb rgbOf(render::PackedColor c) {
  return {static_cast<uint8_t>(c & 0xFF), static_cast<uint8_t>((c >> 8) & 0xFF),
          static_cast<uint8_t>((c >> 16) & 0xFF)};
}

// Trajectories on a light background, each coloured by the label of the datum nearest to
// where it ends, over the data in grey: the figure a paper or slide wants.
void drawTrajectories(const std::string& path, const LoadedFlowData& loaded, const flows::TrajectoryStore& store,
                      const std::string& caption) {
  const int width = 900;
  const int height = 900;
  RasterCanvas canvas(width, height, {250, 250, 252});
  float extent = 1.0f;
  for (int f = 0; f < store.frameCount(); ++f) {
    for (const auto& p : store.positions(f)) extent = std::max({extent, std::abs(p.x), std::abs(p.y)});
  }
  extent = std::min(extent * 1.05f, 1e3f);
  const float scale = 0.5f * static_cast<float>(std::min(width, height) - 40) / extent;
  auto sx = [&](float x) { return 0.5f * static_cast<float>(width) + x * scale; };
  auto sy = [&](float y) { return 0.5f * static_cast<float>(height) - y * scale; };
  for (const auto& d : loaded.data.points) canvas.dot(sx(d.x), sy(d.y), 2.0f, {170, 170, 180});
  const auto& end = store.positions(store.frameCount() - 1);
  const int n = store.particleCount();
  const int drawn = std::min(n, 2000);  // more lines only darken the picture
  for (int i = 0; i < drawn; ++i) {
    const std::size_t p = static_cast<std::size_t>(i) * static_cast<std::size_t>(n) / static_cast<std::size_t>(drawn);
    std::size_t nearest = 0;
    float best = 1e30f;
    for (std::size_t k = 0; k < loaded.data.points.size(); ++k) {
      const float d2 = squaredNorm(loaded.data.points[k] - end[p]);
      if (d2 < best) {
        best = d2;
        nearest = k;
      }
    }
    const Rgb color = rgbOf(labelColor(loaded.labels.empty() ? 0 : loaded.labels[nearest]));
    for (int f = 0; f + 1 < store.frameCount(); ++f) {
      const Vec2f a = store.positions(f)[p];
      const Vec2f b = store.positions(f + 1)[p];
      canvas.line(sx(a.x), sy(a.y), sx(b.x), sy(b.y), color, 1.0f);
    }
    canvas.dot(sx(end[p].x), sy(end[p].y), 2.0f, color);
  }
  canvas.text(14, 12, caption, {40, 40, 50}, 2.0f);
  render::writePngAtomic(path, canvas.image());
}

int runFlowSample(const std::vector<std::string>& args) {
  CommandLine cmd("flow sample",
                  "rankflow flow sample [--data NAME | --data-file FILE] --particles N --steps S --solver NAME "
                  "[--seed N] --out TRAJ.npy [--png PIC.png] [--json]",
                  "Carries N particles from x_0 ~ N(0, I) through the ODE ẋ = u_1 and writes every frame: TRAJ.npy "
                  "has shape (S + 1, N, 2). Dormand–Prince takes adaptive steps inside each of the S frame intervals.",
                  withFlowData({scheduleOption(),
                                {"particles", "N", "particles", "4096"},
                                {"steps", "S", "frames after the first (fixed-step solvers: one step each)", "100"},
                                {"solver", "NAME", "euler, heun, rk4, dopri5 or taylor3", "rk4"},
                                {"t0", "T", "start time", "0"},
                                {"t1", "T", "end time", "1"},
                                {"tolerance", "TOL", "dopri5: absolute and relative tolerance", "1e-5"},
                                {"out", "TRAJ.npy", "positions of every frame (written atomically)", ""},
                                {"velocities", "V.npy", "also the stored velocity of every frame, (S + 1, N, 2)", ""},
                                {"log-density", "L.npy", "track log p along each trajectory, (S + 1, N)", ""},
                                {"png", "PIC.png", "draw the trajectories over the data", ""},
                                {"json", "", "print a JSON summary instead of text", ""},
                                backendOption()}));
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const int particles = cmd.integer("particles", 1, 50'000'000);
  const int steps = cmd.integer("steps", 1, 100'000);
  const std::string out = cmd.text("out");
  if (out.empty()) cmd.fail("--out TRAJ.npy is required");
  flows::SamplerOptions options;
  try {
    options.solver = flows::parseSolver(cmd.text("solver"));
  } catch (const InvalidArgument& e) {
    cmd.fail(e.what());
  }
  options.schedule = scheduleFor(cmd);
  options.grid = {static_cast<float>(cmd.number("t0", 0.0, 1.0)), static_cast<float>(cmd.number("t1", 0.0, 1.0)),
                  steps};
  if (!(options.grid.t1 > options.grid.t0)) cmd.fail("--t1 must be greater than --t0");
  const float tolerance = static_cast<float>(cmd.number("tolerance", 1e-9, 1.0));
  options.absoluteTolerance = tolerance;
  options.relativeTolerance = tolerance;
  options.trackDensity = cmd.has("log-density");
  const std::size_t frameValues = static_cast<std::size_t>(steps + 1) * static_cast<std::size_t>(particles);
  if (frameValues > 400'000'000u) cmd.fail("particles × (steps + 1) must stay below 4e8 (the store would not fit)");
  const LoadedFlowData loaded = loadFlowData(cmd);
  const auto seed = static_cast<std::uint64_t>(cmd.integer("seed", 0, 2147483647));
  const std::vector<Vec2f> start = flows::sampleStandardNormal(particles, seed + 1);

  const auto begin = std::chrono::steady_clock::now();
  flows::SampleResult result;
  std::string backendName = "CPU";
  if (loaded.data.isEmpirical()) {
    const BackendSelection selection = selectBackendFor(cmd);
    result = selection.backend->sample(loaded.data.points, start, options);
    backendName = selection.backend->description();
  } else {
    result = flows::sampleFlow(loaded.data, start, options);
  }
  const double elapsed = secondsSince(begin);
  const auto straightness = flows::measureStraightness(loaded.data, options.schedule, result.store);

  const std::vector<std::int64_t> frameShape = {steps + 1, particles, 2};
  io::writeNpy(out, frameShape, flatten({result.store.positions(0).data(), frameValues}));
  if (cmd.has("velocities"))
    io::writeNpy(cmd.text("velocities"), frameShape, flatten({result.store.velocities(0).data(), frameValues}));
  if (options.trackDensity)
    io::writeNpy(cmd.text("log-density"), {steps + 1, particles},
                 std::vector<double>(result.logDensity.begin(), result.logDensity.end()));
  const std::string caption = std::string(flows::solverName(options.solver)) + ", " + std::to_string(steps) +
                              " steps, " + flows::scheduleName(options.schedule) + ", " + loaded.description;
  if (cmd.has("png")) drawTrajectories(cmd.text("png"), loaded, result.store, caption);

  long long accepted = 0, rejected = 0;
  for (int a : result.acceptedSteps) accepted += a;
  for (int r : result.rejectedSteps) rejected += r;
  if (cmd.has("json")) {
    nlohmann::json j;
    j["solver"] = flows::solverName(options.solver);
    j["schedule"] = flows::scheduleName(options.schedule);
    j["data"] = loaded.description;
    j["particles"] = particles;
    j["steps"] = steps;
    j["backend"] = backendName;
    j["seconds"] = elapsed;
    j["field_evaluations"] = result.fieldEvaluations;
    j["straightness"] = straightness.straightness;
    j["mean_acceleration"] = straightness.meanAcceleration;
    if (options.solver == flows::Solver::DormandPrince) {
      j["accepted_steps"] = accepted;
      j["rejected_steps"] = rejected;
      j["exhausted_particles"] = result.exhaustedParticles;
    }
    j["out"] = out;
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("wrote %s: %d particles × %d frames, %s in %.2f s on %s\n", out.c_str(), particles, steps + 1,
                caption.c_str(), elapsed, backendName.c_str());
    std::printf("  straightness E∫‖v − (x1 − x0)‖² dt = %.4g, mean ‖a‖ = %.4g (over %d particles)\n",
                straightness.straightness, straightness.meanAcceleration, straightness.accelerationParticles);
    if (options.solver == flows::Solver::DormandPrince)
      std::printf("  dopri5: %.1f accepted and %.1f rejected steps per particle\n",
                  static_cast<double>(accepted) / particles, static_cast<double>(rejected) / particles);
  }
  if (result.exhaustedParticles > 0)
    std::fprintf(stderr, "rankflow flow sample: %d particle(s) hit the step limit; loosen --tolerance\n",
                 result.exhaustedParticles);
  return kExitOk;
}

}  // namespace

int runFlowCommand(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: rankflow flow field|sample [OPTIONS]\n\n"
      "  field   the exact fields u_0..u_3 (or x, v, a, j along the ODE) at points or on a grid\n"
      "  sample  particles through the flow with a chosen solver, every frame stored\n\n"
      "'rankflow flow field --help' and 'rankflow flow sample --help' list the options.\n";
  if (args.empty() || args.front() == "--help" || args.front() == "-h") {
    std::cout << usage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args.front() == "field") return runFlowField(rest);
  if (args.front() == "sample") return runFlowSample(rest);
  throw CliError("flow: unknown subcommand '" + args.front() + "' (field or sample)");
}

}  // namespace rankflow::app
