#pragma once
// Singular values and numerical ranks of many small matrices of one shape (`rankflow
// svals`, the rank strip, the Ranks panel). The CPU computes them with Eigen's JacobiSVD
// on every core; the CUDA backend with one thread block per matrix (core/lowrank/jacobi.h).
#include <optional>
#include <string>
#include <vector>

namespace rankflow::lowrank {

enum class ScalarType { Float32, Float64 };

const char* scalarTypeName(ScalarType type);

// B matrices of one shape, row-major and back to back — (B, rows, cols) in C order, as
// NumPy stores it. Host memory the caller owns; exactly one of f32/f64 is set.
struct MatrixBatchView {
  const float* f32 = nullptr;
  const double* f64 = nullptr;
  int batch = 0;
  int rows = 0;
  int cols = 0;

  ScalarType type() const { return f64 ? ScalarType::Float64 : ScalarType::Float32; }
  int spectrumLength() const { return rows < cols ? rows : cols; }
  double value(long long index) const { return f64 ? f64[index] : static_cast<double>(f32[index]); }
};

// Throws InvalidArgument for an impossible shape, a missing pointer or a NaN/Inf entry
// (naming the matrix and the entry), before any work starts.
void validateBatch(const MatrixBatchView& batch);

struct BatchedSpectra {
  int batch = 0;
  int rows = 0;
  int cols = 0;
  ScalarType type = ScalarType::Float64;
  std::vector<double> singularValues;  // batch × min(rows, cols), each row descending
  std::vector<int> ranks;              // σ_i > tolerance, per matrix
  std::vector<double> tolerances;      // the one each matrix used
  std::string backend;                 // "CPU · Eigen · 16 threads" or "CUDA · NVIDIA H200 · sm_90"
  std::string method;                  // "Eigen JacobiSVD", "one-sided Jacobi in shared memory", …
  std::string note;                    // why a slower path ran (above the device's size limit), or empty
  double kernelSeconds = 0.0;          // the device work alone (CUDA events); the compute on the CPU
  double endToEndSeconds = 0.0;        // including uploads and downloads
  std::size_t bytesUploaded = 0;       // host → device in this call (0 on the CPU)
  std::size_t bytesDownloaded = 0;     // device → host in this call

  int spectrumLength() const { return rows < cols ? rows : cols; }
  const double* spectrum(int matrix) const {
    return singularValues.data() + static_cast<long long>(matrix) * spectrumLength();
  }
};

// Ranks from sorted spectra: tolerance given, or σ_max · max(m, n) · ε of `type`.
void rankFromSpectra(BatchedSpectra& spectra, std::optional<double> tolerance);

// The float64 reference and the CPU backend: Eigen's JacobiSVD per matrix (in the input's
// precision), matrices spread over every core.
BatchedSpectra cpuBatchedSpectra(const MatrixBatchView& batch, std::optional<double> tolerance);

}  // namespace rankflow::lowrank
