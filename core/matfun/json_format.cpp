#include "core/matfun/json_format.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/common/error.h"
#include "core/common/json_input.h"
#include "core/common/text.h"
#include "core/io/text_file.h"

namespace rankflow::matfun {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& why) {
  // The path holds the file's own keys: quoted within bounds, control bytes escaped.
  throw InvalidArgument("matrix function JSON: " + quotedInput(where, 80) + ": " + why);
}

double number(const json& value, const std::string& where) {
  if (!value.is_number()) bad(where, "expected a number");
  const double v = value.get<double>();
  if (!std::isfinite(v)) bad(where, "not finite");
  return v;
}

Term parseTerm(const json& object, const std::string& where) {
  if (!object.is_object()) bad(where, "a term is an object like {\"c\": 2, \"p\": 1, \"exp\": -1}");
  Term term{1.0, 0, Oscillation::Exp, 0.0};
  int kinds = 0;
  for (const auto& [key, value] : object.items()) {
    const std::string at = where + "." + key;
    if (key == "c") {
      term.coefficient = number(value, at);
    } else if (key == "p") {
      if (!value.is_number_integer() || value.get<long long>() < 0 || value.get<long long>() > 64)
        bad(at, "the power of t is an integer in [0, 64]");
      term.power = value.get<int>();
    } else if (key == "exp" || key == "sin" || key == "cos") {
      ++kinds;
      term.kind = key == "exp" ? Oscillation::Exp : key == "sin" ? Oscillation::Sin : Oscillation::Cos;
      term.rate = number(value, at);
    } else {
      bad(at, "unknown key (a term has c, p and one of exp, sin, cos)");
    }
  }
  if (kinds > 1) bad(where, "a term has at most one of exp, sin, cos");
  return term;
}

}  // namespace

MatrixFunction parseMatrixFunctionJson(const std::string& text) {
  const json root = parseJsonInput(text, "matrix function JSON");
  if (!root.is_object()) bad("$", "the top level is an object with rows, cols and entries");
  for (const char* key : {"rows", "cols", "entries"})
    if (!root.contains(key)) bad("$", std::string("missing \"") + key + "\"");
  if (!root["rows"].is_number_integer() || !root["cols"].is_number_integer()) bad("$", "rows and cols are integers");
  const long long rows = root["rows"].get<long long>(), cols = root["cols"].get<long long>();
  if (rows < 1 || cols < 1 || rows > 4096 || cols > 4096) bad("$", "rows and cols must lie in [1, 4096]");
  const json& entries = root["entries"];
  if (!entries.is_array() || static_cast<long long>(entries.size()) != rows)
    bad("$.entries", "expected an array of " + std::to_string(rows) + " rows");
  MatrixFunction f(static_cast<int>(rows), static_cast<int>(cols));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string rowPath = "$.entries[" + std::to_string(i) + "]";
    if (!entries[i].is_array() || static_cast<long long>(entries[i].size()) != cols)
      bad(rowPath, "expected an array of " + std::to_string(cols) + " entries");
    for (std::size_t j = 0; j < entries[i].size(); ++j) {
      const std::string entryPath = rowPath + "[" + std::to_string(j) + "]";
      const json& entry = entries[i][j];
      if (entry.is_number()) {  // a constant
        f.add(static_cast<int>(i), static_cast<int>(j), {number(entry, entryPath), 0, Oscillation::Exp, 0.0});
        continue;
      }
      if (!entry.is_array()) bad(entryPath, "an entry is a number or an array of terms");
      for (std::size_t k = 0; k < entry.size(); ++k)
        f.add(static_cast<int>(i), static_cast<int>(j), parseTerm(entry[k], entryPath + "[" + std::to_string(k) + "]"));
    }
  }
  return f;
}

MatrixFunction readMatrixFunctionJson(const std::string& path) {
  // 4096 × 4096 entries of a few terms fit in 64 MiB of JSON.
  return parseMatrixFunctionJson(io::readTextFile(path, std::size_t(64) << 20, "a matrix function"));
}

std::string toJson(const MatrixFunction& f) {
  json entries = json::array();
  for (int i = 0; i < f.rows(); ++i) {
    json row = json::array();
    for (int j = 0; j < f.cols(); ++j) {
      json terms = json::array();
      for (const Term& t : f.at(i, j)) {
        json term = {{"c", t.coefficient}, {"p", t.power}};
        term[t.kind == Oscillation::Exp ? "exp" : t.kind == Oscillation::Sin ? "sin" : "cos"] = t.rate;
        terms.push_back(term);
      }
      row.push_back(terms);
    }
    entries.push_back(row);
  }
  return json{{"rows", f.rows()}, {"cols", f.cols()}, {"entries", entries}}.dump(1);
}

}  // namespace rankflow::matfun
