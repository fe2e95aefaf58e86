#pragma once
// Wall-clock timing of repeated work: the best of several runs is the one least disturbed by
// a noisy machine. The benchmarks, the Queries model and the Theory demonstrations share these.
#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>
#include <utility>

namespace rankflow {

inline double secondsSince(std::chrono::steady_clock::time_point begin) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

// The best wall time of `repeats` runs of `work` (at least one).
template <class Work>
double bestSeconds(int repeats, Work&& work) {
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < std::max(repeats, 1); ++i) {
    const auto begin = std::chrono::steady_clock::now();
    work();
    best = std::min(best, secondsSince(begin));
  }
  return best;
}

// The best of up to `maxRepetitions` runs of `run` (which returns the seconds it measured,
// e.g. by CUDA events), stopping early once `budgetSeconds` of measured time is spent (one run
// at least). Returns (best, runs), or nullopt when keepGoing() says the result is no longer
// wanted; it is asked before every run.
template <class Run, class KeepGoing>
std::optional<std::pair<double, int>> bestWithinBudget(Run&& run, KeepGoing&& keepGoing, int maxRepetitions,
                                                       double budgetSeconds) {
  double best = std::numeric_limits<double>::infinity(), spent = 0.0;
  int repetitions = 0;
  while (repetitions < maxRepetitions && (repetitions == 0 || spent < budgetSeconds)) {
    if (!keepGoing()) return std::nullopt;
    const double seconds = run();
    best = std::min(best, seconds);
    spent += seconds;
    ++repetitions;
  }
  return std::make_pair(best, repetitions);
}

}  // namespace rankflow
