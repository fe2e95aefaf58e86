#pragma once
// Launchers for the flow kernels; device pointers only, so this header is plain C++.
#include "core/common/vec2.h"

namespace rankflow::kernels {

// out[i] = u_1(points[i], t) against `data` (all device pointers).
void launchVelocity(const Vec2f* data, int dataCount, const Vec2f* points, int pointCount, float t, Vec2f* out);

// RK4 of every particle through `steps` steps of size h from t0; frame s of positions and
// velocities is stored at [s * particleCount, (s + 1) * particleCount). steps + 1 frames.
void launchRk4Advect(const Vec2f* data, int dataCount, const Vec2f* start, int particleCount, float t0, float h,
                     int steps, Vec2f* positions, Vec2f* velocities);

}  // namespace rankflow::kernels
