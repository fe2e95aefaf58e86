#include "core/flows/trajectory_import.h"

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>

#include "core/common/error.h"
#include "core/common/memory_limit.h"
#include "core/common/parallel_for.h"
#include "core/common/shape_text.h"
#include "core/io/mapped_file.h"
#include "core/io/npy.h"

// [SECTION] Index
// Metric names · Derivative weights · Metrics · Import · Files (the PCA plane: principal_plane.cpp)

namespace rankflow::flows {
namespace {

[[noreturn]] void bad(const std::string& argument, const std::string& why) {
  throw InvalidArgument(argument + ": " + why);
}

}  // namespace

// [SECTION] Metric names

const char* metricName(TrajectoryMetric metric) {
  switch (metric) {
    case TrajectoryMetric::Speed:
      return "speed";
    case TrajectoryMetric::Acceleration:
      return "acceleration";
    case TrajectoryMetric::Jerk:
      return "jerk";
    case TrajectoryMetric::Deviation:
      return "deviation";
  }
  return "?";
}

const char* metricSymbol(TrajectoryMetric metric) {
  switch (metric) {
    case TrajectoryMetric::Speed:
      return "|v|";
    case TrajectoryMetric::Acceleration:
      return "|a|";
    case TrajectoryMetric::Jerk:
      return "|j|";
    case TrajectoryMetric::Deviation:
      return "dev";
  }
  return "?";
}

TrajectoryMetric parseTrajectoryMetric(const std::string& name) {
  for (int m = 0; m < kTrajectoryMetricCount; ++m) {
    const auto metric = static_cast<TrajectoryMetric>(m);
    if (name == metricName(metric)) return metric;
  }
  throw InvalidArgument("unknown trajectory metric '" + name + "' (speed, acceleration, jerk, deviation)");
}

// [SECTION] Derivative weights

namespace {

// The derivatives at frame f of the polynomial through the (up to) five frames around it
// (docs/MATHEMATICS.md §8): exact for quartics, so |v| is fourth-order, |a| third and |j|
// second-order accurate in the frame spacing. One row of `taps` weights per derivative order.
struct FrameStencil {
  int first = 0;  // first frame of the window
  int taps = 0;
  std::array<std::array<double, 5>, 4> weights{};  // [order 0..3][tap]
};

std::vector<FrameStencil> derivativeStencils(std::span<const double> times) {
  const int frames = static_cast<int>(times.size());
  const int taps = std::min(frames, 5);
  std::vector<FrameStencil> stencils(static_cast<std::size_t>(frames));
  for (int f = 0; f < frames; ++f) {
    FrameStencil& s = stencils[static_cast<std::size_t>(f)];
    s.taps = taps;
    s.first = std::clamp(f - taps / 2, 0, frames - taps);
    // Local coordinate u = (τ − τ_f) / scale keeps the Vandermonde matrix well conditioned.
    const double scale =
        std::abs(times[static_cast<std::size_t>(s.first + taps - 1)] - times[static_cast<std::size_t>(s.first)]) /
        std::max(taps - 1, 1);
    Eigen::MatrixXd vandermonde(taps, taps);
    for (int i = 0; i < taps; ++i) {
      const double u = (times[static_cast<std::size_t>(s.first + i)] - times[static_cast<std::size_t>(f)]) / scale;
      double power = 1.0;
      for (int k = 0; k < taps; ++k, power *= u) vandermonde(i, k) = power;
    }
    // p(u) = Σ c_k u^k with c = V⁻¹ y, so p^(d)(0) = d! · (V⁻¹ y)_d.
    const Eigen::MatrixXd inverse = vandermonde.fullPivLu().inverse();
    double factorial = 1.0;
    for (int d = 0; d < 4; ++d) {
      if (d > 0) factorial *= d;
      for (int i = 0; i < taps; ++i)
        s.weights[static_cast<std::size_t>(d)][static_cast<std::size_t>(i)] =
            d < taps ? factorial * inverse(d, i) / std::pow(scale, d) : 0.0;
    }
  }
  return stencils;
}

}  // namespace

// [SECTION] Metrics

std::string ImportedTrajectories::derivativeSource() const {
  return velocitiesGiven ? "given velocities (a, j: derivatives of v through 5 frames)"
                         : "derivatives of the positions through 5 frames";
}

std::span<const float> ImportedTrajectories::metric(TrajectoryMetric which, int frame) const {
  const auto& values = metrics[static_cast<std::size_t>(which)];
  return {values.data() + static_cast<std::size_t>(frame) * static_cast<std::size_t>(particles),
          static_cast<std::size_t>(particles)};
}

namespace {
struct FramePosition {
  int frame;
  float weight;  // of frame + 1
};
FramePosition framePosition(float t, int frames) {
  const float u = std::clamp(std::isfinite(t) ? t : 0.0f, 0.0f, 1.0f) * static_cast<float>(frames - 1);
  const int frame = std::min(static_cast<int>(u), frames - 2);
  return {frame, u - static_cast<float>(frame)};
}
}  // namespace

void ImportedTrajectories::metricAt(TrajectoryMetric which, float t, std::span<float> out) const {
  const FramePosition at = framePosition(t, frames);
  const auto a = metric(which, at.frame);
  const auto b = metric(which, at.frame + 1);
  for (std::size_t p = 0; p < out.size() && p < a.size(); ++p) out[p] = a[p] + at.weight * (b[p] - a[p]);
}

float ImportedTrajectories::metricAt(TrajectoryMetric which, int particle, float t) const {
  const FramePosition at = framePosition(t, frames);
  const float a = metric(which, at.frame)[static_cast<std::size_t>(particle)];
  const float b = metric(which, at.frame + 1)[static_cast<std::size_t>(particle)];
  return a + at.weight * (b - a);
}

double ImportedTrajectories::timeAt(float t) const {
  const FramePosition at = framePosition(t, frames);
  const auto f = static_cast<std::size_t>(at.frame);
  return times[f] + at.weight * (times[f + 1] - times[f]);
}

std::vector<std::array<float, 3>> ImportedTrajectories::percentiles(TrajectoryMetric which) const {
  std::vector<std::array<float, 3>> out(static_cast<std::size_t>(frames));
  parallelFor(static_cast<std::size_t>(frames), [&](std::size_t begin, std::size_t end) {
    std::vector<float> sorted;
    for (std::size_t f = begin; f < end; ++f) {
      const auto values = metric(which, static_cast<int>(f));
      sorted.assign(values.begin(), values.end());
      const auto at = [&](double q) {
        const auto k = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1));
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k), sorted.end());
        return sorted[k];
      };
      out[f] = {at(0.1), at(0.5), at(0.9)};
    }
  });
  return out;
}

// [SECTION] Import

namespace {

void validate(const TrajectoryInput& in) {
  if (in.frames < 2)
    bad("positions", "need at least 2 frames (shape (S+1, N, D) with S ≥ 1), got " + std::to_string(in.frames));
  if (in.particles < 1) bad("positions", "need at least one trajectory (N ≥ 1)");
  if (in.dims < 2) bad("positions", "need D ≥ 2 dimensions per point, got " + std::to_string(in.dims));
  const std::size_t count =
      static_cast<std::size_t>(in.frames) * static_cast<std::size_t>(in.particles) * static_cast<std::size_t>(in.dims);
  if (in.positions.size() != count)
    bad("positions",
        "holds " + std::to_string(in.positions.size()) + " values, the shape needs " + std::to_string(count));
  std::atomic<std::size_t> firstBad{count};
  const auto findNonFinite = [&](std::span<const float> values) {
    firstBad = values.size();
    parallelFor(values.size(), [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i)
        if (!std::isfinite(values[i])) {
          std::size_t seen = firstBad.load();
          while (i < seen && !firstBad.compare_exchange_weak(seen, i)) {
          }
          return;
        }
    });
    return firstBad.load();
  };
  const auto where = [&](std::size_t i) {
    const std::size_t perFrame = static_cast<std::size_t>(in.particles) * static_cast<std::size_t>(in.dims);
    return "frame " + std::to_string(i / perFrame) + ", trajectory " +
           std::to_string((i % perFrame) / static_cast<std::size_t>(in.dims));
  };
  if (const std::size_t i = findNonFinite(in.positions); i < count) bad("positions", "non-finite value at " + where(i));
  if (!in.times.empty()) {
    if (in.times.size() != static_cast<std::size_t>(in.frames))
      bad("times", "has " + std::to_string(in.times.size()) + " entries for " + std::to_string(in.frames) + " frames");
    const double direction = in.times[1] - in.times[0];
    for (std::size_t f = 0; f < in.times.size(); ++f) {
      if (!std::isfinite(in.times[f])) bad("times", "entry " + std::to_string(f) + " is not finite");
      if (f > 0 && !((in.times[f] - in.times[f - 1]) * direction > 0))
        bad("times", "must be strictly increasing or strictly decreasing (entries " + std::to_string(f - 1) + " and " +
                         std::to_string(f) + ")");
    }
  }
  if (!in.velocities.empty()) {
    if (in.velocities.size() != count)
      bad("velocities", "holds " + std::to_string(in.velocities.size()) + " values, positions hold " +
                            std::to_string(count) + " (need the same shape)");
    if (const std::size_t i = findNonFinite(in.velocities); i < count)
      bad("velocities", "non-finite value at " + where(i));
  }
  if (!in.labels.empty()) {
    if (in.labels.size() != static_cast<std::size_t>(in.particles))
      bad("labels",
          "has " + std::to_string(in.labels.size()) + " entries for " + std::to_string(in.particles) + " trajectories");
    for (std::size_t p = 0; p < in.labels.size(); ++p)
      if (in.labels[p] < 0 || in.labels[p] > 0x7fffffff)
        bad("labels", "entry " + std::to_string(p) + " is " + std::to_string(in.labels[p]) + " (need 0 .. 2^31 - 1)");
  }
}

// Every trajectory's metrics and drawn plane, split over the cores by trajectory.
struct MetricPass {
  const TrajectoryInput& in;
  ImportedTrajectories& out;
  const std::vector<FrameStencil>& onTimes;
  const std::vector<double>& timePerWindowT;
  const Eigen::MatrixXf& plane;
  const Eigen::Vector2f& planeOffset;
  double span;
  double pcaShare;
  const ProgressFn& progress;
  std::atomic<std::size_t> done{0};
  std::atomic<bool> cancelled{false};

  template <int Dims>
  void run() {
    using Vector = Eigen::Matrix<float, Dims, 1>;
    using Row = Eigen::Map<const Vector>;
    const auto frames = static_cast<std::size_t>(in.frames), particles = static_cast<std::size_t>(in.particles);
    const auto dims = static_cast<std::size_t>(in.dims);
    const auto d = static_cast<Eigen::Index>(dims);
    const auto rowOf = [&](std::span<const float> array, std::size_t frame, std::size_t particle) {
      return Row(array.data() + (frame * particles + particle) * dims, d);
    };
    parallelFor(particles, [&](std::size_t begin, std::size_t end) {
      // In float, as the input: the stencils' rounding is far below the input's own at these sizes.
      Vector velocity(d), acceleration(d), jerk(d), chord(d), deviation(d);
      // From positions v, a, j are derivatives 1, 2, 3; from given velocities a and j are
      // derivatives 1 and 2 of v, and v is as given.
      const bool given = out.velocitiesGiven;
      const std::span<const float> source = given ? in.velocities : in.positions;
      for (std::size_t p = begin; p < end && !cancelled.load(std::memory_order_relaxed); ++p) {
        chord = rowOf(in.positions, frames - 1, p) - rowOf(in.positions, 0, p);
        double integral = 0.0, previousSquare = 0.0;
        for (std::size_t f = 0; f < frames; ++f) {
          const FrameStencil& s = onTimes[f];
          velocity.setZero();
          acceleration.setZero();
          jerk.setZero();
          for (int k = 0; k < s.taps; ++k) {
            const Row point = rowOf(source, static_cast<std::size_t>(s.first + k), p);
            const auto tap = static_cast<std::size_t>(k);
            if (!given) velocity.noalias() += static_cast<float>(s.weights[1][tap]) * point;
            acceleration.noalias() += static_cast<float>(s.weights[given ? 1 : 2][tap]) * point;
            jerk.noalias() += static_cast<float>(s.weights[given ? 2 : 3][tap]) * point;
          }
          if (given) velocity = rowOf(in.velocities, f, p);
          deviation = static_cast<float>(span) * velocity - chord;
          const double dev2 = deviation.squaredNorm();
          const std::size_t at = f * particles + p;
          out.metrics[0][at] = velocity.norm();
          out.metrics[1][at] = acceleration.norm();
          out.metrics[2][at] = jerk.norm();
          out.metrics[3][at] = static_cast<float>(std::sqrt(dev2));
          if (f > 0) integral += 0.5 * (dev2 + previousSquare) * (out.times[f] - out.times[f - 1]) / span;
          previousSquare = dev2;
          // Drawn: the projection of x, and of v (linear, so the mean drops out) per window t.
          Vec2f drawnPosition, drawnVelocity;
          if (out.projection.identity) {
            const Row x = rowOf(in.positions, f, p);
            drawnPosition = {x(0), x(1)};
            drawnVelocity = {velocity(0), velocity(1)};
          } else {
            const Eigen::Vector2f x = plane * rowOf(in.positions, f, p) - planeOffset;
            const Eigen::Vector2f v = plane * velocity;
            drawnPosition = {x(0), x(1)};
            drawnVelocity = {v(0), v(1)};
          }
          const auto scale = static_cast<float>(timePerWindowT[f]);
          out.store.positions(static_cast<int>(f))[p] = drawnPosition;
          out.store.velocities(static_cast<int>(f))[p] = {drawnVelocity.x * scale, drawnVelocity.y * scale};
        }
        out.straightness[p] = static_cast<float>(integral);
        const std::size_t finished = done.fetch_add(1) + 1;
        if (progress && finished % 1024 == 0 &&
            !progress(pcaShare + (1.0 - pcaShare) * static_cast<double>(finished) / static_cast<double>(particles)))
          cancelled = true;
      }
    });
  }
};

}  // namespace

ImportedTrajectories importTrajectories(const TrajectoryInput& in, const ProgressFn& progress) {
  validate(in);
  ImportedTrajectories out;
  out.frames = in.frames;
  out.particles = in.particles;
  out.dims = in.dims;
  out.timesGiven = !in.times.empty();
  out.velocitiesGiven = !in.velocities.empty();
  if (out.timesGiven) {
    out.times.assign(in.times.begin(), in.times.end());
  } else {
    out.times.resize(static_cast<std::size_t>(in.frames));
    for (int f = 0; f < in.frames; ++f)
      out.times[static_cast<std::size_t>(f)] = static_cast<double>(f) / (in.frames - 1);
  }
  out.labels.resize(static_cast<std::size_t>(in.particles), 0);
  std::int64_t highest = 0;
  for (std::size_t p = 0; p < in.labels.size(); ++p) {
    out.labels[p] = static_cast<int>(in.labels[p]);
    highest = std::max(highest, in.labels[p]);
  }
  out.labelCount = static_cast<int>(std::min<std::int64_t>(highest + 1, 0x7fffffff));

  const auto dims = static_cast<std::size_t>(in.dims);
  const auto particles = static_cast<std::size_t>(in.particles);
  const auto frames = static_cast<std::size_t>(in.frames);
  const double pcaShare = in.dims > 2 ? 0.5 : 0.0;
  if (in.dims == 2) {
    out.projection.dims = 2;
    out.projection.mean = {0.0, 0.0};
    out.projection.components = {1.0, 0.0, 0.0, 1.0};
    // Variance along x and y, for the panel's readout.
    double s[2] = {0, 0}, q[2] = {0, 0};
    for (std::size_t i = 0; i < in.positions.size(); ++i) {
      s[i % 2] += in.positions[i];
      q[i % 2] += static_cast<double>(in.positions[i]) * in.positions[i];
    }
    const double n = static_cast<double>(frames * particles);
    for (int a = 0; a < 2; ++a)
      out.projection.variance[static_cast<std::size_t>(a)] = std::max(0.0, q[a] / n - (s[a] / n) * (s[a] / n));
    out.projection.totalVariance = out.projection.variance[0] + out.projection.variance[1];
  } else {
    out.projection = principalPlane(in.positions, frames * particles, in.dims, progress, pcaShare);
  }

  // The window's t runs over frames evenly: d/dt of the drawn positions = dx/dτ · dτ/dt.
  std::vector<double> frameTime(frames);
  for (std::size_t f = 0; f < frames; ++f) frameTime[f] = static_cast<double>(f) / static_cast<double>(frames - 1);
  const auto onFrames = derivativeStencils(frameTime);
  const auto onTimes = derivativeStencils(out.times);
  std::vector<double> timePerWindowT(frames);
  for (std::size_t f = 0; f < frames; ++f) {
    double d = 0;
    for (int k = 0; k < onFrames[f].taps; ++k)
      d += onFrames[f].weights[1][static_cast<std::size_t>(k)] *
           out.times[static_cast<std::size_t>(onFrames[f].first + k)];
    timePerWindowT[f] = d;
  }
  const double span = out.times.back() - out.times.front();  // τ(1) − τ(0): ds = dτ / span

  out.store = TrajectoryStore(in.particles, TimeGrid{0.0f, 1.0f, in.frames - 1});
  for (auto& m : out.metrics) m.assign(frames * particles, 0.0f);
  out.straightness.assign(particles, 0.0f);
  // The drawn plane in float: (x − μ)·c = x·c − μ·c.
  const auto d = static_cast<Eigen::Index>(dims);
  Eigen::MatrixXf plane(2, d);
  Eigen::Vector2f planeOffset = Eigen::Vector2f::Zero();
  for (Eigen::Index i = 0; i < d; ++i)
    for (int axis = 0; axis < 2; ++axis) {
      plane(axis, i) = static_cast<float>(out.projection.components[static_cast<std::size_t>(axis * d + i)]);
      planeOffset(axis) += static_cast<float>(out.projection.components[static_cast<std::size_t>(axis * d + i)] *
                                              out.projection.mean[static_cast<std::size_t>(i)]);
    }
  MetricPass pass{in, out, onTimes, timePerWindowT, plane, planeOffset, span, pcaShare, progress};
  if (dims == 2)
    pass.run<2>();  // fixed-size vectors: the common case of a 2-D flow, a hundred thousand paths
  else
    pass.run<Eigen::Dynamic>();
  const bool cancelled = pass.cancelled;
  if (cancelled) throw Cancelled();
  for (int m = 0; m < kTrajectoryMetricCount; ++m) {
    // From at most ~1M evenly strided values: percentiles to well under a colour step.
    const auto& values = out.metrics[static_cast<std::size_t>(m)];
    const std::size_t stride = std::max<std::size_t>(1, values.size() / (1u << 20));
    std::vector<float> sample;
    for (std::size_t i = 0; i < values.size(); i += stride) sample.push_back(values[i]);
    const auto at = [&](double q) {
      const auto k = static_cast<std::size_t>(q * static_cast<double>(sample.size() - 1));
      std::nth_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(k), sample.end());
      return sample[k];
    };
    const float lo = at(0.02), hi = at(0.98);
    // A constant metric still gets a range of positive width (relative: lo + 1e-6 is lo for lo ≥ 32).
    out.metricRange[static_cast<std::size_t>(m)] = {lo, hi > lo ? hi : lo + std::max(1e-6f, std::abs(lo) * 1e-6f)};
  }
  double total = 0;
  for (float s : out.straightness) total += s;
  out.meanStraightness = total / static_cast<double>(particles);
  return out;
}

// [SECTION] Files

std::uint64_t importPeakBytes(std::int64_t frames, std::int64_t particles, std::int64_t dims, bool velocities) {
  const auto points = static_cast<long double>(frames) * static_cast<long double>(particles);
  const long double arrays = points * static_cast<long double>(dims) * 4.0L * (velocities ? 2.0L : 1.0L);
  // The store (position and velocity, 16 bytes a point) and four metrics (16 bytes a point).
  const long double derived = points * 32.0L;
  const long double total = arrays + derived;
  return total > 1.8e19L ? UINT64_MAX : static_cast<std::uint64_t>(total);
}

std::uint64_t importMemoryLimitBytes() {
  return memoryLimitBytes();
}

namespace {
std::string shapeText(const std::vector<std::int64_t>& shape) {
  return rankflow::shapeText(shape, ShapeNotation::NumpyTuple);
}
bool isFloat(io::NpyDtype t) {
  return t == io::NpyDtype::Float32 || t == io::NpyDtype::Float64;
}
}  // namespace

ImportedTrajectories loadTrajectories(const TrajectoryFiles& files, const ProgressFn& progress,
                                      std::uint64_t memoryLimitBytes) {
  if (files.positions.empty()) bad("positions", "no trajectory file given");
  const io::NpyHeader positions = io::readNpyHeader(files.positions);
  const std::string p = files.positions;
  if (positions.shape.size() != 3)
    bad(p, "trajectories must have shape (S+1, N, D), got " + shapeText(positions.shape));
  if (!isFloat(positions.type)) bad(p, "trajectories must be float32 or float64, got '" + positions.descr + "'");
  const std::int64_t frames = positions.shape[0], particles = positions.shape[1], dims = positions.shape[2];
  if (frames < 2)
    bad(p, "a single frame is not a trajectory (need S+1 ≥ 2 frames), shape " + shapeText(positions.shape));
  if (particles < 1) bad(p, "no trajectories (N = 0)");
  if (dims < 2) bad(p, "points need D ≥ 2 dimensions, got D = " + std::to_string(dims));
  if (particles > 0x7fffffff || frames > 0x7fffffff) bad(p, "too many frames or trajectories");

  io::NpyHeader times, velocities, labels;
  if (!files.times.empty()) {
    times = io::readNpyHeader(files.times);
    if (times.shape != std::vector<std::int64_t>{frames})
      bad(files.times, "times must have shape (" + std::to_string(frames) + ",) for " + std::to_string(frames) +
                           " frames, got " + shapeText(times.shape));
    if (!isFloat(times.type) && times.type != io::NpyDtype::Int64 && times.type != io::NpyDtype::Int32)
      bad(files.times, "times must be numbers, got '" + times.descr + "'");
  }
  if (!files.velocities.empty()) {
    velocities = io::readNpyHeader(files.velocities);
    if (velocities.shape != positions.shape)
      bad(files.velocities, "velocities must have the positions' shape " + shapeText(positions.shape) + ", got " +
                                shapeText(velocities.shape));
    if (!isFloat(velocities.type))
      bad(files.velocities, "velocities must be float32 or float64, got '" + velocities.descr + "'");
  }
  if (!files.labels.empty()) {
    labels = io::readNpyHeader(files.labels);
    if (labels.shape != std::vector<std::int64_t>{particles})
      bad(files.labels, "labels must have shape (" + std::to_string(particles) + ",), one per trajectory, got " +
                            shapeText(labels.shape));
    if (isFloat(labels.type)) bad(files.labels, "labels must be integers, got '" + labels.descr + "'");
  }
  try {
    requireMemory(importPeakBytes(frames, particles, dims, !files.velocities.empty()),
                  "importing " + shapeText(positions.shape), memoryLimitBytes);
  } catch (const InvalidArgument& e) {
    bad(p, e.what());
  }

  // float32 arrays are read in place from a mapping; float64 ones are converted into a buffer.
  std::vector<std::unique_ptr<io::MappedFile>> mappings;
  const auto floatsOf = [&](const std::string& path, const io::NpyHeader& header, std::vector<float>& buffer) {
    if (header.type == io::NpyDtype::Float32 && header.dataOffset % alignof(float) == 0) {
      mappings.push_back(std::make_unique<io::MappedFile>(path));
      const io::MappedFile& mapped = *mappings.back();
      if (mapped.size() != header.dataOffset + static_cast<std::size_t>(header.count) * 4)
        bad(path, "the file changed while it was read");
      return std::span<const float>(reinterpret_cast<const float*>(mapped.data() + header.dataOffset),
                                    static_cast<std::size_t>(header.count));
    }
    buffer.resize(static_cast<std::size_t>(header.count));
    io::readNpyData<float>(path, header, buffer);
    return std::span<const float>(buffer);
  };
  std::vector<float> positionBuffer;
  const std::span<const float> positionValues = floatsOf(files.positions, positions, positionBuffer);
  std::vector<double> timeValues;
  if (!files.times.empty()) {
    timeValues.resize(static_cast<std::size_t>(times.count));
    io::readNpyData<double>(files.times, times, timeValues);
  }
  std::vector<float> velocityBuffer;
  std::span<const float> velocityValues;
  if (!files.velocities.empty()) velocityValues = floatsOf(files.velocities, velocities, velocityBuffer);
  std::vector<std::int64_t> labelValues;
  if (!files.labels.empty()) {
    std::vector<double> raw(static_cast<std::size_t>(labels.count));
    io::readNpyData<double>(files.labels, labels, raw);
    labelValues.reserve(raw.size());
    for (double v : raw) labelValues.push_back(v > 9e18 ? INT64_MAX : static_cast<std::int64_t>(v));
  }
  TrajectoryInput input;
  input.frames = static_cast<int>(frames);
  input.particles = static_cast<int>(particles);
  input.dims = static_cast<int>(dims);
  input.positions = positionValues;
  input.times = timeValues;
  input.velocities = velocityValues;
  input.labels = labelValues;
  try {
    ImportedTrajectories imported = importTrajectories(input, progress);
    imported.files = files;
    return imported;
  } catch (const InvalidArgument& e) {
    // Name the file beside the argument ("positions: …" → "T.npy: positions: …").
    const std::string what = e.what();
    const std::string& file = what.rfind("times", 0) == 0        ? files.times
                              : what.rfind("velocities", 0) == 0 ? files.velocities
                              : what.rfind("labels", 0) == 0     ? files.labels
                                                                 : files.positions;
    throw InvalidArgument(file + ": " + what);
  }
}

}  // namespace rankflow::flows
