// CUDA kernels for the fields and samplers of docs/MATHEMATICS.md §4. The per-point maths (online
// softmax, path derivatives, u_k from the posterior mean, Taylor-mode AD, the solver steps)
// is the shared host/device code of core/flows, so the CPU tests exercise it; what lives
// here is the tiling, the launch layout, and the sampler's frame loop, which follows the
// CPU driver (core/flows/samplers.cpp, sampleFlow) rule for rule so both backends agree.
//
// [SECTION] Tiled fields (shared memory; every thread of a block must take part)
// [SECTION] Untiled fields (global memory; for threads that diverge)
// [SECTION] Field kernel
// [SECTION] Sampling kernels
// [SECTION] Launchers
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "core/common/jet.h"
#include "core/flows/field_model.h"
#include "core/flows/schedule.h"
#include "core/flows/solvers.h"
#include "kernels/cuda_check.h"
#include "kernels/flow_kernels.h"

namespace rankflow::kernels {
namespace {

using flows::FlowState;
using flows::Schedule;
using flows::Solver;

// Threads per block, and data per shared-memory tile: each thread loads one datum per tile.
constexpr int kBlockSize = 128;

// [SECTION] Tiled fields (shared memory; every thread of a block must take part)

// Streams the data through the block's shared tile and calls visit(y) for every datum in
// data order, the order of the generic posteriorMean, so the sums round as on the CPU.
// It synchronises the block: every thread must call it, equally often and in the same
// order, so threads without a point of their own run it on a dummy point.
template <class Visit>
__device__ void forEachDatumTiled(const Vec2f* __restrict__ data, int dataCount, Vec2f* tile, Visit&& visit) {
  for (int base = 0; base < dataCount; base += kBlockSize) {
    __syncthreads();  // every thread is done with the previous tile, of this pass or an earlier one
    const int i = base + static_cast<int>(threadIdx.x);
    if (i < dataCount) tile[threadIdx.x] = data[i];
    __syncthreads();
    const int n = min(kBlockSize, dataCount - base);
    for (int j = 0; j < n; ++j) visit(tile[j]);
  }
}

// u_1 of an empirical data set with the data read through the tile; a callable with a
// templated call operator, so lagrangianFromVelocity (S = Jet) and the divergence
// (S = Dual) run through the same tiled loop. Each call is one tiled pass.
struct TiledVelocity {
  const Vec2f* data;
  int dataCount;
  Vec2f* tile;
  Schedule schedule;

  // m = E[x_1 | x_t = x], as flows::posteriorMean computes it for zero-variance data.
  template <class S>
  __device__ Vec2<S> posteriorMean(const Vec2<S>& x, const S& alpha, const S& beta) const {
    using V = decltype(valueOf(S()));
    flows::OnlineSoftmaxMean<S> acc;
    const S betaSq = beta * beta;
    const S halfInvBetaSq = V(0.5) / betaSq;
    forEachDatumTiled(data, dataCount, tile,
                      [&](const Vec2f& y) { flows::addEmpiricalDatum(acc, x, alpha, halfInvBetaSq, y); });
    return acc.mean();
  }

  // Not inlined: a solver step calls the field up to four times, and one shared copy of
  // the pass (the path in double, the tiled loop) needs about half the registers of four
  // inlined ones (RK4: 62 against 112), which doubles the blocks an SM can hold.
  template <class S>
  __device__ __noinline__ Vec2<S> operator()(const Vec2<S>& x, const S& t) const {
    const flows::PathDerivatives<S> p = flows::pathAt(schedule, t);
    Vec2<S> u[2];
    flows::fieldsFromPosteriorMean(p, x, posteriorMean(x, p.alpha[0], p.beta[0]), 1, u);
    return u[1];
  }
};

// v and ∇·v from one Dual<float, 2> pass (as flows::velocityJacobian), and the augmented
// field (v, −∇·v) of density tracking.
template <class Velocity>
struct DensityField {
  Velocity velocity;

  __device__ void velocityAndDivergence(const Vec2f& x, float t, Vec2f& v, float& divergence) const {
    using D = Dual<float, 2>;
    const Vec2<D> xd{D::variable(x.x, 0), D::variable(x.y, 1)};
    const Vec2<D> vd = velocity(xd, D(t));
    v = {vd.x.v, vd.y.v};
    divergence = vd.x.d[0] + vd.y.d[1];
  }
  __device__ FlowState<float> operator()(const FlowState<float>& s, float t) const {
    Vec2f v;
    float divergence;
    velocityAndDivergence(s.x, t, v, divergence);
    return {v, -divergence};
  }
};

// [SECTION] Untiled fields (global memory; for threads that diverge)

// The generic field of core/flows on a view of device memory: no shared memory and no
// synchronisation, so each thread may take its own number of evaluations (adaptive steps).
// It holds the data pointer and count rather than a DataView: nvcc 13.0 at -O3 built the
// kernel's local DataView by copying the first 40 bytes of the SampleLaunch parameter,
// so its null variances and log-weights pointers became s.start and {particleCount,
// solver} (seen on an H100 by compute-sanitizer as a read of 0x3000007d0). The view is
// now made inside the call, where its null pointers are constants.
struct GlobalVelocity {
  const Vec2f* points;
  int count;
  Schedule schedule;

  template <class S>
  __device__ __noinline__ Vec2<S> operator()(const Vec2<S>& x, const S& t) const {
    flows::DataView<float> data;
    data.points = points;
    data.count = count;
    return flows::velocityField(data, schedule, x, t);
  }
};

// [SECTION] Field kernel

// One thread per point. The kind is a template parameter so the marginal kernel (one
// float pass) does not carry the Lagrangian one's registers (Jet passes).
template <bool kLagrangian>
__global__ void __launch_bounds__(kBlockSize)
    fieldsKernel(const Vec2f* __restrict__ data, int dataCount, const Vec2f* __restrict__ points, int pointCount,
                 Schedule schedule, float t, int maxOrder, Vec2f* __restrict__ out) {
  __shared__ Vec2f tile[kBlockSize];
  const int p = static_cast<int>(blockIdx.x) * kBlockSize + static_cast<int>(threadIdx.x);
  const bool active = p < pointCount;
  const Vec2f x = active ? points[p] : Vec2f{0.0f, 0.0f};
  const TiledVelocity velocity{data, dataCount, tile, schedule};
  Vec2f u[4];
  // maxOrder is the same for the whole launch, so every thread runs the same number of
  // tiled passes: one for the marginal fields, up to three for the Lagrangian ones.
  if constexpr (kLagrangian) {
    u[0] = x;
    if (maxOrder >= 1) {
      const flows::LagrangianDerivatives<float> d = flows::lagrangianFromVelocity(velocity, x, t, maxOrder);
      u[1] = d.velocity;
      u[2] = d.acceleration;
      u[3] = d.jerk;
    }
  } else {
    // One posterior mean serves every order.
    const flows::PathDerivatives<float> path = flows::pathAt(schedule, t);
    flows::fieldsFromPosteriorMean(path, x, velocity.posteriorMean(x, path.alpha[0], path.beta[0]), maxOrder, u);
  }
  if (!active) return;
  const std::size_t stride = static_cast<std::size_t>(maxOrder) + 1;
  for (int k = 0; k <= maxOrder; ++k) out[static_cast<std::size_t>(p) * stride + static_cast<std::size_t>(k)] = u[k];
}

// The marginal fields with the data split among blocks (grid.y): each block folds its
// chunk of the data into one online softmax per point and stores it (shift, weight sum,
// weighted x, weighted y; an empty one as weight sum 0, since the largest logit alone
// weighs 1); the merge kernel folds the chunks in data order and finishes u_0..u_K.
__global__ void __launch_bounds__(kBlockSize)
    fieldsPartialKernel(const Vec2f* __restrict__ data, int dataCount, int chunk, const Vec2f* __restrict__ points,
                        int pointCount, Schedule schedule, float t, float4* __restrict__ partial) {
  __shared__ Vec2f tile[kBlockSize];
  const int p = static_cast<int>(blockIdx.x) * kBlockSize + static_cast<int>(threadIdx.x);
  const Vec2f x = p < pointCount ? points[p] : Vec2f{0.0f, 0.0f};
  const flows::PathDerivatives<float> path = flows::pathAt(schedule, t);
  const float halfInvBetaSq = 0.5f / (path.beta[0] * path.beta[0]);
  const int begin = static_cast<int>(blockIdx.y) * chunk;
  const int end = min(dataCount, begin + chunk);
  flows::OnlineSoftmaxMean<float> acc;
  for (int base = begin; base < end; base += kBlockSize) {
    __syncthreads();
    const int i = base + static_cast<int>(threadIdx.x);
    if (i < end) tile[threadIdx.x] = data[i];
    __syncthreads();
    const int n = min(kBlockSize, end - base);
    for (int j = 0; j < n; ++j) flows::addEmpiricalDatum(acc, x, path.alpha[0], halfInvBetaSq, tile[j]);
  }
  if (p < pointCount)
    partial[static_cast<std::size_t>(blockIdx.y) * pointCount + p] =
        make_float4(acc.shift, acc.empty ? 0.0f : acc.weightSum, acc.weighted.x, acc.weighted.y);
}

__global__ void __launch_bounds__(kBlockSize)
    fieldsMergeKernel(const float4* __restrict__ partial, int splits, const Vec2f* __restrict__ points, int pointCount,
                      Schedule schedule, float t, int maxOrder, Vec2f* __restrict__ out) {
  const int p = static_cast<int>(blockIdx.x) * kBlockSize + static_cast<int>(threadIdx.x);
  if (p >= pointCount) return;
  flows::OnlineSoftmaxMean<float> acc;
  for (int s = 0; s < splits; ++s) {
    const float4 v = partial[static_cast<std::size_t>(s) * pointCount + p];
    if (v.y == 0.0f) continue;
    flows::OnlineSoftmaxMean<float> chunk;
    chunk.shift = v.x;
    chunk.weightSum = v.y;
    chunk.weighted = {v.z, v.w};
    chunk.empty = false;
    acc.merge(chunk);
  }
  const flows::PathDerivatives<float> path = flows::pathAt(schedule, t);
  Vec2f u[4];
  flows::fieldsFromPosteriorMean(path, points[p], acc.mean(), maxOrder, u);
  const std::size_t stride = static_cast<std::size_t>(maxOrder) + 1;
  for (int k = 0; k <= maxOrder; ++k) out[static_cast<std::size_t>(p) * stride + static_cast<std::size_t>(k)] = u[k];
}

// [SECTION] Sampling kernels

// One step of a fixed-step solver; k1 receives f(x, t).
template <Solver kSolver, class Field, class State>
__device__ State fixedStep(const Field& field, const State& x, float t, float h, State* k1) {
  if constexpr (kSolver == Solver::Euler) {
    return flows::eulerStep(field, x, t, h, k1);
  } else if constexpr (kSolver == Solver::Heun) {
    return flows::heunStep(field, x, t, h, k1);
  } else {
    static_assert(kSolver == Solver::Rk4, "Taylor-3 and Dormand–Prince have their own paths");
    return flows::rk4Step(field, x, t, h, k1);
  }
}

// The frame loop of sampleFlow for particle p: store frame f, advance from t_f to t_{f+1}
// (advance(t, dt) returns v at t), and past kTimeMax coast at the velocity there, with the
// plain velocity or, when kDensity, the augmented field. Position, velocity and log p of
// every frame are written when `active`; frame 0 of logDensity holds the start value on
// entry. The control flow depends only on the grid, so threads of a block stay in step.
template <bool kDensity, class Velocity, class Advance>
__device__ void runFrames(const SampleLaunch& s, int p, bool active, const Velocity& velocity,
                          const DensityField<Velocity>& density, FlowState<float>& state, Advance&& advance) {
  const std::size_t n = static_cast<std::size_t>(s.particleCount);
  const float tMax = flows::kTimeMax;
  Vec2f coastVelocity{0.0f, 0.0f};
  auto coast = [&](float dt) {
    if constexpr (kDensity) {
      const FlowState<float> k = density(state, tMax);
      coastVelocity = k.x;
      state = state + dt * k;
    } else {
      coastVelocity = velocity(state.x, tMax);
      state.x = state.x + dt * coastVelocity;
    }
  };
  for (int f = 0; f < s.steps; ++f) {
    const float t = s.frameTimes[f];
    const float tNext = s.frameTimes[f + 1];
    const std::size_t slot = static_cast<std::size_t>(f) * n + static_cast<std::size_t>(p);
    if (active) {
      s.positions[slot] = state.x;
      if constexpr (kDensity) s.logDensity[slot] = state.logDensity;
    }
    Vec2f v{0.0f, 0.0f};
    if (tNext <= tMax) {
      v = advance(t, tNext - t);
    } else if (t < tMax) {
      v = advance(t, tMax - t);
      coast(tNext - tMax);
    } else {
      coast(tNext - t);
      v = coastVelocity;
    }
    if (active) s.velocities[slot] = v;
  }
  const float t1 = s.t1;
  Vec2f vEnd = coastVelocity;
  if (t1 <= tMax) vEnd = velocity(state.x, t1);
  if (active) {
    const std::size_t slot = static_cast<std::size_t>(s.steps) * n + static_cast<std::size_t>(p);
    s.positions[slot] = state.x;
    s.velocities[slot] = vEnd;
    if constexpr (kDensity) s.logDensity[slot] = state.logDensity;
  }
}

// Euler, Heun, RK4 and Taylor-3: one thread per particle, every field evaluation a tiled
// pass. All threads of a block take the same steps at the same times, so they reach every
// __syncthreads together; threads past the last particle integrate a dummy one.
template <Solver kSolver, bool kDensity>
__global__ void __launch_bounds__(kBlockSize) sampleFixedStepKernel(const SampleLaunch s) {
  __shared__ Vec2f tile[kBlockSize];
  const int p = static_cast<int>(blockIdx.x) * kBlockSize + static_cast<int>(threadIdx.x);
  const bool active = p < s.particleCount;
  const TiledVelocity velocity{s.data, s.dataCount, tile, s.schedule};
  const DensityField<TiledVelocity> density{velocity};
  FlowState<float> state{active ? s.start[p] : Vec2f{0.0f, 0.0f}, 0.0f};
  if constexpr (kDensity) {
    if (active) state.logDensity = s.logDensity[p];
  }
  auto advance = [&](float t, float dt) -> Vec2f {
    if constexpr (kSolver == Solver::Taylor3) {
      const flows::LagrangianDerivatives<float> d = flows::lagrangianFromVelocity(velocity, state.x, t, 3);
      const Vec2f next = flows::taylor3Polynomial(state.x, d, dt);
      if constexpr (kDensity) {
        // Simpson's rule for log p, with the midpoint on the same Taylor polynomial.
        const Vec2f mid = flows::taylor3Polynomial(state.x, d, 0.5f * dt);
        Vec2f unused;
        float d0, d1, d2;
        density.velocityAndDivergence(state.x, t, unused, d0);
        density.velocityAndDivergence(mid, t + 0.5f * dt, unused, d1);
        density.velocityAndDivergence(next, t + dt, unused, d2);
        state.logDensity -= dt / 6.0f * (d0 + 4.0f * d1 + d2);
      }
      state.x = next;
      return d.velocity;
    } else if constexpr (kDensity) {
      FlowState<float> k{};
      state = fixedStep<kSolver>(density, state, t, dt, &k);
      return k.x;
    } else {
      Vec2f v{0.0f, 0.0f};
      state.x = fixedStep<kSolver>(velocity, state.x, t, dt, &v);
      return v;
    }
  };
  runFrames<kDensity>(s, p, active, velocity, density, state, advance);
}

// Adaptive Dormand–Prince: each particle takes its own steps, so threads diverge and no
// tile can be shared; the field reads the data from global memory (through the caches).
// Accepted step times go to the layout SampleLaunch describes.
template <bool kDensity>
__global__ void __launch_bounds__(kBlockSize) sampleDormandPrinceKernel(const SampleLaunch s) {
  const int p = static_cast<int>(blockIdx.x) * kBlockSize + static_cast<int>(threadIdx.x);
  if (p >= s.particleCount) return;  // nothing here synchronises, so idle threads may leave
  const GlobalVelocity velocity{s.data, s.dataCount, s.schedule};
  const DensityField<GlobalVelocity> density{velocity};
  FlowState<float> state{s.start[p], 0.0f};
  if constexpr (kDensity) state.logDensity = s.logDensity[p];

  const std::uint64_t timesBegin =
      s.stepOffsets ? s.stepOffsets[p] : static_cast<std::uint64_t>(p) * static_cast<std::uint64_t>(s.stepCapacity);
  const std::uint64_t timesEnd = s.stepOffsets ? s.stepOffsets[p + 1] : timesBegin + s.stepCapacity;
  std::uint64_t timesNext = timesBegin;
  auto record = [&](float at) {
    if (timesNext < timesEnd) s.stepTimes[timesNext] = at;
    ++timesNext;
  };
  float hAdaptive = s.stepSize;  // carried from frame to frame, as on the CPU
  flows::AdaptiveCounts counts;
  auto advance = [&](float t, float dt) -> Vec2f {
    const Vec2f v = velocity(state.x, t);
    if constexpr (kDensity) {
      state = flows::integrateAdaptive(density, state, t, t + dt, s.absoluteTolerance, s.relativeTolerance,
                                       s.maxStepsPerFrame, hAdaptive, counts, record);
    } else {
      state.x = flows::integrateAdaptive(velocity, state.x, t, t + dt, s.absoluteTolerance, s.relativeTolerance,
                                         s.maxStepsPerFrame, hAdaptive, counts, record);
    }
    return v;
  };
  runFrames<kDensity>(s, p, true, velocity, density, state, advance);
  s.acceptedSteps[p] = counts.accepted;
  s.rejectedSteps[p] = counts.rejected;
  if (counts.exhausted) atomicAdd(s.exhaustedParticles, 1);
}

__global__ void __launch_bounds__(kBlockSize)
    compactStepTimesKernel(const float* __restrict__ padded, int capacity, const std::uint64_t* __restrict__ offsets,
                           int particleCount, float* __restrict__ out) {
  const int p = static_cast<int>(blockIdx.x) * kBlockSize + static_cast<int>(threadIdx.x);
  if (p >= particleCount) return;
  const std::uint64_t begin = offsets[p];
  const std::uint64_t count = offsets[p + 1] - begin;
  const float* from = padded + static_cast<std::size_t>(p) * static_cast<std::size_t>(capacity);
  for (std::uint64_t k = 0; k < count; ++k) out[begin + k] = from[k];
}

// [SECTION] Launchers

unsigned blocksFor(int count) {
  return static_cast<unsigned>((static_cast<long long>(count) + kBlockSize - 1) / kBlockSize);
}

template <Solver kSolver>
void launchFixedStep(const SampleLaunch& s) {
  if (s.trackDensity) {
    sampleFixedStepKernel<kSolver, true><<<blocksFor(s.particleCount), kBlockSize>>>(s);
  } else {
    sampleFixedStepKernel<kSolver, false><<<blocksFor(s.particleCount), kBlockSize>>>(s);
  }
}

}  // namespace

int fieldDataSplits(int dataCount, int pointCount) {
  // About four blocks per SM of a 132-SM device, each taking at least two data tiles.
  constexpr long long kWantedBlocks = 4 * 132;
  const long long pointBlocks = (static_cast<long long>(pointCount) + kBlockSize - 1) / kBlockSize;
  const long long tiles = (static_cast<long long>(dataCount) + kBlockSize - 1) / kBlockSize;
  if (pointBlocks <= 0 || pointBlocks >= kWantedBlocks / 2 || tiles < 4) return 1;
  const long long byBlocks = (kWantedBlocks + pointBlocks - 1) / pointBlocks;
  return static_cast<int>(std::min(byBlocks, tiles / 2));
}

std::size_t fieldScratchFloats(int dataCount, int pointCount) {
  const int splits = fieldDataSplits(dataCount, pointCount);
  return splits > 1 ? 4 * static_cast<std::size_t>(splits) * static_cast<std::size_t>(pointCount) : 0;
}

void launchFields(const Vec2f* data, int dataCount, const Vec2f* points, int pointCount, flows::Schedule schedule,
                  bool lagrangian, float t, int maxOrder, Vec2f* out, float* scratch) {
  if (pointCount <= 0) return;
  const int splits = lagrangian ? 1 : fieldDataSplits(dataCount, pointCount);
  if (splits > 1) {
    // Whole tiles per chunk, so every block but the last streams full tiles.
    const int tiles = (dataCount + kBlockSize - 1) / kBlockSize;
    const int chunk = (tiles + splits - 1) / splits * kBlockSize;
    const int used = (dataCount + chunk - 1) / chunk;
    auto* partial = reinterpret_cast<float4*>(scratch);
    fieldsPartialKernel<<<dim3(blocksFor(pointCount), static_cast<unsigned>(used)), kBlockSize>>>(
        data, dataCount, chunk, points, pointCount, schedule, t, partial);
    CUDA_CHECK(cudaGetLastError());
    fieldsMergeKernel<<<blocksFor(pointCount), kBlockSize>>>(partial, used, points, pointCount, schedule, t, maxOrder,
                                                             out);
    CUDA_CHECK(cudaGetLastError());
    return;
  }
  if (lagrangian) {
    fieldsKernel<true>
        <<<blocksFor(pointCount), kBlockSize>>>(data, dataCount, points, pointCount, schedule, t, maxOrder, out);
  } else {
    fieldsKernel<false>
        <<<blocksFor(pointCount), kBlockSize>>>(data, dataCount, points, pointCount, schedule, t, maxOrder, out);
  }
  CUDA_CHECK(cudaGetLastError());
}

void launchSample(const SampleLaunch& launch) {
  if (launch.particleCount <= 0) return;
  switch (launch.solver) {
    case Solver::Euler:
      launchFixedStep<Solver::Euler>(launch);
      break;
    case Solver::Heun:
      launchFixedStep<Solver::Heun>(launch);
      break;
    case Solver::Rk4:
      launchFixedStep<Solver::Rk4>(launch);
      break;
    case Solver::Taylor3:
      launchFixedStep<Solver::Taylor3>(launch);
      break;
    case Solver::DormandPrince:
      if (launch.trackDensity) {
        sampleDormandPrinceKernel<true><<<blocksFor(launch.particleCount), kBlockSize>>>(launch);
      } else {
        sampleDormandPrinceKernel<false><<<blocksFor(launch.particleCount), kBlockSize>>>(launch);
      }
      break;
  }
  CUDA_CHECK(cudaGetLastError());
}

void launchCompactStepTimes(const float* padded, int capacity, const std::uint64_t* offsets, int particleCount,
                            float* out) {
  if (particleCount <= 0) return;
  compactStepTimesKernel<<<blocksFor(particleCount), kBlockSize>>>(padded, capacity, offsets, particleCount, out);
  CUDA_CHECK(cudaGetLastError());
}

}  // namespace rankflow::kernels
