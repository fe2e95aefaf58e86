// CUDA kernels for the exact marginal velocity and RK4 advection. The per-point maths
// (online softmax, velocity formula, RK4 step) is the shared host/device code of
// core/flows, so the CPU tests exercise it; what lives here is only the tiling: each
// block streams the data through shared memory once per field evaluation.
#include <cuda_runtime.h>

#include "core/flows/marginal_velocity.h"
#include "core/flows/rk4.h"
#include "kernels/cuda_check.h"
#include "kernels/flow_kernels.h"

namespace rankflow::kernels {
namespace {

constexpr int kBlockSize = 128;

// Every thread of the block must call this (it synchronises); threads past the end of
// the particle range still take part with a dummy point.
__device__ Vec2f blockVelocity(const Vec2f* __restrict__ data, int dataCount, Vec2f* tile, Vec2f x, float t) {
  flows::PosteriorMeanAccumulator<float> acc;
  const float a = flows::LinearPath::alpha(t);
  const float halfInvBetaSq = flows::halfInverseBetaSquared(t);
  for (int base = 0; base < dataCount; base += blockDim.x) {
    __syncthreads();  // the previous tile has been consumed by every thread
    const int i = base + static_cast<int>(threadIdx.x);
    if (i < dataCount) tile[threadIdx.x] = data[i];
    __syncthreads();
    const int n = min(static_cast<int>(blockDim.x), dataCount - base);
    for (int j = 0; j < n; ++j) {
      const Vec2f y = tile[j];
      acc.add(flows::posteriorLogit(x, y, a, halfInvBetaSq), y);
    }
  }
  return flows::velocityFromPosteriorMean(x, acc.mean(), t);
}

struct TiledField {
  const Vec2f* data;
  int dataCount;
  Vec2f* tile;
  __device__ Vec2f operator()(Vec2f x, float t) const { return blockVelocity(data, dataCount, tile, x, t); }
};

__global__ void velocityKernel(const Vec2f* __restrict__ data, int dataCount, const Vec2f* __restrict__ points,
                               int pointCount, float t, Vec2f* __restrict__ out) {
  __shared__ Vec2f tile[kBlockSize];
  const int p = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  const bool active = p < pointCount;
  const Vec2f x = active ? points[p] : Vec2f{0.0f, 0.0f};
  const Vec2f v = blockVelocity(data, dataCount, tile, x, t);
  if (active) out[p] = v;
}

__global__ void rk4AdvectKernel(const Vec2f* __restrict__ data, int dataCount, const Vec2f* __restrict__ start,
                                int particleCount, float t0, float h, int steps, Vec2f* __restrict__ positions,
                                Vec2f* __restrict__ velocities) {
  __shared__ Vec2f tile[kBlockSize];
  const int p = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  const bool active = p < particleCount;
  const TiledField field{data, dataCount, tile};
  Vec2f x = active ? start[p] : Vec2f{0.0f, 0.0f};
  for (int s = 0; s < steps; ++s) {
    // Same time arithmetic as TimeGrid::timeAt, so both backends evaluate at equal t.
    const float t = t0 + static_cast<float>(s) * h;
    Vec2f k1{};
    const Vec2f next = flows::rk4Step(field, x, t, h, &k1);
    if (active) {
      positions[static_cast<size_t>(s) * particleCount + p] = x;
      velocities[static_cast<size_t>(s) * particleCount + p] = k1;
    }
    x = next;
  }
  const Vec2f vEnd = field(x, t0 + static_cast<float>(steps) * h);
  if (active) {
    positions[static_cast<size_t>(steps) * particleCount + p] = x;
    velocities[static_cast<size_t>(steps) * particleCount + p] = vEnd;
  }
}

int blocksFor(int count) {
  return (count + kBlockSize - 1) / kBlockSize;
}

}  // namespace

void launchVelocity(const Vec2f* data, int dataCount, const Vec2f* points, int pointCount, float t, Vec2f* out) {
  velocityKernel<<<blocksFor(pointCount), kBlockSize>>>(data, dataCount, points, pointCount, t, out);
  CUDA_CHECK(cudaGetLastError());
}

void launchRk4Advect(const Vec2f* data, int dataCount, const Vec2f* start, int particleCount, float t0, float h,
                     int steps, Vec2f* positions, Vec2f* velocities) {
  rk4AdvectKernel<<<blocksFor(particleCount), kBlockSize>>>(data, dataCount, start, particleCount, t0, h, steps,
                                                            positions, velocities);
  CUDA_CHECK(cudaGetLastError());
}

}  // namespace rankflow::kernels
