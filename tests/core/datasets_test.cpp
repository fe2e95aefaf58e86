#include "core/flows/datasets.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <numbers>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/common/random.h"
#include "tests/support/reference_flow.h"

// A private copy of the PNG writer for the fixtures (the renderer links libstb's exported one).
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

namespace rankflow {
namespace {

using flows::DatasetSpec;
using flows::EmpiricalData;
using testing::freshSeed;

constexpr double kPi = std::numbers::pi;

EmpiricalData make(const std::string& name, int count, std::uint64_t seed, float scale = 1.0f) {
  return flows::makeDataset(DatasetSpec{name, count, seed, scale});
}

// Points of one label, in float64.
std::vector<Vec2d> pointsWithLabel(const EmpiricalData& data, int label) {
  std::vector<Vec2d> out;
  for (std::size_t i = 0; i < data.points.size(); ++i)
    if (data.labels[i] == label) out.push_back(data.points[i].cast<double>());
  return out;
}

double norm(Vec2d v) {
  return std::sqrt(squaredNorm(v));
}

// Angle difference wrapped into (-π, π].
double wrapAngle(double a) {
  return a - 2.0 * kPi * std::ceil((a - kPi) / (2.0 * kPi));
}

// Runs `call`, which must throw InvalidArgument whose message holds every one of `parts`.
void expectInvalid(const std::function<void()>& call, const std::vector<std::string>& parts) {
  try {
    call();
    ADD_FAILURE() << "no InvalidArgument thrown";
  } catch (const InvalidArgument& e) {
    const std::string message = e.what();
    for (const auto& part : parts) EXPECT_NE(message.find(part), std::string::npos) << "'" << message << "'";
  }
}

TEST(Datasets, EveryNamedSetIsReproducibleForASeedAndDiffersForAnother) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (const auto& name : flows::datasetNames()) {
    SCOPED_TRACE(name);
    const auto a = make(name, 300, seed);
    const auto b = make(name, 300, seed);
    const auto c = make(name, 300, seed + 1);
    ASSERT_EQ(a.points.size(), b.points.size());
    bool identical = true, differs = false;
    for (std::size_t i = 0; i < a.points.size(); ++i) {
      identical = identical && a.points[i].x == b.points[i].x && a.points[i].y == b.points[i].y;
      differs = differs || a.points[i].x != c.points[i].x || a.points[i].y != c.points[i].y;
    }
    EXPECT_TRUE(identical);
    EXPECT_EQ(a.labels, b.labels);
    EXPECT_TRUE(differs);
  }
}

TEST(Datasets, EveryNamedSetHasTheRequestedCountFinitePointsAndLabelsInRange) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (const auto& name : flows::datasetNames()) {
    for (int count : {1, 7, 2000}) {
      SCOPED_TRACE(name + " count " + std::to_string(count));
      const auto data = make(name, count, seed);
      ASSERT_EQ(data.points.size(), static_cast<std::size_t>(count));
      ASSERT_EQ(data.labels.size(), static_cast<std::size_t>(count));
      ASSERT_GT(data.labelCount, 0);
      std::vector<int> perLabel(static_cast<std::size_t>(data.labelCount), 0);
      for (std::size_t i = 0; i < data.points.size(); ++i) {
        EXPECT_TRUE(std::isfinite(data.points[i].x) && std::isfinite(data.points[i].y));
        ASSERT_GE(data.labels[i], 0);
        ASSERT_LT(data.labels[i], data.labelCount);
        ++perLabel[static_cast<std::size_t>(data.labels[i])];
      }
      // Large draws use every label: labelCount is not inflated.
      if (count == 2000) {
        for (int n : perLabel) EXPECT_GT(n, 0);
      }
    }
  }
}

TEST(Datasets, EveryNamedSetIsCentredWithASpreadComparableToEightGaussians) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (const auto& name : flows::datasetNames()) {
    SCOPED_TRACE(name);
    const auto data = make(name, 4000, seed);
    double maxRadius = 0.0;
    Vec2d mean{0.0, 0.0};
    for (const auto& p : data.points) {
      maxRadius = std::max(maxRadius, norm(p.cast<double>()));
      mean += (1.0 / data.points.size()) * p.cast<double>();
    }
    EXPECT_GE(maxRadius, 1.0);
    EXPECT_LE(maxRadius, 4.0);
    EXPECT_LT(norm(mean), 0.25);
  }
}

TEST(Datasets, ScaleMultipliesEveryCoordinate) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (const auto& name : flows::datasetNames()) {
    SCOPED_TRACE(name);
    const auto unit = make(name, 500, seed);
    const auto scaled = make(name, 500, seed, 2.5f);
    EXPECT_EQ(unit.labels, scaled.labels);
    for (std::size_t i = 0; i < unit.points.size(); ++i) {
      EXPECT_NEAR(scaled.points[i].x, 2.5f * unit.points[i].x, 1e-5f * (1.0f + std::abs(scaled.points[i].x)));
      EXPECT_NEAR(scaled.points[i].y, 2.5f * unit.points[i].y, 1e-5f * (1.0f + std::abs(scaled.points[i].y)));
    }
  }
}

TEST(Datasets, CheckerboardPointsLieOnlyInTheDarkSquareOfTheirLabel) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto data = make("checkerboard", 8000, seed);
  ASSERT_EQ(data.labelCount, 8);
  std::array<int, 8> perLabel{};
  for (std::size_t i = 0; i < data.points.size(); ++i) {
    const auto p = data.points[i];
    // Float rounding may put a point exactly on a square's edge, so squares are closed. The point must lie in a
    // dark square ((row + column) even, rows from the bottom), and its label must name that square: row-major
    // over the eight dark ones.
    bool inItsDarkSquare = false;
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c)
        if (p.x >= -2.0f + c && p.x <= -1.0f + c && p.y >= -2.0f + r && p.y <= -1.0f + r && (r + c) % 2 == 0)
          inItsDarkSquare = inItsDarkSquare || data.labels[i] == 2 * r + c / 2;
    EXPECT_TRUE(inItsDarkSquare) << "(" << p.x << ", " << p.y << ") label " << data.labels[i];
    ++perLabel[static_cast<std::size_t>(data.labels[i])];
  }
  for (int n : perLabel) EXPECT_EQ(n, 1000);
  // Uniform inside a square: each quadrant of one square gets a quarter of its points.
  int lowerLeft = 0, total = 0;
  for (std::size_t i = 0; i < data.points.size(); ++i) {
    if (data.labels[i] != 0) continue;
    ++total;
    if (data.points[i].x < -1.5f && data.points[i].y < -1.5f) ++lowerLeft;
  }
  EXPECT_NEAR(static_cast<double>(lowerLeft) / total, 0.25, 0.08);  // standard error 0.014
}

TEST(Datasets, MoonsAreTwoNoisyHalfCirclesOfRadiusOnePointFour) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto data = make("moons", 4000, seed);
  ASSERT_EQ(data.labelCount, 2);
  // Unit moons centred at (0, 0) (upper) and (1, 0.5) (lower), shifted by -(0.5, 0.25), scaled by 1.4.
  const std::array<Vec2d, 2> centres = {Vec2d{-0.7, -0.35}, Vec2d{0.7, 0.35}};
  for (int moon = 0; moon < 2; ++moon) {
    SCOPED_TRACE("moon " + std::to_string(moon));
    const auto points = pointsWithLabel(data, moon);
    EXPECT_EQ(points.size(), 2000u);
    double sum = 0.0, sumSquares = 0.0;
    int wrongSide = 0;
    for (const auto& p : points) {
      const double d = norm(p - centres[moon]);
      sum += d;
      sumSquares += d * d;
      // The upper moon lies above its centre, the lower one below (the noise is σ = 0.05; six σ is 0.3).
      const double side = moon == 0 ? p.y - centres[moon].y : centres[moon].y - p.y;
      if (side < -0.3) ++wrongSide;
    }
    const double mean = sum / points.size();
    const double stddev = std::sqrt(sumSquares / points.size() - mean * mean);
    EXPECT_NEAR(mean, 1.4, 0.01);
    EXPECT_GT(stddev, 0.04);
    EXPECT_LT(stddev, 0.06);
    EXPECT_LE(wrongSide, 2);
  }
}

TEST(Datasets, SpiralsAreTwoArmsInterleavedByHalfATurn) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto data = make("spirals", 4000, seed);
  ASSERT_EQ(data.labelCount, 2);
  // Arm k: r = 2 θ / (3π) at polar angle θ + kπ, θ in [π/2, 3π]. The radius predicts the angle; a point belongs
  // to its arm when the predicted angle is within a quarter turn of its own (the other arm is half a turn off).
  for (int arm = 0; arm < 2; ++arm) {
    SCOPED_TRACE("arm " + std::to_string(arm));
    const auto points = pointsWithLabel(data, arm);
    EXPECT_EQ(points.size(), 2000u);
    int offArm = 0;
    double sumSquares = 0.0, maxRadius = 0.0;
    for (const auto& p : points) {
      const double r = norm(p);
      maxRadius = std::max(maxRadius, r);
      const double predicted = r * 3.0 * kPi / 2.0 + arm * kPi;
      const double residual = wrapAngle(std::atan2(p.y, p.x) - predicted);
      sumSquares += residual * residual;
      if (std::abs(residual) > kPi / 2) ++offArm;
    }
    EXPECT_LE(offArm, 2);
    EXPECT_LT(std::sqrt(sumSquares / points.size()), 0.35);
    // The arm ends at radius 2; the largest of 2000 noisy radii overshoots by a few σ = 0.05, seven is 0.35.
    EXPECT_GT(maxRadius, 1.85);
    EXPECT_LT(maxRadius, 2.35);
  }
}

TEST(Datasets, RingsHaveFourRadiiWithPointsInProportionToCircumference) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const int count = 5000;
  const auto data = make("rings", count, seed);
  ASSERT_EQ(data.labelCount, 4);
  const std::array<double, 4> radii = {0.5, 1.0, 1.5, 2.0};
  for (int ring = 0; ring < 4; ++ring) {
    SCOPED_TRACE("ring " + std::to_string(ring));
    const auto points = pointsWithLabel(data, ring);
    // Radii sum to 5, so ring k holds radius_k / 5 of the points (to within one).
    EXPECT_NEAR(static_cast<double>(points.size()), count * radii[ring] / 5.0, 1.0);
    double sum = 0.0;
    Vec2d mean{0.0, 0.0};
    for (const auto& p : points) {
      const double r = norm(p);
      sum += r;
      mean += (1.0 / points.size()) * p;
      // Nearest ring is its own: within half the 0.5 spacing (over six σ of the 0.04 noise).
      EXPECT_LT(std::abs(r - radii[ring]), 0.25) << "(" << p.x << ", " << p.y << ")";
    }
    EXPECT_NEAR(sum / points.size(), radii[ring], 0.01);
    // Uniform in angle: the ring's points balance around the origin. Each coordinate of the mean has standard
    // error r / √(2n); the norm exceeds 6.5 of them with probability e^(-6.5²/2) < 10⁻⁹.
    EXPECT_LT(norm(mean), 6.5 * radii[ring] / std::sqrt(2.0 * points.size()));
  }
}

TEST(Datasets, EightGaussiansAnalyticMixtureMatchesTheSampleMeanAndVariance) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (float scale : {1.0f, 0.5f}) {
    SCOPED_TRACE("scale " + std::to_string(scale));
    const DatasetSpec spec{"8gaussians", 40000, seed, scale};
    const auto mixture = flows::analyticMixture(spec);
    ASSERT_TRUE(mixture.has_value());
    ASSERT_TRUE(mixture->normalized());
    ASSERT_EQ(mixture->components.size(), 8u);
    const auto data = flows::makeDataset(spec);
    ASSERT_EQ(data.labelCount, 8);

    Vec2d mixtureMean{0.0, 0.0};
    double mixtureXX = 0.0, mixtureYY = 0.0, mixtureXY = 0.0;  // second moments E[x²], E[y²], E[xy]
    for (int k = 0; k < 8; ++k) {
      const auto& c = mixture->components[static_cast<std::size_t>(k)];
      EXPECT_FLOAT_EQ(c.weight, 0.125f);
      EXPECT_NEAR(norm(c.mean.cast<double>()), 2.0 * scale, 1e-5);
      const Vec2d mu = c.mean.cast<double>();
      mixtureMean += static_cast<double>(c.weight) * mu;
      mixtureXX += c.weight * (c.variance + mu.x * mu.x);
      mixtureYY += c.weight * (c.variance + mu.y * mu.y);
      mixtureXY += c.weight * mu.x * mu.y;

      // Component k is label k: its points have the component's mean and variance.
      const auto points = pointsWithLabel(data, k);
      ASSERT_EQ(points.size(), 5000u);
      Vec2d mean{0.0, 0.0};
      for (const auto& p : points) mean += (1.0 / points.size()) * p;
      double variance = 0.0;
      for (const auto& p : points) variance += squaredNorm(p - mean) / (2.0 * (points.size() - 1));
      const double sigma = std::sqrt(static_cast<double>(c.variance));
      // Mean: six standard errors; pooled per-axis variance of 10⁴ values has relative error √(2/10⁴) ≈ 1.4%.
      EXPECT_NEAR(mean.x, mu.x, 6.0 * sigma / std::sqrt(5000.0));
      EXPECT_NEAR(mean.y, mu.y, 6.0 * sigma / std::sqrt(5000.0));
      EXPECT_NEAR(variance / c.variance, 1.0, 0.09);
    }

    Vec2d sampleMean{0.0, 0.0};
    double xx = 0.0, yy = 0.0, xy = 0.0;
    const double n = static_cast<double>(data.points.size());
    for (const auto& p : data.points) {
      const Vec2d q = p.cast<double>();
      sampleMean += (1.0 / n) * q;
      xx += q.x * q.x / n;
      yy += q.y * q.y / n;
      xy += q.x * q.y / n;
    }
    const double s2 = scale * scale;
    EXPECT_NEAR(sampleMean.x, mixtureMean.x, 0.01 * scale);
    EXPECT_NEAR(sampleMean.y, mixtureMean.y, 0.01 * scale);
    EXPECT_NEAR(xx, mixtureXX, 0.01 * s2);
    EXPECT_NEAR(yy, mixtureYY, 0.01 * s2);
    EXPECT_NEAR(xy, mixtureXY, 0.01 * s2);
  }
}

TEST(Datasets, AnalyticMixtureExistsOnlyForEightGaussians) {
  for (const auto& name : flows::datasetNames()) {
    SCOPED_TRACE(name);
    EXPECT_EQ(flows::analyticMixture(DatasetSpec{name}).has_value(), name == "8gaussians");
  }
  expectInvalid([] { flows::analyticMixture(DatasetSpec{"nope"}); }, {"nope", "8gaussians"});
}

TEST(Datasets, GaussianMixtureNormalizedRejectsBadWeightsAndVariances) {
  flows::GaussianMixture m;
  EXPECT_FALSE(m.normalized());
  m.components = {{{0.0f, 0.0f}, 1.0f, 0.5f}, {{1.0f, 0.0f}, 1.0f, 0.5f}};
  EXPECT_TRUE(m.normalized());
  m.components[1].weight = 0.4f;
  EXPECT_FALSE(m.normalized());
  m.components[1] = {{1.0f, 0.0f}, 0.0f, 0.5f};
  EXPECT_FALSE(m.normalized());
  m.components[1] = {{1.0f, 0.0f}, 1.0f, -0.5f};
  m.components[0].weight = 1.5f;
  EXPECT_FALSE(m.normalized());
}

TEST(Datasets, UnknownNameIsRejectedListingTheValidNames) {
  std::vector<std::string> parts = {"'swissroll'"};
  for (const auto& name : flows::datasetNames()) parts.push_back(name);
  expectInvalid([] { flows::makeDataset(DatasetSpec{"swissroll"}); }, parts);
}

TEST(Datasets, CountOutsideItsRangeAndBadScalesAreRejected) {
  for (const auto& name : flows::datasetNames()) {
    SCOPED_TRACE(name);
    expectInvalid([&] { make(name, 0, 1); }, {"count", "got 0"});
    expectInvalid([&] { make(name, -5, 1); }, {"count"});
    expectInvalid([&] { make(name, flows::kMaxDatasetCount + 1, 1); }, {"count"});
    expectInvalid([&] { make(name, 10, 1, 0.0f); }, {"scale"});
    expectInvalid([&] { make(name, 10, 1, std::nanf("")); }, {"scale"});
  }
}

// ---- PNG density ----------------------------------------------------------------------------------------------

std::uint32_t crc32(const std::vector<unsigned char>& bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : bytes) {
    crc ^= b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::uint32_t adler32(const std::vector<unsigned char>& bytes) {
  std::uint32_t a = 1, b = 0;
  for (unsigned char byte : bytes) {
    a = (a + byte) % 65521u;
    b = (b + a) % 65521u;
  }
  return (b << 16) | a;
}

void appendBigEndian(std::vector<unsigned char>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<unsigned char>(v >> shift));
}

void appendChunk(std::vector<unsigned char>& png, const char* type, const std::vector<unsigned char>& data) {
  appendBigEndian(png, static_cast<std::uint32_t>(data.size()));
  std::vector<unsigned char> typed(type, type + 4);
  typed.insert(typed.end(), data.begin(), data.end());
  png.insert(png.end(), typed.begin(), typed.end());
  appendBigEndian(png, crc32(typed));
}

// A grayscale PNG built byte by byte, because stb_image_write only writes 8 bits: `rows` holds each scanline's
// samples (big-endian for 16 bits) without the filter byte. The image data is one zlib stream of stored blocks.
std::vector<unsigned char> handMadeGrayPng(int width, int height, int bitDepth,
                                           const std::vector<std::vector<unsigned char>>& rows) {
  std::vector<unsigned char> raw;
  for (const auto& row : rows) {
    raw.push_back(0);  // filter type None
    raw.insert(raw.end(), row.begin(), row.end());
  }
  std::vector<unsigned char> zlib = {0x78, 0x01};  // deflate, 32 KiB window, no dictionary; 0x7801 % 31 == 0
  std::size_t at = 0;
  do {
    const std::size_t length = std::min<std::size_t>(65535, raw.size() - at);
    const bool last = at + length == raw.size();
    zlib.push_back(last ? 1 : 0);  // BFINAL, BTYPE = 00 (stored)
    zlib.push_back(static_cast<unsigned char>(length & 0xFF));
    zlib.push_back(static_cast<unsigned char>(length >> 8));
    zlib.push_back(static_cast<unsigned char>(~length & 0xFF));
    zlib.push_back(static_cast<unsigned char>((~length >> 8) & 0xFF));
    zlib.insert(zlib.end(), raw.begin() + static_cast<std::ptrdiff_t>(at),
                raw.begin() + static_cast<std::ptrdiff_t>(at + length));
    at += length;
  } while (at < raw.size());
  appendBigEndian(zlib, adler32(raw));

  std::vector<unsigned char> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<unsigned char> header;
  appendBigEndian(header, static_cast<std::uint32_t>(width));
  appendBigEndian(header, static_cast<std::uint32_t>(height));
  header.insert(header.end(), {static_cast<unsigned char>(bitDepth), 0, 0, 0, 0});  // grey, deflate, no interlace
  appendChunk(png, "IHDR", header);
  appendChunk(png, "IDAT", zlib);
  appendChunk(png, "IEND", {});
  return png;
}

class DatasetFromPng : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("rankflow_datasets_" + std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Writes an 8-bit PNG with `channels` interleaved samples per pixel, rows top first.
  std::string writePng(const std::string& name, int width, int height, int channels,
                       const std::vector<unsigned char>& pixels) const {
    const std::string file = path(name);
    EXPECT_EQ(pixels.size(), static_cast<std::size_t>(width * height * channels));
    EXPECT_NE(stbi_write_png(file.c_str(), width, height, channels, pixels.data(), width * channels), 0);
    return file;
  }

  std::string writeBytes(const std::string& name, const std::vector<unsigned char>& bytes) const {
    const std::string file = path(name);
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    EXPECT_TRUE(out.good());
    return file;
  }

  static std::vector<unsigned char> readBytes(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  // An 8×4 grey image, white where `bright(column, row)` holds, black elsewhere.
  std::string writeMask(const std::string& name, const std::function<bool(int, int)>& bright) const {
    std::vector<unsigned char> pixels;
    for (int row = 0; row < 4; ++row)
      for (int column = 0; column < 8; ++column) pixels.push_back(bright(column, row) ? 255 : 0);
    return writePng(name, 8, 4, 1, pixels);
  }

  std::filesystem::path dir_;
};

TEST_F(DatasetFromPng, BrightLeftHalfPutsEverySampleLeftOfTheAxis) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto file = writeMask("left.png", [](int column, int) { return column < 4; });
  const auto data = flows::sampleDensityPng(file, 5000, seed);
  ASSERT_EQ(data.points.size(), 5000u);
  ASSERT_EQ(data.labelCount, 4);
  // 8 wide by 4 high at extent 2: x spans [-2, 2] and y, keeping the aspect ratio, [-1, 1].
  float minX = 1e9f, minY = 1e9f, maxY = -1e9f;
  for (std::size_t i = 0; i < data.points.size(); ++i) {
    const auto p = data.points[i];
    EXPECT_LT(p.x, 0.0f);
    minX = std::min(minX, p.x);
    minY = std::min(minY, p.y);
    maxY = std::max(maxY, p.y);
    EXPECT_EQ(data.labels[i], 3);  // every sampled pixel is the brightest
  }
  EXPECT_GE(minX, -2.0f);
  EXPECT_LT(minX, -1.9f);
  EXPECT_GE(minY, -1.0f);
  EXPECT_LT(minY, -0.9f);
  EXPECT_LE(maxY, 1.0f);
  EXPECT_GT(maxY, 0.9f);
}

TEST_F(DatasetFromPng, ImageRowZeroIsTheTopAndExtentScalesTheMapping) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto file = writeMask("top.png", [](int, int row) { return row < 2; });
  const auto data = flows::sampleDensityPng(file, 3000, seed, 0.5f);
  float maxAbsX = 0.0f, maxY = 0.0f;
  for (const auto& p : data.points) {
    EXPECT_GT(p.y, 0.0f);
    maxAbsX = std::max(maxAbsX, std::abs(p.x));
    maxY = std::max(maxY, p.y);
  }
  EXPECT_LE(maxAbsX, 0.5f);
  EXPECT_GT(maxAbsX, 0.45f);
  EXPECT_LE(maxY, 0.25f);
}

TEST_F(DatasetFromPng, SampleFrequencyFollowsBrightness) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  // Four columns of grey 0, 85, 170, 255: masses 0 : 1 : 2 : 3, and brightness quartiles 1, 2, 3 (0 is never drawn).
  std::vector<unsigned char> pixels;
  for (int row = 0; row < 4; ++row)
    for (unsigned char v : {0, 85, 170, 255}) pixels.push_back(v);
  const auto file = writePng("gradient.png", 4, 4, 1, pixels);
  const int count = 60000;
  const auto data = flows::sampleDensityPng(file, count, seed);
  std::array<int, 4> perColumn{};
  for (std::size_t i = 0; i < data.points.size(); ++i) {
    // Column k spans x in [k - 2, k - 1]; closed, since rounding to float may land a point on a pixel's edge.
    const int column = data.labels[i];
    ++perColumn[static_cast<std::size_t>(column)];
    EXPECT_GE(data.points[i].x, column - 2.0f) << "label " << column;
    EXPECT_LE(data.points[i].x, column - 1.0f) << "label " << column;
  }
  EXPECT_EQ(perColumn[0], 0);
  // Binomial standard error at n = 60000 is at most 0.00205; 0.012 is nearly six of them.
  for (int column = 1; column < 4; ++column)
    EXPECT_NEAR(static_cast<double>(perColumn[static_cast<std::size_t>(column)]) / count, column / 6.0, 0.012);
}

TEST_F(DatasetFromPng, ColourIsWeightedByLuminanceAndAlpha) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  // Pure red and pure green (Rec. 709 luma 0.2126 and 0.7152), then a white pixel that is fully transparent.
  const auto file = writePng("colour.png", 3, 1, 4, {255, 0, 0, 255, 0, 255, 0, 255, 255, 255, 255, 0});
  const int count = 40000;
  const auto data = flows::sampleDensityPng(file, count, seed, 1.5f);
  int red = 0;
  for (const auto& p : data.points) {
    EXPECT_LE(p.x, 0.5f);  // never inside the transparent pixel, which spans x in [0.5, 1.5]
    if (p.x < -0.5f) ++red;
  }
  EXPECT_NEAR(static_cast<double>(red) / count, 0.2126 / (0.2126 + 0.7152), 0.013);  // standard error 0.0021
}

TEST_F(DatasetFromPng, ReproducibleForASeedAndDifferentForAnother) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::vector<unsigned char> pixels;
  SeededRandom rng(seed);
  for (int i = 0; i < 16 * 16; ++i) pixels.push_back(static_cast<unsigned char>(rng.nextU64() & 0xFF));
  const auto file = writePng("noise.png", 16, 16, 1, pixels);
  const auto a = flows::sampleDensityPng(file, 500, seed);
  const auto b = flows::sampleDensityPng(file, 500, seed);
  const auto c = flows::sampleDensityPng(file, 500, seed + 1);
  bool identical = true, differs = false;
  for (std::size_t i = 0; i < a.points.size(); ++i) {
    identical = identical && a.points[i].x == b.points[i].x && a.points[i].y == b.points[i].y;
    differs = differs || a.points[i].x != c.points[i].x;
  }
  EXPECT_TRUE(identical);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_TRUE(differs);
}

TEST_F(DatasetFromPng, MissingFileOrDirectoryIsRejected) {
  const auto missing = path("missing.png");
  expectInvalid([&] { flows::sampleDensityPng(missing, 10, 1); }, {missing, "cannot open"});
  const auto directory = dir_.string();
  expectInvalid([&] { flows::sampleDensityPng(directory, 10, 1); }, {directory});
}

TEST_F(DatasetFromPng, SixteenBitPngIsRejectedWhileTheSameImageInEightBitsIsRead) {
  // The 8-bit twin from the same hand-made writer decodes, so the rejection is about the depth alone.
  const auto eight = writeBytes("eight.png", handMadeGrayPng(2, 2, 8, {{10, 200}, {0, 90}}));
  const auto ok = flows::sampleDensityPng(eight, 100, 1);
  EXPECT_EQ(ok.points.size(), 100u);
  const auto sixteen =
      writeBytes("sixteen.png", handMadeGrayPng(2, 2, 16, {{0x0A, 0x00, 0xC8, 0x00}, {0, 0, 0x5A, 0}}));
  expectInvalid([&] { flows::sampleDensityPng(sixteen, 100, 1); }, {sixteen, "16-bit"});
}

// The decoder's reason quotes an unknown critical chunk's type: four raw bytes, escaped so the
// message stays one line (found by fuzzing, issue 16: a chunk type of newlines printed 5 lines).
TEST_F(DatasetFromPng, UnknownChunkTypesAreQuotedOnOneLine) {
  std::vector<std::vector<unsigned char>> rows(2, std::vector<unsigned char>(2, 128));
  auto png = handMadeGrayPng(2, 2, 8, rows);
  // After the signature (8) and IHDR (8 + 13 + 4 bytes), a critical chunk named "\n\n\n\n".
  const std::vector<unsigned char> chunk = {0, 0, 0, 0, '\n', '\n', '\n', '\n', 0, 0, 0, 0};
  png.insert(png.begin() + 33, chunk.begin(), chunk.end());
  const auto file = writeBytes("chunk.png", png);
  try {
    flows::sampleDensityPng(file, 10, 1);
    FAIL() << "accepted";
  } catch (const InvalidArgument& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_NE(what.find(file), std::string::npos) << what;
  }
}

TEST_F(DatasetFromPng, ImageOverTheSizeLimitsIsRejectedBeforeDecoding) {
  const auto file = writeMask("big.png", [](int, int) { return true; });  // 8×4
  expectInvalid([&] { flows::sampleDensityPng(file, 10, 1, 2.0f, {4, 4}); }, {file, "8x4", "over the limit"});
  expectInvalid([&] { flows::sampleDensityPng(file, 10, 1, 2.0f, {8, 3}); }, {file, "over the limit"});
  EXPECT_EQ(flows::sampleDensityPng(file, 10, 1, 2.0f, {8, 4}).points.size(), 10u);
  // A hand-made header claiming 100000 rows is refused from the header: the pixels are never allocated.
  std::vector<std::vector<unsigned char>> rows(1, std::vector<unsigned char>(1, 255));
  auto png = handMadeGrayPng(1, 1, 8, rows);
  png[16 + 4] = 0x00;  // IHDR height (bytes 20..23) := 100000; the CRC no longer matches, which the check precedes
  png[16 + 5] = 0x01;
  png[16 + 6] = 0x86;
  png[16 + 7] = 0xA0;
  const auto tall = writeBytes("tall.png", png);
  expectInvalid([&] { flows::sampleDensityPng(tall, 10, 1); }, {tall, "1x100000", "over the limit"});
}

TEST_F(DatasetFromPng, AllBlackOrFullyTransparentImageIsRejected) {
  const auto black = writeMask("black.png", [](int, int) { return false; });
  expectInvalid([&] { flows::sampleDensityPng(black, 10, 1); }, {black, "no mass"});
  const auto clear = writePng("clear.png", 2, 1, 4, {255, 255, 255, 0, 255, 255, 255, 0});
  expectInvalid([&] { flows::sampleDensityPng(clear, 10, 1); }, {clear, "no mass"});
}

TEST_F(DatasetFromPng, GarbageTruncatedAndNonPngFilesAreRejected) {
  SeededRandom rng(7);
  std::vector<unsigned char> garbage;
  for (int i = 0; i < 300; ++i) garbage.push_back(static_cast<unsigned char>(rng.nextU64() & 0xFF));
  const auto random = writeBytes("garbage.png", garbage);
  expectInvalid([&] { flows::sampleDensityPng(random, 10, 1); }, {random, "not a PNG"});

  std::vector<unsigned char> withSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  withSignature.insert(withSignature.end(), garbage.begin(), garbage.end());
  const auto badHeader = writeBytes("bad_header.png", withSignature);
  expectInvalid([&] { flows::sampleDensityPng(badHeader, 10, 1); }, {badHeader});

  std::vector<unsigned char> noise;
  for (int i = 0; i < 64 * 64; ++i) noise.push_back(static_cast<unsigned char>(rng.nextU64() & 0xFF));
  const auto whole = readBytes(writePng("whole.png", 64, 64, 1, noise));
  ASSERT_GT(whole.size(), 1000u);
  const auto truncated = writeBytes("truncated.png", {whole.begin(), whole.begin() + whole.size() / 2});
  expectInvalid([&] { flows::sampleDensityPng(truncated, 10, 1); }, {truncated, "truncated or corrupt"});

  const auto text = writeBytes("short.png", {'h', 'i'});
  expectInvalid([&] { flows::sampleDensityPng(text, 10, 1); }, {text, "not a PNG"});
  const std::vector<unsigned char> pixels(4 * 4 * 3, 200);
  const auto bmp = path("image.bmp");
  ASSERT_NE(stbi_write_bmp(bmp.c_str(), 4, 4, 3, pixels.data()), 0);
  expectInvalid([&] { flows::sampleDensityPng(bmp, 10, 1); }, {bmp, "not a PNG"});
}

TEST_F(DatasetFromPng, BadCountExtentOrLimitsAreRejected) {
  const auto file = writeMask("ok.png", [](int, int) { return true; });
  expectInvalid([&] { flows::sampleDensityPng(file, 0, 1); }, {file, "count"});
  expectInvalid([&] { flows::sampleDensityPng(file, flows::kMaxDatasetCount + 1, 1); }, {"count"});
  expectInvalid([&] { flows::sampleDensityPng(file, 10, 1, 0.0f); }, {"extent"});
  expectInvalid([&] { flows::sampleDensityPng(file, 10, 1, std::nanf("")); }, {"extent"});
  expectInvalid([&] { flows::sampleDensityPng(file, 10, 1, 2.0f, {0, 4}); }, {"limits"});
}

}  // namespace
}  // namespace rankflow
