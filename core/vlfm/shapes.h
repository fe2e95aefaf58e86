#pragma once
// Keyframe sequences for the video latent flow: built-in animated point shapes, and
// sequences read from a directory of points CSV files (docs/formats.md).
#include <string>
#include <vector>

#include "core/common/vec2.h"

namespace rankflow::vlfm {

// keyframes[τ][p]: point p of keyframe τ.
using Keyframes = std::vector<std::vector<Vec2f>>;

// Names of the built-in sequences, sorted.
std::vector<std::string> builtinShapeNames();

// N keyframes of P points each, the same for the same arguments on every platform:
//   circle-to-square  a circle morphing (smoothstep) into the square through the same directions
//   rotating-star     a five-armed star turning a quarter turn
//   bouncing-blob     a wobbling blob making one hop left to right, squashed near the floor
// InvalidArgument for an unknown name (listing the valid ones), P < 1 or N < 2.
Keyframes builtinShape(const std::string& name, int pointCount, int keyframeCount);

// Every *.csv file of a directory, in file-name order, each read by io::readPointsCsv.
// InvalidArgument when the path is not a directory, when it holds fewer than 2 CSV files,
// or when a file's point count differs from the first file's (naming that file). The
// paths read are appended to `files` when given.
Keyframes readKeyframeDirectory(const std::string& directory, std::vector<std::string>* files = nullptr);

}  // namespace rankflow::vlfm
