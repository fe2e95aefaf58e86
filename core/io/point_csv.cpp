#include "core/io/point_csv.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>

#include "core/common/error.h"
#include "core/common/text.h"
#include "core/io/atomic_file.h"
#include "core/io/text_file.h"

namespace rankflow::io {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

// A row splits on ',' or ';' when it has either (so "1, 2" and "1;2" read alike), and on
// runs of whitespace otherwise; empty fields are kept so "1,,2" reports three columns.
std::vector<std::string_view> fieldsOf(std::string_view line) {
  std::vector<std::string_view> fields;
  if (line.find_first_of(",;") != std::string_view::npos) {
    std::size_t start = 0;
    while (true) {
      const std::size_t end = line.find_first_of(",;", start);
      fields.push_back(
          trimmed(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start)));
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    return fields;
  }
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && isSpace(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !isSpace(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

enum class NumberStatus { Ok, NotANumber, OutOfRange };

// from_chars rather than strtod: the result does not depend on the process locale.
NumberStatus parseNumber(std::string_view field, double& value) {
  std::string_view digits = field;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  if (digits.empty()) return NumberStatus::NotANumber;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (end != digits.data() + digits.size()) return NumberStatus::NotANumber;
  if (ec == std::errc::result_out_of_range) return NumberStatus::OutOfRange;
  if (ec != std::errc()) return NumberStatus::NotANumber;
  return NumberStatus::Ok;
}

}  // namespace

std::vector<Vec2f> parsePointsCsv(const std::string& text, const std::string& nameForErrors) {
  std::vector<Vec2f> points;
  bool sawContent = false;
  std::size_t lineNumber = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t newline = text.find('\n', start);
    std::string_view line(text.data() + start, (newline == std::string::npos ? text.size() : newline) - start);
    start = newline == std::string::npos ? text.size() + 1 : newline + 1;
    ++lineNumber;
    if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trimmed(line);
    if (line.empty()) continue;
    const std::string where = printableText(nameForErrors) + ":" + std::to_string(lineNumber) + ": ";
    const std::vector<std::string_view> fields = fieldsOf(line);
    double values[2] = {0.0, 0.0};
    NumberStatus status[2] = {NumberStatus::NotANumber, NumberStatus::NotANumber};
    bool anyNumeric = false;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      double v = 0.0;
      const NumberStatus s = parseNumber(fields[i], v);
      anyNumeric = anyNumeric || s != NumberStatus::NotANumber;
      if (i < 2) {
        values[i] = v;
        status[i] = s;
      }
    }
    const bool firstContent = !sawContent;
    sawContent = true;
    if (firstContent && !anyNumeric) continue;  // the one optional header row
    if (fields.size() != 2)
      throw InvalidArgument(where + "expected 2 columns (x,y), found " + std::to_string(fields.size()));
    for (int i = 0; i < 2; ++i) {
      const std::string field(fields[static_cast<std::size_t>(i)]);
      if (status[i] == NumberStatus::NotANumber)
        throw InvalidArgument(where + "'" + quotedInput(field) + "' is not a number");
      if (status[i] == NumberStatus::OutOfRange || !std::isfinite(values[i]))
        throw InvalidArgument(where + "'" + quotedInput(field) + "' is not a finite number");
      if (std::abs(values[i]) > static_cast<double>(std::numeric_limits<float>::max()))
        throw InvalidArgument(where + "'" + quotedInput(field) + "' is outside the float range");
    }
    points.push_back({static_cast<float>(values[0]), static_cast<float>(values[1])});
  }
  if (points.empty())
    throw InvalidArgument(nameForErrors + ": no points (the file is empty or holds only comments and a header)");
  return points;
}

std::vector<Vec2f> readPointsCsv(const std::string& path) {
  // 10⁷ points of two numbers each fit in 512 MiB of text.
  return parsePointsCsv(readTextFile(path, std::size_t(512) << 20, "a points file"), path);
}

std::string formatPointsCsv(const std::vector<Vec2f>& points) {
  std::string out = "x,y\n";
  char buffer[64];
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Vec2f& p = points[i];
    // The reader refuses non-finite values, so writing one would make a file it cannot read back.
    if (!std::isfinite(p.x) || !std::isfinite(p.y))
      throw InvalidArgument("point " + std::to_string(i) + " is not finite; a points CSV holds finite numbers only");
    // Shortest text that reads back to the same float.
    auto end = std::to_chars(buffer, buffer + sizeof buffer, p.x).ptr;
    *end++ = ',';
    end = std::to_chars(end, buffer + sizeof buffer, p.y).ptr;
    *end++ = '\n';
    out.append(buffer, end);
  }
  return out;
}

void writePointsCsv(const std::string& path, const std::vector<Vec2f>& points) {
  writeFileAtomic(path, formatPointsCsv(points));
}

}  // namespace rankflow::io
