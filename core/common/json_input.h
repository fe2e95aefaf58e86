#pragma once
// JSON a user hands Rankflow (matrix functions, sessions, adapter configs, schedules, presets),
// parsed with the path of whatever is wrong: a number beyond a double ("1e999") or a syntax
// error is refused as "NAME: $.view.t: …" in one line, quoting at most a few dozen characters
// of the input (a megabyte of digits is not echoed back).
#include <nlohmann/json.hpp>
#include <string>

namespace rankflow {

// Throws InvalidArgument "nameForErrors: PATH: reason" for malformed JSON.
nlohmann::json parseJsonInput(const std::string& text, const std::string& nameForErrors);

}  // namespace rankflow
