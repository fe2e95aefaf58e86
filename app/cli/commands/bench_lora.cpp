// rankflow bench lora: profiling and resizing an adapter of a 7B model's shape (32 layers ×
// q, k, v, o, gate, up, down; hidden 4096, MLP 11008; r = 64; BF16), generated here; and
// bench checkpoints: the cascade fit of a base and two fine-tunes (8 layers of 4096×4096
// BF16). Each step runs as its own `rankflow` process, so its wall time and peak memory are
// its own.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Eigen/Core>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/viewer/cli_error.h"
#include "core/common/random.h"
#include "core/common/timing.h"
#include "core/io/safetensors.h"
#include "core/learn/tensor_matrix.h"

namespace rankflow::app {
namespace {

struct ModuleShape {
  const char* name;
  std::int64_t out, in;
};

// BF16 factors with entries of a Gaussian's size, drawn fast (the values only need to be generic).
io::Tensor randomBf16(std::vector<std::int64_t> shape, std::mt19937_64& rng) {
  io::Tensor t;
  t.dtype = io::Dtype::BF16;
  t.shape = std::move(shape);
  t.bytes.resize(static_cast<std::size_t>(t.elementCount()) * 2);
  for (std::size_t i = 0; i < t.bytes.size(); i += 8) {
    std::uint64_t bits = rng();
    for (std::size_t j = 0; j < 8 && i + j < t.bytes.size(); j += 2) {
      // Exponents 0x3c..0x3f (about 0.008 .. 1.9), random sign and mantissa.
      const auto half = static_cast<std::uint16_t>(bits >> (8 * j));
      const std::uint16_t value = static_cast<std::uint16_t>((half & 0x807f) | (0x3c00 + ((half >> 7) & 0x3) * 0x80));
      t.bytes[i + j] = static_cast<std::uint8_t>(value & 0xff);
      t.bytes[i + j + 1] = static_cast<std::uint8_t>(value >> 8);
    }
  }
  return t;
}

// Wall seconds and peak resident MiB of one child process running `command`.
std::pair<double, double> runMeasured(const std::string& command) {
  const auto begin = std::chrono::steady_clock::now();
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(child, &status, 0, &usage) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("'" + command + "' failed");
  return {secondsSince(begin), static_cast<double>(usage.ru_maxrss) / 1024.0};
}

// A fine-tune's delta: Σ_i σ_i u_i v_iᵀ with σ_i = scale·0.9^i over `rank` random directions, a
// spectrum that decays as a real one does, so a truncation below `rank` leaves a visible error.
Eigen::MatrixXf decayingDelta(std::int64_t rows, std::int64_t cols, int rank, double scale, SeededRandom& random) {
  Eigen::MatrixXf u(rows, rank), v(cols, rank);
  for (Eigen::Index j = 0; j < rank; ++j) {
    const double sigma = scale * std::pow(0.9, static_cast<double>(j));
    for (Eigen::Index i = 0; i < rows; ++i) u(i, j) = static_cast<float>(random.normal() * sigma / std::sqrt(rows));
    for (Eigen::Index i = 0; i < cols; ++i) v(i, j) = static_cast<float>(random.normal() / std::sqrt(cols));
  }
  return u * v.transpose();
}

}  // namespace

int runBenchLora(const std::vector<std::string>& args) {
  CommandLine cmd("bench lora", "rankflow bench lora [--layers L] [--rank R] [--keep DIR]",
                  "Generates a LoRA adapter of a 7B model's shape (L layers x q, k, v, o (4096x4096), gate, up "
                  "(11008x4096), down (4096x11008); rank R; BF16, PEFT layout) and times `lora-ranks` and "
                  "`lora-resize --rank R/2` on it, each as its own process: wall seconds and peak resident memory "
                  "against the file's size.",
                  {{"layers", "L", "decoder layers", "32"},
                   {"rank", "R", "the adapter's rank", "64"},
                   {"keep", "DIR", "write the adapter there and keep it (default: a temporary directory)", ""}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const int layers = cmd.integer("layers", 1, 80);
  const int rank = cmd.integer("rank", 2, 512);
  namespace fs = std::filesystem;
  const bool keep = cmd.has("keep");
  const fs::path dir = keep ? fs::path(cmd.text("keep"))
                            : fs::temp_directory_path() / ("rankflow-bench-lora-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path adapter = dir / "adapter_model.safetensors", resized = dir / "resized";
  fs::remove_all(resized);

  const ModuleShape shapes[] = {{"self_attn.q_proj", 4096, 4096}, {"self_attn.k_proj", 4096, 4096},
                                {"self_attn.v_proj", 4096, 4096}, {"self_attn.o_proj", 4096, 4096},
                                {"mlp.gate_proj", 11008, 4096},   {"mlp.up_proj", 11008, 4096},
                                {"mlp.down_proj", 4096, 11008}};
  const auto generateBegin = std::chrono::steady_clock::now();
  {
    std::mt19937_64 rng(7);
    io::SafeTensorsFile file;
    for (int l = 0; l < layers; ++l)
      for (const auto& s : shapes) {
        const std::string module = "base_model.model.model.layers." + std::to_string(l) + "." + s.name;
        file.tensors[module + ".lora_A.weight"] = randomBf16({rank, s.in}, rng);
        file.tensors[module + ".lora_B.weight"] = randomBf16({s.out, rank}, rng);
      }
    io::writeSafeTensors(adapter.string(), file);
  }
  const double fileMiB = static_cast<double>(fs::file_size(adapter)) / (1024.0 * 1024.0);
  std::printf("bench lora: %d layers x 7 modules, r = %d, BF16: %.0f MiB written in %.1f s\n", layers, rank, fileMiB,
              secondsSince(generateBegin));

  const std::string self = fs::read_symlink("/proc/self/exe").string();
  const auto [profileSeconds, profileMiB] =
      runMeasured("'" + self + "' lora-ranks '" + adapter.string() + "' --json > /dev/null");
  std::printf("  lora-ranks:              %6.2f s, peak %6.0f MiB (%.2fx the file)\n", profileSeconds, profileMiB,
              profileMiB / fileMiB);
  const auto [resizeSeconds, resizeMiB] =
      runMeasured("'" + self + "' lora-resize '" + adapter.string() + "' --rank " + std::to_string(rank / 2) +
                  " --out '" + resized.string() + "' > /dev/null");
  std::printf("  lora-resize --rank %-4d  %6.2f s, peak %6.0f MiB (%.2fx the file)\n", rank / 2, resizeSeconds,
              resizeMiB, resizeMiB / fileMiB);
  if (!keep) fs::remove_all(dir);
  return kExitOk;
}

int runBenchCheckpoints(const std::vector<std::string>& args) {
  CommandLine cmd("bench checkpoints", "rankflow bench checkpoints [--layers L] [--dim D] [--ranks r1,r2] [--keep DIR]",
                  "Generates a base checkpoint (L tensors of D x D, BF16) and two successive fine-tunes, each adding "
                  "a delta of rank 96 with a decaying spectrum, and times `cascade-fit --ranks r1,r2 --out` on them "
                  "as its own process: wall seconds, peak resident memory, and the errors it reports.",
                  {{"layers", "L", "tensors per checkpoint", "8"},
                   {"dim", "D", "rows and columns of each tensor", "4096"},
                   {"ranks", "r1,r2", "the cascade's ranks", "64,32"},
                   {"keep", "DIR", "write the checkpoints there and keep them (default: a temporary directory)", ""}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  const int layers = cmd.integer("layers", 1, 64);
  const int dim = cmd.integer("dim", 128, 16384);
  namespace fs = std::filesystem;
  const bool keep = cmd.has("keep");
  const fs::path dir = keep ? fs::path(cmd.text("keep"))
                            : fs::temp_directory_path() / ("rankflow-bench-checkpoints-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path t0 = dir / "base.safetensors", t1 = dir / "tune1.safetensors", t2 = dir / "tune2.safetensors",
                 factors = dir / "cascade.safetensors";
  const auto generateBegin = std::chrono::steady_clock::now();
  {
    std::mt19937_64 rng(11);
    SeededRandom random(5);
    io::SafeTensorsFile base, tune1, tune2;
    for (int l = 0; l < layers; ++l) {
      const std::string name = "model.layers." + std::to_string(l) + ".weight";
      base.tensors[name] = randomBf16({dim, dim}, rng);
      const std::vector<float> values = base.tensors[name].toFloat();
      Eigen::MatrixXf w = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          values.data(), dim, dim);
      w += decayingDelta(dim, dim, 96, 8.0, random);
      tune1.tensors[name] = learn::encodeMatrix(io::Dtype::BF16, w);
      w += decayingDelta(dim, dim, 96, 4.0, random);
      tune2.tensors[name] = learn::encodeMatrix(io::Dtype::BF16, w);
    }
    io::writeSafeTensors(t0.string(), base);
    io::writeSafeTensors(t1.string(), tune1);
    io::writeSafeTensors(t2.string(), tune2);
  }
  const double fileMiB = static_cast<double>(fs::file_size(t0)) / (1024.0 * 1024.0);
  std::printf("bench checkpoints: 3 checkpoints of %d x %dx%d BF16 (%.0f MiB each) written in %.1f s\n", layers, dim,
              dim, fileMiB, secondsSince(generateBegin));
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  const fs::path report = dir / "fit.json";
  const auto [seconds, peakMiB] = runMeasured("'" + self + "' cascade-fit --base '" + t0.string() + "' --targets '" +
                                              t1.string() + "," + t2.string() + "' --ranks " + cmd.text("ranks") +
                                              " --out '" + factors.string() + "' > '" + report.string() + "'");
  std::printf("  cascade-fit --ranks %s: %6.2f s, peak %6.0f MiB (%.2fx the three files)\n", cmd.text("ranks").c_str(),
              seconds, peakMiB, peakMiB / (3 * fileMiB));
  std::ifstream in(report);
  for (std::string line; std::getline(in, line);) std::printf("    %s\n", line.c_str());
  if (!keep) fs::remove_all(dir);
  return kExitOk;
}

}  // namespace rankflow::app
