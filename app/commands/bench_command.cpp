#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "app/cli_error.h"
#include "app/command_line.h"
#include "app/commands/commands.h"
#include "app/commands/common_options.h"
#include "app/offscreen_render.h"
#include "core/flows/empirical_data.h"
#include "kernels/cuda_backend.h"

namespace rankflow::app {
namespace {

int benchRender(const std::vector<std::string>& args) {
  CommandLine cmd("bench render", "rankflow bench render [--width W] [--height H] [--frames N]",
                  "Offscreen render time per frame of a scene (t sweeping 0 → 1), without and with readback.",
                  {sceneOption(),
                   {"width", "W", "frame width", "1600"},
                   {"height", "H", "frame height", "900"},
                   {"frames", "N", "frames per measurement", "120"},
                   backendOption()});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const int width = cmd.integer("width", 16, 16384);
  const int height = cmd.integer("height", 16, 16384);
  const int frames = cmd.integer("frames", 1, 100000);
  const BackendSelection selection = selectBackendFor(cmd);
  const flows::FlowScene scene = buildSceneFor(cmd, *selection.backend);
  const RenderBenchmark b = benchmarkOffscreenRender(scene, *selection.backend, static_cast<uint32_t>(width),
                                                     static_cast<uint32_t>(height), frames);
  std::printf("bench render: scene '%s', %dx%d, %d frames, Vulkan device %s\n", scene.name.c_str(), width, height,
              b.frames, b.vulkanDevice.c_str());
  std::printf("  %-34s %8.2f ms (median)\n", "draw data (CPU, from the store)", b.buildMsMedian);
  std::printf("  %-34s %8.2f ms (median)\n", "render (upload+draw+wait)", b.renderMsMedian);
  std::printf("  %-34s %8.2f ms (median)\n", "render + readback", b.renderReadbackMsMedian);
  std::printf("  %-34s %8.2f ms\n", "ms/frame (draw data + render)", b.buildMsMedian + b.renderMsMedian);
  std::printf("  each layer alone (render, median):\n");
  for (const auto& [layer, ms] : b.layerMsMedian) std::printf("    %-32s %8.2f ms\n", layer.c_str(), ms);
  return kExitOk;
}

struct AdvectRun {
  std::string backend;
  double seconds;
  flows::TrajectoryStore store;
};

int benchAdvect(const std::vector<std::string>& args) {
  CommandLine cmd("bench advect", "rankflow bench advect [--particles N] [--data M] [--steps S] [--repeats R]",
                  "RK4 advection throughput of the exact marginal velocity on every available backend, in one run.",
                  {{"particles", "N", "particles", "4096"},
                   {"data", "M", "data points (8 gaussians)", "512"},
                   {"steps", "S", "RK4 steps from t = 0 to 1", "100"},
                   {"repeats", "R", "timed repetitions (the best is reported)", "3"}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const int particles = cmd.integer("particles", 1, 10'000'000);
  const int dataCount = cmd.integer("data", 1, 10'000'000);
  const int steps = cmd.integer("steps", 1, 100'000);
  const int repeats = cmd.integer("repeats", 1, 1000);
  const auto data = flows::sampleEightGaussians({dataCount, 2.0f, 0.12f, 1});
  const auto start = flows::sampleStandardNormal(particles, 2);
  const flows::TimeGrid grid{0.0f, 1.0f, steps};

  std::vector<std::unique_ptr<compute::FlowBackend>> backends;
  backends.push_back(compute::makeCpuBackend());
  if (auto cuda = kernels::makeCudaBackend()) {
    backends.push_back(std::move(cuda));
  } else {
    std::printf("(no CUDA backend: %s)\n", kernels::probeCuda().reason.c_str());
  }

  const double pairs = 4.0 * particles * static_cast<double>(dataCount) * steps;  // 4 field evaluations per step
  std::printf("bench advect: %d particles × %d data × %d RK4 steps (%.3g point–datum pairs)\n", particles, dataCount,
              steps, pairs);
  std::vector<AdvectRun> runs;
  for (const auto& backend : backends) {
    double best = 1e300;
    flows::TrajectoryStore store;
    for (int r = 0; r < repeats; ++r) {
      const auto begin = std::chrono::steady_clock::now();
      store = backend->integrateRk4(data.points, start, grid);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
    }
    std::printf("  %-44s %10.2f ms  %10.3g pairs/s\n", backend->description().c_str(), best * 1e3, pairs / best);
    runs.push_back({backend->description(), best, std::move(store)});
  }
  if (runs.size() == 2) {
    double diff = 0.0, norm = 0.0;
    const auto a = runs[0].store.positions(steps);
    const auto b = runs[1].store.positions(steps);
    for (std::size_t i = 0; i < a.size(); ++i) {
      diff += squaredNorm((a[i] - b[i]).cast<double>());
      norm += squaredNorm(a[i].cast<double>());
    }
    std::printf("  speed-up CUDA / CPU: %.1fx; final positions differ by %.2e (relative L2)\n",
                runs[0].seconds / runs[1].seconds, std::sqrt(diff / norm));
  }
  return kExitOk;
}

}  // namespace

int runBenchCommand(const std::vector<std::string>& args) {
  const std::string which = args.empty() ? "" : args.front();
  const std::vector<std::string> rest(args.empty() ? args.end() : args.begin() + 1, args.end());
  if (which == "render") return benchRender(rest);
  if (which == "advect") return benchAdvect(rest);
  if (which == "--help" || which == "-h") {
    std::cout << "usage: rankflow bench render|advect [OPTIONS]\n\n"
                 "  render   offscreen ms/frame of a scene\n"
                 "  advect   RK4 advection throughput on every backend\n";
    return kExitOk;
  }
  throw CliError("bench: " + (which.empty() ? std::string("which benchmark?") : "unknown benchmark '" + which + "'") +
                 " (render, advect; see 'rankflow bench --help')");
}

}  // namespace rankflow::app
