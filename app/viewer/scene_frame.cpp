#include "app/viewer/scene_frame.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "core/common/background_lane.h"
#include "core/common/error.h"
#include "core/common/parallel_for.h"
#include "core/flows/rk4.h"

namespace rankflow::app {

render::PackedColor labelColor(int label, uint8_t alpha) {
  // A qualitative palette chosen to stay distinct on the dark background.
  static constexpr std::array<std::array<uint8_t, 3>, 8> kPalette = {{
      {78, 163, 230},   // blue
      {250, 151, 58},   // orange
      {232, 86, 96},    // red
      {96, 205, 190},   // teal
      {120, 200, 90},   // green
      {240, 212, 82},   // yellow
      {186, 130, 220},  // purple
      {255, 160, 190},  // pink
  }};
  const auto& c = kPalette[static_cast<std::size_t>(((label % 8) + 8) % 8)];
  return render::packColor(c[0], c[1], c[2], alpha);
}

namespace {

// FNV-1a over the coordinates' bits: a few microseconds for thousands of points, cheap
// enough to run for every layer every frame.
std::uint64_t fingerprint(std::span<const Vec2f> points) {
  std::uint64_t h = 1469598103934665603ull;
  const auto* bytes = reinterpret_cast<const unsigned char*>(points.data());
  for (std::size_t i = 0; i < points.size_bytes(); ++i) h = (h ^ bytes[i]) * 1099511628211ull;
  return h;
}

}  // namespace

FieldViewKey FieldViewKey::of(const flows::FlowScene& scene, const ViewState& view, float aspect) {
  return {view.t,
          aspect,
          view.fieldOrder,
          view.fieldKind,
          view.camera,
          &scene,
          scene.schedule,
          scene.data.points.size(),
          fingerprint(scene.data.points)};
}

bool FieldViewKey::operator==(const FieldViewKey& o) const {
  return t == o.t && aspect == o.aspect && order == o.order && kind == o.kind && camera.centerX == o.camera.centerX &&
         camera.centerY == o.camera.centerY && camera.halfHeight == o.camera.halfHeight && scene == o.scene &&
         schedule == o.schedule && dataCount == o.dataCount && dataFingerprint == o.dataFingerprint;
}

render::PackedColor heatColor(float u, uint8_t alpha) {
  // Anchors of a dark-to-light ramp with monotone lightness, interpolated linearly.
  static constexpr std::array<std::array<float, 3>, 5> kRamp = {{
      {20, 24, 60},
      {38, 82, 140},
      {32, 150, 140},
      {130, 200, 90},
      {245, 225, 80},
  }};
  const float x = std::clamp(u, 0.0f, 1.0f) * static_cast<float>(kRamp.size() - 1);
  const auto i = std::min(static_cast<std::size_t>(x), kRamp.size() - 2);
  const float f = x - static_cast<float>(i);
  auto channel = [&](int c) {
    return static_cast<uint8_t>(kRamp[i][static_cast<std::size_t>(c)] * (1 - f) +
                                kRamp[i + 1][static_cast<std::size_t>(c)] * f);
  };
  return render::packColor(channel(0), channel(1), channel(2), alpha);
}

bool LatticeField::update(const compute::FlowBackend& backend, const flows::FlowScene& scene, const ViewState& view,
                          float aspect) {
  const FieldViewKey key = FieldViewKey::of(scene, view, aspect);
  if (key == key_ && !points_.empty()) return false;
  const auto begin = std::chrono::steady_clock::now();
  const float halfHeight = view.camera.halfHeight;
  const float halfWidth = halfHeight * aspect;
  points_ = flows::fieldLattice(scene.fieldGridSize, halfWidth, halfHeight);
  for (auto& p : points_) p = p + Vec2f{view.camera.centerX, view.camera.centerY};
  cellWidth_ = 2.0f * halfWidth / static_cast<float>(scene.fieldGridSize);
  cellHeight_ = 2.0f * halfHeight / static_cast<float>(scene.fieldGridSize);
  const int order = std::clamp(view.fieldOrder, 1, 3);
  std::vector<Vec2f> all(points_.size() * static_cast<std::size_t>(order + 1));
  backend.fields({scene.data.points, scene.schedule, view.fieldKind, view.t, order}, points_, all);
  velocities_.resize(points_.size());
  for (std::size_t i = 0; i < points_.size(); ++i)
    velocities_[i] = all[i * static_cast<std::size_t>(order + 1) + static_cast<std::size_t>(order)];
  std::vector<float> speeds(velocities_.size());
  for (std::size_t i = 0; i < speeds.size(); ++i) speeds[i] = std::sqrt(squaredNorm(velocities_[i]));
  maxSpeed_ = speeds.empty() ? 0.0f : *std::max_element(speeds.begin(), speeds.end());
  if (!speeds.empty()) {
    const auto rank = speeds.begin() + static_cast<std::ptrdiff_t>(speeds.size() / 2);
    std::nth_element(speeds.begin(), rank, speeds.end());
    referenceSpeed_ = *rank;
  }
  key_ = key;
  lastEvaluationMs_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  return true;
}

HeatLattice HeatLattice::over(const render::Camera2D& camera, float aspect, int cells) {
  if (cells < 1) throw InvalidArgument("heat lattice: cells must be positive");
  HeatLattice lattice;
  lattice.cells = cells;
  const float halfHeight = camera.halfHeight;
  const float halfWidth = halfHeight * aspect;
  const int n = cells + 1;
  lattice.corners.reserve(static_cast<std::size_t>(n * n));
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i)
      lattice.corners.push_back(
          {camera.centerX + halfWidth * (2.0f * static_cast<float>(i) / static_cast<float>(cells) - 1.0f),
           camera.centerY + halfHeight * (2.0f * static_cast<float>(j) / static_cast<float>(cells) - 1.0f)});
  return lattice;
}

std::pair<float, float> HeatLattice::percentileRange() const {
  std::vector<float> sorted;
  sorted.reserve(values.size());
  for (const float v : values)
    if (std::isfinite(v)) sorted.push_back(v);
  if (sorted.empty()) return {0.0f, 1.0f};
  std::sort(sorted.begin(), sorted.end());
  const float lo = sorted[sorted.size() / 50];
  const float hi = std::max(sorted[sorted.size() - 1 - sorted.size() / 50], lo + 1e-3f);
  return {lo, hi};
}

void HeatLattice::appendTriangles(float lo, float hi, uint8_t alpha, std::vector<render::ColoredVertex>& out) const {
  const int n = cells + 1;
  auto vertex = [&](int i, int j) {
    const std::size_t k = static_cast<std::size_t>(j * n + i);
    const float u = std::isfinite(values[k]) ? (values[k] - lo) / (hi - lo) : 0.0f;
    return render::ColoredVertex{corners[k].x, corners[k].y, heatColor(u, alpha)};
  };
  out.reserve(out.size() + static_cast<std::size_t>(cells * cells * 6));
  for (int j = 0; j < cells; ++j) {
    for (int i = 0; i < cells; ++i) {
      out.insert(out.end(), {vertex(i, j), vertex(i + 1, j), vertex(i + 1, j + 1)});
      out.insert(out.end(), {vertex(i, j), vertex(i + 1, j + 1), vertex(i, j + 1)});
    }
  }
}

bool FieldHeatmap::update(const flows::FlowScene& scene, const ViewState& view, float aspect) {
  const FieldViewKey key = FieldViewKey::of(scene, view, aspect);
  const int cells = view.playing ? kCellsWhilePlaying : kCells;
  if (key == key_ && cells == cells_ && !triangles_.empty()) return false;
  const auto begin = std::chrono::steady_clock::now();
  HeatLattice lattice = HeatLattice::over(view.camera, aspect, cells);
  const int order = std::clamp(view.fieldOrder, 1, 3);
  const auto fields = flows::evaluateFields(flows::FlowData::empirical(scene.data.points),
                                            {scene.schedule, view.fieldKind, view.t, order}, lattice.corners);
  lattice.values.resize(lattice.corners.size());
  for (std::size_t i = 0; i < lattice.corners.size(); ++i) {
    const Vec2f v = fields[i * static_cast<std::size_t>(order + 1) + static_cast<std::size_t>(order)];
    lattice.values[i] = std::log10(std::max(std::sqrt(squaredNorm(v)), 1e-6f));
  }
  const auto [lo, hi] = lattice.percentileRange();
  low_ = std::pow(10.0f, lo);
  high_ = std::pow(10.0f, hi);
  triangles_.clear();
  lattice.appendTriangles(lo, hi, 200, triangles_);
  key_ = key;
  cells_ = cells;
  lastEvaluationMs_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  return true;
}

// [SECTION] Density heatmap

namespace {

struct DensityJob {
  std::uint64_t generation = 0;
  flows::FlowData data;
  flows::Schedule schedule = flows::Schedule::Linear;
  float t = 0.0f;
  int stepsPerUnitTime = 100;
  HeatLattice lattice;  // corners only; the worker fills the values
};

struct DensityResult {
  std::uint64_t generation = 0;
  float t = 0.0f;
  HeatLattice lattice;
  double milliseconds = 0.0;
  std::string error;
};

}  // namespace

// One thread, a one-slot queue (a newer job replaces one not yet started) and a one-slot
// mailbox (a newer result replaces one not yet polled).
struct DensityHeatmap::Worker {
  std::mutex mutex;
  std::optional<DensityResult> finished;
  // The running job stops when its generation is below this.
  std::atomic<std::uint64_t> cancelBelow{0};
  std::atomic<float> progress{0.0f};
  std::atomic<int> cancelled{0};
  BackgroundLane lane;  // last: joined first, while everything its task touches still exists

  // Runs before the lane joins, so a running job stops at its next check.
  ~Worker() { cancelBelow = ~std::uint64_t{0}; }

  void submit(DensityJob job) {
    lane.post([this, job = std::move(job)]() mutable {
      progress = 0.0f;
      std::optional<DensityResult> result = run(job);
      if (!result) return;
      const std::lock_guard lock(mutex);
      finished = std::move(result);
    });
  }

  std::optional<DensityResult> run(DensityJob& job) {
    const auto begin = std::chrono::steady_clock::now();
    DensityResult result{job.generation, job.t, std::move(job.lattice), 0.0, {}};
    try {
      result.lattice.values = flows::logDensityAt(job.data, job.schedule, job.t, result.lattice.corners,
                                                  job.stepsPerUnitTime, [&](double fraction) {
                                                    progress = static_cast<float>(fraction);
                                                    return job.generation >= cancelBelow.load();
                                                  });
    } catch (const Cancelled&) {
      ++cancelled;
      return std::nullopt;
    } catch (const std::exception& e) {
      result.error = e.what();
      result.lattice.values.clear();
    }
    result.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
    return result;
  }
};

DensityHeatmap::DensityHeatmap(DensityOptions options) : options_(options), worker_(std::make_unique<Worker>()) {
  if (options_.cells < 1 || options_.cellsWhilePlaying < 1 || options_.stepsPerUnitTime < 1)
    throw InvalidArgument("density heatmap: cells and steps must be positive");
}

DensityHeatmap::~DensityHeatmap() = default;

bool DensityHeatmap::request(const flows::FlowScene& scene, const ViewState& view, float aspect) {
  FieldViewKey key = FieldViewKey::of(scene, view, aspect);
  key.order = 0;  // the density does not depend on the field shown
  key.kind = flows::FieldKind::Marginal;
  const int cells = view.playing ? options_.cellsWhilePlaying : options_.cells;
  if (requestedGeneration_ > 0 && key == key_ && cells == cells_) return false;
  key_ = key;
  cells_ = cells;
  DensityJob job;
  job.generation = ++requestedGeneration_;
  job.data = flows::FlowData::empirical(scene.data.points);
  job.schedule = scene.schedule;
  job.t = view.t;
  job.stepsPerUnitTime = options_.stepsPerUnitTime;
  job.lattice = HeatLattice::over(view.camera, aspect, cells);
  worker_->submit(std::move(job));
  if (!view.playing) worker_->cancelBelow = requestedGeneration_;
  return true;
}

bool DensityHeatmap::poll() {
  std::optional<DensityResult> result;
  {
    const std::lock_guard lock(worker_->mutex);
    result.swap(worker_->finished);
  }
  if (!result || result->generation <= shownGeneration_) return false;
  shownGeneration_ = result->generation;
  lastEvaluationMs_ = result->milliseconds;
  error_ = result->error;
  if (!error_.empty()) return false;  // the last good lattice stays drawn beside the message
  lattice_ = std::move(result->lattice);
  shownT_ = result->t;
  std::tie(low_, high_) = lattice_.percentileRange();
  // log p falls quadratically away from the data: tens of nats at the view's corners would
  // flatten the modes into one colour, so the scale spans the top kDensityRangeNats.
  low_ = std::max(low_, high_ - kDensityRangeNats);
  triangles_.clear();
  lattice_.appendTriangles(low_, high_, 200, triangles_);
  return true;
}

bool DensityHeatmap::waitForIdle(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    poll();
    if (!computing()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    // A cancelled latest request never publishes: idle means nothing runs or waits. Idle
    // first, then the slot: what an idle lane's task published is in it by now.
    if (worker_->lane.idle()) {
      const std::lock_guard lock(worker_->mutex);
      if (!worker_->finished) return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

float DensityHeatmap::progress() const {
  return computing() ? worker_->progress.load() : 1.0f;
}

int DensityHeatmap::cancelledCount() const {
  return worker_->cancelled.load();
}

std::string DensityHeatmap::exportJson() const {
  nlohmann::json j;
  j["layer"] = "density";
  j["quantity"] = "log p_t(x) (natural log)";
  j["t"] = shownT_;
  j["cells"] = lattice_.cells;
  j["steps_per_unit_time"] = options_.stepsPerUnitTime;
  j["scale"] = {{"low", low_}, {"high", high_}};
  j["computing"] = computing();
  if (!error_.empty()) j["error"] = error_;
  nlohmann::json points = nlohmann::json::array();
  for (std::size_t i = 0; i < lattice_.values.size(); ++i) {
    const float v = lattice_.values[i];
    points.push_back(
        {lattice_.corners[i].x, lattice_.corners[i].y, std::isfinite(v) ? nlohmann::json(v) : nlohmann::json()});
  }
  j["lattice"] = std::move(points);  // [x, y, log p] per corner, row-major from the bottom-left
  return j.dump(2);
}

namespace {

// Splits the particles among the cores once there are enough of them to pay for the
// threads (a million particles' trails took 64 ms a frame on one core of the H100 machine).
void forParticleRanges(std::size_t n, const std::function<void(std::size_t, std::size_t)>& body) {
  constexpr std::size_t kParallelFrom = 65536;
  if (n < kParallelFrom) {
    body(0, n);
  } else {
    parallelFor(n, body);
  }
}

}  // namespace

float errorScalePosition(float relativeError) {
  if (!(relativeError > 0.0f)) return 0.0f;
  return std::clamp((std::log10(relativeError) + 2.0f) / 2.0f, 0.0f, 1.0f);
}

render::SceneDrawData SceneFrameBuilder::build(const ViewState& view, const LatticeField& field,
                                               float targetHeightPixels, const FieldHeatmap* heatmap,
                                               const DensityHeatmap* density, const LearnedLayer& learned) {
  const auto& store = scene_.trajectories;
  const std::size_t n = static_cast<std::size_t>(store.particleCount());
  arrows_.clear();
  strips_.clear();
  points_.clear();

  if (view.showArrows && field.referenceSpeed() > 0.0f) {
    // Normalised per frame, so the field's shape stays readable from t = 0 (slow) to
    // t → 1 (fast); lengths saturate at the reference speed, the panel prints it.
    const float cell = std::min(field.cellWidth(), field.cellHeight());
    const auto pts = field.points();
    const auto vel = field.velocities();
    for (std::size_t i = 0; i < pts.size(); ++i) {
      const float speed = std::sqrt(squaredNorm(vel[i]));
      const float strength = std::min(1.0f, speed / field.referenceSpeed());
      const float length = 0.9f * cell * strength;
      const float dx = speed > 0.0f ? vel[i].x / speed * length : 0.0f;
      const float dy = speed > 0.0f ? vel[i].y / speed * length : 0.0f;
      const auto shade = static_cast<uint8_t>(90 + 130 * strength);
      arrows_.push_back({pts[i].x - 0.5f * dx, pts[i].y - 0.5f * dy, dx, dy,
                         render::packColor(shade, static_cast<uint8_t>(shade + 10 > 255 ? 255 : shade + 10), 255,
                                           static_cast<uint8_t>(110 + 110 * strength))});
    }
  }

  if (view.showArrows && field.referenceSpeed() > 0.0f && learned.arrows.size() == field.points().size()) {
    // The same lattice and normalisation as the exact arrows, so the two compare by eye.
    const float cell = std::min(field.cellWidth(), field.cellHeight());
    const auto pts = field.points();
    for (std::size_t i = 0; i < pts.size(); ++i) {
      const Vec2f v = learned.arrows[i];
      const float speed = std::sqrt(squaredNorm(v));
      if (!std::isfinite(speed)) continue;
      const float length = 0.9f * cell * std::min(1.0f, speed / field.referenceSpeed());
      const float dx = speed > 0.0f ? v.x / speed * length : 0.0f;
      const float dy = speed > 0.0f ? v.y / speed * length : 0.0f;
      arrows_.push_back({pts[i].x - 0.5f * dx, pts[i].y - 0.5f * dy, dx, dy, render::packColor(255, 165, 60, 220)});
    }
  }

  if (view.showData) {
    for (const auto& p : scene_.data.points) points_.push_back({p.x, p.y, render::packColor(235, 238, 245, 70)});
  }

  scratch_.resize(n);
  const bool tracks = drawsTracks(n);
  if (!scene_.integrated() || tracks) {
    // Still integrating (the data and the field only), or the renderer draws the particles.
  } else if (view.showTrails && view.trailVertices >= 2 && view.trailSpan > 0.0f) {
    // Vertex k of every trail is at time t − (L−1−k)·Δ, oldest first; alpha rises to the head.
    // With the learned error layer the trails take their particle's error colour too, so the
    // picture reads as one map rather than destinations with error dots.
    const auto trailColour = [&](std::size_t p, uint8_t alpha) { return particleColour(learned, n, p, alpha); };
    // Long trails (up to the whole trajectory) get more vertices so they stay curved.
    const int length = std::max(view.trailVertices, std::clamp(static_cast<int>(view.trailSpan * 50.0f) + 1, 2, 51));
    strips_.resize(n * static_cast<std::size_t>(length));
    forParticleRanges(n, [&](std::size_t begin, std::size_t end) {
      const std::span<Vec2f> slice = std::span(scratch_).subspan(begin, end - begin);
      for (int k = 0; k < length; ++k) {
        const float back = static_cast<float>(length - 1 - k) / static_cast<float>(length - 1);
        store.positionsAt(std::max(0.0f, view.t - back * view.trailSpan), begin, slice);
        const auto alpha = static_cast<uint8_t>(150.0f * (1.0f - back));
        for (std::size_t p = begin; p < end; ++p) {
          const Vec2f x = slice[p - begin];
          strips_[p * length + static_cast<std::size_t>(k)] = {x.x, x.y, trailColour(p, alpha)};
        }
      }
    });
  }

  if (view.showParticles && scene_.integrated() && !tracks) {
    const std::size_t first = points_.size();
    points_.resize(first + n);
    forParticleRanges(n, [&](std::size_t begin, std::size_t end) {
      const std::span<Vec2f> slice = std::span(scratch_).subspan(begin, end - begin);
      store.positionsAt(view.t, begin, slice);
      for (std::size_t p = begin; p < end; ++p) {
        const render::PackedColor colour = particleColour(learned, n, p, 235);
        points_[first + p] = {slice[p - begin].x, slice[p - begin].y, colour};
      }
    });
  }

  render::SceneDrawData frame;
  if (density) {
    frame.triangles = density->triangles();
  } else if (heatmap && view.showHeatmap) {
    frame.triangles = heatmap->triangles();
  }
  frame.arrows = arrows_;
  frame.stripVertices = strips_;
  frame.stripLength = strips_.empty() ? 0 : static_cast<uint32_t>(strips_.size() / std::max<std::size_t>(n, 1));
  frame.points = points_;
  // Points scale with the target so the offscreen figures and the window look alike.
  frame.pointSizePixels = std::max(2.0f, targetHeightPixels / 300.0f);
  frame.arrowHalfWidth = 0.004f * view.camera.halfHeight;
  frame.camera = view.camera;
  if (tracks) fillTracks(view, learned, frame);
  return frame;
}

bool SceneFrameBuilder::drawsTracks(std::size_t particles) const {
  if (maxTrackBytes_ == 0 || particles < tracksFrom_ || !scene_.integrated()) return false;
  const auto& store = scene_.trajectories;
  const std::size_t bytes = 2 * sizeof(Vec2f) * particles * static_cast<std::size_t>(store.frameCount());
  return store.frameCount() >= 2 && bytes / 2 <= maxTrackBytes_;
}

namespace {

// Says when the trajectories changed, so the renderer uploads them once per integration: the
// storage, the sizes, the integration's own time and a spread of samples of the positions.
std::uint64_t trajectoriesGeneration(const flows::FlowScene& scene) {
  const auto& store = scene.trajectories;
  const std::span<const Vec2f> all(store.positions(0).data(),
                                   static_cast<std::size_t>(store.particleCount()) * store.frameCount());
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::uint64_t v) { h = (h ^ v) * 1099511628211ull; };
  mix(reinterpret_cast<std::uintptr_t>(all.data()));
  mix(all.size());
  mix(static_cast<std::uint64_t>(store.frameCount()));
  std::uint64_t seconds = 0;
  std::memcpy(&seconds, &scene.integrationSeconds, sizeof seconds);
  mix(seconds);
  for (std::size_t i = 0; i < 64 && !all.empty(); ++i) {
    std::uint32_t bits[2];
    std::memcpy(bits, &all[i * (all.size() - 1) / 63], sizeof bits);
    mix(bits[0]);
    mix(bits[1]);
  }
  return h == 0 ? 1 : h;
}

}  // namespace

void SceneFrameBuilder::fillTracks(const ViewState& view, const LearnedLayer& learned, render::SceneDrawData& frame) {
  const auto& store = scene_.trajectories;
  const std::size_t n = static_cast<std::size_t>(store.particleCount());
  const std::size_t records = n * static_cast<std::size_t>(store.frameCount());
  render::ParticleTracks& tracks = frame.tracks;
  tracks.particleCount = static_cast<uint32_t>(n);
  tracks.frameCount = static_cast<uint32_t>(store.frameCount());
  tracks.t0 = store.grid().t0;
  tracks.stepSize = store.grid().stepSize();
  tracks.positions = {reinterpret_cast<const float*>(store.positions(0).data()), 2 * records};
  tracks.velocities = {reinterpret_cast<const float*>(store.velocities(0).data()), 2 * records};
  tracks.generation = trajectoriesGeneration(scene_);
  // The same colours as the CPU path (alpha comes from the shader). Label colours change
  // with the trajectories only, so they are made (and uploaded) once; error colours every frame.
  const bool byValue = learned.particleError.size() == n || learned.particleShade.size() == n;
  const std::uint64_t labelsGeneration = tracks.generation + 1;
  if (byValue || trackColorsGeneration_ != labelsGeneration || trackColors_.size() != n) {
    trackColors_.resize(n);
    forParticleRanges(n, [&](std::size_t begin, std::size_t end) {
      for (std::size_t p = begin; p < end; ++p) trackColors_[p] = particleColour(learned, n, p, 255);
    });
    trackColorsGeneration_ = byValue ? 0 : labelsGeneration;
  }
  tracks.colors = trackColors_;
  tracks.colorsGeneration = trackColorsGeneration_;
  tracks.t = view.t;
  tracks.trailSpan = view.trailSpan;
  tracks.trailLength = 0;
  if (view.showTrails && view.trailVertices >= 2 && view.trailSpan > 0.0f)
    tracks.trailLength = static_cast<uint32_t>(
        std::max(view.trailVertices, std::clamp(static_cast<int>(view.trailSpan * 50.0f) + 1, 2, 51)));
  tracks.points = view.showParticles;
}

render::PackedColor SceneFrameBuilder::particleColour(const LearnedLayer& layer, std::size_t particles, std::size_t p,
                                                      uint8_t alpha) const {
  if (layer.particleShade.size() == particles) return heatColor(layer.particleShade[p], alpha);
  if (layer.particleError.size() == particles) return heatColor(errorScalePosition(layer.particleError[p]), alpha);
  return labelColor(scene_.particleLabels[p], alpha);
}

ViewState initialViewState(const flows::FlowScene& scene, float t) {
  ViewState view;
  view.t = t;
  view.camera.halfHeight = scene.viewHalfHeight;
  view.camera.centerX = scene.viewCenter.x;
  view.camera.centerY = scene.viewCenter.y;
  if (!scene.hasField()) {
    view.showArrows = false;
    view.showData = false;
  }
  return view;
}

}  // namespace rankflow::app
