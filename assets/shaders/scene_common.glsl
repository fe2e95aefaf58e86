// World → clip transform shared by every scene pipeline (push constants, 64 bytes).
layout(push_constant) uniform ScenePush {
  vec2 scale;        // clip = world * scale + offset (y already flipped for Vulkan)
  vec2 offset;
  float pointSize;   // pixels
  float arrowWidth;  // world units, half-width of an arrow's shaft
  float opacity;     // multiplies every alpha of this draw
  float pad;
  // Particle tracks (tracks.vert) only.
  float t;           // time of the points and of the trails' heads
  float trailSpan;   // how far back in t a trail reaches
  float t0;          // time of frame 0
  float stepSize;    // between frames
  uint trailLength;  // vertices per trail; 0 draws one point per particle
  uint particleCount;
  uint frameCount;
  uint pad2;
} push;

vec4 worldToClip(vec2 world) {
  return vec4(world * push.scale + push.offset, 0.0, 1.0);
}
