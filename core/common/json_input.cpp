#include "core/common/json_input.h"

#include <vector>

#include "core/common/error.h"
#include "core/common/text.h"

namespace rankflow {
namespace {

using Json = nlohmann::json;
using DomParser = nlohmann::detail::json_sax_dom_parser<Json>;

// At most this much of the input is quoted in a message.
constexpr std::size_t kQuoted = 40;

std::string quoted(const std::string& text) {
  return printableText(text.size() > kQuoted ? text.substr(0, kQuoted) + "..." : text);
}

// The DOM parser, keeping the path to the value being read, so an error can name it.
class PathTrackingParser : public DomParser {
 public:
  PathTrackingParser(Json& result, std::string name) : DomParser(result, true), name_(std::move(name)) {}

  bool null() { return value(DomParser::null()); }
  bool boolean(bool v) { return value(DomParser::boolean(v)); }
  bool number_integer(Json::number_integer_t v) { return value(DomParser::number_integer(v)); }
  bool number_unsigned(Json::number_unsigned_t v) { return value(DomParser::number_unsigned(v)); }
  bool number_float(Json::number_float_t v, const Json::string_t& s) { return value(DomParser::number_float(v, s)); }
  bool string(Json::string_t& v) { return value(DomParser::string(v)); }
  bool binary(Json::binary_t& v) { return value(DomParser::binary(v)); }
  bool start_object(std::size_t n) {
    levels_.push_back({false, 0, {}});
    return DomParser::start_object(n);
  }
  bool key(Json::string_t& k) {
    levels_.back().key = k;
    return DomParser::key(k);
  }
  bool end_object() {
    levels_.pop_back();
    return value(DomParser::end_object());
  }
  bool start_array(std::size_t n) {
    levels_.push_back({true, 0, {}});
    return DomParser::start_array(n);
  }
  bool end_array() {
    levels_.pop_back();
    return value(DomParser::end_array());
  }

  template <class Exception>
  [[noreturn]] bool parse_error(std::size_t position, const std::string& token, const Exception& error) {
    std::string why;
    if (error.id == 406)
      why = "the number " + quoted(token) + " is beyond the range of a double";
    else
      why =
          "not valid JSON at byte " + std::to_string(position) + (token.empty() ? "" : " (near " + quoted(token) + ")");
    throw InvalidArgument(printableText(name_ + ": " + path() + ": " + why));
  }

 private:
  struct Level {
    bool array = false;
    std::size_t index = 0;
    std::string key;
  };

  // A value finished: the next one in an array has the next index.
  bool value(bool ok) {
    if (!levels_.empty() && levels_.back().array) ++levels_.back().index;
    return ok;
  }

  std::string path() const {
    std::string text = "$";
    for (const Level& level : levels_)
      text += level.array ? "[" + std::to_string(level.index) + "]" : "." + quoted(level.key);
    return text;
  }

  std::string name_;
  std::vector<Level> levels_;
};

}  // namespace

nlohmann::json parseJsonInput(const std::string& text, const std::string& nameForErrors) {
  Json result;
  PathTrackingParser parser(result, nameForErrors);
  Json::sax_parse(text, &parser);
  return result;
}

}  // namespace rankflow
