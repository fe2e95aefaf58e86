#include "core/theory/feasibility.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "core/common/error.h"
#include "core/theory/constructions.h"
#include "core/theory/sampled_blocks.h"

namespace rankflow::theory {
namespace {

using matfun::MatrixFunction;
using matfun::Oscillation;

std::string sequenceText(const std::vector<int>& r) {
  std::string s = "(";
  for (std::size_t i = 0; i < r.size(); ++i) s += (i ? ", " : "") + std::to_string(r[i]);
  return s + ")";
}

struct Search {
  const std::vector<BaseBlock>& blocks;
  long limit;
  long nodes = 0;
  std::set<std::pair<std::vector<int>, std::size_t>> failed;
  std::vector<std::size_t> chosen;

  // Combinations with repetition of blocks[first..] summing to `remaining`.
  bool run(std::vector<int>& remaining, std::size_t first) {
    if (std::all_of(remaining.begin(), remaining.end(), [](int v) { return v == 0; })) return true;
    if (++nodes > limit) return false;
    if (failed.count({remaining, first})) return false;
    for (std::size_t b = first; b < blocks.size(); ++b) {
      const auto& p = blocks[b].profile;
      bool fits = true;
      for (std::size_t j = 0; j < remaining.size() && fits; ++j) fits = p[j] <= remaining[j];
      if (!fits) continue;
      for (std::size_t j = 0; j < remaining.size(); ++j) remaining[j] -= p[j];
      chosen.push_back(b);
      if (run(remaining, b)) return true;
      chosen.pop_back();
      for (std::size_t j = 0; j < remaining.size(); ++j) remaining[j] += p[j];
      if (nodes > limit) return false;
    }
    failed.insert({remaining, first});
    return false;
  }
};

// e^t times a polynomial matrix function.
MatrixFunction expTimes(const MatrixFunction& g) {
  MatrixFunction scaled(g.rows(), g.cols());
  for (int i = 0; i < g.rows(); ++i)
    for (int j = 0; j < g.cols(); ++j)
      for (const auto& t : g.at(i, j)) scaled.add(i, j, {t.coefficient, t.power, Oscillation::Exp, 1.0});
  return scaled;
}

std::string orderName(std::size_t k) {
  return "B^(" + std::to_string(k) + ")";
}

}  // namespace

std::string pairwiseBoundViolation(const std::vector<int>& r) {
  for (std::size_t k = 0; k < r.size(); ++k) {
    for (std::size_t m = k + 1; m < r.size(); ++m) {
      const int j = static_cast<int>(m - k);
      if (r[k] == 0 && r[m] > 0)
        return "r_" + std::to_string(m) + " = " + std::to_string(r[m]) + " > 0 after r_" + std::to_string(k) +
               " = 0: zero is absorbing (" + orderName(k) + " = 0 makes every later derivative 0)";
      if (r[m] > (j + 1) * r[k])
        return "r_" + std::to_string(m) + " = " + std::to_string(r[m]) + " > " + std::to_string(j + 1) + " r_" +
               std::to_string(k) + " = " + std::to_string((j + 1) * r[k]) + " (" +
               (j == 1 ? std::string("Fact 1.4") : "Fact 1.7") + " applied to " + orderName(k) + ")";
    }
  }
  return "";
}

std::string rankOnePersistenceViolation(const std::vector<int>& r) {
  for (std::size_t k = 0; k + 1 < r.size(); ++k) {
    if (r[k] != 1 || r[k + 1] != 1) continue;
    for (std::size_t m = k + 2; m < r.size(); ++m)
      if (r[m] > 1)
        return "r_" + std::to_string(m) + " = " + std::to_string(r[m]) + " > 1 after r_" + std::to_string(k) + " = r_" +
               std::to_string(k + 1) + " = 1: rank one persists (" + orderName(k) + " = x y^T with rank " +
               orderName(k + 1) + " = 1 has x or y of constant direction, so every later derivative has rank <= 1)";
  }
  return "";
}

std::string polynomialTailViolation(const std::vector<int>& r) {
  for (std::size_t j = 0; j + 1 < r.size(); ++j) {
    if (r[j] == 0 || r[j + 1] != 0) continue;
    for (std::size_t m = 0; m < j; ++m)
      if (r[m] < r[j])
        return "r_" + std::to_string(m) + " = " + std::to_string(r[m]) + " < r_" + std::to_string(j) + " = " +
               std::to_string(r[j]) + " while r_" + std::to_string(j + 1) +
               " = 0: polynomial tail (B is a polynomial and " + orderName(j) +
               " its scaled leading coefficient, which bounds the rank of every earlier derivative from below)";
    return "";  // zero is absorbing: later orders are 0 too
  }
  return "";
}

std::string growthFloorViolation(const std::vector<int>& r) {
  for (std::size_t k = 0; k < r.size(); ++k) {
    for (std::size_t j = 2; k + j < r.size(); ++j) {
      const int floor = 2 * r[k + j - 1] - static_cast<int>(j + 1) * r[k];
      if (r[k + j] < floor)
        return "r_" + std::to_string(k + j) + " = " + std::to_string(r[k + j]) + " < 2 r_" + std::to_string(k + j - 1) +
               " - " + std::to_string(j + 1) + " r_" + std::to_string(k) + " = " + std::to_string(floor) +
               ": growth floor (" + orderName(k) + " = P Q^T; projecting out col P and col Q leaves the middle " +
               "Leibniz terms of " + orderName(k + j) + ")";
    }
  }
  return "";
}

std::string leibnizTightnessViolation(const std::vector<int>& r) {
  for (std::size_t k = 0; k < r.size(); ++k) {
    for (std::size_t j = 2; k + j < r.size(); ++j) {
      if (r[k] == 0 || r[k + j] != static_cast<int>(j + 1) * r[k]) continue;
      for (std::size_t i = 1; i < j; ++i)
        if (r[k + i] != static_cast<int>(i + 1) * r[k])
          return "r_" + std::to_string(k + i) + " = " + std::to_string(r[k + i]) + " != " + std::to_string(i + 1) +
                 " r_" + std::to_string(k) + " while r_" + std::to_string(k + j) + " = " + std::to_string(j + 1) +
                 " r_" + std::to_string(k) + ": Leibniz tightness (Fact 1.7 attained for " + orderName(k + j) +
                 " makes P, ..., P^(" + std::to_string(j) + ") independent, so it is attained at every order between)";
    }
  }
  return "";
}

const char* verdictName(Verdict v) {
  switch (v) {
    case Verdict::Feasible:
      return "feasible";
    case Verdict::Infeasible:
      return "infeasible";
    case Verdict::Unknown:
      return "unknown";
  }
  return "?";
}

std::vector<BaseBlock> baseBlocks(int maxOrder) {
  std::vector<BaseBlock> library;
  const auto addBlock = [&](std::string name, MatrixFunction b) {
    std::vector<int> profile = rankProfile(b, maxOrder);
    if (std::all_of(profile.begin(), profile.end(), [](int v) { return v == 0; })) return;
    for (const auto& existing : library)
      if (existing.profile == profile) return;  // the first (smallest) block with a profile wins
    library.push_back({std::move(name), std::move(b), std::move(profile)});
  };
  MatrixFunction exp(1, 1);
  exp.add(0, 0, {1.0, 0, Oscillation::Exp, 1.0});
  addBlock("e^t", exp);
  for (int p = 0; p < maxOrder; ++p) {
    MatrixFunction monomial(1, 1);
    monomial.add(0, 0, {1.0, p, Oscillation::Exp, 0.0});
    addBlock("t^" + std::to_string(p), monomial);
  }
  // Outer products x_a y_bᵀ of monomial curves (t^i in coordinate i): a trapezoid profile,
  // rising to min(a, b) + 1 and falling after; a = b is Lemma 1.3's G_m. Their s-fold
  // integrals shift the profile right (with a prefix of their own), and e^t times them
  // keeps the top rank instead of falling to zero.
  for (int a = 1; a <= maxOrder; ++a) {
    for (int b = 0; b <= a; ++b) {
      const MatrixFunction g = polynomialCurve(a).times(polynomialCurve(b).transpose());
      const std::string base =
          a == b ? "G_" + std::to_string(a) : "x_" + std::to_string(a) + " y_" + std::to_string(b) + "^T";
      for (int s = 0; s <= maxOrder; ++s)
        addBlock((s ? "int^" + std::to_string(s) + " " : std::string()) + base, integrate(g, s));
      addBlock("e^t " + base, expTimes(g));
    }
  }
  // Wronskian blocks W_{a,b} = x_a y_b'^T - x_a' y_b^T (docs/THEORY.md): rank W' = rank W = 2,
  // yet W'' reaches 4, which no outer product does from rank 2; with their integrals and e^t
  // times them. Degree a runs to K + 2: the doubling needs x, x', x'', x''' independent.
  for (int a = 1; a <= maxOrder + 2; ++a) {
    for (int b = 1; b <= a; ++b) {
      const MatrixFunction w = wronskianBlock(a, b);
      const std::string base = "W_" + std::to_string(a) + "," + std::to_string(b);
      for (int s = 0; s <= maxOrder; ++s)
        addBlock((s ? "int^" + std::to_string(s) + " " : std::string()) + base, integrate(w, s));
      addBlock("e^t " + base, expTimes(w));
    }
  }
  // The randomised widening (core/theory/sampled_blocks.h): a fixed budget of draws of
  // Σ e^{λt} ∫^s(P Qᵀ) + K; a draw joins only with a profile no block above has.
  for (auto& sample : sampledBlocks(SampleBudget{})) addBlock(std::move(sample.name), std::move(sample.b));
  // Larger profiles first: the search then tries to cover the target with few blocks.
  std::stable_sort(library.begin(), library.end(), [](const BaseBlock& a, const BaseBlock& b) {
    int sa = 0, sb = 0;
    for (int v : a.profile) sa += v;
    for (int v : b.profile) sb += v;
    return sa > sb;
  });
  return library;
}

Feasibility checkFeasibility(const std::vector<int>& ranks, long searchLimit) {
  if (ranks.empty()) throw InvalidArgument("feasibility: empty rank sequence");
  if (ranks.size() > 9) throw InvalidArgument("feasibility: at most 9 orders (r_0..r_8)");
  for (int r : ranks) {
    if (r < 0) throw InvalidArgument("feasibility: ranks must be >= 0, got " + std::to_string(r));
    if (r > 64) throw InvalidArgument("feasibility: ranks above 64 are not searched");
  }
  Feasibility out;
  for (const std::string& why :
       {pairwiseBoundViolation(ranks), rankOnePersistenceViolation(ranks), polynomialTailViolation(ranks),
        growthFloorViolation(ranks), leibnizTightnessViolation(ranks)}) {
    if (why.empty()) continue;
    out.verdict = Verdict::Infeasible;
    out.reason = why;
    return out;
  }
  const int maxOrder = static_cast<int>(ranks.size()) - 1;
  if (std::all_of(ranks.begin(), ranks.end(), [](int v) { return v == 0; })) {
    out.verdict = Verdict::Feasible;
    out.reason = "B = 0";
    out.construction = MatrixFunction(1, 1);
    out.realized = ranks;
    out.blocks = {"0"};
    return out;
  }
  // Base blocks per K, built once: their profiles cost exact ranks. Guarded, because the
  // GUI will ask from worker threads.
  static std::mutex cacheMutex;
  static std::map<int, std::vector<BaseBlock>> cache;
  const std::vector<BaseBlock>* libraryPointer = nullptr;
  {
    std::lock_guard lock(cacheMutex);
    auto it = cache.find(maxOrder);
    if (it == cache.end()) it = cache.emplace(maxOrder, baseBlocks(maxOrder)).first;
    libraryPointer = &it->second;  // map nodes are stable
  }
  const auto& library = *libraryPointer;
  Search search{library, searchLimit, 0, {}, {}};
  std::vector<int> remaining = ranks;
  if (!search.run(remaining, 0)) {
    out.verdict = Verdict::Unknown;
    out.reason = search.nodes > searchLimit ? "the block search stopped after " + std::to_string(searchLimit) + " steps"
                                            : "no block-diagonal sum of the " + std::to_string(library.size()) +
                                                  " base blocks has this profile; no necessary condition rules it out";
    return out;
  }
  std::vector<MatrixFunction> parts;
  for (std::size_t b : search.chosen) {
    parts.push_back(library[b].b);
    out.blocks.push_back(library[b].name);
  }
  out.construction = blockDiagonal(parts);
  out.realized = rankProfile(out.construction, maxOrder);
  if (out.realized == ranks) {
    out.verdict = Verdict::Feasible;
    out.reason = "block-diagonal sum of " + std::to_string(parts.size()) + " base blocks, verified by exact rank";
  } else {
    out.verdict = Verdict::Unknown;
    out.reason = "the construction realises " + sequenceText(out.realized) + ", not " + sequenceText(ranks);
  }
  return out;
}

}  // namespace rankflow::theory
