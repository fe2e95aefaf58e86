#include "render/scene_renderer.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "render/host_buffer.h"
#include "render/vk_check.h"
#include "render/vulkan_context.h"

namespace rankflow::render {
namespace {

// [SECTION] Embedded SPIR-V (compiled from assets/shaders by glslc during the build)
const uint32_t kPointsVert[] = {
#include "shaders/points.vert.inc"
};
const uint32_t kPointsFrag[] = {
#include "shaders/points.frag.inc"
};
const uint32_t kStripsVert[] = {
#include "shaders/strips.vert.inc"
};
const uint32_t kFlatColorFrag[] = {
#include "shaders/flat_color.frag.inc"
};
const uint32_t kArrowsVert[] = {
#include "shaders/arrows.vert.inc"
};
const uint32_t kTracksVert[] = {
#include "shaders/tracks.vert.inc"
};

struct PushConstants {
  ViewTransform view;
  float pointSize;
  float arrowHalfWidth;
  float opacity;
  float pad;
  // The particle tracks' frame (tracks.vert).
  float t;
  float trailSpan;
  float t0;
  float stepSize;
  uint32_t trailLength;
  uint32_t particleCount;
  uint32_t frameCount;
  uint32_t pad2;
};
static_assert(sizeof(PushConstants) == 64);

// Arrow template: a shaft quad (x in [0, 1] along the shaft, y in half-widths) and a head
// triangle (z = 1: x counts head lengths back from the tip). See arrows.vert.
const float kArrowTemplate[][3] = {
    {0, -1, 0},    {1, -1, 0},   {1, 1, 0}, {0, -1, 0}, {1, 1, 0}, {0, 1, 0},  // shaft
    {1, -2.6f, 1}, {1, 2.6f, 1}, {0, 0, 1},                                    // head
};
constexpr uint32_t kArrowTemplateVertices = 9;
constexpr uint32_t kRestartIndex = 0xFFFFFFFFu;

VkShaderModule makeModule(VkDevice device, const uint32_t* words, std::size_t bytes) {
  VkShaderModuleCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
  info.codeSize = bytes;
  info.pCode = words;
  VkShaderModule module = VK_NULL_HANDLE;
  VK_CHECK(vkCreateShaderModule(device, &info, nullptr, &module));
  return module;
}

struct PipelineSpec {
  std::span<const uint32_t> vertexShader;
  std::span<const uint32_t> fragmentShader;
  VkPrimitiveTopology topology;
  bool primitiveRestart;
  std::vector<VkVertexInputBindingDescription> bindings;
  std::vector<VkVertexInputAttributeDescription> attributes;
};

VkPipeline makePipeline(VkDevice device, VkPipelineLayout layout, VkRenderPass renderPass, const PipelineSpec& spec) {
  VkShaderModule vs = makeModule(device, spec.vertexShader.data(), spec.vertexShader.size_bytes());
  VkShaderModule fs = makeModule(device, spec.fragmentShader.data(), spec.fragmentShader.size_bytes());

  VkPipelineShaderStageCreateInfo stages[2]{};
  stages[0].sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  stages[0].stage = VK_SHADER_STAGE_VERTEX_BIT;
  stages[0].module = vs;
  stages[0].pName = "main";
  stages[1].sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  stages[1].stage = VK_SHADER_STAGE_FRAGMENT_BIT;
  stages[1].module = fs;
  stages[1].pName = "main";

  VkPipelineVertexInputStateCreateInfo vertexInput{};
  vertexInput.sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO;
  vertexInput.vertexBindingDescriptionCount = static_cast<uint32_t>(spec.bindings.size());
  vertexInput.pVertexBindingDescriptions = spec.bindings.data();
  vertexInput.vertexAttributeDescriptionCount = static_cast<uint32_t>(spec.attributes.size());
  vertexInput.pVertexAttributeDescriptions = spec.attributes.data();

  VkPipelineInputAssemblyStateCreateInfo assembly{};
  assembly.sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO;
  assembly.topology = spec.topology;
  assembly.primitiveRestartEnable = spec.primitiveRestart ? VK_TRUE : VK_FALSE;

  VkPipelineViewportStateCreateInfo viewport{};
  viewport.sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO;
  viewport.viewportCount = 1;
  viewport.scissorCount = 1;

  VkPipelineRasterizationStateCreateInfo raster{};
  raster.sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO;
  raster.polygonMode = VK_POLYGON_MODE_FILL;
  raster.cullMode = VK_CULL_MODE_NONE;
  raster.frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE;
  raster.lineWidth = 1.0f;

  VkPipelineMultisampleStateCreateInfo multisample{};
  multisample.sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO;
  multisample.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;

  VkPipelineColorBlendAttachmentState blend{};
  blend.blendEnable = VK_TRUE;
  blend.srcColorBlendFactor = VK_BLEND_FACTOR_SRC_ALPHA;
  blend.dstColorBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
  blend.colorBlendOp = VK_BLEND_OP_ADD;
  blend.srcAlphaBlendFactor = VK_BLEND_FACTOR_ONE;
  blend.dstAlphaBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
  blend.alphaBlendOp = VK_BLEND_OP_ADD;
  blend.colorWriteMask =
      VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT | VK_COLOR_COMPONENT_B_BIT | VK_COLOR_COMPONENT_A_BIT;
  VkPipelineColorBlendStateCreateInfo blendState{};
  blendState.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO;
  blendState.attachmentCount = 1;
  blendState.pAttachments = &blend;

  const VkDynamicState dynamicStates[] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
  VkPipelineDynamicStateCreateInfo dynamic{};
  dynamic.sType = VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO;
  dynamic.dynamicStateCount = 2;
  dynamic.pDynamicStates = dynamicStates;

  VkGraphicsPipelineCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO;
  info.stageCount = 2;
  info.pStages = stages;
  info.pVertexInputState = &vertexInput;
  info.pInputAssemblyState = &assembly;
  info.pViewportState = &viewport;
  info.pRasterizationState = &raster;
  info.pMultisampleState = &multisample;
  info.pColorBlendState = &blendState;
  info.pDynamicState = &dynamic;
  info.layout = layout;
  info.renderPass = renderPass;
  info.subpass = 0;
  VkPipeline pipeline = VK_NULL_HANDLE;
  const VkResult result = vkCreateGraphicsPipelines(device, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline);
  vkDestroyShaderModule(device, vs, nullptr);
  vkDestroyShaderModule(device, fs, nullptr);
  VK_CHECK(result);
  return pipeline;
}

// Grows (never shrinks) a buffer to hold at least `bytes`.
void ensureCapacity(const VulkanDevice& device, std::unique_ptr<HostBuffer>& buffer, VkDeviceSize bytes,
                    VkBufferUsageFlags usage) {
  if (buffer && buffer->size() >= bytes) return;
  VkDeviceSize size = buffer ? buffer->size() : 4096;
  while (size < bytes) size *= 2;
  buffer = std::make_unique<HostBuffer>(device, size, usage);
}

}  // namespace

// [SECTION] Per-slot buffers

struct SceneRenderer::SlotBuffers {
  std::unique_ptr<HostBuffer> triangles;
  std::unique_ptr<HostBuffer> arrows;
  std::unique_ptr<HostBuffer> strips;
  std::unique_ptr<HostBuffer> stripIndices;
  std::unique_ptr<HostBuffer> points;
  uint32_t triangleVertexCount = 0;
  uint32_t arrowCount = 0;
  uint32_t stripIndexCount = 0;
  uint32_t pointCount = 0;
  uint32_t indexedStripCount = 0;   // the index buffer encodes this many strips…
  uint32_t indexedStripLength = 0;  // …of this length; rebuilt only when they change
  // Particle tracks: this slot's colours and trail indices, and the set naming the buffers.
  std::unique_ptr<HostBuffer> trackColors;
  std::uint64_t colorsGeneration = 0;  // of the colours in trackColors
  VkDescriptorSet trackSet = VK_NULL_HANDLE;
  std::uint64_t boundGeneration = 0;  // the tracks (and colours) trackSet names
  const HostBuffer* boundColors = nullptr;
  uint32_t trackIndexCount = 0;
  uint32_t trackPointCount = 0;
  uint32_t trackLength = 0;
  PushConstants push{};
  Camera2D camera{};
};

ViewTransform makeViewTransform(const Camera2D& camera, VkExtent2D extent) {
  const float aspect = static_cast<float>(extent.width) / static_cast<float>(std::max(1u, extent.height));
  const float halfWidth = camera.halfHeight * aspect;
  ViewTransform t{};
  t.scale[0] = 1.0f / halfWidth;
  t.scale[1] = -1.0f / camera.halfHeight;  // Vulkan clip y points down; world y up
  t.offset[0] = -camera.centerX * t.scale[0];
  t.offset[1] = -camera.centerY * t.scale[1];
  return t;
}

// [SECTION] SceneRenderer

SceneRenderer::SceneRenderer(const VulkanDevice& device, VkRenderPass renderPass, uint32_t frameSlots)
    : device_(device) {
  VkPushConstantRange range{};
  range.stageFlags = VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT;
  range.size = sizeof(PushConstants);
  // The tracks' set: positions, velocities, colours (storage buffers read by tracks.vert).
  VkDescriptorSetLayoutBinding bindings[3]{};
  for (uint32_t b = 0; b < 3; ++b) {
    bindings[b].binding = b;
    bindings[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    bindings[b].descriptorCount = 1;
    bindings[b].stageFlags = VK_SHADER_STAGE_VERTEX_BIT;
  }
  VkDescriptorSetLayoutCreateInfo setInfo{};
  setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
  setInfo.bindingCount = 3;
  setInfo.pBindings = bindings;
  VK_CHECK(vkCreateDescriptorSetLayout(device_.handle(), &setInfo, nullptr, &trackSetLayout_));
  VkPipelineLayoutCreateInfo layoutInfo{};
  layoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
  layoutInfo.setLayoutCount = 1;
  layoutInfo.pSetLayouts = &trackSetLayout_;
  layoutInfo.pushConstantRangeCount = 1;
  layoutInfo.pPushConstantRanges = &range;
  VK_CHECK(vkCreatePipelineLayout(device_.handle(), &layoutInfo, nullptr, &layout_));
  createPipelines(renderPass);

  const VkDescriptorPoolSize poolSize{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3 * std::max(frameSlots, 1u)};
  VkDescriptorPoolCreateInfo poolInfo{};
  poolInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
  poolInfo.maxSets = std::max(frameSlots, 1u);
  poolInfo.poolSizeCount = 1;
  poolInfo.pPoolSizes = &poolSize;
  VK_CHECK(vkCreateDescriptorPool(device_.handle(), &poolInfo, nullptr, &trackPool_));

  arrowTemplate_ = std::make_unique<HostBuffer>(device_, sizeof(kArrowTemplate), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT);
  std::memcpy(arrowTemplate_->mapped(), kArrowTemplate, sizeof(kArrowTemplate));
  for (uint32_t i = 0; i < frameSlots; ++i) {
    slots_.push_back(std::make_unique<SlotBuffers>());
    VkDescriptorSetAllocateInfo allocate{};
    allocate.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    allocate.descriptorPool = trackPool_;
    allocate.descriptorSetCount = 1;
    allocate.pSetLayouts = &trackSetLayout_;
    VK_CHECK(vkAllocateDescriptorSets(device_.handle(), &allocate, &slots_.back()->trackSet));
  }
}

SceneRenderer::~SceneRenderer() {
  VkDevice d = device_.handle();
  vkDeviceWaitIdle(d);  // frames in flight still read the pipelines and the slot buffers
  vkDestroyPipeline(d, trianglesPipeline_, nullptr);
  vkDestroyPipeline(d, pointsPipeline_, nullptr);
  vkDestroyPipeline(d, stripsPipeline_, nullptr);
  vkDestroyPipeline(d, arrowsPipeline_, nullptr);
  vkDestroyPipeline(d, trackStripsPipeline_, nullptr);
  vkDestroyPipeline(d, trackPointsPipeline_, nullptr);
  vkDestroyPipelineLayout(d, layout_, nullptr);
  vkDestroyDescriptorPool(d, trackPool_, nullptr);
  vkDestroyDescriptorSetLayout(d, trackSetLayout_, nullptr);
}

void SceneRenderer::createPipelines(VkRenderPass renderPass) {
  const VkDevice d = device_.handle();
  const std::vector<VkVertexInputAttributeDescription> coloredVertex = {
      {0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(ColoredVertex, x)},
      {1, 0, VK_FORMAT_R8G8B8A8_UNORM, offsetof(ColoredVertex, color)},
  };
  const VkVertexInputBindingDescription coloredBinding{0, sizeof(ColoredVertex), VK_VERTEX_INPUT_RATE_VERTEX};

  trianglesPipeline_ = makePipeline(
      d, layout_, renderPass,
      {kStripsVert, kFlatColorFrag, VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST, false, {coloredBinding}, coloredVertex});
  pointsPipeline_ = makePipeline(
      d, layout_, renderPass,
      {kPointsVert, kPointsFrag, VK_PRIMITIVE_TOPOLOGY_POINT_LIST, false, {coloredBinding}, coloredVertex});
  stripsPipeline_ = makePipeline(
      d, layout_, renderPass,
      {kStripsVert, kFlatColorFrag, VK_PRIMITIVE_TOPOLOGY_LINE_STRIP, true, {coloredBinding}, coloredVertex});
  // Tracks have no vertex input: the vertex index names the particle and the trail vertex.
  trackStripsPipeline_ = makePipeline(d, layout_, renderPass,
                                      {kTracksVert, kFlatColorFrag, VK_PRIMITIVE_TOPOLOGY_LINE_STRIP, true, {}, {}});
  trackPointsPipeline_ =
      makePipeline(d, layout_, renderPass, {kTracksVert, kPointsFrag, VK_PRIMITIVE_TOPOLOGY_POINT_LIST, false, {}, {}});
  arrowsPipeline_ = makePipeline(
      d, layout_, renderPass,
      {kArrowsVert,
       kFlatColorFrag,
       VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST,
       false,
       {{0, sizeof(float) * 3, VK_VERTEX_INPUT_RATE_VERTEX}, {1, sizeof(ArrowInstance), VK_VERTEX_INPUT_RATE_INSTANCE}},
       {{0, 0, VK_FORMAT_R32G32B32_SFLOAT, 0},
        {1, 1, VK_FORMAT_R32G32_SFLOAT, offsetof(ArrowInstance, tailX)},
        {2, 1, VK_FORMAT_R32G32_SFLOAT, offsetof(ArrowInstance, dx)},
        {3, 1, VK_FORMAT_R8G8B8A8_UNORM, offsetof(ArrowInstance, color)}}});
}

namespace {

// A million particles' points and trails are ~70 MB a frame; one core copies that into
// mapped (often write-combined) memory in ~10 ms, so large copies are split among cores.
void copyToMapped(void* destination, const void* source, std::size_t bytes) {
  constexpr std::size_t kParallelFrom = 8u << 20;
  const std::size_t workers = std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), 16);
  if (bytes < kParallelFrom || workers < 2) {
    std::memcpy(destination, source, bytes);
    return;
  }
  const std::size_t chunk = (bytes / workers + 63) / 64 * 64;
  auto copyRange = [=](std::size_t begin) {
    std::memcpy(static_cast<char*>(destination) + begin, static_cast<const char*>(source) + begin,
                std::min(chunk, bytes - begin));
  };
  std::vector<std::thread> threads;
  std::size_t begin = chunk;
  try {
    for (; begin < bytes; begin += chunk) threads.emplace_back(copyRange, begin);
  } catch (const std::system_error&) {
    // No more threads: this one copies the rest.
    for (; begin < bytes; begin += chunk) copyRange(begin);
  }
  copyRange(0);
  for (auto& t : threads) t.join();
}

}  // namespace

void SceneRenderer::prepare(uint32_t slot, const SceneDrawData& frame) {
  SlotBuffers& s = *slots_.at(slot);
  constexpr VkBufferUsageFlags vertexUsage = VK_BUFFER_USAGE_VERTEX_BUFFER_BIT;

  s.triangleVertexCount = static_cast<uint32_t>(frame.triangles.size() / 3 * 3);
  if (s.triangleVertexCount > 0) {
    ensureCapacity(device_, s.triangles, frame.triangles.size_bytes(), vertexUsage);
    copyToMapped(s.triangles->mapped(), frame.triangles.data(), frame.triangles.size_bytes());
  }

  s.arrowCount = static_cast<uint32_t>(frame.arrows.size());
  if (s.arrowCount > 0) {
    ensureCapacity(device_, s.arrows, frame.arrows.size_bytes(), vertexUsage);
    copyToMapped(s.arrows->mapped(), frame.arrows.data(), frame.arrows.size_bytes());
  }

  s.pointCount = static_cast<uint32_t>(frame.points.size());
  if (s.pointCount > 0) {
    ensureCapacity(device_, s.points, frame.points.size_bytes(), vertexUsage);
    copyToMapped(s.points->mapped(), frame.points.data(), frame.points.size_bytes());
  }

  s.stripIndexCount = 0;
  if (frame.stripLength >= 2 && !frame.stripVertices.empty()) {
    const uint32_t stripCount = static_cast<uint32_t>(frame.stripVertices.size() / frame.stripLength);
    ensureCapacity(device_, s.strips, frame.stripVertices.size_bytes(), vertexUsage);
    copyToMapped(s.strips->mapped(), frame.stripVertices.data(), frame.stripVertices.size_bytes());
    const uint32_t indexCount = stripCount * (frame.stripLength + 1);
    if (stripCount != s.indexedStripCount || frame.stripLength != s.indexedStripLength) {
      ensureCapacity(device_, s.stripIndices, indexCount * sizeof(uint32_t), VK_BUFFER_USAGE_INDEX_BUFFER_BIT);
      auto* indices = static_cast<uint32_t*>(s.stripIndices->mapped());
      for (uint32_t strip = 0, k = 0; strip < stripCount; ++strip) {
        for (uint32_t v = 0; v < frame.stripLength; ++v) indices[k++] = strip * frame.stripLength + v;
        indices[k++] = kRestartIndex;  // one indexed draw, many separate strips
      }
      s.indexedStripCount = stripCount;
      s.indexedStripLength = frame.stripLength;
    }
    s.stripIndexCount = indexCount;
  }

  s.trackIndexCount = 0;
  s.trackPointCount = 0;
  const ParticleTracks& tracks = frame.tracks;
  if (tracks.particleCount > 0) {
    const std::size_t records = static_cast<std::size_t>(tracks.particleCount) * tracks.frameCount;
    if (tracks.frameCount < 2 || tracks.positions.size() != 2 * records || tracks.velocities.size() != 2 * records ||
        tracks.colors.size() != tracks.particleCount || !(tracks.stepSize > 0.0f))
      throw std::invalid_argument("scene renderer: particle tracks with inconsistent sizes");
    if (tracks.generation != trackGeneration_ || !trackPositions_) uploadTracks(tracks);
    constexpr VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    const bool grown = !s.trackColors || s.trackColors->size() < tracks.colors.size_bytes();
    ensureCapacity(device_, s.trackColors, tracks.colors.size_bytes(), storage);
    if (grown || tracks.colorsGeneration == 0 || tracks.colorsGeneration != s.colorsGeneration) {
      copyToMapped(s.trackColors->mapped(), tracks.colors.data(), tracks.colors.size_bytes());
      s.colorsGeneration = tracks.colorsGeneration;
    }
    if (s.boundGeneration != trackGeneration_ || s.boundColors != s.trackColors.get()) bindTrackBuffers(s);
    if (tracks.trailLength >= 2) {
      const uint32_t length = tracks.trailLength;
      const uint32_t indexCount = tracks.particleCount * (length + 1);
      if (tracks.particleCount != indexedTrackCount_ || length != indexedTrackLength_ || !trackIndices_) {
        std::vector<uint32_t> indices(indexCount);
        for (uint32_t p = 0, k = 0; p < tracks.particleCount; ++p) {
          for (uint32_t v = 0; v < length; ++v) indices[k++] = p * length + v;
          indices[k++] = kRestartIndex;
        }
        // Other slots' frames in flight may still read the old indices.
        VK_CHECK(vkDeviceWaitIdle(device_.handle()));
        trackIndices_ =
            std::make_unique<DeviceBuffer>(device_, indexCount * sizeof(uint32_t), VK_BUFFER_USAGE_INDEX_BUFFER_BIT);
        trackIndices_->upload(indices.data(), indexCount * sizeof(uint32_t));
        indexedTrackCount_ = tracks.particleCount;
        indexedTrackLength_ = length;
      }
      s.trackIndexCount = indexCount;
      s.trackLength = length;
    }
    if (tracks.points) s.trackPointCount = tracks.particleCount;
    s.push.t = tracks.t;
    s.push.trailSpan = tracks.trailSpan;
    s.push.t0 = tracks.t0;
    s.push.stepSize = tracks.stepSize;
    s.push.particleCount = tracks.particleCount;
    s.push.frameCount = tracks.frameCount;
  }

  s.push.pointSize = std::clamp(frame.pointSizePixels, 1.0f, device_.maxPointSize());
  s.push.arrowHalfWidth = frame.arrowHalfWidth;
  s.push.opacity = 1.0f;
  // The view transform depends on the target's extent, known only at record time.
  s.camera = frame.camera;
}

void SceneRenderer::record(VkCommandBuffer cmd, uint32_t slot, VkExtent2D extent) const {
  const SlotBuffers& s = *slots_.at(slot);
  VkViewport viewport{0.0f, 0.0f, static_cast<float>(extent.width), static_cast<float>(extent.height), 0.0f, 1.0f};
  VkRect2D scissor{{0, 0}, extent};
  vkCmdSetViewport(cmd, 0, 1, &viewport);
  vkCmdSetScissor(cmd, 0, 1, &scissor);

  PushConstants push = s.push;
  push.view = makeViewTransform(s.camera, extent);
  vkCmdPushConstants(cmd, layout_, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof push, &push);

  const VkDeviceSize zero = 0;
  if (s.triangleVertexCount > 0) {
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, trianglesPipeline_);
    const VkBuffer buffer = s.triangles->handle();
    vkCmdBindVertexBuffers(cmd, 0, 1, &buffer, &zero);
    vkCmdDraw(cmd, s.triangleVertexCount, 1, 0, 0);
  }
  if (s.arrowCount > 0) {
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, arrowsPipeline_);
    const VkBuffer buffers[] = {arrowTemplate_->handle(), s.arrows->handle()};
    const VkDeviceSize offsets[] = {0, 0};
    vkCmdBindVertexBuffers(cmd, 0, 2, buffers, offsets);
    vkCmdDraw(cmd, kArrowTemplateVertices, s.arrowCount, 0, 0);
  }
  if (s.stripIndexCount > 0) {
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, stripsPipeline_);
    const VkBuffer buffer = s.strips->handle();
    vkCmdBindVertexBuffers(cmd, 0, 1, &buffer, &zero);
    vkCmdBindIndexBuffer(cmd, s.stripIndices->handle(), 0, VK_INDEX_TYPE_UINT32);
    vkCmdDrawIndexed(cmd, s.stripIndexCount, 1, 0, 0, 0);
  }
  if (s.trackIndexCount > 0) {
    // The trails' vertex index is p · length + k; the push constants' trailLength says length.
    PushConstants trails = push;
    trails.trailLength = s.trackLength;
    vkCmdPushConstants(cmd, layout_, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof trails,
                       &trails);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, trackStripsPipeline_);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout_, 0, 1, &s.trackSet, 0, nullptr);
    vkCmdBindIndexBuffer(cmd, trackIndices_->handle(), 0, VK_INDEX_TYPE_UINT32);
    vkCmdDrawIndexed(cmd, s.trackIndexCount, 1, 0, 0, 0);
    vkCmdPushConstants(cmd, layout_, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof push, &push);
  }
  if (s.pointCount > 0) {
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pointsPipeline_);
    const VkBuffer buffer = s.points->handle();
    vkCmdBindVertexBuffers(cmd, 0, 1, &buffer, &zero);
    vkCmdDraw(cmd, s.pointCount, 1, 0, 0);
  }
  if (s.trackPointCount > 0) {
    // trailLength 0 in the push constants: one vertex per particle, at t.
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, trackPointsPipeline_);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout_, 0, 1, &s.trackSet, 0, nullptr);
    vkCmdDraw(cmd, s.trackPointCount, 1, 0, 0);
  }
}

void SceneRenderer::uploadTracks(const ParticleTracks& tracks) {
  // Every slot's set names the old buffers: nothing in flight may read them while they go.
  VK_CHECK(vkDeviceWaitIdle(device_.handle()));
  constexpr VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  trackPositions_.reset();
  trackVelocities_.reset();
  trackPositions_ =
      std::make_unique<DeviceBuffer>(device_, std::max<VkDeviceSize>(tracks.positions.size_bytes(), 16), storage);
  trackVelocities_ =
      std::make_unique<DeviceBuffer>(device_, std::max<VkDeviceSize>(tracks.velocities.size_bytes(), 16), storage);
  trackPositions_->upload(tracks.positions.data(), tracks.positions.size_bytes());
  trackVelocities_->upload(tracks.velocities.data(), tracks.velocities.size_bytes());
  trackGeneration_ = tracks.generation;
}

void SceneRenderer::bindTrackBuffers(SlotBuffers& slot) const {
  const VkDescriptorBufferInfo buffers[3] = {{trackPositions_->handle(), 0, VK_WHOLE_SIZE},
                                             {trackVelocities_->handle(), 0, VK_WHOLE_SIZE},
                                             {slot.trackColors->handle(), 0, VK_WHOLE_SIZE}};
  VkWriteDescriptorSet writes[3]{};
  for (uint32_t b = 0; b < 3; ++b) {
    writes[b].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    writes[b].dstSet = slot.trackSet;
    writes[b].dstBinding = b;
    writes[b].descriptorCount = 1;
    writes[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[b].pBufferInfo = &buffers[b];
  }
  vkUpdateDescriptorSets(device_.handle(), 3, writes, 0, nullptr);
  slot.boundGeneration = trackGeneration_;
  slot.boundColors = slot.trackColors.get();
}

}  // namespace rankflow::render
