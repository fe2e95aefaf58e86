#pragma once
// What one job may allocate: sizes are estimated up front and refused with the estimate and
// the limit, rather than ending in std::bad_alloc (issue 16).
#include <cstdint>
#include <string>

namespace rankflow {

// Three quarters of this machine's memory (8 GiB when it cannot be read).
std::uint64_t memoryLimitBytes();

// "15.10 GiB".
std::string formatGiB(std::uint64_t bytes);

// Throws InvalidArgument "WHAT needs about X GiB, more than the limit of Y GiB (three quarters
// of this machine's memory)" when bytes > limit.
void requireMemory(std::uint64_t bytes, const std::string& what, std::uint64_t limit = memoryLimitBytes());

// a × b × c … saturating at UINT64_MAX (estimates of absurd sizes must not wrap).
std::uint64_t saturatingProduct(std::initializer_list<std::uint64_t> factors);

}  // namespace rankflow
