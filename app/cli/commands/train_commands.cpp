// `rankflow train | sample | compare` and `bench train`: the learned cascade of docs/MATHEMATICS.md §5
// on the command line. Checkpoints are .safetensors (docs/formats.md).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/cli/flow_data_options.h"
#include "app/cli/plots/line_chart.h"
#include "app/viewer/cli_error.h"
#include "core/common/error.h"
#include "core/common/parallel_for.h"
#include "core/common/timing.h"
#include "core/flows/datasets.h"
#include "core/flows/empirical_data.h"
#include "core/flows/samplers.h"
#include "core/io/atomic_file.h"
#include "core/io/npy.h"
#include "core/learn/checkpoint.h"
#include "core/learn/learned_sampling.h"
#include "core/learn/trainer.h"
#include "kernels/cuda_backend.h"
#include "kernels/cuda_training.h"
#include "render/image.h"

namespace rankflow::app {
namespace {

// [SECTION] Shared options

std::vector<OptionSpec> trainingOptions() {
  std::vector<OptionSpec> o = flowDataOptions();
  const std::vector<OptionSpec> more = {
      {"schedule", "NAME", "interpolation schedule: linear, trig, vp-cosine, cubic", "linear"},
      {"ranks", "R2,R3", "adapter ranks of orders 2 (acceleration) and 3 (jerk)", "16,8"},
      {"layers", "L", "hidden layers", "3"},
      {"width", "H", "hidden width", "128"},
      {"frequencies", "F", "Fourier time features sin/cos(2π f t), f = 1..F", "8"},
      {"steps", "N", "training steps of the base (velocity)", "1500"},
      {"adapter-steps", "N", "training steps of each higher order", "300"},
      {"batch", "B", "batch of the base", "4096"},
      {"adapter-batch", "B", "batch of each higher order", "1024"},
      {"epsilon", "E", "targets at t ~ U[0, 1 − E] (a and j sharpen like 1/β², 1/β³ towards 1)", "0.2"},
      {"samples", "N", "training targets drawn (exact Lagrangian v, a, j)", "65536"},
      {"backend", "auto|cpu|cuda", "where training runs: CUDA (cuBLAS, CUDA graphs) when a device exists, else the CPU",
       "auto"},
  };
  o.insert(o.end(), more.begin(), more.end());
  return o;
}

std::vector<int> parseRanks(const CommandLine& cmd) {
  std::vector<int> ranks;
  std::stringstream in(cmd.text("ranks"));
  std::string item;
  while (std::getline(in, item, ',')) {
    char* end = nullptr;
    const long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 0 || v > 4096)
      cmd.fail("--ranks must be non-negative integers, got '" + cmd.text("ranks") + "'");
    ranks.push_back(static_cast<int>(v));
  }
  if (ranks.empty() || ranks.size() > 2) cmd.fail("--ranks takes one or two ranks (orders 2 and 3)");
  return ranks;
}

struct Setup {
  LoadedFlowData data;
  learn::ModelConfig model;
  learn::TrainOptions train;
  learn::TargetOptions targets;
};

Setup setupFor(const CommandLine& cmd) {
  Setup s;
  try {
    s.model.schedule = flows::parseSchedule(cmd.text("schedule"));
  } catch (const InvalidArgument& e) {
    cmd.fail(e.what());
  }
  s.model.ranks = parseRanks(cmd);
  s.model.hiddenLayers = cmd.integer("layers", 1, 16);
  s.model.width = cmd.integer("width", 2, 4096);
  s.model.frequencies = cmd.integer("frequencies", 0, 64);
  s.model.seed = static_cast<std::uint64_t>(cmd.integer("seed", 0, 2147483647));
  s.train.baseSteps = cmd.integer("steps", 0, 10'000'000);
  s.train.adapterSteps = cmd.integer("adapter-steps", 0, 10'000'000);
  s.train.baseBatch = cmd.integer("batch", 1, 1 << 20);
  s.train.adapterBatch = cmd.integer("adapter-batch", 1, 1 << 20);
  s.train.seed = s.model.seed;
  s.targets.schedule = s.model.schedule;
  s.targets.epsilon = static_cast<float>(cmd.number("epsilon", 1e-3, 0.99));
  s.model.timeMax = 1.0f - s.targets.epsilon;
  s.targets.count = cmd.integer("samples", 16, 50'000'000);
  s.targets.seed = s.model.seed;
  try {
    s.model.validate();
  } catch (const InvalidArgument& e) {
    cmd.fail(e.what());
  }
  s.data = loadFlowData(cmd);
  return s;
}

learn::TargetSet heldOutFor(const Setup& s) {
  learn::TargetOptions o = s.targets;
  o.count = std::max(1024, std::min(16384, s.targets.count / 8));
  o.seed = s.targets.seed + 0x5eed;
  return learn::makeTargets(s.data.data, o);
}

// Prints a progress line on stderr every so often, so a long training shows it is alive.
learn::TrainProgressFn consoleProgress(bool quiet) {
  if (quiet) return {};
  return [last = std::chrono::steady_clock::now()](const learn::TrainProgress& p) mutable {
    const auto now = std::chrono::steady_clock::now();
    if (p.step == p.steps || now - last > std::chrono::seconds(2)) {
      std::fprintf(stderr, "  order %d: step %d/%d, loss %.4g\n", p.order, p.step, p.steps, p.loss);
      last = now;
    }
    return true;
  };
}

// [SECTION] train

int runTrain(const std::vector<std::string>& args) {
  auto options = trainingOptions();
  options.push_back({"variant", "NAME", "cascade, independent or separate (equal parameter budget)", "cascade"});
  options.push_back({"out", "CKPT.safetensors", "the trained model (written atomically)", ""});
  options.push_back({"json", "", "print a JSON report instead of text", ""});
  CommandLine cmd("train",
                  "rankflow train --data NAME --variant cascade|independent|separate --ranks 16,8 --steps N "
                  "--out CKPT.safetensors [--json]",
                  "Trains the learned high-order flow: the base network on the exact velocity, then each higher "
                  "order's adapter (or network) on the exact Lagrangian acceleration and jerk with lower orders "
                  "frozen. Reports per-order held-out relative error, parameters and time, and the adapters' spectra.",
                  options);
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const std::string out = cmd.text("out");
  if (out.empty()) cmd.fail("--out CKPT.safetensors is required");
  Setup s = setupFor(cmd);
  try {
    s.model.variant = learn::parseVariant(cmd.text("variant"));
  } catch (const InvalidArgument& e) {
    cmd.fail(e.what());
  }
  const bool json = cmd.has("json");
  const auto engine = trainingEngineFor(cmd);
  const auto begin = std::chrono::steady_clock::now();
  learn::FlowNetwork network(s.model);
  learn::Trainer trainer(network, learn::makeTargets(s.data.data, s.targets), heldOutFor(s), s.train, engine);
  const double targetSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  const auto reports = trainer.trainAll(consoleProgress(json));
  learn::saveCheckpoint(out, network, {{"data", s.data.description}});
  const auto spectra = learn::adapterSpectra(network);

  if (json) {
    nlohmann::json j;
    j["variant"] = learn::variantName(s.model.variant);
    j["engine"] = trainer.engineName();
    j["data"] = s.data.description;
    j["ranks"] = s.model.ranks;
    j["target_seconds"] = targetSeconds;
    for (const auto& r : reports)
      j["orders"].push_back({{"order", r.order},
                             {"held_out_relative_error", r.heldOutRelativeError},
                             {"parameters", r.parameters},
                             {"seconds", r.trainSeconds},
                             {"steps", r.steps}});
    for (const auto& sp : spectra)
      j["adapter_spectra"].push_back({{"order", sp.order},
                                      {"layer", sp.layer},
                                      {"singular_values", sp.singularValues},
                                      {"rank_at_90", sp.rankAt90},
                                      {"rank_at_99", sp.rankAt99}});
    j["out"] = out;
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::printf("trained %s (%s, ranks %s) on %s with %s; targets %.1f s\n", learn::variantName(s.model.variant),
              flows::scheduleName(s.model.schedule), cmd.text("ranks").c_str(), s.data.description.c_str(),
              trainer.engineName().c_str(), targetSeconds);
  std::printf("  %-6s %-8s %14s %12s %10s\n", "order", "field", "held-out err", "parameters", "seconds");
  const char* fields[] = {"v", "a", "j"};
  for (const auto& r : reports)
    std::printf("  %-6d %-8s %14.4f %12lld %10.2f\n", r.order, fields[r.order - 1], r.heldOutRelativeError,
                static_cast<long long>(r.parameters), r.trainSeconds);
  if (!spectra.empty()) {
    std::printf("  adapter ranks holding 90%% / 99%% of the energy, per layer:\n");
    for (int k = 2; k <= network.orders(); ++k) {
      std::printf("    order %d:", k);
      for (const auto& sp : spectra)
        if (sp.order == k) std::printf(" %d/%d", sp.rankAt90, sp.rankAt99);
      std::printf("\n");
    }
  }
  std::printf("wrote %s\n", out.c_str());
  return kExitOk;
}

// [SECTION] sample

int runSample(const std::vector<std::string>& args) {
  auto options = flowDataOptions();
  options.insert(options.end(),
                 {{"ckpt", "CKPT.safetensors", "a model written by 'rankflow train'", ""},
                  {"solver", "NAME", "euler, heun, rk4 (learned v) or taylor3 (learned v, a, j)", "taylor3"},
                  {"steps", "S", "steps from t = 0 to 1", "4"},
                  {"particles", "N", "samples", "4096"},
                  {"out", "S.npy", "final positions, (N, 2)", ""},
                  {"score", "", "sliced Wasserstein distance to the --data set", ""}});
  CommandLine cmd("sample", "rankflow sample --ckpt CKPT.safetensors --solver taylor3 --steps 4 --out S.npy [--score]",
                  "Few-step sampling with a trained model: x_0 ~ N(0, I) carried to t = 1.", options);
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const std::string out = cmd.text("out");
  if (out.empty()) cmd.fail("--out S.npy is required");
  if (cmd.text("ckpt").empty()) cmd.fail("--ckpt CKPT.safetensors is required");
  flows::Solver solver{};
  try {
    solver = flows::parseSolver(cmd.text("solver"));
  } catch (const InvalidArgument& e) {
    cmd.fail(e.what());
  }
  const int steps = cmd.integer("steps", 1, 100000);
  const int particles = cmd.integer("particles", 1, 10'000'000);
  std::map<std::string, std::string> metadata;
  learn::FlowNetwork network = [&] {
    try {
      return learn::loadCheckpoint(cmd.text("ckpt"), &metadata);
    } catch (const InvalidArgument& e) {
      cmd.fail(e.what());
    }
  }();
  const auto start =
      flows::sampleStandardNormal(particles, static_cast<std::uint64_t>(cmd.integer("seed", 0, 2147483647)) + 1);
  std::vector<Vec2f> samples;
  try {
    samples = learn::sampleLearned(network, solver, steps, start);
  } catch (const InvalidArgument& e) {
    cmd.fail(e.what());
  }
  std::vector<double> values;
  for (const auto& p : samples) values.insert(values.end(), {p.x, p.y});
  io::writeNpy(out, {particles, 2}, values);
  std::printf("wrote %s: %d samples, %s, %d steps (%d network evaluations)\n", out.c_str(), particles,
              flows::solverName(solver), steps, steps * learn::networkEvaluationsPerStep(solver));
  if (cmd.has("score")) {
    const LoadedFlowData data = loadFlowData(cmd);
    std::printf("  sliced Wasserstein distance to %s: %.4f\n", data.description.c_str(),
                learn::slicedWasserstein(samples, data.data.points));
  }
  return kExitOk;
}

// [SECTION] compare

int runCompare(const std::vector<std::string>& args) {
  auto options = trainingOptions();
  options.push_back({"csv", "OUT.csv", "the comparison table (written atomically)", ""});
  options.push_back({"png", "OUT.png", "few-step sampling quality against steps", ""});
  options.push_back({"json", "", "print a JSON report", ""});
  CommandLine cmd("compare", "rankflow compare --data NAME --ranks 16,8 --steps N --csv OUT.csv [--png OUT.png]",
                  "Trains one base, then the cascade, independent LoRA and separate networks (equal parameter budget) "
                  "on it; per-order held-out error, parameters and time for each; the dense W_k − W_{k−1} spectra and "
                  "the schedule they suggest; few-step sampling (1–16 steps) scored by sliced Wasserstein distance.",
                  options);
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  Setup s = setupFor(cmd);
  if (s.model.ranks.size() != 2) cmd.fail("compare needs two ranks (orders 2 and 3) for Taylor-3 sampling");
  const bool json = cmd.has("json");
  const auto engine = trainingEngineFor(cmd);
  const learn::TargetSet train = learn::makeTargets(s.data.data, s.targets);
  const learn::TargetSet heldOut = heldOutFor(s);

  // One base for every variant, so the comparison is of the higher orders alone.
  learn::FlowNetwork baseNet(s.model);
  learn::Trainer baseTrainer(baseNet, train, heldOut, s.train, engine);
  const learn::OrderReport baseReport = baseTrainer.trainOrder(1, consoleProgress(json));

  struct Row {
    std::string variant;
    learn::OrderReport report;
  };
  std::vector<Row> rows;
  std::vector<std::unique_ptr<learn::FlowNetwork>> nets;
  for (const auto variant : {learn::Variant::Cascade, learn::Variant::Independent, learn::Variant::Separate}) {
    learn::ModelConfig c = s.model;
    c.variant = variant;
    auto net = std::make_unique<learn::FlowNetwork>(c);
    net->base = baseNet.base;
    learn::Trainer trainer(*net, train, heldOut, s.train, engine);
    rows.push_back({learn::variantName(variant), baseReport});
    for (int k = 2; k <= net->orders(); ++k)
      rows.push_back({learn::variantName(variant), trainer.trainOrder(k, consoleProgress(json))});
    nets.push_back(std::move(net));
  }
  const auto dense = learn::denseDerivativeSpectra(baseNet, train, s.train, consoleProgress(json), engine);

  // Few-step sampling with the cascade, against the data and against the exact flow.
  const int n = 2048;
  const auto start = flows::sampleStandardNormal(n, s.model.seed + 17);
  flows::SamplerOptions exactOptions;
  exactOptions.schedule = s.model.schedule;
  exactOptions.grid = {0.0f, 1.0f, 100};
  const auto exact = flows::sampleFlow(s.data.data, start, exactOptions);
  const std::vector<Vec2f> exactEnd(exact.store.positions(100).begin(), exact.store.positions(100).end());
  const double exactToData = learn::slicedWasserstein(exactEnd, s.data.data.points);
  struct FewStep {
    flows::Solver solver;
    int steps;
    double toData;
    double toExact;
  };
  std::vector<FewStep> fewSteps;
  for (const auto solver : {flows::Solver::Euler, flows::Solver::Heun, flows::Solver::Rk4, flows::Solver::Taylor3}) {
    for (int steps : {1, 2, 4, 8, 16}) {
      const auto samples = learn::sampleLearned(*nets[0], solver, steps, start);
      fewSteps.push_back({solver, steps, learn::slicedWasserstein(samples, s.data.data.points),
                          learn::slicedWasserstein(samples, exactEnd)});
    }
  }

  std::ostringstream csv;
  csv << "kind,variant,order,held_out_relative_error,parameters,seconds,solver,steps,network_evaluations,"
         "swd_to_data,swd_to_exact\n";
  for (const auto& r : rows)
    csv << "train," << r.variant << "," << r.report.order << "," << r.report.heldOutRelativeError << ","
        << r.report.parameters << "," << r.report.trainSeconds << ",,,,,\n";
  for (const auto& f : fewSteps)
    csv << "sample,cascade,,,,," << flows::solverName(f.solver) << "," << f.steps << ","
        << f.steps * learn::networkEvaluationsPerStep(f.solver) << "," << f.toData << "," << f.toExact << "\n";
  if (cmd.has("csv")) io::writeFileAtomic(cmd.text("csv"), csv.str());
  if (cmd.has("png")) {
    std::vector<LineSeries> series;
    const Rgb colors[] = {{214, 96, 77}, {244, 165, 60}, {67, 147, 195}, {46, 160, 90}};
    int c = 0;
    for (const auto solver : {flows::Solver::Euler, flows::Solver::Heun, flows::Solver::Rk4, flows::Solver::Taylor3}) {
      LineSeries line{flows::solverName(solver), {}, {}, colors[c++]};
      for (const auto& f : fewSteps) {
        if (f.solver != solver) continue;
        line.x.push_back(f.steps * learn::networkEvaluationsPerStep(f.solver));
        line.y.push_back(f.toData);
      }
      series.push_back(line);
    }
    series.push_back({"exact RK4-100", {1.0, 64.0}, {exactToData, exactToData}, {120, 120, 130}});
    render::writePngAtomic(
        cmd.text("png"),
        renderLineChart(series, {"Few-step sampling with the learned cascade (" + s.data.description + ")",
                                 "network evaluations", "sliced W2 to the data", true, true}));
  }

  if (json) {
    nlohmann::json j;
    for (const auto& r : rows)
      j["training"].push_back({{"variant", r.variant},
                               {"order", r.report.order},
                               {"held_out_relative_error", r.report.heldOutRelativeError},
                               {"parameters", r.report.parameters},
                               {"seconds", r.report.trainSeconds}});
    j["suggested_ranks"] = dense.suggestedRanks;
    j["engine"] = baseTrainer.engineName();
    for (const auto& f : fewSteps)
      j["sampling"].push_back({{"solver", flows::solverName(f.solver)},
                               {"steps", f.steps},
                               {"network_evaluations", f.steps * learn::networkEvaluationsPerStep(f.solver)},
                               {"swd_to_data", f.toData},
                               {"swd_to_exact", f.toExact}});
    j["exact_swd_to_data"] = exactToData;
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::printf("compare on %s (%s), ranks %s, one shared base, trained with %s:\n", s.data.description.c_str(),
              flows::scheduleName(s.model.schedule), cmd.text("ranks").c_str(), baseTrainer.engineName().c_str());
  std::printf("  %-12s %-6s %14s %12s %10s\n", "variant", "order", "held-out err", "parameters", "seconds");
  for (const auto& r : rows)
    std::printf("  %-12s %-6d %14.4f %12lld %10.2f\n", r.variant.c_str(), r.report.order, r.report.heldOutRelativeError,
                static_cast<long long>(r.report.parameters), r.report.trainSeconds);
  std::printf("  dense fine-tuning: W_k − W_{k−1} keeps 90%% of its energy at rank");
  for (std::size_t i = 0; i < dense.suggestedRanks.size(); ++i)
    std::printf(" %d (order %zu)", dense.suggestedRanks[i], i + 2);
  std::printf(" -> suggested --ranks ");
  for (std::size_t i = 0; i < dense.suggestedRanks.size(); ++i)
    std::printf("%s%d", i ? "," : "", dense.suggestedRanks[i]);
  std::printf("\n  few-step sampling (cascade), sliced W2 to the data (exact RK4-100: %.4f):\n", exactToData);
  std::printf("    %-8s", "steps");
  for (int steps : {1, 2, 4, 8, 16}) std::printf(" %8d", steps);
  std::printf("\n");
  for (const auto solver : {flows::Solver::Euler, flows::Solver::Heun, flows::Solver::Rk4, flows::Solver::Taylor3}) {
    std::printf("    %-8s", flows::solverName(solver));
    for (const auto& f : fewSteps)
      if (f.solver == solver) std::printf(" %8.4f", f.toData);
    std::printf("\n");
  }
  return kExitOk;
}

}  // namespace

int runTrainCommand(const std::vector<std::string>& args) {
  return runTrain(args);
}
int runSampleCommand(const std::vector<std::string>& args) {
  return runSample(args);
}
int runCompareCommand(const std::vector<std::string>& args) {
  return runCompare(args);
}

// [SECTION] bench train

namespace {

struct EngineBench {
  std::string engine;
  int steps = 0;
  double stepsPerSecond = 0.0;
  double retrainSeconds = 0.0;
  std::vector<double> heldOut;  // per order, after the retrain
};

// Base steps per second (the whole trainOrder call: uploads and graph capture included),
// then a slider move on r_2: orders 2 and 3 retrain, warm-started.
EngineBench benchEngine(const std::shared_ptr<learn::TrainingEngine>& engine, const learn::ModelConfig& config,
                        const learn::TargetSet& train, const learn::TargetSet& heldOut, learn::TrainOptions options,
                        int steps) {
  EngineBench result;
  result.engine = engine->name();
  result.steps = steps;
  {
    // Warm-up: the CUDA context, cuBLAS's handle and module loads stay out of the timing.
    learn::FlowNetwork warm(config);
    learn::TrainOptions brief = options;
    brief.baseSteps = 2;
    learn::Trainer(warm, train, heldOut, brief, engine).trainOrder(1);
  }
  learn::FlowNetwork network(config);
  options.baseSteps = steps;
  learn::Trainer trainer(network, train, heldOut, options, engine);
  result.stepsPerSecond = steps / trainer.trainOrder(1).trainSeconds;
  trainer.trainOrder(2);
  trainer.trainOrder(3);
  network.setRank(2, config.ranks[0] / 2);
  const auto begin = std::chrono::steady_clock::now();
  const auto reports = trainer.retrainFrom(2);
  result.retrainSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  for (int k = 1; k <= network.orders(); ++k) result.heldOut.push_back(trainer.heldOutRelativeError(k));
  return result;
}

}  // namespace

int runBenchTrain(const std::vector<std::string>& args) {
  CommandLine cmd("bench train", "rankflow bench train [--steps N] [--gpu-steps N] [--backend auto|cpu|cuda] [--quick]",
                  "Training steps per second of the base (L = 3, H = 128, batch 4096), the time to retrain the "
                  "adapters after a rank change, and the training FLOP rate as a fraction of the GEMM rate measured "
                  "in the same run: on the CPU, and with CUDA when a device exists.",
                  {{"steps", "N", "timed base steps on the CPU", "30"},
                   {"gpu-steps", "N", "timed base steps with CUDA", "4000"},
                   {"backend", "auto|cpu|cuda", "cpu: the CPU alone; cuda: fail without a device", "auto"},
                   {"quick", "", "tiny sizes (for tests)", ""}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const bool quick = cmd.has("quick");
  const int steps = quick ? 3 : cmd.integer("steps", 1, 100000);
  const int gpuSteps = quick ? 40 : cmd.integer("gpu-steps", 1, 10'000'000);
  const BackendPreference preference = backendPreferenceFor(cmd);
  std::shared_ptr<learn::TrainingEngine> cuda;
  if (preference != BackendPreference::Cpu) {
    const auto engine = trainingEngineFor(cmd);
    if (engine->name().rfind("CUDA", 0) == 0) cuda = engine;
  }
  learn::ModelConfig config;
  if (quick) config.width = 32;
  config.timeMax = 1.0f - learn::TargetOptions{}.epsilon;
  flows::DatasetSpec spec;
  const auto data = flows::FlowData::empirical(flows::makeDataset(spec).points);
  learn::TargetOptions targets;
  targets.count = quick ? 2048 : 32768;
  const auto begin = std::chrono::steady_clock::now();
  const auto train = learn::makeTargets(data, targets);
  targets.seed = 2;
  targets.count = quick ? 512 : 4096;
  const auto heldOut = learn::makeTargets(data, targets);
  const double targetSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();

  learn::TrainOptions options;
  if (quick) options.baseBatch = 256, options.adapterSteps = 5, options.adapterBatch = 128;
  const EngineBench cpu = benchEngine(learn::makeCpuTrainingEngine(), config, train, heldOut, options, steps);
  std::optional<EngineBench> gpu;
  if (cuda) gpu = benchEngine(cuda, config, train, heldOut, options, gpuSteps);

  // FLOPs of a training step: forward 2·Σ out·in per sample, backward twice that.
  double macs = 0.0;
  for (const auto& l : learn::FlowNetwork(config).base) macs += static_cast<double>(l.w.rows()) * l.w.cols();
  const double flopsPerStep = 6.0 * macs * options.baseBatch;
  // Eigen's GEMM rate on the dominant shape (H × H times H × batch), both cores, same run.
  const int h = config.width;
  const Eigen::MatrixXf w = Eigen::MatrixXf::Random(h, h);
  const Eigen::MatrixXf x = Eigen::MatrixXf::Random(h, options.baseBatch);
  std::vector<Eigen::MatrixXf> y(2);
  const double gemm = bestSeconds(quick ? 1 : 10, [&] {
    parallelFor(2, [&](std::size_t first, std::size_t last) {
      for (std::size_t s = first; s < last; ++s) {
        const Eigen::Index half = x.cols() / 2;
        y[s].noalias() = w * x.middleCols(static_cast<Eigen::Index>(s) * half, s == 0 ? half : x.cols() - half);
      }
    });
  });
  const double gemmRate = 2.0 * h * h * static_cast<double>(options.baseBatch) / gemm;
  std::printf("bench train: L = %d, H = %d, batch %d, ranks %d,%d (targets: %.2f s for %d samples)\n",
              config.hiddenLayers, config.width, options.baseBatch, config.ranks[0], config.ranks[1], targetSeconds,
              quick ? 2048 : 32768);
  auto report = [&](const EngineBench& b, double goalSteps, double gemmFlops, const char* gemmName) {
    std::printf("  %s\n", b.engine.c_str());
    std::printf("    base training: %.1f steps/s over %d steps (goal >= %.0f)\n", b.stepsPerSecond, b.steps, goalSteps);
    std::printf("    retrain after r_2 %d -> %d (orders 2 and 3, %d steps each, batch %d): %.2f s (goal <= 2 s)\n",
                config.ranks[0], config.ranks[0] / 2, options.adapterSteps, options.adapterBatch, b.retrainSeconds);
    const double rate = flopsPerStep * b.stepsPerSecond;
    std::printf("    training FLOP rate %.1f GFLOP/s = %.0f%% of the %s GEMM rate %.1f GFLOP/s measured in this run\n",
                rate * 1e-9, 100.0 * rate / gemmFlops, gemmName, gemmFlops * 1e-9);
    std::printf("    held-out relative error after the retrain: v %.3f, a %.3f, j %.3f\n", b.heldOut[0], b.heldOut[1],
                b.heldOut[2]);
  };
  report(cpu, 50, gemmRate, "Eigen");
  if (gpu) {
    const double cudaGemm = kernels::measureCudaGemmRate(h, options.baseBatch, h, quick ? 2 : 20);
    report(*gpu, 2000, cudaGemm, "cuBLAS FP32");
    std::printf("  speed-up CUDA / CPU: %.1fx base steps per second, %.1fx retrain\n",
                gpu->stepsPerSecond / cpu.stepsPerSecond, cpu.retrainSeconds / gpu->retrainSeconds);
  } else {
    std::printf("  CUDA: %s\n", preference == BackendPreference::Cpu ? "not measured (--backend cpu)"
                                                                     : kernels::probeCuda().reason.c_str());
  }
  return kExitOk;
}

}  // namespace rankflow::app
