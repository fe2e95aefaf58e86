#version 450
#include "scene_common.glsl"

layout(location = 0) in vec2 inPosition;
layout(location = 1) in vec4 inColor;
layout(location = 0) out vec4 outColor;

void main() {
  gl_Position = worldToClip(inPosition);
  gl_PointSize = push.pointSize;
  outColor = vec4(inColor.rgb, inColor.a * push.opacity);
}
