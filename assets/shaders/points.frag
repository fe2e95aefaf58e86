#version 450

layout(location = 0) in vec4 inColor;
layout(location = 0) out vec4 outColor;

// Round, softly edged sprites: the last pixel ring fades out, which anti-aliases the
// disc without multisampling (cheap on lavapipe).
void main() {
  vec2 fromCentre = gl_PointCoord * 2.0 - 1.0;
  float r = length(fromCentre);
  float edge = fwidth(r);
  float coverage = 1.0 - smoothstep(1.0 - edge, 1.0, r);
  if (coverage <= 0.0) discard;
  outColor = vec4(inColor.rgb, inColor.a * coverage);
}
