#pragma once
#include <stdexcept>
#include <string>

namespace rankflow {

// Thrown for input a caller can fix (bad size, t outside [0, 1], NaN); the CLI turns it
// into a one-line message and exit code 2.
class InvalidArgument : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace rankflow
