#pragma once
#include <cstddef>
#include <functional>

namespace rankflow {

// Number of worker threads the CPU paths use (hardware concurrency, at least 1).
unsigned cpuWorkerCount();

// Work below this many operations (count × workPerItem) runs on the calling thread: starting a
// worker thread costs tens of microseconds, more than a small call's whole work
// (docs/PERFORMANCE.md, "Python": a 2-point field query).
inline constexpr std::size_t kInlineWork = std::size_t(1) << 16;

// Splits [0, count) into contiguous chunks, one per worker, and runs body(begin, end) on
// each. Contiguous chunks keep each particle's whole trajectory on one core. The first
// exception thrown by a chunk is rethrown on the calling thread. workPerItem, when the caller
// knows it (roughly, in operations), keeps small calls on the calling thread; 0: always split.
void parallelFor(std::size_t count, const std::function<void(std::size_t, std::size_t)>& body,
                 std::size_t workPerItem = 0);

}  // namespace rankflow
