#pragma once
// The video latent flow of seed 001 (docs/MATHEMATICS.md §4): ψ_t(z) = σ_t z + μ_t with μ_t the HiPPO-LegS
// reconstruction of the keyframes and
//   σ_t = (1 − σ_min)[sin²(π N t / T) + e^{−α t}] + σ_min,
// which is 1 at t = 0 and close to σ_min at every keyframe time τ T / N; its closed-form
// field F(z, t) = (σ'_t/σ_t)(z − μ_t) + μ'_t; and frames of μ (with its velocity,
// acceleration and jerk from exact Legendre derivatives) at any frame rate, beyond T too.
#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "core/common/vec2.h"
#include "core/vlfm/hippo.h"

namespace rankflow::vlfm {

struct SigmaSchedule {
  double sigmaMin = 0.01;
  double alpha = 10.0;
};

class VideoLatentFlow {
 public:
  // keyframes: d × N, column τ − 1 is ũ_τ, shown at t = τ T / N. InvalidArgument for a bad
  // order, too few keyframes, non-finite input, T ≤ 0, σ_min outside (0, 1) or α < 0.
  VideoLatentFlow(const Eigen::MatrixXd& keyframes, double duration, int order, Discretization discretization,
                  SigmaSchedule schedule = {});

  const LegsReconstruction& legs() const { return legs_; }
  const Eigen::MatrixXd& keyframes() const { return keyframes_; }
  const SigmaSchedule& schedule() const { return schedule_; }
  int dimension() const { return legs_.dimension(); }
  int keyframeCount() const { return legs_.keyframeCount(); }
  double duration() const { return legs_.duration(); }

  double sigma(double t) const;
  double sigmaDerivative(double t) const;
  Eigen::VectorXd mean(double t, int derivative = 0) const { return legs_.mean(t, derivative); }
  Eigen::VectorXd psi(const Eigen::VectorXd& z, double t) const;
  Eigen::VectorXd field(const Eigen::VectorXd& z, double t) const;

 private:
  void requireDimension(const Eigen::VectorXd& z) const;

  Eigen::MatrixXd keyframes_;
  LegsReconstruction legs_;
  SigmaSchedule schedule_;
};

// How far μ at the keyframe times is from the keyframes: root mean square and largest
// absolute coordinate error, and ‖μ − ũ‖_F / ‖ũ‖_F over all keyframes.
struct ReconstructionError {
  double rms = 0.0;
  double max = 0.0;
  double relative = 0.0;
};
ReconstructionError keyframeReconstructionError(const VideoLatentFlow& flow);

// Frames of a point animation: each of the d = 2P coordinates is (x_0, y_0, x_1, y_1, …).
// Arrays are frame-major F × P × 2 in C order, as written to .npy.
struct FrameSeries {
  int pointCount = 0;
  std::vector<double> times;  // i / fps for i = 0..floor(endTime · fps)
  std::vector<double> position, velocity, acceleration, jerk;
  bool extrapolated = false;  // endTime > T: the last frames evaluate the polynomial past the keyframes
};

// fps > 0, endTime > 0 (endTime > T extrapolates), at most maxFrames frames; d must be even.
FrameSeries sampleFrames(const VideoLatentFlow& flow, double fps, double endTime, std::int64_t maxFrames = 1000000);

// Sizes checked before a fit and its frames are made (issue 16: these ran out of memory or for
// minutes): the frames (position, v, a, j and one array's serialisation, float64) against the
// memory limit, and the fit's work — the recurrence costs d · s² per keyframe for d = 2P —
// against kMaxFitOperations. Throws InvalidArgument with the estimate and the limit.
inline constexpr double kMaxFitOperations = 1e12;  // about a minute on 2 cores
void requireFeasibleFit(int keyframes, int points, int order, double fps, double endTime);

// N keyframes of P points each as the d × N matrix above (d = 2P). InvalidArgument for fewer
// than 2 keyframes, no points, differing point counts or a non-finite coordinate.
Eigen::MatrixXd keyframeMatrix(const std::vector<std::vector<Vec2f>>& keyframes);

}  // namespace rankflow::vlfm
