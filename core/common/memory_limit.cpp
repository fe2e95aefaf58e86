#include "core/common/memory_limit.h"

#include <unistd.h>

#include <cstdio>
#include <limits>

#include "core/common/error.h"

namespace rankflow {

std::uint64_t memoryLimitBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long pageSize = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || pageSize <= 0) return std::uint64_t(8) << 30;
  return static_cast<std::uint64_t>(pages) / 4 * 3 * static_cast<std::uint64_t>(pageSize);
}

std::string formatGiB(std::uint64_t bytes) {
  char text[48];
  std::snprintf(text, sizeof text, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return text;
}

void requireMemory(std::uint64_t bytes, const std::string& what, std::uint64_t limit) {
  if (bytes <= limit) return;
  throw InvalidArgument(what + " needs about " + formatGiB(bytes) + ", more than the limit of " + formatGiB(limit) +
                        (limit == memoryLimitBytes() ? " (three quarters of this machine's memory)" : ""));
}

std::uint64_t saturatingProduct(std::initializer_list<std::uint64_t> factors) {
  std::uint64_t product = 1;
  for (std::uint64_t f : factors) {
    if (f != 0 && product > std::numeric_limits<std::uint64_t>::max() / f)
      return std::numeric_limits<std::uint64_t>::max();
    product *= f;
  }
  return product;
}

}  // namespace rankflow
