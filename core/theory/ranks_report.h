#pragma once
// The ranks of a matrix function's derivatives B^(k), k = 0..K, as `rankflow ranks` prints them
// and rankflow.ranks returns them (docs/cli.md): numerical generic rank with the spectrum at its
// best t, the Fact 1.4 / 1.7 ceilings, optionally the exact rank over GF(p), and the rank strip
// at evenly spaced t. The derivative matrices and their SVDs run in one submission on the backend.
#include <optional>
#include <string>
#include <vector>

#include "core/lowrank/lowrank_backend.h"
#include "core/theory/matrix_scenes.h"

namespace rankflow::theory {

struct RanksRequest {
  int maxOrder = 4;
  int samples = 8;                    // random t for the numerical generic rank
  std::optional<double> tolerance{};  // default σ_max · max(m, n) · ε
  bool exact = false;                 // also the exact generic rank over GF(2^61 − 1)
  int stripTimes = 0;                 // the rank strip at this many t in [tMin, tMax] (0: none)
  double tMin = 0.0;
  double tMax = 1.0;
};

struct OrderRanks {
  int k = 0;
  int numerical = 0;
  double tolerance = 0.0;
  std::vector<double> singularValues;  // at the sample reaching the numerical rank
  std::optional<int> exact{};          // with RanksRequest::exact, when computable
  double failureBound = 0.0;
  int draws = 0;
  std::string exactUnavailable;        // why not, when requested and not computable
  std::optional<int> ceilingFact14{};  // 2 · rank B^(k−1), for k ≥ 1
  int ceilingFact17 = 0;               // (k + 1) · rank B
};

struct RanksReport {
  std::string scene;
  std::string statement;
  int rows = 0;
  int cols = 0;
  std::vector<OrderRanks> orders;
  std::vector<double> stripTimes;
  std::vector<std::vector<int>> strip;  // per strip time, the ranks of orders 0..K
  std::string backend;
  std::string method;
  std::string note;
  double kernelSeconds = 0.0;
  double endToEndSeconds = 0.0;
};

// Throws InvalidArgument for an order outside 0..16, samples outside 1..1000, a strip of more
// than 2^20 times, or tMin > tMax.
RanksReport computeRanks(const MatrixScene& scene, lowrank::LowRankBackend& backend, const RanksRequest& request);

// The report as `rankflow ranks --json` prints it; whyNotCuda (nullopt: null, when CUDA ran)
// names why the backend is not CUDA.
std::string ranksReportJson(const RanksReport& report, const std::optional<std::string>& whyNotCuda);

}  // namespace rankflow::theory
