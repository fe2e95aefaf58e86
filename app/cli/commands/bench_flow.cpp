// `rankflow bench flow`: throughput of the exact fields and of every sampler on each
// backend, in one run, so ratios between backends are measured together.
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/viewer/cli_error.h"
#include "core/common/timing.h"
#include "core/flows/datasets.h"
#include "core/flows/empirical_data.h"
#include "core/flows/samplers.h"
#include "kernels/cuda_backend.h"

namespace rankflow::app {
namespace {

std::vector<Vec2f> dataPoints(int count) {
  flows::DatasetSpec spec;
  spec.count = count;
  return flows::makeDataset(spec).points;
}

}  // namespace

int runBenchFlow(const std::vector<std::string>& args) {
  CommandLine cmd(
      "bench flow", "rankflow bench flow [--points P] [--data M] [--repeats R] [--quick]",
      "Point–datum pairs per second of the marginal fields u_0..u_3 (one pass) and of the Lagrangian v, a, j "
      "(three AD passes), then every sampler, on each backend; with CUDA, the issue's 100k particles × 100 "
      "RK4 steps × 1k data against the CPU in the same run.",
      {{"points", "P", "query points for the field benchmarks", "4096"},
       {"data", "M", "data points (8 gaussians)", "4096"},
       {"repeats", "R", "timed repetitions (the best is reported)", "3"},
       {"quick", "", "smaller sizes (for tests)", ""}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const bool quick = cmd.has("quick");
  const int pointCount = quick ? 256 : cmd.integer("points", 1, 10'000'000);
  const int dataCount = quick ? 256 : cmd.integer("data", 1, 10'000'000);
  const int repeats = quick ? 1 : cmd.integer("repeats", 1, 1000);

  std::vector<std::unique_ptr<compute::FlowBackend>> backends;
  backends.push_back(compute::makeCpuBackend());
  std::string noCuda;
  if (auto cuda = kernels::makeCudaBackend()) {
    backends.push_back(std::move(cuda));
  } else {
    noCuda = kernels::probeCuda().reason;
  }

  const std::vector<Vec2f> data = dataPoints(dataCount);
  const std::vector<Vec2f> points = flows::sampleStandardNormal(pointCount, 7);
  const double pairs = static_cast<double>(pointCount) * dataCount;
  std::printf("bench flow: %d points × %d data (8 gaussians), t = 0.6, linear schedule\n", pointCount, dataCount);
  std::printf("  %-40s %-34s %10s %12s\n", "backend", "work", "time", "pairs/s");
  for (const auto& backend : backends) {
    for (const auto kind : {flows::FieldKind::Marginal, flows::FieldKind::Lagrangian}) {
      const compute::FieldQuery query{data, flows::Schedule::Linear, kind, 0.6f, 3};
      std::vector<Vec2f> out(points.size() * 4);
      backend->fields(query, points, out);  // warm-up: allocations, first launch
      const double s = bestSeconds(repeats, [&] { backend->fields(query, points, out); });
      const bool lagrangian = kind == flows::FieldKind::Lagrangian;
      std::printf("  %-40s %-34s %8.2f ms %12.3g\n", backend->description().c_str(),
                  lagrangian ? "Lagrangian v, a, j (3 AD passes)" : "marginal u_0..u_3 (one pass)", s * 1e3,
                  pairs * (lagrangian ? 3.0 : 1.0) / s);
    }
  }

  // Every sampler on a smaller problem: per-step cost differs by solver.
  const int particles = quick ? 128 : 2048;
  const int steps = quick ? 10 : 50;
  const std::vector<Vec2f> sampleData = dataPoints(quick ? 128 : 512);
  const std::vector<Vec2f> start = flows::sampleStandardNormal(particles, 3);
  std::printf("samplers: %d particles × %d frames × %zu data\n", particles, steps, sampleData.size());
  std::printf("  %-40s %-10s %-8s %10s %14s\n", "backend", "solver", "density", "time", "evaluations/s");
  for (const auto& backend : backends) {
    for (const flows::Solver solver : flows::allSolvers()) {
      for (const bool density : {false, true}) {
        flows::SamplerOptions options;
        options.solver = solver;
        options.grid = {0.0f, 1.0f, steps};
        options.trackDensity = density;
        options.absoluteTolerance = options.relativeTolerance = 1e-4f;
        flows::SampleResult result;
        const double s = bestSeconds(repeats, [&] { result = backend->sample(sampleData, start, options); });
        std::printf("  %-40s %-10s %-8s %8.2f ms %14.3g\n", backend->description().c_str(), flows::solverName(solver),
                    density ? "yes" : "no", s * 1e3, static_cast<double>(result.fieldEvaluations) / s);
      }
    }
  }

  if (backends.size() < 2) {
    std::printf("(no CUDA backend: %s)\n", noCuda.c_str());
    return kExitOk;
  }
  // The issue's GPU goal: 100k particles × 100 RK4 steps against 1k data. The CPU runs
  // the same per-particle work on fewer particles (its time is linear in them).
  const int gpuParticles = quick ? 4096 : 100'000;
  const int cpuParticles = quick ? 256 : 2'000;
  const std::vector<Vec2f> goalData = dataPoints(1000);
  flows::SamplerOptions rk4;
  rk4.grid = {0.0f, 1.0f, 100};
  const auto gpuStart = flows::sampleStandardNormal(gpuParticles, 11);
  const auto cpuStart = flows::sampleStandardNormal(cpuParticles, 11);
  const double gpu = bestSeconds(repeats, [&] { backends[1]->sample(goalData, gpuStart, rk4); });
  const double cpu = bestSeconds(1, [&] { backends[0]->sample(goalData, cpuStart, rk4); });
  const double cpuScaled = cpu * gpuParticles / cpuParticles;
  std::printf("goal run: %d particles × 100 RK4 steps × 1000 data\n", gpuParticles);
  std::printf("  %-40s %10.2f ms  %.3g pairs/s\n", backends[1]->description().c_str(), gpu * 1e3,
              4.0 * gpuParticles * 100 * 1000 / gpu);
  std::printf("  %-40s %10.2f ms  (measured on %d particles, scaled)\n", backends[0]->description().c_str(),
              cpuScaled * 1e3, cpuParticles);
  std::printf("  speed-up CUDA / CPU: %.1fx (goal >= 50x)\n", cpuScaled / gpu);
  return kExitOk;
}

}  // namespace rankflow::app
