#pragma once
#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace rankflow::render {

class VulkanDevice;
class HostBuffer;
class DeviceBuffer;

// Colour packed as bytes R, G, B, A (VK_FORMAT_R8G8B8A8_UNORM as a vertex attribute).
using PackedColor = uint32_t;
constexpr PackedColor packColor(uint8_t r, uint8_t g, uint8_t b, uint8_t a = 255) {
  return static_cast<uint32_t>(r) | (static_cast<uint32_t>(g) << 8) | (static_cast<uint32_t>(b) << 16) |
         (static_cast<uint32_t>(a) << 24);
}

struct ColoredVertex {
  float x;
  float y;
  PackedColor color;
};

struct ArrowInstance {
  float tailX;
  float tailY;
  float dx;
  float dy;
  PackedColor color;
};

// What part of the world plane is on screen: a centre and the half-height in world
// units; the half-width follows from the target's aspect ratio.
struct Camera2D {
  float centerX = 0.0f;
  float centerY = 0.0f;
  float halfHeight = 3.0f;
};

// Particles drawn from their trajectories by the vertex shader: the positions and
// velocities of every frame live in storage buffers (uploaded once per `generation`), and
// each frame only says the time, so a million particles and their trails cost the CPU
// nothing per frame. Positions at t are the cubic Hermite interpolation of the bracketing
// frames, as flows::TrajectoryStore::positionsAt computes them.
struct ParticleTracks {
  uint32_t particleCount = 0;           // 0: no tracks this frame
  uint32_t frameCount = 0;              // ≥ 2
  float t0 = 0.0f;                      // time of frame 0
  float stepSize = 0.0f;                // between frames
  std::span<const float> positions;     // frameCount × particleCount × (x, y), frame-major
  std::span<const float> velocities;    // same layout
  std::uint64_t generation = 0;         // a new value re-uploads positions and velocities
  std::span<const PackedColor> colors;  // per particle (its alpha is replaced)
  std::uint64_t colorsGeneration = 0;   // unchanged and non-zero: the colours need no upload
  float t = 0.0f;                       // time of the points and of the trails' heads
  float trailSpan = 0.0f;               // how far back in t a trail reaches
  uint32_t trailLength = 0;             // vertices per trail (0: none); alpha rises to the head
  bool points = true;
  std::size_t bytes() const { return positions.size_bytes() + velocities.size_bytes(); }
};

// One frame of the 2-D scene, in world coordinates. Drawn back to front: triangles (a
// heatmap: colours interpolated across each triangle), arrows, strips (stripCount strips
// of stripLength consecutive vertices each), points.
struct SceneDrawData {
  std::span<const ColoredVertex> triangles;
  std::span<const ArrowInstance> arrows;
  std::span<const ColoredVertex> stripVertices;
  uint32_t stripLength = 0;
  std::span<const ColoredVertex> points;
  float pointSizePixels = 3.0f;
  float arrowHalfWidth = 0.012f;  // world units
  Camera2D camera{};
  ParticleTracks tracks{};  // drawn after the strips (as trails) and after the points
};

struct ViewTransform {
  float scale[2];
  float offset[2];
};
// World → clip for a camera and a target of the given size (y up on screen).
ViewTransform makeViewTransform(const Camera2D& camera, VkExtent2D extent);

// The four scene pipelines (triangles, points, line strips, instanced arrows) and per-frame-slot
// vertex buffers. Knows nothing about flows: it draws what SceneDrawData holds.
class SceneRenderer {
 public:
  SceneRenderer(const VulkanDevice& device, VkRenderPass renderPass, uint32_t frameSlots);
  ~SceneRenderer();
  SceneRenderer(const SceneRenderer&) = delete;
  SceneRenderer& operator=(const SceneRenderer&) = delete;

  // Copies the frame into slot's buffers. The caller guarantees the GPU is done with the
  // slot (its fence was waited on).
  void prepare(uint32_t slot, const SceneDrawData& frame);
  // Records the draws inside an active render pass of `extent`.
  void record(VkCommandBuffer cmd, uint32_t slot, VkExtent2D extent) const;

 private:
  struct SlotBuffers;
  void createPipelines(VkRenderPass renderPass);
  void uploadTracks(const ParticleTracks& tracks);
  void bindTrackBuffers(SlotBuffers& slot) const;

  const VulkanDevice& device_;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkPipeline trianglesPipeline_ = VK_NULL_HANDLE;
  VkPipeline pointsPipeline_ = VK_NULL_HANDLE;
  VkPipeline stripsPipeline_ = VK_NULL_HANDLE;
  VkPipeline arrowsPipeline_ = VK_NULL_HANDLE;
  VkPipeline trackStripsPipeline_ = VK_NULL_HANDLE;
  VkPipeline trackPointsPipeline_ = VK_NULL_HANDLE;
  VkDescriptorSetLayout trackSetLayout_ = VK_NULL_HANDLE;
  VkDescriptorPool trackPool_ = VK_NULL_HANDLE;
  std::unique_ptr<DeviceBuffer> trackPositions_;
  std::unique_ptr<DeviceBuffer> trackVelocities_;
  // The trails' index buffer (p · length + k, restart between particles), shared by the
  // slots and rebuilt only when the particle count or trail length changes.
  std::unique_ptr<DeviceBuffer> trackIndices_;
  uint32_t indexedTrackCount_ = 0;
  uint32_t indexedTrackLength_ = 0;
  std::uint64_t trackGeneration_ = 0;
  std::unique_ptr<HostBuffer> arrowTemplate_;
  std::vector<std::unique_ptr<SlotBuffers>> slots_;
};

}  // namespace rankflow::render
