// JSON a user hands Rankflow: malformed documents are refused with the path of the value and
// one line, quoting little of the input (found by fuzzing, issue 16).
#include "core/common/json_input.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/matfun/json_format.h"

namespace rankflow {
namespace {

std::string refusal(const std::string& text) {
  try {
    parseJsonInput(text, "f.json");
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << text.substr(0, 80);
  return {};
}

TEST(JsonInput, ParsesValidDocuments) {
  const auto j = parseJsonInput(R"({"a": [1, 2.5, {"b": null}], "c": "x"})", "f.json");
  EXPECT_EQ(j["a"][1].get<double>(), 2.5);
  EXPECT_EQ(j["c"], "x");
}

TEST(JsonInput, ANumberBeyondADoubleNamesItsPath) {
  EXPECT_EQ(refusal(R"({"view": {"t": 1e999}})"), "f.json: $.view.t: the number 1e999 is beyond the range of a double");
  EXPECT_EQ(refusal(R"({"entries": [[1, 2], [3, -1e400]]})"),
            "f.json: $.entries[1][1]: the number -1e400 is beyond the range of a double");
  // A megabyte of digits is not echoed back.
  const std::string message = refusal(R"({"rows": )" + std::string(1 << 20, '9') + "}");
  EXPECT_LT(message.size(), 200u) << message.substr(0, 300);
  EXPECT_NE(message.find("$.rows"), std::string::npos) << message.substr(0, 300);
}

TEST(JsonInput, SyntaxErrorsSayWhereInOneLine) {
  const std::string message = refusal("{\"a\": [1, 2,\n\n \x01]}");
  EXPECT_NE(message.find("f.json: $.a[2]: not valid JSON at byte"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_NE(refusal("{not json").find("not valid JSON"), std::string::npos);
  EXPECT_NE(refusal("").find("not valid JSON at byte"), std::string::npos);
}

TEST(JsonInput, MatrixFunctionsWithHugeNumbersAreInvalidArguments) {
  try {
    matfun::parseMatrixFunctionJson(R"({"rows": 1e999, "cols": 1, "entries": [[0]]})");
    FAIL() << "accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("$.rows: the number 1e999"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rankflow
