#pragma once
// What theory_scenes.cpp (the index, §2 demonstrations, the runner) and
// theory_query_demos.cpp (the §3 demonstrations) share: a request's checked parameters,
// number formatting and timing. Internal to those two files.
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "app/models/theory_scenes.h"
#include "app/viewer/units_text.h"
#include "core/common/error.h"
#include "core/theory/matrix_scenes.h"

namespace rankflow::app::theory_demo {

using Clock = std::chrono::steady_clock;

// The checked parameter values of a request, by name.
class Params {
 public:
  Params(const std::string& demo, const std::vector<DemoParameter>& given) {
    for (const DemoParameterSpec& spec : demoParameterSpecs(demo)) {
      std::string value = spec.fallback;
      for (const DemoParameter& p : given)
        if (p.name == spec.name) value = p.value;
      if (const std::string why = checkParameterValue(spec, value); !why.empty())
        throw InvalidArgument("parameter " + spec.name + ": " + why);
      values_[spec.name] = value;
    }
    for (const DemoParameter& p : given)
      if (!values_.count(p.name)) throw InvalidArgument("demonstration " + demo + " has no parameter '" + p.name + "'");
  }
  int integer(const std::string& name) const { return std::stoi(values_.at(name)); }
  std::vector<int> list(const std::string& name) const { return theory::parseRankList(values_.at(name)); }
  const std::string& text(const std::string& name) const { return values_.at(name); }

 private:
  std::map<std::string, std::string> values_;
};

inline std::string formatNumber(const char* format, double v) {
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

// The §3 demonstrations (low-rank range queries), in theory_query_demos.cpp.
void demoTheorem110(const Params& p, TheoryDemoResult& out);
void demoRemark111(const Params& p, TheoryDemoResult& out);
void demoSumPrefix(const Params& p, TheoryDemoResult& out);
void demoPointUpdates(const Params& p, TheoryDemoResult& out);
void demoTheorem113(const Params& p, TheoryDemoResult& out);

}  // namespace rankflow::app::theory_demo
