#pragma once
#include <cstddef>
#include <functional>

namespace rankflow {

// Number of worker threads the CPU paths use (hardware concurrency, at least 1).
unsigned cpuWorkerCount();

// Splits [0, count) into contiguous chunks, one per worker, and runs body(begin, end) on
// each. Contiguous chunks keep each particle's whole trajectory on one core. The first
// exception thrown by a chunk is rethrown on the calling thread.
void parallelFor(std::size_t count, const std::function<void(std::size_t, std::size_t)>& body);

}  // namespace rankflow
