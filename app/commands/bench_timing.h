#pragma once
#include <algorithm>
#include <chrono>

namespace rankflow::app {

// The best wall time of `repeats` runs: the least disturbed by a noisy machine.
template <class Work>
double bestSeconds(int repeats, Work&& work) {
  double best = 1e300;
  for (int i = 0; i < repeats; ++i) {
    const auto begin = std::chrono::steady_clock::now();
    work();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
  }
  return best;
}

}  // namespace rankflow::app
