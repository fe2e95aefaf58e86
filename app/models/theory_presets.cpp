// Theory presets (assets/presets/theory/*.json): reading and checking the files, field by
// field, so a bad preset is refused naming its file and field and the panel still opens.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/models/theory_scenes.h"
#include "core/common/error.h"
#include "core/common/json_input.h"
#include "core/common/text.h"

namespace rankflow::app {
namespace {

using Kind = DemoParameterSpec::Kind;
using nlohmann::json;

std::string listText(const std::vector<int>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

// [SECTION] Preset parsing helpers

[[noreturn]] void refuse(const std::string& file, const std::string& field, const std::string& why) {
  // A field's name may be the file's own key: quoted within bounds, control bytes escaped.
  throw InvalidArgument(printableText(file) + ": field '" + quotedInput(field, 80) + "': " + why);
}

// `key` of the object `doc`, which sits at `prefix` in the file ("" or "demonstration.").
std::string requiredText(const json& doc, const std::string& file, const std::string& key,
                         const std::string& prefix = "") {
  const std::string field = prefix + key;
  if (!doc.contains(key)) refuse(file, field, "missing");
  if (!doc[key].is_string()) refuse(file, field, "must be a string");
  std::string value = doc[key].get<std::string>();
  if (value.find_first_not_of(" \t\n") == std::string::npos) refuse(file, field, "is empty");
  return value;
}

// A preset value as the text the spec checks: integers as JSON integers, lists as a string
// or an array of integers, text as a string.
std::string presetValueText(const json& value, const DemoParameterSpec& spec, const std::string& file,
                            const std::string& field) {
  switch (spec.kind) {
    case Kind::Integer:
      if (!value.is_number_integer()) refuse(file, field, "must be an integer");
      return std::to_string(value.get<long long>());
    case Kind::RankList:
      if (value.is_string()) return value.get<std::string>();
      if (value.is_array()) {
        std::vector<int> items;
        for (const json& item : value) {
          if (!item.is_number_integer()) refuse(file, field, "must be a list of integers");
          items.push_back(item.get<int>());
        }
        return listText(items);
      }
      refuse(file, field, "must be a list of integers (\"1,3,5\" or [1, 3, 5])");
    case Kind::Text:
      if (!value.is_string()) refuse(file, field, "must be a string");
      return value.get<std::string>();
  }
  refuse(file, field, "unsupported parameter kind");
}

}  // namespace

TheoryPreset parseTheoryPreset(const std::string& jsonText, const std::string& fileName) {
  const json doc = parseJsonInput(jsonText, fileName);
  if (!doc.is_object()) refuse(fileName, "(document)", "must be a JSON object");
  static const std::vector<std::string> known = {"reference", "title", "statement", "notice", "demonstration"};
  for (const auto& [key, value] : doc.items())
    if (std::find(known.begin(), known.end(), key) == known.end()) refuse(fileName, key, "unknown field");
  TheoryPreset preset;
  preset.file = fileName;
  preset.reference = requiredText(doc, fileName, "reference");
  preset.title = requiredText(doc, fileName, "title");
  preset.statement = requiredText(doc, fileName, "statement");
  preset.notice = requiredText(doc, fileName, "notice");
  if (!doc.contains("demonstration")) refuse(fileName, "demonstration", "missing");
  const json& demo = doc["demonstration"];
  if (!demo.is_object()) refuse(fileName, "demonstration", "must be an object with scene and params");
  for (const auto& [key, value] : demo.items())
    if (key != "scene" && key != "params") refuse(fileName, "demonstration." + key, "unknown field");
  preset.demo = requiredText(demo, fileName, "scene", "demonstration.");
  const std::vector<std::string>& demos = theoryDemoNames();
  if (std::find(demos.begin(), demos.end(), preset.demo) == demos.end()) {
    std::string names;
    for (const auto& name : theoryDemoNames()) names += (names.empty() ? "" : ", ") + name;
    refuse(fileName, "demonstration.scene", "unknown scene '" + preset.demo + "' (known: " + names + ")");
  }
  const std::vector<DemoParameterSpec>& specs = demoParameterSpecs(preset.demo);
  const json params = demo.contains("params") ? demo["params"] : json::object();
  if (!params.is_object()) refuse(fileName, "demonstration.params", "must be an object");
  for (const auto& item : params.items()) {
    const std::string& key = item.key();  // not a binding: clang 14 cannot capture one
    const bool isKnown =
        std::any_of(specs.begin(), specs.end(), [&](const DemoParameterSpec& s) { return s.name == key; });
    if (!isKnown) refuse(fileName, "demonstration.params." + key, "scene " + preset.demo + " has no such parameter");
  }
  for (const DemoParameterSpec& spec : specs) {
    const std::string field = "demonstration.params." + spec.name;
    const std::string value =
        params.contains(spec.name) ? presetValueText(params[spec.name], spec, fileName, field) : spec.fallback;
    if (const std::string why = checkParameterValue(spec, value); !why.empty()) refuse(fileName, field, why);
    preset.parameters.push_back({spec.name, value});
  }
  return preset;
}

PresetLoad loadTheoryPresets(const std::string& directory) {
  namespace fs = std::filesystem;
  PresetLoad out;
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    out.errors.push_back("no theory presets: '" + directory + "' is not a directory");
    return out;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(directory, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      out.errors.push_back(file.filename().string() + ": cannot be read");
      continue;
    }
    try {
      out.presets.push_back(parseTheoryPreset(text.str(), file.filename().string()));
    } catch (const InvalidArgument& e) {
      out.errors.push_back(e.what());
    }
  }
  if (out.presets.empty() && out.errors.empty()) out.errors.push_back("no theory presets in '" + directory + "'");
  return out;
}

std::string theoryPresetDirectory() {
  if (const char* overridden = std::getenv("RANKFLOW_THEORY_PRESETS"); overridden && *overridden) return overridden;
#ifdef RANKFLOW_THEORY_PRESET_DIR
  return RANKFLOW_THEORY_PRESET_DIR;
#else
  return "assets/presets/theory";
#endif
}

bool TheoryDemoResult::allChecksHold() const {
  return error.empty() && !checks.empty() &&
         std::all_of(checks.begin(), checks.end(), [](const DemoCheck& c) { return c.holds; });
}

}  // namespace rankflow::app
