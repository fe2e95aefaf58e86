#version 450
#include "scene_common.glsl"

// Per vertex: the arrow template in its own frame, x along the arrow (0 = tail,
// 1 = tip), y across it in units of the shaft half-width; z = 1 marks head vertices,
// whose x is measured back from the tip in head lengths.
layout(location = 0) in vec3 inTemplate;
// Per instance: tail position, the vector itself (world units), colour.
layout(location = 1) in vec2 inTail;
layout(location = 2) in vec2 inVector;
layout(location = 3) in vec4 inColor;
layout(location = 0) out vec4 outColor;

void main() {
  float len = length(inVector);
  vec2 along = len > 0.0 ? inVector / len : vec2(1.0, 0.0);
  vec2 across = vec2(-along.y, along.x);
  // Thin arrows stay thin: width and head shrink with short vectors, so a near-zero
  // field reads as dots rather than arrowheads.
  float halfWidth = min(push.arrowWidth, 0.12 * len);
  float headLength = min(4.0 * push.arrowWidth, 0.4 * len);
  float x = inTemplate.z > 0.5 ? len - inTemplate.x * headLength : inTemplate.x * max(len - headLength, 0.0);
  vec2 world = inTail + along * x + across * (inTemplate.y * halfWidth);
  gl_Position = worldToClip(world);
  outColor = vec4(inColor.rgb, inColor.a * push.opacity);
}
