#pragma once
#include <string>

namespace rankflow::app {

// The options this binary was built with, one per line ("name: value").
std::string buildOptionsText();

}  // namespace rankflow::app
