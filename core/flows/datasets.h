#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/flows/empirical_data.h"
#include "core/flows/gaussian_mixture.h"

namespace rankflow::flows {

// The 2-D toy data sets of docs/MATHEMATICS.md §4. All are centred near the origin with a spread comparable to 8
// gaussians (radius ≈ 2, times `scale`) and are drawn with SeededRandom only, so a seed gives the same points
// everywhere.
struct DatasetSpec {
  std::string name = "8gaussians";  // one of datasetNames()
  int count = 512;                  // 1 .. kMaxDatasetCount
  std::uint64_t seed = 1;
  float scale = 1.0f;  // multiplies every coordinate (noise included); finite and > 0
};

// Above this a data set no longer fits the lab's memory and draw budgets; it is a typo, not a request.
inline constexpr int kMaxDatasetCount = 10'000'000;

// {"8gaussians", "moons", "checkerboard", "spirals", "rings"}, in menu order.
std::vector<std::string> datasetNames();

// Draws the named data set. Labels (for colouring) are in [0, labelCount):
//   8gaussians    8 labels, the component (round-robin, so weights are exactly equal)
//   moons         2 labels, the moon (upper / lower); radius 1.4, noise σ = 0.05
//   checkerboard  8 labels, the dark square of a 4×4 board on [-2, 2]², points uniform inside it
//   spirals       2 labels, the arm of two interleaved Archimedean spirals reaching radius 2, noise σ = 0.05
//   rings         4 labels, the ring (radii 0.5, 1, 1.5, 2); points per ring ∝ radius, noise σ = 0.04
// Throws InvalidArgument for an unknown name, a count outside [1, kMaxDatasetCount] or a bad scale.
EmpiricalData makeDataset(const DatasetSpec& spec);

// The exact density of a mixture data set (8gaussians: centres on the circle, variance σ², equal weights), or
// nullopt for the others. Validates the spec like makeDataset.
std::optional<GaussianMixture> analyticMixture(const DatasetSpec& spec);

// Decoding a large image costs width·height·12 bytes (pixels plus the cumulative table); refuse beyond these.
struct DensityImageLimits {
  int maxWidth = 4096;
  int maxHeight = 4096;
};

// Samples `count` points from an 8-bit PNG read as a density: each pixel's luma (Rec. 709 weights on the stored
// values, times alpha so transparent pixels are empty) is its mass. A pixel is drawn in proportion to its mass,
// and the point is uniform inside it. The image is mapped to [-extent, extent] along its longer side keeping the
// aspect ratio, centred, with y up (image row 0 is the top). Labels: the brightness quartile relative to the
// brightest pixel (4 labels, 3 = brightest). Throws InvalidArgument naming the path for a missing or unreadable
// file, a non-PNG, a 16-bit PNG, an image over `limits`, an all-black image, and a bad count or extent.
EmpiricalData sampleDensityPng(const std::string& path, int count, std::uint64_t seed, float extent = 2.0f,
                               DensityImageLimits limits = {});

}  // namespace rankflow::flows
