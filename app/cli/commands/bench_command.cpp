#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <random>

#include "app/cli/command_line.h"
#include "app/cli/command_table.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/viewer/cli_error.h"
#include "app/viewer/offscreen_render.h"
#include "core/common/error.h"
#include "core/common/memory_limit.h"
#include "core/common/parallel_for.h"
#include "core/common/timing.h"
#include "core/flows/empirical_data.h"
#include "core/lowrank/cascade.h"
#include "core/lowrank/lowrank_backend.h"
#include "core/lowrank/range_tree.h"
#include "core/matfun/rank.h"
#include "kernels/cuda_backend.h"
#include "kernels/cuda_lowrank.h"

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
    flows::TrajectoryStore store;
    const double best = bestSeconds(repeats, [&] { store = backend->integrateRk4(data.points, start, grid); });
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

// Best-of-`repeats` time of one strategy on one query.
double timeQuery(const lowrank::LowRankRangeTree& tree, int l, int h, const Eigen::MatrixXf& x, lowrank::Strategy s,
                 int repeats) {
  double best = 1e300;
  for (int i = 0; i < repeats; ++i) {
    lowrank::QueryTrace trace;
    tree.query(l, h, x, s, lowrank::CostModel{}, &trace);
    best = std::min(best, trace.measuredSeconds);
  }
  return best;
}

int benchSegtree(const std::vector<std::string>& args) {
  CommandLine cmd("bench segtree", "rankflow bench segtree [--m M] [--d D] [--r R] [--n N] [--queries Q]",
                  "Matrix segment tree on the CPU: sum-then-multiply against one d×d×n GEMM, and how often the "
                  "router's choice is within 10% of the fastest strategy on a random query mix.",
                  {{"m", "M", "factor pairs", "512"},
                   {"d", "D", "dimension", "128"},
                   {"r", "R", "rank of each pair", "8"},
                   {"n", "N", "columns of X for the GEMM comparison", "128"},
                   {"queries", "Q", "random queries for the router check", "200"},
                   {"update-every", "U", "replace a random factor pair before every U-th query (0: never)", "10"}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const int m = cmd.integer("m", 1, 1 << 16);
  const int d = cmd.integer("d", 1, 4096);
  const int r = cmd.integer("r", 1, 4096);
  const int n = cmd.integer("n", 1, 1 << 16);
  const int queries = cmd.integer("queries", 1, 100000);
  const int updateEvery = cmd.integer("update-every", 0, 100000);
  std::mt19937_64 rng(7);
  std::normal_distribution<float> normal;
  const auto random = [&](int rows, int cols) {
    return Eigen::MatrixXf(Eigen::MatrixXf::NullaryExpr(rows, cols, [&] { return normal(rng); }));
  };
  std::vector<Eigen::MatrixXf> left, right;
  for (int i = 0; i < m; ++i) {
    left.push_back(random(d, r));
    right.push_back(random(d, r));
  }
  lowrank::LowRankRangeTree tree(left, right);
  const lowrank::CostModel& costs = lowrank::CostModel::forThisMachine();
  std::printf("bench segtree: m = %d, d = %d, r = %d; cost model: %.3g s/MAC, %.3g s/add, %.3g s/call\n", m, d, r,
              costs.secondsPerMultiplyAdd, costs.secondsPerAdd, costs.secondsPerCall);

  const Eigen::MatrixXf x = random(d, n);
  const Eigen::MatrixXf square = random(d, d);
  Eigen::MatrixXf product(d, n);
  double gemm = 1e300;
  for (int i = 0; i < 5; ++i) {
    const auto begin = std::chrono::steady_clock::now();
    product.noalias() = square * x;
    gemm = std::min(gemm, std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
  }
  const int l = m / 7, h = m - 1 - m / 5;
  std::printf("  query [%d, %d], n = %d (%zu canonical nodes):\n", l, h, n, tree.plan(l, h, n, costs).nodes.size());
  std::printf("    %-28s %10.1f us\n", "one d×d×n GEMM", gemm * 1e6);
  for (lowrank::Strategy s : lowrank::kAllStrategies) {
    const double t = timeQuery(tree, l, h, x, s, 5);
    std::printf("    %-28s %10.1f us  (%.2fx the GEMM)\n", lowrank::strategyName(s), t * 1e6, t / gemm);
  }

  if (auto cuda = kernels::makeCudaLowRankBackend()) {
    const auto prepared = cuda->prepare(tree);
    for (lowrank::Strategy s :
         {lowrank::Strategy::Tree, lowrank::Strategy::SumThenMultiply, lowrank::Strategy::OnTheFly}) {
      prepared->query(l, h, x, s);  // leaves X resident for the kernel timing below
      const double gpu = bestSeconds(5, [&] { prepared->query(l, h, x, s); });
      double kernel = 1e300;
      for (int i = 0; i < 5; ++i) kernel = std::min(kernel, prepared->timeQuery(l, h, s));
      std::printf("    %-28s %10.1f us kernel (CUDA events, X resident), %.1f us end to end (%s)\n",
                  (std::string("CUDA ") + lowrank::strategyName(s)).c_str(), kernel * 1e6, gpu * 1e6,
                  cuda->description().c_str());
    }
  }
  std::uniform_int_distribution<int> index(0, m - 1);
  const int widths[] = {1, 8, 64};
  int good = 0;
  std::array<int, lowrank::kStrategyCount> chosenCount{};
  for (int q = 0; q < queries; ++q) {
    int a = index(rng), b = index(rng);
    if (q % 3 == 0) b = std::min(m - 1, a + q % 5);  // a third are short ranges
    const int ql = std::min(a, b), qh = std::max(a, b);
    const Eigen::MatrixXf qx = random(d, widths[q % 3]);
    if (updateEvery > 0 && q % updateEvery == 0) tree.update(index(rng), random(d, r), random(d, r));
    // Planned before timing: after an update the prefix sums are stale, and the first
    // prefix query pays their O(m d²) rebuild — timed once, as a user would meet it.
    const auto chosen = tree.plan(ql, qh, widths[q % 3], costs).chosen;
    const bool prefixStale = tree.prefixSumsStale();
    std::array<double, lowrank::kStrategyCount> measured{};
    measured[static_cast<std::size_t>(lowrank::Strategy::PrefixSums)] =
        timeQuery(tree, ql, qh, qx, lowrank::Strategy::PrefixSums, prefixStale ? 1 : 3);
    for (lowrank::Strategy s :
         {lowrank::Strategy::Tree, lowrank::Strategy::SumThenMultiply, lowrank::Strategy::OnTheFly})
      measured[static_cast<std::size_t>(s)] = timeQuery(tree, ql, qh, qx, s, 3);
    ++chosenCount[static_cast<std::size_t>(chosen)];
    const double fastest = *std::min_element(measured.begin(), measured.end());
    good += measured[static_cast<std::size_t>(chosen)] <= 1.10 * fastest;
  }
  std::printf(
      "  router on %d random queries (n in {1, 8, 64}, an update before every %d): within 10%% of the fastest "
      "on %.1f%%",
      queries, updateEvery, 100.0 * good / queries);
  std::printf(" (chose tree %d, sum %d, fly %d, prefix %d)\n", chosenCount[0], chosenCount[1], chosenCount[2],
              chosenCount[3]);
  return kExitOk;
}

int benchCascade(const std::vector<std::string>& args) {
  CommandLine cmd("bench cascade", "rankflow bench cascade [--d D] [--n N] [--orders K] [--rank R] [--act A]",
                  "Cascading evaluation against naive (K+1 dense products) and independent LoRA on the CPU, and the "
                  "cascade's GEMMs against the same GEMMs timed alone.",
                  {{"d", "D", "dimension", "256"},
                   {"n", "N", "columns of X", "4096"},
                   {"orders", "K", "adapters", "8"},
                   {"rank", "R", "total rank, split evenly over the orders", "64"},
                   {"act", "A", "identity, tanh, relu or gelu", "tanh"},
                   {"repeats", "T", "timed repetitions (best reported)", "5"}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const int d = cmd.integer("d", 1, 8192);
  const int n = cmd.integer("n", 1, 1 << 20);
  const int k = cmd.integer("orders", 1, 64);
  const int totalRank = cmd.integer("rank", k, 1 << 16);
  const int repeats = cmd.integer("repeats", 1, 1000);
  lowrank::Activation act;
  try {
    act = lowrank::parseActivation(cmd.text("act"));
  } catch (const std::exception& e) {
    cmd.fail(e.what());
  }
  if (totalRank / k > d) cmd.fail("rank per order exceeds d");
  // X, the K + 1 outputs, the stacked products and the model, float32, sized before any is made.
  try {
    requireMemory(
        saturatingProduct(
            {static_cast<std::uint64_t>(d), static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(k) + 4, 4}) +
            saturatingProduct({static_cast<std::uint64_t>(d), static_cast<std::uint64_t>(d + 2 * totalRank), 4}),
        "bench cascade with d = " + std::to_string(d) + ", n = " + std::to_string(n) + " and K = " + std::to_string(k));
  } catch (const InvalidArgument& e) {
    cmd.fail(e.what());
  }
  std::mt19937_64 rng(3);
  std::normal_distribution<float> normal;
  const auto random = [&](int rows, int cols, float scale) {
    return Eigen::MatrixXf(Eigen::MatrixXf::NullaryExpr(rows, cols, [&] { return scale * normal(rng); }));
  };
  lowrank::CascadeModel model;
  model.w = random(d, d, 1.0f / std::sqrt(static_cast<float>(d)));
  std::vector<int> ranks;
  for (int j = 0; j < k; ++j) {
    const int r = totalRank / k + (j < totalRank % k ? 1 : 0);
    ranks.push_back(r);
    model.u.push_back(random(d, r, 0.1f));
    model.v.push_back(random(d, r, 0.1f));
  }
  const Eigen::MatrixXf x = random(d, n, 1.0f);
  const auto costs = lowrank::cascadeCosts(d, ranks);

  std::vector<Eigen::MatrixXf> y;  // reused by every run, as the GUI does
  const double naive = bestSeconds(repeats, [&] { lowrank::evaluateNaiveInto(model, x, act, y); });
  const double independent = bestSeconds(repeats, [&] { lowrank::evaluateIndependentInto(model, x, act, y); });
  const double cascade = bestSeconds(repeats, [&] { lowrank::evaluateCascadeInto(model, x, act, y); });
  // Eigen's own GEMM on the cascade's shapes, unblocked, one call per worker: W X, the
  // stacked [Vᵀ] X, and every U_k Q_k. The cascade's blocked GEMM part is timed beside it.
  volatile float checksum = 0.0f;
  const double ourGemms = bestSeconds(repeats, [&] { checksum = lowrank::cascadeGemmsOnly(model, x); });
  const Eigen::MatrixXf stacked = random(totalRank, d, 0.1f);
  const int workers = static_cast<int>(cpuWorkerCount());
  std::vector<Eigen::MatrixXf> cs(static_cast<std::size_t>(workers)), qs(static_cast<std::size_t>(workers));
  const double gemms = bestSeconds(repeats, [&] {
    parallelFor(static_cast<std::size_t>(workers), [&](std::size_t first, std::size_t last) {
      for (std::size_t w = first; w < last; ++w) {
        const Eigen::Index begin = n * static_cast<Eigen::Index>(w) / workers;
        const Eigen::Index width = n * static_cast<Eigen::Index>(w + 1) / workers - begin;
        cs[w].noalias() = model.w * x.middleCols(begin, width);
        qs[w].noalias() = stacked * x.middleCols(begin, width);
        for (int j = 0, row = 0; j < k; ++j) {
          cs[w].noalias() +=
              model.u[static_cast<std::size_t>(j)] * qs[w].middleRows(row, ranks[static_cast<std::size_t>(j)]);
          row += ranks[static_cast<std::size_t>(j)];
        }
      }
    });
  });
  const double macs = costs.cascadeMacsPerColumn * n;
  std::printf("bench cascade: d = %d, n = %d, K = %d, R = %d, activation %s\n", d, n, k, totalRank,
              lowrank::activationName(act));
  std::printf("  %-34s %9.2f ms\n", "naive (K+1 dense)", naive * 1e3);
  std::printf("  %-34s %9.2f ms\n", "independent LoRA", independent * 1e3);
  std::printf("  %-34s %9.2f ms\n", "cascading (stacked + prefix sum)", cascade * 1e3);
  std::printf("  %-34s %9.2f ms  (%.1f GFLOP/s)\n", "its GEMM part (blocked)", ourGemms * 1e3,
              2 * macs / ourGemms * 1e-9);
  std::printf("  %-34s %9.2f ms  (%.1f GFLOP/s)\n", "Eigen GEMM, same shapes", gemms * 1e3, 2 * macs / gemms * 1e-9);
  std::printf("  GEMM part at %.0f%% of Eigen's own GEMM rate (goal >= 85%%)\n", 100.0 * gemms / ourGemms);
  // Naive and cascade share the epilogue (σ and the (K+1)·d·n output writes), so with the
  // naive's GEMM at the same rate the attainable speed-up is bounded below the MAC ratio.
  const double epilogue = std::max(0.0, cascade - ourGemms);
  const double naiveGemm = std::max(0.0, naive - epilogue);
  std::printf(
      "  speed-up cascade vs naive: %.2fx measured, %.2fx ideal (MACs), %.2fx bound with this epilogue; "
      "epilogue %.2f ms of %.2f\n",
      naive / cascade, costs.idealSpeedup, naive / (naiveGemm / costs.idealSpeedup + epilogue), epilogue * 1e3,
      cascade * 1e3);
  std::printf("  parameters: cascade %.0f, naive %.0f\n", costs.cascadeParameters, costs.naiveParameters);
  if (auto cuda = kernels::makeCudaLowRankBackend()) {
    cuda->evaluateCascade(model, x, act, y);  // warm-up: allocations, cuBLAS heuristics
    const double gpu = bestSeconds(repeats, [&] { cuda->evaluateCascade(model, x, act, y); });
    auto prepared = cuda->prepareCascade(model);
    prepared->setInput(x);
    prepared->evaluate(act);
    double kernel = 1e300, endToEnd = 1e300;
    for (int i = 0; i < repeats; ++i) {
      const lowrank::CascadeTiming t = prepared->evaluate(act);
      kernel = std::min(kernel, t.kernelSeconds), endToEnd = std::min(endToEnd, t.endToEndSeconds);
    }
    std::printf(
        "  %-34s %9.3f ms kernel (CUDA events, resident), %.3f ms end to end; %.2f ms with every input "
        "uploaded and output downloaded (%.1fx the CPU cascade)\n",
        cuda->description().c_str(), kernel * 1e3, endToEnd * 1e3, gpu * 1e3, cascade / gpu);
  } else {
    std::printf("  (no CUDA backend: %s)\n", kernels::probeCuda().reason.c_str());
  }
  return kExitOk;
}

int benchRank(const std::vector<std::string>& args) {
  CommandLine cmd("bench rank", "rankflow bench rank [--n N] [--rank R] [--count C]",
                  "Numerical rank of n×n matrices of known rank on the CPU: pivoted QR (rank only) and SVD (with the "
                  "spectrum), microseconds per matrix.",
                  {{"n", "N", "matrix size", "64"},
                   {"rank", "R", "true rank of the test matrices", "20"},
                   {"count", "C", "matrices timed", "2000"}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const int n = cmd.integer("n", 1, 4096);
  const int rank = cmd.integer("rank", 0, n);
  const int count = cmd.integer("count", 1, 1000000);
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  std::vector<Eigen::MatrixXd> matrices;
  for (int i = 0; i < std::min(count, 64); ++i) {
    const Eigen::MatrixXd l = Eigen::MatrixXd::NullaryExpr(n, rank, [&] { return normal(rng); });
    const Eigen::MatrixXd r = Eigen::MatrixXd::NullaryExpr(rank, n, [&] { return normal(rng); });
    matrices.push_back(l * r);
  }
  int wrong = 0;
  for (const auto& m : matrices)
    wrong += (matfun::numericalRankQr(m) != rank) + (matfun::numericalRank(m).rank != rank);
  long sink = 0;  // keeps the timed calls from being optimised away
  const double qr = bestSeconds(3, [&] {
    for (int i = 0; i < count; ++i)
      sink += matfun::numericalRankQr(matrices[static_cast<std::size_t>(i) % matrices.size()]);
  });
  const double svd = bestSeconds(3, [&] {
    for (int i = 0; i < count; ++i)
      sink += matfun::numericalRank(matrices[static_cast<std::size_t>(i) % matrices.size()]).rank;
  });
  if (sink < 0) std::printf("?\n");
  std::printf("bench rank: %d matrices %dx%d of rank %d (one thread)\n", count, n, n, rank);
  std::printf("  pivoted QR (rank only)   %8.1f us per matrix\n", qr / count * 1e6);
  std::printf("  SVD (rank + spectrum)    %8.1f us per matrix\n", svd / count * 1e6);
  std::printf("  wrong ranks (QR or SVD, over the %zu distinct matrices): %d\n", matrices.size(), wrong);
  std::vector<Eigen::MatrixXf> batch;
  for (int i = 0; i < count; ++i)
    batch.push_back(matrices[static_cast<std::size_t>(i) % matrices.size()].cast<float>());
  auto cpu = lowrank::makeCpuLowRankBackend();
  const double cpuBatch = bestSeconds(1, [&] { cpu->singularValuesBatched(batch); });
  std::printf("  batched singular values, %s: %8.1f us per matrix\n", cpu->description().c_str(),
              cpuBatch / count * 1e6);
  if (auto cuda = kernels::makeCudaLowRankBackend()) {
    cuda->singularValuesBatched(batch);
    const double gpuBatch = bestSeconds(3, [&] { cuda->singularValuesBatched(batch); });
    // The kernel alone on the same matrices, packed once (bench device has the goal shapes).
    std::vector<float> packed;
    for (const auto& m : batch) {
      const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rowMajor = m;
      packed.insert(packed.end(), rowMajor.data(), rowMajor.data() + rowMajor.size());
    }
    lowrank::MatrixBatchView view;
    view.f32 = packed.data();
    view.batch = count;
    view.rows = view.cols = n;
    double kernel = 1e300;
    for (int i = 0; i < 3; ++i) kernel = std::min(kernel, cuda->spectra(view, std::nullopt).kernelSeconds);
    std::printf(
        "  batched singular values, %s: %8.2f us per matrix kernel (CUDA events), %.2f us end to end (%.1fx "
        "the CPU)\n",
        cuda->description().c_str(), kernel / count * 1e6, gpuBatch / count * 1e6, cpuBatch / gpuBatch);
  }
  return kExitOk;
}

int runBenchHelp(const std::vector<std::string>& args);

constexpr Command kBenchmarks[] = {
    {"render", "offscreen ms/frame of a scene", benchRender},
    {"ui", "offscreen ms/frame of the whole application (panels, field, heatmap)", runBenchUi},
    {"advect", "RK4 advection throughput on every backend", benchAdvect},
    {"flow", "fields u_0..u_3, Lagrangian v, a, j and every sampler, CPU and CUDA", runBenchFlow},
    {"train", "training steps/s, adapter retrain time, FLOP rate against the GEMM rate", runBenchTrain},
    {"segtree", "segment-tree strategies and the router's accuracy", benchSegtree},
    {"cascade", "cascading evaluation against naive and independent LoRA", benchCascade},
    {"rank", "numerical rank by pivoted QR and by SVD", benchRank},
    {"device", "the GPU goals: batched spectra, rank strip, resident cascade, fields (CUDA and CPU)", runBenchDevice},
    {"lora", "profile and resize a 7B-shaped LoRA adapter: seconds and peak memory", runBenchLora},
    {"checkpoints", "cascade fit of a base and two 4096x4096 BF16 fine-tunes: seconds and peak memory",
     runBenchCheckpoints},
    {"--help", nullptr, runBenchHelp},
    {"-h", nullptr, runBenchHelp},
};

int runBenchHelp(const std::vector<std::string>&) {
  std::cout << "usage: rankflow bench " << commandNames(kBenchmarks, "|") << " [OPTIONS]\n\n"
            << commandHelpLines(kBenchmarks, 11);
  return kExitOk;
}

}  // namespace

int runBenchCommand(const std::vector<std::string>& args) {
  const std::string which = args.empty() ? "" : args.front();
  const std::vector<std::string> rest(args.empty() ? args.end() : args.begin() + 1, args.end());
  if (const Command* benchmark = findCommand(kBenchmarks, which)) return benchmark->run(rest);
  throw CliError("bench: " + (which.empty() ? std::string("which benchmark?") : "unknown benchmark '" + which + "'") +
                 " (" + commandNames(kBenchmarks, ", ") + "; see 'rankflow bench --help')");
}

}  // namespace rankflow::app
