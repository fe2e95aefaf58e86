#pragma once
// 2-D point sets as CSV text: one "x,y" row per point (',' ';' or whitespace between the
// two numbers), '#' starts a comment, blank lines are skipped, and one leading header row
// of non-numeric text (such as "x,y") is allowed. Anything else that is not two finite
// numbers is an InvalidArgument naming file:line and the reason; so is a file with no points.
#include <string>
#include <vector>

#include "core/common/vec2.h"

namespace rankflow::io {

std::vector<Vec2f> readPointsCsv(const std::string& path);
std::vector<Vec2f> parsePointsCsv(const std::string& text, const std::string& nameForErrors);

// Writes an "x,y" header and one row per point with enough digits to read back the same
// floats; atomic (temporary + rename).
void writePointsCsv(const std::string& path, const std::vector<Vec2f>& points);
std::string formatPointsCsv(const std::vector<Vec2f>& points);

}  // namespace rankflow::io
