// rankflow bench device: the shapes of the GPU goals (docs/PERFORMANCE.md, "Device-resident
// low-rank engine") on the CUDA backend and the CPU in one run — batched singular values,
// the rank strip, the resident cascade with its GEMM and copy ceilings, fields and RK4 —
// with kernel times (CUDA events) and end-to-end times reported apart, and, with --json,
// every number in a file that tools/gpu_compare.py sets beside PyTorch's.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/viewer/backend_selection.h"
#include "app/viewer/cli_error.h"
#include "core/common/timing.h"
#include "core/io/atomic_file.h"
#include "core/lowrank/lowrank_backend.h"
#include "core/matfun/derivative_grid.h"
#include "kernels/cuda_backend.h"
#include "kernels/cuda_lowrank.h"
#include "kernels/cuda_training.h"

namespace rankflow::app {
namespace {

using nlohmann::json;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// Median kernel and end-to-end seconds of `repeats` calls after one warm-up.
template <class Call>
std::pair<double, double> medianTimes(int repeats, Call&& call) {
  call();
  std::vector<double> kernel, total;
  for (int i = 0; i < repeats; ++i) {
    const auto [k, t] = call();
    kernel.push_back(k);
    total.push_back(t);
  }
  return {median(kernel), median(total)};
}

// B (B, m, n) row-major float32: random (rank = 0) or of rank `rank`.
std::vector<float> randomBatch(int batch, int m, int n, int rank, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> out(static_cast<std::size_t>(batch) * m * n);
  if (rank == 0) {
    for (float& v : out) v = normal(rng);
    return out;
  }
  std::vector<float> left(static_cast<std::size_t>(m) * rank), right(static_cast<std::size_t>(rank) * n);
  for (int b = 0; b < batch; ++b) {
    for (float& v : left) v = normal(rng);
    for (float& v : right) v = normal(rng);
    float* target = out.data() + static_cast<std::size_t>(b) * m * n;
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        float s = 0.0f;
        for (int a = 0; a < rank; ++a)
          s += left[static_cast<std::size_t>(i) * rank + a] * right[static_cast<std::size_t>(a) * n + j];
        target[static_cast<std::size_t>(i) * n + j] = s;
      }
  }
  return out;
}

json benchSvals(lowrank::LowRankBackend* cuda, lowrank::LowRankBackend& cpu, int batch, int size, int rank,
                int repeats) {
  const std::vector<float> data = randomBatch(batch, size, size, rank, 5);
  lowrank::MatrixBatchView view;
  view.f32 = data.data();
  view.batch = batch;
  view.rows = view.cols = size;
  json row = {{"batch", batch}, {"size", size}, {"planted_rank", rank}};
  const auto cpuTimes = medianTimes(std::max(1, repeats / 5), [&] {
    const auto r = cpu.spectra(view, std::nullopt);
    return std::pair{r.kernelSeconds, r.endToEndSeconds};
  });
  row["cpu_us_per_matrix"] = cpuTimes.second * 1e6 / batch;
  std::printf("  svals %d x %dx%d%s float32: CPU %.2f us/matrix", batch, size, size,
              rank ? (" rank " + std::to_string(rank)).c_str() : "", cpuTimes.second * 1e6 / batch);
  if (cuda) {
    lowrank::BatchedSpectra last;
    const auto times = medianTimes(repeats, [&] {
      last = cuda->spectra(view, std::nullopt);
      return std::pair{last.kernelSeconds, last.endToEndSeconds};
    });
    int wrong = 0;
    if (rank)
      for (int r : last.ranks) wrong += r != rank;
    row["cuda_kernel_us_per_matrix"] = times.first * 1e6 / batch;
    row["cuda_end_to_end_us_per_matrix"] = times.second * 1e6 / batch;
    row["wrong_ranks"] = wrong;
    row["note"] = last.note;
    std::printf("; CUDA kernel %.3f us/matrix, end to end %.3f us/matrix (%.1fx the CPU end to end)%s%s",
                times.first * 1e6 / batch, times.second * 1e6 / batch, cpuTimes.second / times.second,
                wrong ? ", WRONG RANKS" : "", last.note.empty() ? "" : (", " + last.note).c_str());
  }
  std::printf("\n");
  return row;
}

// Thin SVDs with vectors, as the Cascade fit asks for them (a fit's independent batch is K
// matrices of d×d; a sweep-sized batch shows the kernel's rate).
json benchDecompositions(lowrank::LowRankBackend* cuda, lowrank::LowRankBackend& cpu, int batch, int size,
                         int repeats) {
  const std::vector<float> data = randomBatch(batch, size, size, 0, 9);
  std::vector<Eigen::MatrixXf> matrices;
  for (int b = 0; b < batch; ++b)
    matrices.push_back(Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        data.data() + static_cast<std::size_t>(b) * size * size, size, size));
  const auto timed = [&](lowrank::LowRankBackend& backend, lowrank::SvdBatch& last) {
    return medianTimes(repeats, [&] {
      const auto start = std::chrono::steady_clock::now();
      last = backend.decompositions(matrices);
      return std::pair{last.kernelSeconds,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
    });
  };
  json row = {{"batch", batch}, {"size", size}};
  lowrank::SvdBatch last;
  const auto cpuTimes = timed(cpu, last);
  row["cpu_us_per_matrix"] = cpuTimes.second * 1e6 / batch;
  std::printf("  SVD with vectors %d x %dx%d float32: CPU %.1f us/matrix", batch, size, size,
              cpuTimes.second * 1e6 / batch);
  if (cuda) {
    const auto times = timed(*cuda, last);
    double worst = 0.0;  // how far the factors are from rebuilding each matrix
    for (int b = 0; b < batch; ++b) {
      const lowrank::SvdFactors& f = last.factors[static_cast<std::size_t>(b)];
      const Eigen::MatrixXf& m = matrices[static_cast<std::size_t>(b)];
      worst =
          std::max(worst, static_cast<double>((f.u * f.sigma.asDiagonal() * f.v.transpose() - m).norm() / m.norm()));
    }
    row["cuda_kernel_us_per_matrix"] = times.first * 1e6 / batch;
    row["cuda_end_to_end_us_per_matrix"] = times.second * 1e6 / batch;
    row["worst_relative_rebuild_error"] = worst;
    row["note"] = last.note;
    std::printf("; CUDA kernel %.2f us/matrix, end to end %.2f us/matrix (%.1fx the CPU), rebuild error %.1e%s",
                times.first * 1e6 / batch, times.second * 1e6 / batch, cpuTimes.second / times.second, worst,
                last.note.empty() ? "" : (", " + last.note).c_str());
  }
  std::printf("\n");
  return row;
}

// A 64×64 matrix function B = P(t) Q(t) of inner dimension 6 (entries c·t^p·{1, sin ωt, cos ωt}):
// rank 6(k + 1) for B^(k), so the strip has work of every size.
matfun::MatrixFunction stripScene(int size, int inner) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int> kind(0, 2), power(0, 2), rate(1, 3);
  const auto randomFunction = [&](int rows, int cols) {
    matfun::MatrixFunction f(rows, cols);
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < cols; ++j) {
        const int k = kind(rng);
        // Polynomials (e^{0·t}) and sin/cos only: their products stay in the class.
        const matfun::Oscillation shape = k == 0   ? matfun::Oscillation::Exp
                                          : k == 1 ? matfun::Oscillation::Sin
                                                   : matfun::Oscillation::Cos;
        f.add(i, j, {normal(rng), power(rng), shape, k == 0 ? 0.0 : static_cast<double>(rate(rng))});
      }
    return f;
  };
  return randomFunction(size, inner).times(randomFunction(inner, size));
}

json benchStrip(lowrank::LowRankBackend* cuda, lowrank::LowRankBackend& cpu, int times, int orders, int repeats) {
  const matfun::MatrixFunction b = stripScene(64, 6);
  const auto table = matfun::flattenDerivatives(b, orders - 1);
  std::vector<double> grid = matfun::evenlySpacedTimes(0.0, 1.0, times);
  json row = {{"times", times}, {"orders", orders}, {"size", 64}};
  const auto start = std::chrono::steady_clock::now();
  const matfun::RankGrid reference = cpu.rankGrid(table, grid, std::nullopt, false);
  const double cpuSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  row["cpu_ms"] = cpuSeconds * 1e3;
  std::printf("  rank strip %d times x %d orders of 64x64: CPU %.1f ms", times, orders, cpuSeconds * 1e3);
  if (cuda) {
    matfun::RankGrid last;
    const auto t = medianTimes(repeats, [&] {
      last = cuda->rankGrid(table, grid, std::nullopt, false);
      return std::pair{last.kernelSeconds, last.endToEndSeconds};
    });
    const bool same = last.ranks == reference.ranks;
    row["cuda_kernel_ms"] = t.first * 1e3;
    row["cuda_end_to_end_ms"] = t.second * 1e3;
    row["ranks_match_cpu"] = same;
    std::printf("; CUDA kernel %.2f ms, end to end %.2f ms (goal <= 20 ms), ranks %s the CPU's", t.first * 1e3,
                t.second * 1e3, same ? "equal" : "DIFFER FROM");
  }
  std::printf("\n");
  return row;
}

json benchResidentCascade(lowrank::LowRankBackend* cuda, int d, int n, int k, int rank, int repeats, bool copies) {
  json row = {{"d", d}, {"n", n}, {"K", k}, {"R", rank}};
  std::printf("  cascade d=%d n=%d K=%d R=%d tanh", d, n, k, rank);
  if (!cuda) {
    std::printf(": no CUDA device\n");
    return row;
  }
  std::mt19937_64 rng(3);
  std::normal_distribution<float> normal;
  const auto random = [&](int rows, int cols, float scale) {
    return Eigen::MatrixXf(Eigen::MatrixXf::NullaryExpr(rows, cols, [&] { return scale * normal(rng); }));
  };
  lowrank::CascadeModel model;
  model.w = random(d, d, 1.0f / std::sqrt(static_cast<float>(d)));
  for (int j = 0; j < k; ++j) {
    const int r = rank / k + (j < rank % k ? 1 : 0);
    model.u.push_back(random(d, r, 0.1f));
    model.v.push_back(random(d, r, 0.1f));
  }
  const Eigen::MatrixXf x = random(d, n, 1.0f);
  auto prepared = cuda->prepareCascade(model);
  prepared->setInput(x);
  std::vector<double> gemm, epilogue, kernel, total;
  prepared->evaluate(lowrank::Activation::Tanh);
  for (int i = 0; i < repeats; ++i) {
    const auto t = prepared->evaluate(lowrank::Activation::Tanh);
    gemm.push_back(t.gemmSeconds), epilogue.push_back(t.epilogueSeconds), kernel.push_back(t.kernelSeconds),
        total.push_back(t.endToEndSeconds);
  }
  const double gemmRate = kernels::measureCudaGemmRate(d + rank, n, d, repeats);
  const double gemmFlops = 2.0 * (d + rank) * static_cast<double>(n) * d;
  const double epilogueBytes = (static_cast<double>(d + rank) + static_cast<double>(k + 1) * d) * n * 4.0;
  // The copy ceiling from buffers far larger than the H200's 50 MB L2, which would flatter it.
  const double copyRate = kernels::measureCudaCopyRate(
      std::max<std::size_t>(static_cast<std::size_t>(epilogueBytes / 2), std::size_t(512) << 20), repeats);
  row["resident_kernel_ms"] = median(kernel) * 1e3;
  row["resident_end_to_end_ms"] = median(total) * 1e3;
  row["gemm_ms"] = median(gemm) * 1e3;
  row["epilogue_ms"] = median(epilogue) * 1e3;
  row["gemm_fraction_of_cublas"] = gemmFlops / median(gemm) / gemmRate;
  row["epilogue_fraction_of_copy"] = epilogueBytes / median(epilogue) / copyRate;
  std::printf(": resident kernel %.3f ms (GEMM %.3f + epilogue %.3f), end to end %.3f ms\n", median(kernel) * 1e3,
              median(gemm) * 1e3, median(epilogue) * 1e3, median(total) * 1e3);
  std::printf(
      "    GEMM at %.0f%% of cuBLAS SGEMM alone on (%d x %d x %d); epilogue moves %.0f MB at %.0f%% of the "
      "measured copy rate (%.2f TB/s)\n",
      100.0 * gemmFlops / median(gemm) / gemmRate, d + rank, n, d, epilogueBytes * 1e-6,
      100.0 * epilogueBytes / median(epilogue) / copyRate, copyRate * 1e-12);
  if (copies) {
    std::vector<Eigen::MatrixXf> y;
    cuda->evaluateCascade(model, x, lowrank::Activation::Tanh, y);
    const double withCopies =
        bestSeconds(std::max(1, repeats / 4), [&] { cuda->evaluateCascade(model, x, lowrank::Activation::Tanh, y); });
    row["copies_included_ms"] = withCopies * 1e3;
    std::printf("    with every input uploaded and every output downloaded per call: %.2f ms\n", withCopies * 1e3);
  }
  return row;
}

json benchFlow(int repeats) {
  json row;
  auto cuda = kernels::makeCudaBackend();
  if (!cuda) return row;
  std::mt19937_64 rng(7);
  std::normal_distribution<float> normal;
  std::vector<Vec2f> data(4096), points(4096), out(4096 * 4);
  for (auto& p : data) p = {normal(rng), normal(rng)};
  for (auto& p : points) p = {normal(rng), normal(rng)};
  compute::FieldQuery query;
  query.data = data;
  query.t = 0.6f;
  query.maxOrder = 3;
  const auto fields = medianTimes(repeats, [&] {
    const auto start = std::chrono::steady_clock::now();
    cuda->fields(query, points, out);
    return std::pair{cuda->lastKernelSeconds(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
  });
  row["fields_4096x4096_kernel_ms"] = fields.first * 1e3;
  row["fields_4096x4096_ms"] = fields.second * 1e3;
  std::printf("  fields u_0..u_3, P = 4096 x M = 4096, one pass: kernel %.3f ms (%.2e pairs/s), end to end %.3f ms\n",
              fields.first * 1e3, 4096.0 * 4096 / fields.first, fields.second * 1e3);
  std::vector<Vec2f> cloud(1000), start(100000);
  for (auto& p : cloud) p = {normal(rng), normal(rng)};
  for (auto& p : start) p = {normal(rng), normal(rng)};
  flows::TimeGrid grid;
  grid.t1 = 1.0f - 1e-3f;
  grid.steps = 100;
  const auto rk4 = medianTimes(std::max(1, repeats / 4), [&] {
    const auto begin = std::chrono::steady_clock::now();
    cuda->integrateRk4(cloud, start, grid);
    return std::pair{cuda->lastKernelSeconds(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count()};
  });
  row["rk4_100k_1k_100_kernel_ms"] = rk4.first * 1e3;
  row["rk4_100k_1k_100_ms"] = rk4.second * 1e3;
  std::printf("  RK4 100k particles x 1k data x 100 steps: kernel %.1f ms, end to end %.1f ms\n", rk4.first * 1e3,
              rk4.second * 1e3);
  return row;
}

}  // namespace

int runBenchDevice(const std::vector<std::string>& args) {
  CommandLine cmd("bench device", "rankflow bench device [--repeats T] [--quick] [--json FILE]",
                  "The GPU goals' shapes on CUDA and the CPU in one run: batched singular values (4096 x 32x32, 2000 "
                  "x 64x64 rank 20, 500 x 128x128), the Cascade fit's SVDs with vectors (8 and 1024 x 64x64), the rank "
                  "strip (2048 t x 8 orders, 64x64), the resident cascade "
                  "(d=256 n=4096 K=8 R=64; d=1024 n=16384 and 65536 K=8 R=128) against cuBLAS and the copy rate, "
                  "fields and RK4. Kernel times are CUDA-event medians; end-to-end times include transfers.",
                  {{"repeats", "T", "timed repetitions (median reported)", "20"},
                   {"quick", "", "small shapes only (a smoke test of this command)", ""},
                   {"json", "FILE", "write every number to FILE (read by tools/gpu_compare.py)", ""}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const int repeats = cmd.integer("repeats", 1, 1000);
  const bool quick = cmd.has("quick");
  const LowRankSelection selection = selectLowRankBackend(BackendPreference::Auto);
  auto cpu = lowrank::makeCpuLowRankBackend();
  lowrank::LowRankBackend* cuda = selection.cuda ? selection.backend.get() : nullptr;
  std::printf("bench device: %s; %s\n",
              cuda ? cuda->description().c_str() : ("no CUDA: " + selection.whyNotCuda).c_str(),
              cpu->description().c_str());
  json out = {{"device", cuda ? json(cuda->description()) : json(nullptr)}, {"cpu", cpu->description()}};
  out["svals_32"] = benchSvals(cuda, *cpu, quick ? 64 : 4096, 32, 0, repeats);
  out["svals_64"] = benchSvals(cuda, *cpu, quick ? 32 : 2000, 64, 20, repeats);
  out["svals_128"] = benchSvals(cuda, *cpu, quick ? 8 : 500, 128, 0, repeats);
  out["fit_svd_8"] = benchDecompositions(cuda, *cpu, 8, 64, repeats);
  out["fit_svd_1024"] = benchDecompositions(cuda, *cpu, quick ? 32 : 1024, 64, std::max(1, repeats / 5));
  out["strip"] = benchStrip(cuda, *cpu, quick ? 64 : 2048, 8, repeats);
  out["cascade_256"] = benchResidentCascade(cuda, 256, 4096, 8, 64, repeats, true);
  if (!quick) {
    out["cascade_1024_16k"] = benchResidentCascade(cuda, 1024, 16384, 8, 128, repeats, true);
    out["cascade_1024_64k"] = benchResidentCascade(cuda, 1024, 65536, 8, 128, std::max(3, repeats / 4), false);
    out["flow"] = benchFlow(repeats);
  }
  if (cmd.has("json")) io::writeFileAtomic(cmd.text("json"), out.dump(1) + "\n");
  return kExitOk;
}

}  // namespace rankflow::app
