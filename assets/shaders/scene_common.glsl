// World → clip transform shared by every scene pipeline (push constants, 32 bytes).
layout(push_constant) uniform ScenePush {
  vec2 scale;        // clip = world * scale + offset (y already flipped for Vulkan)
  vec2 offset;
  float pointSize;   // pixels
  float arrowWidth;  // world units, half-width of an arrow's shaft
  float opacity;     // multiplies every alpha of this draw
  float pad;
} push;

vec4 worldToClip(vec2 world) {
  return vec4(world * push.scale + push.offset, 0.0, 1.0);
}
