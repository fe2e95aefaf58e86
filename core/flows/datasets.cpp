#include "core/flows/datasets.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numbers>
#include <system_error>

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/common/text.h"

// A private (static) PNG-only copy of the decoder: the renderer links libstb's exported one, and a static copy
// neither clashes with those symbols nor shares their global settings (such as vertical flipping). The header
// comes from the imported stb target as a system include, so its unused static functions raise no warnings.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb_image.h>

namespace rankflow::flows {
namespace {

constexpr double kPi = std::numbers::pi;

// Geometry of the named sets, in coordinates before DatasetSpec::scale.
constexpr double kMoonRadius = 1.4;
constexpr double kMoonNoise = 0.05;
constexpr double kSpiralRadius = 2.0;
constexpr double kSpiralThetaMin = 0.5 * kPi;  // arms start apart, not tangled at the origin
constexpr double kSpiralThetaMax = 3.0 * kPi;  // one and a half turns
constexpr double kSpiralNoise = 0.05;
constexpr std::array<double, 4> kRingRadii = {0.5, 1.0, 1.5, 2.0};
constexpr double kRingNoise = 0.04;  // ring spacing is 0.5: over six σ to the middle between rings

void validate(const DatasetSpec& spec) {
  if (spec.count < 1 || spec.count > kMaxDatasetCount)
    throw InvalidArgument("data set '" + spec.name + "': point count must be in [1, " +
                          std::to_string(kMaxDatasetCount) + "], got " + std::to_string(spec.count));
  if (!std::isfinite(spec.scale) || !(spec.scale > 0.0f))
    throw InvalidArgument("data set '" + spec.name + "': scale must be finite and > 0, got " +
                          std::to_string(spec.scale));
}

std::string joinedNames() {
  std::string out;
  for (const auto& name : datasetNames()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

EmpiricalData emptyData(int count, int labelCount) {
  EmpiricalData data;
  data.labelCount = labelCount;
  data.points.reserve(static_cast<std::size_t>(count));
  data.labels.reserve(static_cast<std::size_t>(count));
  return data;
}

void push(EmpiricalData& data, double x, double y, double scale, int label) {
  data.points.push_back({static_cast<float>(x * scale), static_cast<float>(y * scale)});
  data.labels.push_back(label);
}

EmpiricalData eightGaussians(const DatasetSpec& spec) {
  EightGaussiansSpec g;
  g.count = spec.count;
  g.seed = spec.seed;
  g.radius *= spec.scale;
  g.stddev *= spec.scale;
  return sampleEightGaussians(g);
}

EmpiricalData moons(const DatasetSpec& spec) {
  SeededRandom rng(spec.seed);
  EmpiricalData data = emptyData(spec.count, 2);
  for (int i = 0; i < spec.count; ++i) {
    // Alternating moons give exactly equal halves. Unit moons: the upper one is centred at (0, 0), the lower one
    // at (1, 0.5); the shift by (0.5, 0.25) centres the pair on the origin.
    const int moon = i % 2;
    const double theta = kPi * rng.uniform();
    const double ux = moon == 0 ? std::cos(theta) : 1.0 - std::cos(theta);
    const double uy = moon == 0 ? std::sin(theta) : 0.5 - std::sin(theta);
    const double x = kMoonRadius * (ux - 0.5) + kMoonNoise * rng.normal();
    const double y = kMoonRadius * (uy - 0.25) + kMoonNoise * rng.normal();
    push(data, x, y, spec.scale, moon);
  }
  return data;
}

EmpiricalData checkerboard(const DatasetSpec& spec) {
  SeededRandom rng(spec.seed);
  constexpr int kDarkSquares = 8;
  EmpiricalData data = emptyData(spec.count, kDarkSquares);
  for (int i = 0; i < spec.count; ++i) {
    // Unit squares of a 4×4 board on [-2, 2]²; (row + column) even is dark. Square k sits in row k / 2, and
    // the two dark columns of a row are 0, 2 (even rows) or 1, 3 (odd rows). Round-robin keeps them equal.
    const int square = i % kDarkSquares;
    const int row = square / 2;
    const int column = 2 * (square % 2) + row % 2;
    const double x = -2.0 + column + rng.uniform();
    const double y = -2.0 + row + rng.uniform();
    push(data, x, y, spec.scale, square);
  }
  return data;
}

EmpiricalData spirals(const DatasetSpec& spec) {
  SeededRandom rng(spec.seed);
  EmpiricalData data = emptyData(spec.count, 2);
  constexpr double kMin2 = kSpiralThetaMin * kSpiralThetaMin;
  constexpr double kMax2 = kSpiralThetaMax * kSpiralThetaMax;
  for (int i = 0; i < spec.count; ++i) {
    // r = R θ / θ_max; arc length grows like θ², so θ² uniform spreads points ≈ evenly along the arm instead of
    // crowding the centre. The second arm is the first turned by π.
    const int arm = i % 2;
    const double theta = std::sqrt(kMin2 + rng.uniform() * (kMax2 - kMin2));
    const double r = kSpiralRadius * theta / kSpiralThetaMax;
    const double phi = theta + arm * kPi;
    const double x = r * std::cos(phi) + kSpiralNoise * rng.normal();
    const double y = r * std::sin(phi) + kSpiralNoise * rng.normal();
    push(data, x, y, spec.scale, arm);
  }
  return data;
}

EmpiricalData rings(const DatasetSpec& spec) {
  SeededRandom rng(spec.seed);
  EmpiricalData data = emptyData(spec.count, static_cast<int>(kRingRadii.size()));
  double radiusSum = 0.0;
  for (double r : kRingRadii) radiusSum += r;
  for (int i = 0; i < spec.count; ++i) {
    // Points per ring ∝ its circumference, so all rings are equally dense: point i takes the ring whose share of
    // the cumulative radius holds the quantile (i + ½)/count, which fixes the counts to within one.
    const double quantile = (i + 0.5) / spec.count * radiusSum;
    int ring = 0;
    double cumulative = kRingRadii[0];
    while (ring + 1 < static_cast<int>(kRingRadii.size()) && quantile >= cumulative) cumulative += kRingRadii[++ring];
    const double angle = 2.0 * kPi * rng.uniform();
    const double r = kRingRadii[static_cast<std::size_t>(ring)];
    const double x = r * std::cos(angle) + kRingNoise * rng.normal();
    const double y = r * std::sin(angle) + kRingNoise * rng.normal();
    push(data, x, y, spec.scale, ring);
  }
  return data;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

struct StbiFree {
  void operator()(unsigned char* p) const { stbi_image_free(p); }
};

[[noreturn]] void rejectImage(const std::string& path, const std::string& reason) {
  // The decoder's reason may quote the file's bytes (a chunk type): escaped, one line.
  throw InvalidArgument(printableText("density image '" + path + "': " + reason));
}

// Walks the chunks after the signature: length, type, data, CRC. Leaves the file at its start.
void checkPngChunkLengths(std::FILE* file, const std::string& path) {
  if (std::fseek(file, 0, SEEK_END) != 0) rejectImage(path, "cannot seek in the file");
  const long size = std::ftell(file);
  long offset = 8;
  // Every chunk whose 8-byte header is in the file is checked, the last one too: a final IDAT
  // with its header but not its CRC reached stb_image's empty-copy path (CI's fixed-seed run).
  while (offset + 8 <= size) {
    std::array<unsigned char, 8> head{};
    if (std::fseek(file, offset, SEEK_SET) != 0 || std::fread(head.data(), 1, head.size(), file) != head.size())
      rejectImage(path, "cannot read a chunk header");
    const std::uint32_t length = (std::uint32_t{head[0]} << 24) | (std::uint32_t{head[1]} << 16) |
                                 (std::uint32_t{head[2]} << 8) | std::uint32_t{head[3]};
    const std::string type(reinterpret_cast<const char*>(head.data() + 4), 4);
    if (static_cast<long long>(length) + 12 > static_cast<long long>(size - offset))
      rejectImage(path, "chunk '" + type + "' claims " + std::to_string(length) + " bytes, but the file has " +
                            std::to_string(size - offset - 12) + " after its header (truncated or corrupt)");
    // stb_image copies an empty IDAT through a null buffer (undefined behaviour, found by
    // fuzzing under UBSan); encoders do not write one, so it is refused.
    if (type == "IDAT" && length == 0) rejectImage(path, "an empty IDAT chunk (not supported)");
    offset += 12 + static_cast<long>(length);
    if (type == "IEND") break;
  }
  if (std::fseek(file, 0, SEEK_SET) != 0) rejectImage(path, "cannot rewind the file");
}

}  // namespace

std::vector<std::string> datasetNames() {
  return {"8gaussians", "moons", "checkerboard", "spirals", "rings"};
}

EmpiricalData makeDataset(const DatasetSpec& spec) {
  validate(spec);
  if (spec.name == "8gaussians") return eightGaussians(spec);
  if (spec.name == "moons") return moons(spec);
  if (spec.name == "checkerboard") return checkerboard(spec);
  if (spec.name == "spirals") return spirals(spec);
  if (spec.name == "rings") return rings(spec);
  throw InvalidArgument("unknown data set '" + spec.name + "'; valid names: " + joinedNames());
}

std::optional<GaussianMixture> analyticMixture(const DatasetSpec& spec) {
  validate(spec);
  if (spec.name != "8gaussians") {
    const auto names = datasetNames();
    if (std::find(names.begin(), names.end(), spec.name) == names.end())
      throw InvalidArgument("unknown data set '" + spec.name + "'; valid names: " + joinedNames());
    return std::nullopt;
  }
  // The same centres and spread sampleEightGaussians draws from (its defaults, scaled).
  const EightGaussiansSpec g;
  constexpr int kComponents = 8;
  const double radius = static_cast<double>(g.radius) * spec.scale;
  const double stddev = static_cast<double>(g.stddev) * spec.scale;
  GaussianMixture mixture;
  for (int k = 0; k < kComponents; ++k) {
    const double angle = 2.0 * kPi * k / kComponents;
    mixture.components.push_back(
        {{static_cast<float>(radius * std::cos(angle)), static_cast<float>(radius * std::sin(angle))},
         static_cast<float>(stddev * stddev),
         1.0f / kComponents});
  }
  return mixture;
}

EmpiricalData sampleDensityPng(const std::string& path, int count, std::uint64_t seed, float extent,
                               DensityImageLimits limits) {
  if (count < 1 || count > kMaxDatasetCount)
    rejectImage(path,
                "point count must be in [1, " + std::to_string(kMaxDatasetCount) + "], got " + std::to_string(count));
  if (!std::isfinite(extent) || !(extent > 0.0f))
    rejectImage(path, "extent must be finite and > 0, got " + std::to_string(extent));
  if (limits.maxWidth < 1 || limits.maxHeight < 1) rejectImage(path, "size limits must be positive");

  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) rejectImage(path, "cannot open (" + std::generic_category().message(errno) + ")");
  // Checked by hand so that a JPEG or a text file is reported as "not a PNG" rather than as a decoder error.
  constexpr std::array<unsigned char, 8> kSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::array<unsigned char, 8> head{};
  const std::size_t got = std::fread(head.data(), 1, head.size(), file.get());
  if (std::ferror(file.get())) rejectImage(path, "cannot read (" + std::generic_category().message(errno) + ")");
  if (got != head.size() || head != kSignature) rejectImage(path, "not a PNG file");
  if (std::fseek(file.get(), 0, SEEK_SET) != 0) rejectImage(path, "cannot rewind the file");

  // Every chunk's length must fit in the file before the decoder sees it: stb_image grows its
  // compressed-data buffer to the length a chunk claims before reading it, so a 100-byte file
  // claiming a 1.6 GB IDAT allocated 1.6 GB (found by fuzzing, docs/RELIABILITY.md).
  checkPngChunkLengths(file.get(), path);

  // Header first: the size limit must hold before a decoder allocates width·height pixels.
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_file(file.get(), &width, &height, &channels))
    rejectImage(path, std::string("unreadable PNG header (") + stbi_failure_reason() + ")");
  if (width > limits.maxWidth || height > limits.maxHeight)
    rejectImage(path, std::to_string(width) + "x" + std::to_string(height) + " pixels is over the limit of " +
                          std::to_string(limits.maxWidth) + "x" + std::to_string(limits.maxHeight));
  if (stbi_is_16_bit_from_file(file.get()))
    rejectImage(path, "16-bit PNG; an 8-bit grayscale or colour PNG is expected");

  std::unique_ptr<unsigned char, StbiFree> pixels(stbi_load_from_file(file.get(), &width, &height, &channels, 4));
  if (!pixels) rejectImage(path, std::string("cannot decode (") + stbi_failure_reason() + ")");

  // Integer masses keep the cumulative table exact: ≤ 10⁴·255·255 per pixel, so 4096² pixels stay below 2⁶³.
  const std::size_t pixelCount = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  std::vector<std::uint64_t> cumulative(pixelCount);
  std::uint64_t total = 0, brightest = 0;
  for (std::size_t i = 0; i < pixelCount; ++i) {
    const unsigned char* p = pixels.get() + 4 * i;
    const std::uint64_t mass = (2126ull * p[0] + 7152ull * p[1] + 722ull * p[2]) * p[3];
    brightest = std::max(brightest, mass);
    total += mass;
    cumulative[i] = total;
  }
  pixels.reset();
  if (total == 0) rejectImage(path, "all pixels are black or transparent, so the density has no mass");

  const double pixelSize = 2.0 * extent / std::max(width, height);
  SeededRandom rng(seed);
  EmpiricalData data = emptyData(count, 4);
  for (int i = 0; i < count; ++i) {
    // The first pixel whose cumulative mass exceeds the target; massless pixels can never be that first one.
    const auto target = std::min(static_cast<std::uint64_t>(rng.uniform() * static_cast<double>(total)), total - 1);
    const auto index =
        static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), target) - cumulative.begin());
    const std::uint64_t mass = cumulative[index] - (index == 0 ? 0 : cumulative[index - 1]);
    const int label = static_cast<int>(std::min<std::uint64_t>(3, 4 * mass / brightest));
    const double column = static_cast<double>(index % static_cast<std::size_t>(width));
    const double row = static_cast<double>(index / static_cast<std::size_t>(width));
    // Offsets from the pixel centre in (-½, ½), added in double: uniform inside the pixel.
    const double dx = rng.uniform() - 0.5;
    const double dy = rng.uniform() - 0.5;
    const double x = (column + 0.5 - 0.5 * width + dx) * pixelSize;
    const double y = (0.5 * height - row - 0.5 - dy) * pixelSize;
    data.points.push_back({static_cast<float>(x), static_cast<float>(y)});
    data.labels.push_back(label);
  }
  return data;
}

}  // namespace rankflow::flows
