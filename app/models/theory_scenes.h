#pragma once
// The Theory panel's content without ImGui (docs/MATHEMATICS.md §2, §3, §6): one preset file per statement
// (its title, statement, "what to notice" and the demonstration's parameters), the loader
// that refuses malformed files naming the file and the field, and the demonstrations
// themselves, computed by the core (core/theory, core/matfun, core/lowrank) into a result
// the panel only draws. TheoryDemoRunner computes off the UI thread; the newest request
// supersedes older ones and results are published as whole snapshots.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rankflow::lowrank {
class LowRankBackend;  // core/lowrank/lowrank_backend.h
}  // namespace rankflow::lowrank

namespace rankflow::app {

// [SECTION] Presets

// What one demonstration parameter accepts; the presets give values, the code owns ranges.
struct DemoParameterSpec {
  enum class Kind { Integer, RankList, Text };
  std::string name;   // as in the preset file: "K", "ranks"
  std::string label;  // shown next to the control
  Kind kind = Kind::Integer;
  int min = 0, max = 0;  // Integer: the slider's range; RankList: entries' range; Text: length
  std::string fallback;  // the value when the preset gives none
};

struct DemoParameter {
  std::string name;
  std::string value;  // as text: "4", "1,3,5,2", "<>="
};

struct TheoryPreset {
  std::string file;       // the file it came from (name only), for messages
  std::string reference;  // "Lemma 1.3"
  std::string title;
  std::string statement;                  // one paragraph
  std::string notice;                     // "what to notice"
  std::string demo;                       // a name of theoryDemoNames()
  std::vector<DemoParameter> parameters;  // every spec of the demo, in spec order
};

// The demonstrations, in the lecture's order, and the parameters each one takes.
const std::vector<std::string>& theoryDemoNames();
const std::vector<DemoParameterSpec>& demoParameterSpecs(const std::string& demo);  // InvalidArgument if unknown

// Empty when `value` is acceptable for the spec, else the reason ("must be an integer in [1, 8]").
std::string checkParameterValue(const DemoParameterSpec& spec, const std::string& value);

// Parses one preset (JSON). Every problem is an InvalidArgument whose message names the
// file and the field: "lemma-1-3.json: field 'demonstration.params.K': must be ...".
TheoryPreset parseTheoryPreset(const std::string& jsonText, const std::string& fileName);

struct PresetLoad {
  std::vector<TheoryPreset> presets;  // sorted by file name (the files are numbered)
  std::vector<std::string> errors;    // one per refused file, or for a missing directory
};
// Every *.json in `directory`; a malformed file is skipped with its message in errors.
PresetLoad loadTheoryPresets(const std::string& directory);

// The directory the build copied the presets to; $RANKFLOW_THEORY_PRESETS overrides it.
std::string theoryPresetDirectory();

// [SECTION] Demonstrations

// A bar chart over the derivative order k (or any small integer axis).
struct RankSeries {
  enum class Style { Bar, Dot, Ceiling };  // Ceiling: a line through the values
  std::string name;
  std::vector<int> values;
  Style style = Style::Bar;
};
struct RankChart {
  std::string title;
  std::string axis = "k";
  int firstIndex = 0;  // the axis label of values[0]
  std::vector<RankSeries> series;
  std::vector<std::string> labels;  // axis labels instead of firstIndex + i, when given
};

// A line chart (time or error against interval length), with vertical markers.
struct CurveSeries {
  std::string name;
  std::vector<double> x, y;
  bool dashed = false;  // a prediction, drawn next to the measured line of the same colour
};
struct CurveMarker {
  std::string name;
  double x = 0.0;
};
struct CurveChart {
  std::string title, xLabel, yLabel;
  bool logX = true, logY = true;
  std::vector<CurveSeries> series;
  std::vector<CurveMarker> markers;
};

// A segment tree with the canonical nodes of [l, h] marked.
struct TreeDiagram {
  int count = 0;   // m
  int leaves = 1;  // power of two ≥ m
  int l = 0, h = 0;
  std::vector<int> nodes;  // heap ids, 1 = root
};

// One claim of the statement, evaluated on the demonstration.
struct DemoCheck {
  std::string claim;
  bool holds = false;
};

struct TheoryDemoResult {
  std::string demo;
  std::vector<DemoParameter> parameters;  // what it was computed from
  std::vector<std::string> lines;         // readouts: verdicts, residuals, timings
  std::vector<RankChart> rankCharts;
  std::vector<CurveChart> curveCharts;
  std::optional<TreeDiagram> tree;
  std::vector<DemoCheck> checks;
  std::string error;             // a bad parameter: nothing else is filled
  std::string numericalBackend;  // where the numerical ranks were computed; empty when they were not
  double seconds = 0.0;

  bool allChecksHold() const;
};

// Computes a demonstration; errors go to result.error. With a backend, its rank profiles are
// also computed numerically there (a line says where, how long and whether they agree with
// the exact ones); a device fault on it is thrown (compute::DeviceFault), nothing else is.
// `backendNote` is added to that line (why the CPU runs after a fault).
TheoryDemoResult computeTheoryDemo(const std::string& demo, const std::vector<DemoParameter>& parameters,
                                   lowrank::LowRankBackend* numericalBackend = nullptr,
                                   const std::string& backendNote = "");

// One background thread that computes only the newest submitted request.
class TheoryDemoRunner {
 public:
  TheoryDemoRunner();
  ~TheoryDemoRunner();
  TheoryDemoRunner(const TheoryDemoRunner&) = delete;
  TheoryDemoRunner& operator=(const TheoryDemoRunner&) = delete;

  // Returns the request's generation; a later submit makes this one's result irrelevant.
  std::uint64_t submit(const std::string& demo, const std::vector<DemoParameter>& parameters);
  // Swaps in the newest finished result (call once per frame); true when it changed.
  bool poll();
  const std::shared_ptr<const TheoryDemoResult>& result() const { return shown_; }
  std::uint64_t shownGeneration() const { return shownGeneration_; }
  std::uint64_t requestedGeneration() const { return requested_; }
  bool computing() const { return shownGeneration_ != requested_; }
  // Polls until the latest request is shown or the timeout passes; true when it is.
  bool waitForResult(std::chrono::milliseconds timeout);

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
  std::uint64_t requested_ = 0;
  std::uint64_t shownGeneration_ = 0;
  std::shared_ptr<const TheoryDemoResult> shown_;
};

// The result as JSON (what the panel and the headless renderer export).
std::string theoryDemoJson(const TheoryDemoResult& result);

}  // namespace rankflow::app
