#pragma once
#include <cmath>
#include <cstdint>
#include <numbers>

namespace rankflow {

// A small seeded generator whose output is fixed by this file alone (std::normal_
// distribution is implementation-defined), so scenes and golden images reproduce on
// every platform and in both backends.
class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}

  // SplitMix64.
  std::uint64_t nextU64() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in (0, 1): never 0, so log() below is finite.
  double uniform() { return (static_cast<double>(nextU64() >> 11) + 0.5) * 0x1.0p-53; }

  // Standard normal by Box–Muller (the sine branch is dropped for simplicity).
  double normal() {
    const double u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::uint64_t state_;
};

}  // namespace rankflow
