// rankflow svals: singular values and numerical ranks of a batch of matrices (.npy in and
// out), on CUDA (one thread block per matrix) or the CPU; JSON fields in docs/cli.md.
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "app/viewer/cli_error.h"
#include "core/common/error.h"
#include "core/io/npy.h"
#include "core/lowrank/batched_spectra.h"

namespace rankflow::app {

int runSvalsCommand(const std::vector<std::string>& args) {
  CommandLine cmd("svals",
                  "rankflow svals --in BATCH.npy [--out S.npy] [--tolerance T] [--backend auto|cpu|cuda] [--json]",
                  "Singular values (descending) and numerical rank of every matrix of a (B, m, n) array (a 2-D array "
                  "is one matrix), in the input's precision: float32 or float64. A singular value counts above the "
                  "tolerance, by default sigma_max * max(m, n) * eps of the input's type. CUDA runs one thread block "
                  "per matrix (one-sided Jacobi in shared memory); matrices too large for it run on the CPU, and the "
                  "output says so.",
                  {{"in", "BATCH.npy", "the matrices: float32 or float64, shape (B, m, n) or (m, n)", ""},
                   {"out", "S.npy", "write the singular values, shape (B, min(m, n)), in the input's type", ""},
                   {"tolerance", "T", "singular values above T count (default sigma_max * max(m,n) * eps)", ""},
                   backendOption(),
                   {"json", "", "print the ranks, backend and times as JSON", ""}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  if (!cmd.has("in")) cmd.fail("--in BATCH.npy is required");
  std::optional<double> tolerance;
  if (cmd.has("tolerance")) tolerance = cmd.number("tolerance", 0.0, 1e300);
  LowRankSelection selection = lowRankBackendFor(cmd);

  const io::NpyArray array = io::readNpy(cmd.text("in"));
  if (array.shape.size() != 2 && array.shape.size() != 3)
    throw InvalidArgument(cmd.text("in") + ": need a (B, m, n) or (m, n) array, got " +
                          std::to_string(array.shape.size()) + " dimensions");
  const bool single = array.shape.size() == 2;
  const std::int64_t batch = single ? 1 : array.shape[0];
  const std::int64_t rows = array.shape[single ? 0 : 1], cols = array.shape[single ? 1 : 2];
  if (batch > (1 << 30) || rows > (1 << 20) || cols > (1 << 20))
    throw InvalidArgument(cmd.text("in") + ": the batch or the matrices are too large");
  if (batch > 0 && (rows == 0 || cols == 0))
    throw InvalidArgument(cmd.text("in") + ": matrices must have at least one row and one column");

  std::vector<float> values32;
  lowrank::MatrixBatchView view;
  view.batch = static_cast<int>(batch);
  view.rows = static_cast<int>(rows);
  view.cols = static_cast<int>(cols);
  if (array.wasFloat32) {
    values32.assign(array.values.begin(), array.values.end());
    view.f32 = values32.data();
  } else {
    view.f64 = array.values.data();
  }
  const lowrank::BatchedSpectra result = selection.backend->spectra(view, tolerance);

  if (cmd.has("out"))
    io::writeNpy(cmd.text("out"), {batch, result.spectrumLength()}, result.singularValues,
                 array.wasFloat32 ? io::NpyType::Float32 : io::NpyType::Float64);

  if (cmd.has("json")) {
    nlohmann::json out = {{"batch", result.batch},
                          {"rows", result.rows},
                          {"cols", result.cols},
                          {"type", lowrank::scalarTypeName(result.type)},
                          {"backend", result.backend},
                          {"method", result.method},
                          {"ranks", result.ranks},
                          {"tolerances", result.tolerances},
                          {"kernel_seconds", result.kernelSeconds},
                          {"end_to_end_seconds", result.endToEndSeconds},
                          {"bytes_uploaded", result.bytesUploaded},
                          {"bytes_downloaded", result.bytesDownloaded}};
    out["note"] = result.note.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.note);
    out["why_not_cuda"] = selection.cuda ? nlohmann::json(nullptr) : nlohmann::json(selection.whyNotCuda);
    std::cout << out.dump(1) << "\n";
    return kExitOk;
  }
  std::printf("%d matrices %dx%d %s on %s (%s)\n", result.batch, result.rows, result.cols,
              lowrank::scalarTypeName(result.type), result.backend.c_str(), result.method.c_str());
  if (!selection.cuda) std::printf("  not CUDA: %s\n", selection.whyNotCuda.c_str());
  if (!result.note.empty()) std::printf("  note: %s\n", result.note.c_str());
  std::printf("  compute %.3f ms, end to end %.3f ms (%.2f us a matrix)\n", result.kernelSeconds * 1e3,
              result.endToEndSeconds * 1e3, result.batch ? result.endToEndSeconds * 1e6 / result.batch : 0.0);
  std::map<int, int> histogram;
  for (int r : result.ranks) ++histogram[r];
  std::printf("  ranks:");
  for (const auto& [rank, count] : histogram) std::printf(" %d (x%d)", rank, count);
  std::printf("%s\n", histogram.empty() ? " none (empty batch)" : "");
  if (cmd.has("out")) std::printf("  wrote %s\n", cmd.text("out").c_str());
  return kExitOk;
}

}  // namespace rankflow::app
