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
#include "core/lowrank/lowrank_backend.h"
#include "core/theory/matrix_scenes.h"

namespace rankflow::app::theory_demo {

using Clock = std::chrono::steady_clock;

// The derivative rank profiles a §2 demonstration shows. The exact ones come from
// theory::rankProfile (GF(p) where the coefficients are rational). With a low-rank backend
// (the window's: CUDA when a device exists) the same orders' numerical generic ranks (the
// largest rank at the Ranks panel's 8 sample times, docs/MATHEMATICS.md §2) are computed
// there too, one rank-grid submission a profile, and report() says where, how long, and
// whether floating point agrees with the exact ranks.
class RankProfiles {
 public:
  RankProfiles(lowrank::LowRankBackend* backend, std::string note) : backend_(backend), note_(std::move(note)) {}
  std::vector<int> of(const matfun::MatrixFunction& b, int maxOrder);
  void report(TheoryDemoResult& out) const;

 private:
  lowrank::LowRankBackend* backend_;  // null: exact ranks only (the CLI, most tests)
  std::string note_;                  // why the backend is the CPU after a device fault, or empty
  std::string computedOn_;
  double seconds_ = 0.0;
  int profiles_ = 0;
  std::vector<std::string> disagreements_;
};

// The checked parameter values of a request, by name, and the rank profiles' recorder.
class Params {
 public:
  Params(const std::string& demo, const std::vector<DemoParameter>& given, RankProfiles& ranks) : ranks_(&ranks) {
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
  // rank B^(k), k = 0..maxOrder, as theory::rankProfile (recorded for the numerical check).
  std::vector<int> rankProfile(const matfun::MatrixFunction& b, int maxOrder) const { return ranks_->of(b, maxOrder); }

 private:
  std::map<std::string, std::string> values_;
  RankProfiles* ranks_;
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
