#include "core/flows/trajectory_import.h"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/io/npy.h"

namespace rankflow::flows {
namespace {

constexpr double kPi = std::numbers::pi;

struct Arrays {
  int frames = 0, particles = 0, dims = 0;
  std::vector<float> positions, velocities;
  std::vector<double> times;
  TrajectoryInput input() const {
    TrajectoryInput in;
    in.frames = frames;
    in.particles = particles;
    in.dims = dims;
    in.positions = positions;
    in.velocities = velocities;
    in.times = times;
    return in;
  }
};

// Particle p follows x(τ) = (τ³ + c_p, τ + 2 c_p) for τ on an uneven grid in [0, 1]:
// v = (3τ², 1), a = (6τ, 0), j = (6, 0); the chord is (1, 1), so the deviation from the straight
// path is (3τ² − 1, 0) and the straightness ∫₀¹ (3τ² − 1)² dτ = 9/5 − 2 + 1 = 4/5.
Arrays cubicCurves(int frames, int particles) {
  Arrays a;
  a.frames = frames;
  a.particles = particles;
  a.dims = 2;
  for (int f = 0; f < frames; ++f) {
    const double u = static_cast<double>(f) / (frames - 1);
    a.times.push_back(0.5 * u + 0.5 * u * u);  // uneven steps, still 0 → 1
  }
  for (int f = 0; f < frames; ++f)
    for (int p = 0; p < particles; ++p) {
      const double tau = a.times[static_cast<std::size_t>(f)], c = 0.1 * p;
      a.positions.push_back(static_cast<float>(tau * tau * tau + c));
      a.positions.push_back(static_cast<float>(tau + 2 * c));
      a.velocities.push_back(static_cast<float>(3 * tau * tau));
      a.velocities.push_back(1.0f);
    }
  return a;
}

TEST(TrajectoryImport, MetricsOfAKnownPlaneCurveMatchTheAnalyticValues) {
  for (const bool withVelocities : {false, true}) {
    // Float32 positions carry rounding of 1e-7 that the third derivative multiplies by 1/h³:
    // 21 frames keep that below 1e-2.
    Arrays curve = cubicCurves(21, 3);
    if (!withVelocities) curve.velocities.clear();
    const ImportedTrajectories imported = importTrajectories(curve.input());
    EXPECT_TRUE(imported.projection.identity);
    EXPECT_EQ(imported.velocitiesGiven, withVelocities);
    for (int f = 0; f < curve.frames; ++f) {
      const double tau = curve.times[static_cast<std::size_t>(f)];
      for (int p = 0; p < curve.particles; ++p) {
        const auto at = static_cast<std::size_t>(p);
        EXPECT_NEAR(imported.metric(TrajectoryMetric::Speed, f)[at], std::hypot(3 * tau * tau, 1.0), 1e-4);
        EXPECT_NEAR(imported.metric(TrajectoryMetric::Acceleration, f)[at], 6 * tau, 1e-3);
        EXPECT_NEAR(imported.metric(TrajectoryMetric::Jerk, f)[at], 6.0, 2e-2);
        EXPECT_NEAR(imported.metric(TrajectoryMetric::Deviation, f)[at], std::abs(3 * tau * tau - 1), 1e-4);
      }
    }
    // The trapezoid rule over the frames, on the analytic deviation; near 4/5.
    double trapezoid = 0;
    for (std::size_t f = 1; f < curve.times.size(); ++f) {
      const auto dev2 = [](double tau) { return (3 * tau * tau - 1) * (3 * tau * tau - 1); };
      trapezoid += 0.5 * (dev2(curve.times[f]) + dev2(curve.times[f - 1])) * (curve.times[f] - curve.times[f - 1]);
    }
    EXPECT_NEAR(trapezoid, 0.8, 2e-2);
    for (float s : imported.straightness) EXPECT_NEAR(s, trapezoid, 1e-4);
    // Drawn positions are the points; the window's t runs over frames.
    EXPECT_NEAR(imported.store.positions(10)[2].x, std::pow(curve.times[10], 3) + 0.2, 1e-6);
    EXPECT_NEAR(imported.timeAt(0.5f), curve.times[10], 1e-9);
    // The drawn velocity is d/dt over frames: dx/dτ · dτ/dt.
    const double dTauDt = 0.5 + 1.0 * 0.5;  // τ = u/2 + u²/2 at u = 0.5
    EXPECT_NEAR(imported.store.velocities(10)[0].y, 1.0 * dTauDt, 1e-4);
  }
}

// A helix in 3 of D = 16 dimensions (random orthonormal embedding): |v| = √(4π² + 1) and
// |a| = 4π² in all dimensions whatever plane is drawn; PCA finds the helix's circle.
TEST(TrajectoryImport, PcaDrawsTheLeadingPlaneAndMetricsUseEveryDimension) {
  // 201 × 64 rows: more than the PCA samples for its iterations (every other row), all in its final pass.
  constexpr int kDims = 16, kFrames = 201, kParticles = 64;
  SeededRandom random(7);
  Eigen::MatrixXd basis(kDims, 3);
  for (Eigen::Index i = 0; i < basis.size(); ++i) basis.data()[i] = random.normal();
  basis = Eigen::HouseholderQR<Eigen::MatrixXd>(basis).householderQ() * Eigen::MatrixXd::Identity(kDims, 3);
  Arrays helix;
  helix.frames = kFrames;
  helix.particles = kParticles;
  helix.dims = kDims;
  Eigen::MatrixXd all(kFrames * kParticles, kDims);
  for (int f = 0; f < kFrames; ++f)
    for (int p = 0; p < kParticles; ++p) {
      const double t = static_cast<double>(f) / (kFrames - 1), phase = 2 * kPi * p / kParticles;
      const Eigen::Vector3d local(std::cos(2 * kPi * t + phase), std::sin(2 * kPi * t + phase), 0.3 * t);
      const Eigen::VectorXd point = basis * local;
      all.row(f * kParticles + p) = point.transpose();
      for (int i = 0; i < kDims; ++i) helix.positions.push_back(static_cast<float>(point(i)));
    }
  const ImportedTrajectories imported = importTrajectories(helix.input());
  EXPECT_FALSE(imported.projection.identity);
  // float64 reference: the covariance's two leading eigenvectors and eigenvalues.
  const Eigen::RowVectorXd mean = all.colwise().mean();
  const Eigen::MatrixXd centred = all.rowwise() - mean;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> exact(centred.transpose() * centred / all.rows());
  for (int axis = 0; axis < 2; ++axis) {
    Eigen::VectorXd drawn(kDims);
    for (int i = 0; i < kDims; ++i)
      drawn(i) = imported.projection.components[static_cast<std::size_t>(axis * kDims + i)];
    EXPECT_NEAR(drawn.norm(), 1.0, 1e-9);
    // The two leading eigenvalues are equal (a circle): the drawn axes must lie in their plane.
    const Eigen::MatrixXd plane = exact.eigenvectors().rightCols(2);
    EXPECT_NEAR((plane.transpose() * drawn).norm(), 1.0, 1e-4);
    EXPECT_NEAR(imported.projection.variance[static_cast<std::size_t>(axis)], exact.eigenvalues()(kDims - 1 - axis),
                1e-4);
  }
  EXPECT_NEAR(imported.projection.totalVariance, exact.eigenvalues().sum(), 1e-4);
  for (int f = 2; f < kFrames - 2; f += 17)
    for (int p = 0; p < kParticles; p += 5) {
      EXPECT_NEAR(imported.metric(TrajectoryMetric::Speed, f)[static_cast<std::size_t>(p)],
                  std::sqrt(4 * kPi * kPi + 0.09), 1e-3);
      EXPECT_NEAR(imported.metric(TrajectoryMetric::Acceleration, f)[static_cast<std::size_t>(p)], 4 * kPi * kPi, 1e-2);
    }
  // Drawn radius: the circle's, whatever rotation PCA chose.
  const Vec2f drawn = imported.store.positions(100)[0];
  EXPECT_NEAR(std::hypot(drawn.x, drawn.y), 1.0, 0.02);
}

TEST(TrajectoryImport, RefusesBadInputNamingTheArgument) {
  const Arrays good = cubicCurves(6, 2);
  const auto expectBad = [](const TrajectoryInput& in, const std::string& part) {
    try {
      importTrajectories(in);
      ADD_FAILURE() << "accepted: " << part;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  Arrays nan = good;
  nan.positions[7] = std::nanf("");
  expectBad(nan.input(), "positions: non-finite value at frame 1, trajectory 1");
  TrajectoryInput single = good.input();
  single.frames = 1;
  expectBad(single, "positions: need at least 2 frames");
  TrajectoryInput oneD = good.input();
  oneD.dims = 1;
  oneD.particles = 4;
  expectBad(oneD, "positions: need D ≥ 2");
  Arrays shortTimes = good;
  shortTimes.times.pop_back();
  expectBad(shortTimes.input(), "times: has 5 entries for 6 frames");
  Arrays backAndForth = good;
  backAndForth.times[3] = backAndForth.times[1];
  expectBad(backAndForth.input(), "times: must be strictly increasing or strictly decreasing");
  Arrays raggedVelocities = good;
  raggedVelocities.velocities.pop_back();
  expectBad(raggedVelocities.input(), "velocities: holds 23 values");
  TrajectoryInput labels = good.input();
  const std::vector<std::int64_t> three = {0, 1, 2};
  labels.labels = three;
  expectBad(labels, "labels: has 3 entries for 2 trajectories");
  const std::vector<std::int64_t> negative = {0, -1};
  labels.labels = negative;
  expectBad(labels, "labels: entry 1 is -1");
}

// An int64 .npy written the way numpy.save writes one.
void writeInt64Npy(const std::string& path, const std::vector<std::int64_t>& values) {
  std::string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (" + std::to_string(values.size()) + ",), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const char length[2] = {static_cast<char>(header.size() & 0xFF), static_cast<char>(header.size() >> 8)};
  out.write(length, 2);
  out << header;
  out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * 8));
}

TEST(TrajectoryImport, LoadsFilesAndChecksTheirShapesAndMemoryBeforeReading) {
  const auto dir = std::filesystem::temp_directory_path() / "rankflow_trajectory_import_test";
  std::filesystem::create_directories(dir);
  const Arrays curve = cubicCurves(11, 4);
  const std::string positions = (dir / "T.npy").string(), times = (dir / "times.npy").string(),
                    labels = (dir / "labels.npy").string(), velocities = (dir / "V.npy").string();
  io::writeNpy(positions, {11, 4, 2}, std::vector<double>(curve.positions.begin(), curve.positions.end()));
  io::writeNpy(velocities, {11, 4, 2}, std::vector<double>(curve.velocities.begin(), curve.velocities.end()));
  io::writeNpy(times, {11}, curve.times, io::NpyType::Float64);
  writeInt64Npy(labels, {3, 1, 4, 1});
  const ImportedTrajectories loaded = loadTrajectories({positions, times, velocities, labels});
  EXPECT_EQ(loaded.labels, (std::vector<int>{3, 1, 4, 1}));
  EXPECT_TRUE(loaded.timesGiven);
  EXPECT_TRUE(loaded.velocitiesGiven);
  EXPECT_NEAR(loaded.metric(TrajectoryMetric::Acceleration, 5)[0], 6 * curve.times[5], 1e-3);

  const auto expectBad = [](const TrajectoryFiles& files, const std::string& part, std::uint64_t limit = UINT64_MAX) {
    try {
      loadTrajectories(files, {}, limit);
      ADD_FAILURE() << "accepted: " << part;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  };
  expectBad({positions}, "needs about", 1000);
  expectBad({times}, "must have shape (S+1, N, D), got (11,)");
  const std::string single = (dir / "single.npy").string();
  io::writeNpy(single, {1, 4, 2}, std::vector<double>(8, 0.5));
  expectBad({single}, "a single frame is not a trajectory");
  const std::string oneD = (dir / "oneD.npy").string();
  io::writeNpy(oneD, {3, 4, 1}, std::vector<double>(12, 0.5));
  expectBad({oneD}, "D ≥ 2 dimensions, got D = 1");
  expectBad({positions, positions}, "times must have shape (11,)");
  expectBad({positions, "", times}, "velocities must have the positions' shape (11, 4, 2), got (11,)");
  expectBad({positions, "", "", times}, "labels must have shape (4,)");
  expectBad({positions, "", "", velocities}, "labels must have shape (4,), one per trajectory, got (11, 4, 2)");
  const std::string nan = (dir / "nan.npy").string();
  std::vector<double> withNan(curve.positions.begin(), curve.positions.end());
  withNan[20] = std::nan("");
  io::writeNpy(nan, {11, 4, 2}, withNan);
  expectBad({nan}, "nan.npy: positions: non-finite value at frame 2, trajectory 2");
  // A huge N is refused from the header alone, before anything is allocated.
  EXPECT_GT(importPeakBytes(200, 100'000'000'000LL, 2, false), importMemoryLimitBytes());
}

}  // namespace
}  // namespace rankflow::flows
