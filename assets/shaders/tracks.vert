#version 450
#include "scene_common.glsl"

// Particles and their trails straight from the trajectories: frame-major positions and
// velocities, interpolated at each vertex's time by the cubic Hermite polynomial of the
// bracketing frames (flows::TrajectoryStore::positionsAt does the same on the CPU).
layout(std430, set = 0, binding = 0) readonly buffer Positions { vec2 positions[]; };
layout(std430, set = 0, binding = 1) readonly buffer Velocities { vec2 velocities[]; };
layout(std430, set = 0, binding = 2) readonly buffer Colors { uint colors[]; };

layout(location = 0) out vec4 outColor;

void main() {
  const bool trail = push.trailLength >= 2u;
  const uint length = trail ? push.trailLength : 1u;
  const uint p = uint(gl_VertexIndex) / length;
  const uint k = uint(gl_VertexIndex) % length;
  // Vertex k of a trail is at t − (L−1−k)/(L−1) · span, oldest first.
  const float back = trail ? float(length - 1u - k) / float(length - 1u) : 0.0;
  const float t = max(0.0, push.t - back * push.trailSpan);
  const float u = clamp((t - push.t0) / push.stepSize, 0.0, float(push.frameCount - 1u));
  const uint frame = min(uint(u), push.frameCount - 2u);
  const float s = u - float(frame);
  const uint i0 = frame * push.particleCount + p;
  const uint i1 = i0 + push.particleCount;
  const float s2 = s * s;
  const float s3 = s2 * s;
  const float h00 = 2.0 * s3 - 3.0 * s2 + 1.0;
  const float h10 = s3 - 2.0 * s2 + s;
  const float h01 = -2.0 * s3 + 3.0 * s2;
  const float h11 = s3 - s2;
  const vec2 x = h00 * positions[i0] + (h10 * push.stepSize) * velocities[i0] + h01 * positions[i1] +
                 (h11 * push.stepSize) * velocities[i1];
  gl_Position = worldToClip(x);
  gl_PointSize = push.pointSize;
  const vec3 rgb = unpackUnorm4x8(colors[p]).rgb;
  // The CPU path's alphas: 150 · (1 − back) / 255 along a trail, 235 / 255 for a point.
  const float alpha = trail ? floor(150.0 * (1.0 - back)) / 255.0 : 235.0 / 255.0;
  outColor = vec4(rgb, alpha * push.opacity);
}
