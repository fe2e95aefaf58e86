// rankflow vlfm: the video latent flow of seed 001 on a point animation — HiPPO-LegS
// fitted to keyframes, then μ and its exact velocity, acceleration and jerk at any frame
// rate, past the last keyframe too. Output files and JSON fields are in docs/cli.md.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/command_line.h"
#include "app/cli/commands.h"
#include "app/viewer/cli_error.h"
#include "core/common/error.h"
#include "core/common/memory_limit.h"
#include "core/io/atomic_file.h"
#include "core/io/npy.h"
#include "core/vlfm/hippo.h"
#include "core/vlfm/latent_flow.h"
#include "core/vlfm/shapes.h"

namespace rankflow::app {
namespace {

using nlohmann::json;

// Beyond this the arrays run to gigabytes; a typo in --fps should not fill the disk.
constexpr double kMaxFrames = 100000;

std::string shapeList() {
  std::string list;
  for (const auto& n : vlfm::builtinShapeNames()) list += (list.empty() ? "" : ", ") + n;
  return list;
}

std::vector<double> keyframeValues(const vlfm::Keyframes& keyframes) {
  std::vector<double> values;
  for (const auto& frame : keyframes)
    for (const Vec2f& p : frame) {
      values.push_back(p.x);
      values.push_back(p.y);
    }
  return values;
}

}  // namespace

int runVlfmCommand(const std::vector<std::string>& args) {
  CommandLine cmd("vlfm",
                  "rankflow vlfm --frames DIR | --shape NAME --order s --fps F [--extrapolate T2] "
                  "[--variant euler|bilinear] [--points P] --out DIR [--json]",
                  "Video latent flow (seed 001): fits HiPPO-LegS of order s to N keyframes of P points (keyframe tau "
                  "at t = tau T / N), then writes mu_t = H_N g(t) and its exact velocity, acceleration and jerk at F "
                  "frames per unit time over [0, T], or [0, T2] to extrapolate past the last keyframe. Keyframes come "
                  "from a directory of points CSV files (sorted by name) or a built-in shape: " +
                      shapeList() + ".",
                  {{"frames", "DIR", "directory of keyframe CSV files (x,y rows; docs/formats.md)", ""},
                   {"shape", "NAME", "a built-in animated shape", ""},
                   {"order", "s", "number of Legendre polynomials (1..256; euler needs s <= N)", ""},
                   {"fps", "F", "output frames per unit time", ""},
                   {"extrapolate", "T2", "end time of the output, >= T", ""},
                   {"variant", "V", "euler (the seed's recurrence) or bilinear (trapezoidal)", "euler"},
                   {"points", "P", "points per keyframe of a built-in shape", "64"},
                   {"keyframes", "N", "keyframes of a built-in shape", "8"},
                   {"duration", "T", "time spanned by the keyframes", "1"},
                   {"out", "DIR", "output directory (created if missing)", ""},
                   {"json", "", "print summary.json to stdout", ""}});
  if (!cmd.parse(args)) {
    std::cout << cmd.help();
    return kExitOk;
  }
  if (cmd.has("frames") == cmd.has("shape")) cmd.fail("give exactly one of --frames DIR and --shape NAME");
  for (const char* required : {"order", "fps", "out"})
    if (!cmd.has(required)) cmd.fail(std::string("--") + required + " is required");
  if (cmd.has("frames") && (cmd.has("points") || cmd.has("keyframes")))
    cmd.fail("--points and --keyframes apply to --shape only (the CSV files fix them)");
  const int order = cmd.integer("order", 1, 256);
  const double fps = cmd.number("fps", 1e-3, 1e4);
  const double duration = cmd.number("duration", 1e-6, 1e6);
  vlfm::Discretization variant = vlfm::Discretization::ForwardEuler;
  try {
    variant = vlfm::parseDiscretization(cmd.text("variant"));
  } catch (const InvalidArgument&) {
    cmd.fail("--variant must be euler or bilinear, got '" + cmd.text("variant") + "'");
  }
  double endTime = duration;
  if (cmd.has("extrapolate")) {
    endTime = cmd.number("extrapolate", 0.0, 1e9);
    if (endTime < duration)
      cmd.fail("--extrapolate " + cmd.text("extrapolate") +
               " ends before the keyframes do (T = " + cmd.text("duration") + ")");
  }
  if (endTime * fps + 1.0 > kMaxFrames)
    cmd.fail("--fps x end time asks for more than " + std::to_string(static_cast<int>(kMaxFrames)) + " frames");

  const auto requireFits = [&](std::uint64_t bytes, const std::string& what) {
    try {
      requireMemory(bytes, what);
    } catch (const InvalidArgument& e) {
      cmd.fail(e.what());
    }
  };
  vlfm::Keyframes keyframes;
  std::vector<std::string> files;
  json source;
  if (cmd.has("shape")) {
    const std::string name = cmd.text("shape");
    const auto names = vlfm::builtinShapeNames();
    if (std::find(names.begin(), names.end(), name) == names.end())
      cmd.fail("unknown shape '" + name + "' (" + shapeList() + ")");
    const int shapePoints = cmd.integer("points", 1, 100000), shapeKeyframes = cmd.integer("keyframes", 2, 100000);
    // The keyframes themselves (as points, then as the d × N matrix) before they are made.
    requireFits(
        saturatingProduct({static_cast<std::uint64_t>(shapePoints), static_cast<std::uint64_t>(shapeKeyframes), 24}),
        std::to_string(shapeKeyframes) + " keyframes of " + std::to_string(shapePoints) + " points");
    keyframes = vlfm::builtinShape(name, shapePoints, shapeKeyframes);
    source = {{"shape", name}};
  } else {
    keyframes = vlfm::readKeyframeDirectory(cmd.text("frames"), &files);
    source = {{"frames", cmd.text("frames")}, {"files", files}};
  }
  const int keyframeCount = static_cast<int>(keyframes.size());
  const int points = static_cast<int>(keyframes.front().size());
  if (variant == vlfm::Discretization::ForwardEuler && order > keyframeCount)
    cmd.fail("--order " + std::to_string(order) + " exceeds the " + std::to_string(keyframeCount) +
             " keyframes; the euler recurrence needs s <= N (use --variant bilinear or a lower order)");
  try {
    vlfm::requireFeasibleFit(keyframeCount, points, order, fps, endTime);
  } catch (const InvalidArgument& e) {
    cmd.fail(e.what());
  }

  const vlfm::VideoLatentFlow flow(vlfm::keyframeMatrix(keyframes), duration, order, variant);
  const vlfm::FrameSeries series = vlfm::sampleFrames(flow, fps, endTime);
  const vlfm::ReconstructionError error = vlfm::keyframeReconstructionError(flow);

  const std::filesystem::path out(cmd.text("out"));
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec || !std::filesystem::is_directory(out))
    throw std::runtime_error("cannot create directory '" + out.string() + "'" + (ec ? ": " + ec.message() : ""));
  const auto frameCount = static_cast<std::int64_t>(series.times.size());
  const std::vector<std::int64_t> frameShape = {frameCount, points, 2};
  const auto write = [&](const char* name, const std::vector<std::int64_t>& shape, const std::vector<double>& values) {
    io::writeNpy((out / name).string(), shape, values, io::NpyType::Float64);
  };
  write("frames.npy", frameShape, series.position);
  write("velocity.npy", frameShape, series.velocity);
  write("acceleration.npy", frameShape, series.acceleration);
  write("jerk.npy", frameShape, series.jerk);
  write("times.npy", {frameCount}, series.times);
  write("keyframes.npy", {keyframeCount, points, 2}, keyframeValues(keyframes));

  std::vector<double> keyframeTimes;
  for (int tau = 1; tau <= keyframeCount; ++tau) keyframeTimes.push_back(flow.legs().keyframeTime(tau));
  const json summary = {
      {"source", source},
      {"variant", vlfm::discretizationName(variant)},
      {"order", order},
      {"keyframes", keyframeCount},
      {"points", points},
      {"duration", duration},
      {"keyframe_times", keyframeTimes},
      {"legendre_window", flow.legs().window()},
      {"fps", fps},
      {"end_time", endTime},
      {"frame_count", frameCount},
      {"extrapolated", series.extrapolated},
      {"reconstruction_error", {{"rms", error.rms}, {"max", error.max}, {"relative", error.relative}}},
      {"files",
       {"frames.npy", "velocity.npy", "acceleration.npy", "jerk.npy", "times.npy", "keyframes.npy", "summary.json"}}};
  const std::string text = summary.dump(1) + "\n";
  io::writeFileAtomic((out / "summary.json").string(), text);

  if (cmd.has("json")) {
    std::cout << text;
  } else {
    std::printf(
        "vlfm: %d keyframes of %d points, order %d (%s): %lld frames at %g fps over [0, %g]%s; keyframe "
        "reconstruction error rms %.3e (relative %.3e); wrote %s\n",
        keyframeCount, points, order, vlfm::discretizationName(variant), static_cast<long long>(frameCount), fps,
        endTime, series.extrapolated ? " (extrapolated past T)" : "", error.rms, error.relative, out.string().c_str());
  }
  return kExitOk;
}

}  // namespace rankflow::app
