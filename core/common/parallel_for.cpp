#include "core/common/parallel_for.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace rankflow {

unsigned cpuWorkerCount() {
  // Asked once: the C library reads /sys for it on every call.
  static const unsigned count = std::max(1u, std::thread::hardware_concurrency());
  return count;
}

void parallelFor(std::size_t count, const std::function<void(std::size_t, std::size_t)>& body,
                 std::size_t workPerItem) {
  if (count == 0) return;
  const std::size_t workers = std::min<std::size_t>(cpuWorkerCount(), count);
  const bool small = workPerItem > 0 && count <= kInlineWork / workPerItem;
  if (workers == 1 || small) {
    body(0, count);
    return;
  }
  std::exception_ptr firstError;
  std::mutex errorMutex;
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  const std::size_t chunk = (count + workers - 1) / workers;
  auto run = [&](std::size_t begin, std::size_t end) {
    try {
      body(begin, end);
    } catch (...) {
      std::lock_guard lock(errorMutex);
      if (!firstError) firstError = std::current_exception();
    }
  };
  try {
    for (std::size_t w = 1; w < workers; ++w) {
      const std::size_t begin = w * chunk;
      const std::size_t end = std::min(count, begin + chunk);
      if (begin < end) threads.emplace_back(run, begin, end);
    }
  } catch (...) {
    // A thread that cannot start must not leave the started ones joinable (terminate).
    for (auto& t : threads) t.join();
    throw;
  }
  run(0, std::min(count, chunk));
  for (auto& t : threads) t.join();
  if (firstError) std::rethrow_exception(firstError);
}

}  // namespace rankflow
