#include "core/vlfm/shapes.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>

#include "core/common/error.h"
#include "core/io/point_csv.h"

namespace rankflow::vlfm {
namespace {

constexpr double kPi = std::numbers::pi;

double smoothstep(double w) {
  return w * w * (3.0 - 2.0 * w);
}

Vec2f point(double x, double y) {
  return {static_cast<float>(x), static_cast<float>(y)};
}

// Point p of P sits at angle 2πp/P in every shape, so point p of one keyframe corresponds to
// point p of the next and the motion of each coordinate is smooth.
double angleOf(int p, int pointCount) {
  return 2.0 * kPi * p / pointCount;
}

std::vector<Vec2f> circleToSquare(int pointCount, double w) {
  const double blend = smoothstep(w);
  std::vector<Vec2f> points;
  for (int p = 0; p < pointCount; ++p) {
    const double c = std::cos(angleOf(p, pointCount)), s = std::sin(angleOf(p, pointCount));
    const double toSquare = 1.0 / std::max(std::abs(c), std::abs(s));  // same direction, on the square's boundary
    const double r = (1.0 - blend) + blend * toSquare;
    points.push_back(point(r * c, r * s));
  }
  return points;
}

std::vector<Vec2f> rotatingStar(int pointCount, double w) {
  const double turn = 0.5 * kPi * w;
  std::vector<Vec2f> points;
  for (int p = 0; p < pointCount; ++p) {
    const double theta = angleOf(p, pointCount);
    const double r = 0.65 + 0.35 * std::cos(5.0 * theta);
    points.push_back(point(r * std::cos(theta + turn), r * std::sin(theta + turn)));
  }
  return points;
}

std::vector<Vec2f> bouncingBlob(int pointCount, double w) {
  constexpr double kHeight = 1.2, kRadius = 0.35;
  const double height = kHeight * std::sin(kPi * w);  // one hop: on the floor at w = 0 and w = 1
  const double closeness = 1.0 - height / kHeight;
  const double stretchX = 1.0 + 0.3 * closeness * closeness;  // area-preserving squash near the floor
  const double stretchY = 1.0 / stretchX;
  const double cx = -1.0 + 2.0 * w, cy = height + kRadius * stretchY;
  std::vector<Vec2f> points;
  for (int p = 0; p < pointCount; ++p) {
    const double theta = angleOf(p, pointCount);
    const double r = kRadius * (1.0 + 0.08 * std::sin(3.0 * theta + 2.0 * kPi * w));
    points.push_back(point(cx + stretchX * r * std::cos(theta), cy + stretchY * r * std::sin(theta)));
  }
  return points;
}

std::string nameList() {
  std::string list;
  for (const auto& n : builtinShapeNames()) list += (list.empty() ? "" : ", ") + n;
  return list;
}

}  // namespace

std::vector<std::string> builtinShapeNames() {
  return {"bouncing-blob", "circle-to-square", "rotating-star"};
}

Keyframes builtinShape(const std::string& name, int pointCount, int keyframeCount) {
  std::vector<Vec2f> (*shape)(int, double) = nullptr;
  if (name == "circle-to-square") shape = circleToSquare;
  if (name == "rotating-star") shape = rotatingStar;
  if (name == "bouncing-blob") shape = bouncingBlob;
  if (!shape) throw InvalidArgument("unknown shape '" + name + "' (" + nameList() + ")");
  if (pointCount < 1) throw InvalidArgument("a shape needs at least 1 point, got " + std::to_string(pointCount));
  if (keyframeCount < 2) throw InvalidArgument("need at least 2 keyframes, got " + std::to_string(keyframeCount));
  Keyframes frames;
  for (int k = 0; k < keyframeCount; ++k)
    frames.push_back(shape(pointCount, static_cast<double>(k) / (keyframeCount - 1)));
  return frames;
}

Keyframes readKeyframeDirectory(const std::string& directory, std::vector<std::string>* files) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) throw InvalidArgument("'" + directory + "' is not a directory");
  std::vector<fs::path> paths;
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec) && it->path().extension() == ".csv") paths.push_back(it->path());
  if (ec) throw InvalidArgument("cannot list '" + directory + "': " + ec.message());
  std::sort(paths.begin(), paths.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  if (paths.size() < 2)
    throw InvalidArgument("'" + directory + "' holds " + std::to_string(paths.size()) +
                          " .csv keyframe file(s), need at least 2");
  Keyframes frames;
  for (const fs::path& path : paths) {
    frames.push_back(io::readPointsCsv(path.string()));
    if (frames.back().size() != frames.front().size())
      throw InvalidArgument("'" + path.string() + "' has " + std::to_string(frames.back().size()) + " points, but '" +
                            paths.front().string() + "' (the first keyframe) has " +
                            std::to_string(frames.front().size()));
    if (files) files->push_back(path.string());
  }
  return frames;
}

}  // namespace rankflow::vlfm
