#include "core/theory/matrix_scenes.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <random>
#include <sstream>

#include "core/common/error.h"
#include "core/common/text.h"
#include "core/theory/constructions.h"

namespace rankflow::theory {
namespace {

using matfun::MatrixFunction;
using matfun::Oscillation;

int integerParameter(const std::map<std::string, std::string>& params, const std::string& name, int fallback, int lo,
                     int hi) {
  const auto it = params.find(name);
  if (it == params.end()) return fallback;
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || errno != 0 || v < lo || v > hi)
    throw InvalidArgument("parameter " + name + " must be an integer in [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "], got '" + quotedInput(it->second) + "'");
  return static_cast<int>(v);
}

void requireKnown(const std::map<std::string, std::string>& params, const std::vector<std::string>& known,
                  const std::string& scene) {
  for (const auto& [key, value] : params) {
    bool ok = false;
    for (const auto& k : known) ok = ok || k == key;
    if (!ok) throw InvalidArgument("scene " + quotedInput(scene) + " has no parameter '" + quotedInput(key) + "'");
  }
}

}  // namespace

std::vector<int> parseRankList(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || errno != 0)
      throw InvalidArgument("'" + quotedInput(item) + "' is not an integer rank");
    if (v < 0) throw InvalidArgument("ranks must be >= 0, got " + quotedInput(item));
    if (v > 100000) throw InvalidArgument("rank " + quotedInput(item) + " is too large");
    out.push_back(static_cast<int>(v));
  }
  if (out.empty()) throw InvalidArgument("empty rank list");
  return out;
}

std::vector<MatrixSceneInfo> matrixScenes() {
  return {
      {"lemma1.2", "", "D_1 = sum f_i(t) e_i e_i^T with f = (t^3, t, 1, e^t): ranks never increase (a staircase)"},
      {"lemma1.3", "k=4", "B = x x^T, x = sum t^i e_{i+1}: ranks 1, 2, ..., k+1 strictly increase"},
      {"lemma1.5", "ranks=1,3,5,2", "B = sum t^k/k! M_k: rank B^(k)(0) = r_k for any sequence, at t = 0 only"},
      {"lemma1.6", "n=4,degree=3,seed=1", "B = x y^T: rank B'' <= 3, so (1, 2, 4) is impossible"},
      {"ode", "n=4,seed=1", "A = e^t C - (t+1) u v^T solves A' - A = t u v^T: A full rank, D_1 rank 1"},
      {"block", "m=2,s=1", "the s-fold integral of G_m = x_m x_m^T: G_m's profile shifted right by s"},
  };
}

MatrixScene buildMatrixScene(const std::string& name, const std::map<std::string, std::string>& params) {
  for (const auto& info : matrixScenes()) {
    if (info.name != name) continue;
    MatrixScene scene{name, info.statement, MatrixFunction(1, 1)};
    if (name == "lemma1.2") {
      requireKnown(params, {}, name);
      scene.b = lemma12({{{1, 3, Oscillation::Exp, 0}},
                         {{1, 1, Oscillation::Exp, 0}},
                         {{1, 0, Oscillation::Exp, 0}},
                         {{1, 0, Oscillation::Exp, 1}}},
                        5);
    } else if (name == "lemma1.3") {
      requireKnown(params, {"k"}, name);
      scene.b = outerProductBlock(integerParameter(params, "k", 4, 1, 12));
    } else if (name == "lemma1.5") {
      requireKnown(params, {"ranks"}, name);
      const auto it = params.find("ranks");
      const auto ranks = parseRankList(it == params.end() ? "1,3,5,2" : it->second);
      if (ranks.size() > 10) throw InvalidArgument("lemma1.5: at most 10 ranks");
      scene.b = lemma15(ranks);
    } else if (name == "lemma1.6") {
      requireKnown(params, {"n", "degree", "seed"}, name);
      scene.b = rankOneProduct(integerParameter(params, "n", 4, 4, 64), integerParameter(params, "degree", 3, 1, 12),
                               static_cast<unsigned>(integerParameter(params, "seed", 1, 0, 1 << 30)));
    } else if (name == "ode") {
      requireKnown(params, {"n", "seed"}, name);
      const int n = integerParameter(params, "n", 4, 2, 64);
      std::mt19937_64 rng(static_cast<std::uint64_t>(integerParameter(params, "seed", 1, 0, 1 << 30)));
      std::uniform_int_distribution<int> c(-3, 3);
      Eigen::MatrixXd cMatrix = Eigen::MatrixXd::NullaryExpr(n, n, [&] { return double(c(rng)); });
      cMatrix += 4.0 * n * Eigen::MatrixXd::Identity(n, n);  // diagonally dominant: C is invertible
      MatrixFunction u(n, 1), v(1, n);
      for (int i = 0; i < n; ++i) {
        u.add(i, 0, {double(c(rng) | 1), 0, Oscillation::Exp, 0});
        v.add(0, i, {double(c(rng) | 1), 1, Oscillation::Exp, 0});  // t·vᵀ
      }
      scene.b = solveFirstOrder(u.times(v), cMatrix);
    } else if (name == "block") {
      requireKnown(params, {"m", "s"}, name);
      scene.b = integrate(outerProductBlock(integerParameter(params, "m", 2, 1, 10)),
                          integerParameter(params, "s", 1, 0, 10));
    }
    return scene;
  }
  std::string known;
  for (const auto& info : matrixScenes()) known += (known.empty() ? "" : ", ") + info.name;
  throw InvalidArgument("unknown matrix scene '" + quotedInput(name) + "' (known: " + known + ")");
}

std::vector<SceneParameter> parseSceneParameters(const std::string& text) {
  std::vector<SceneParameter> out;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const std::size_t eq = item.find('=');
    if (eq != std::string::npos) {
      out.push_back({item.substr(0, eq), item.substr(eq + 1)});
    } else if (!out.empty()) {
      out.back().value += "," + item;
    }
    start = comma + 1;
  }
  return out;
}

}  // namespace rankflow::theory
