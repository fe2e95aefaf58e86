#pragma once
#include <stdexcept>
#include <string>

namespace rankflow::app {

// A usage error: printed as one line, exit code 2.
class CliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Exit codes of the rankflow executable.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;     // runtime failure: no Vulkan device, I/O error, …
inline constexpr int kExitUsage = 2;       // bad arguments or bad input
inline constexpr int kExitValidation = 3;  // Vulkan validation reported messages

}  // namespace rankflow::app
