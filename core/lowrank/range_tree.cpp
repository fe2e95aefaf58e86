#include "core/lowrank/range_tree.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/common/error.h"
#include "core/common/timing.h"
#include "core/io/atomic_file.h"

namespace rankflow::lowrank {
namespace {

bool allFinite(const Eigen::MatrixXf& m) {
  return m.allFinite();
}

std::filesystem::path costCachePath() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  std::filesystem::path dir =
      xdg && *xdg ? std::filesystem::path(xdg) : std::filesystem::path(home ? home : "/tmp") / ".cache";
  return dir / "rankflow" / "cost-model-cpu-v1.txt";
}

}  // namespace

// [SECTION] Strategy names

const char* strategyName(Strategy strategy) {
  switch (strategy) {
    case Strategy::Tree:
      return "tree";
    case Strategy::SumThenMultiply:
      return "sum";
    case Strategy::OnTheFly:
      return "fly";
    case Strategy::PrefixSums:
      return "prefix";
  }
  return "?";
}

std::optional<Strategy> parseStrategy(const std::string& name) {
  if (name == "auto") return std::nullopt;
  for (Strategy s : kAllStrategies) {
    if (name == strategyName(s)) return s;
  }
  throw InvalidArgument("strategy must be tree, sum, fly, prefix or auto, got '" + name + "'");
}

// [SECTION] Cost model

CostModel CostModel::measure() {
  CostModel model;
  const Eigen::MatrixXf a = Eigen::MatrixXf::Random(192, 192);
  const Eigen::MatrixXf b = Eigen::MatrixXf::Random(192, 128);
  Eigen::MatrixXf c(192, 128);
  const double gemm = bestSeconds(5, [&] { c.noalias() = a * b; });
  model.secondsPerMultiplyAdd = gemm / (192.0 * 192.0 * 128.0);
  Eigen::MatrixXf sum = Eigen::MatrixXf::Zero(512, 512);
  const Eigen::MatrixXf add = Eigen::MatrixXf::Random(512, 512);
  const double adds = bestSeconds(5, [&] { sum += add; });
  model.secondsPerAdd = adds / (512.0 * 512.0);
  const Eigen::MatrixXf tiny = Eigen::MatrixXf::Random(2, 2);
  Eigen::MatrixXf tinyOut = Eigen::MatrixXf::Zero(2, 2);
  const double calls = bestSeconds(5, [&] {
    for (int i = 0; i < 1000; ++i) tinyOut.noalias() += tiny * tiny;
  });
  model.secondsPerCall = calls / 1000.0;
  return model;
}

const CostModel& CostModel::forThisMachine() {
  static const CostModel model = [] {
    const auto path = costCachePath();
    CostModel cached;
    if (std::ifstream in(path); in >> cached.secondsPerMultiplyAdd >> cached.secondsPerAdd >> cached.secondsPerCall) {
      if (cached.secondsPerMultiplyAdd > 0 && cached.secondsPerAdd > 0 && cached.secondsPerCall > 0) return cached;
    }
    const CostModel measured = measure();
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ostringstream text;
    text.precision(6);
    text << measured.secondsPerMultiplyAdd << ' ' << measured.secondsPerAdd << ' ' << measured.secondsPerCall << '\n';
    try {
      io::writeFileAtomic(path.string(), text.str());
    } catch (const std::exception&) {
      // An unwritable cache only costs a re-measurement next time.
    }
    return measured;
  }();
  return model;
}

// [SECTION] Construction and updates

LowRankRangeTree::LowRankRangeTree(std::vector<Eigen::MatrixXf> left, std::vector<Eigen::MatrixXf> right)
    : left_(std::move(left)), right_(std::move(right)) {
  if (left_.empty()) throw InvalidArgument("range tree: m = 0 (no factor pairs)");
  if (left_.size() != right_.size())
    throw InvalidArgument("range tree: " + std::to_string(left_.size()) + " left factors but " +
                          std::to_string(right_.size()) + " right factors");
  if (left_.size() > (1u << 24)) throw InvalidArgument("range tree: too many factor pairs");
  m_ = static_cast<int>(left_.size());
  p_ = static_cast<int>(left_[0].rows());
  q_ = static_cast<int>(right_[0].rows());
  r_ = static_cast<int>(left_[0].cols());
  if (p_ == 0 || q_ == 0 || r_ == 0) throw InvalidArgument("range tree: factors must not be empty");
  for (int i = 0; i < m_; ++i) {
    const auto& l = left_[static_cast<std::size_t>(i)];
    const auto& r = right_[static_cast<std::size_t>(i)];
    if (l.rows() != p_ || l.cols() != r_ || r.rows() != q_ || r.cols() != r_)
      throw InvalidArgument("range tree: factor pair " + std::to_string(i) + " has shape " + std::to_string(l.rows()) +
                            "x" + std::to_string(l.cols()) + ", " + std::to_string(r.rows()) + "x" +
                            std::to_string(r.cols()) + "; expected " + std::to_string(p_) + "x" + std::to_string(r_) +
                            ", " + std::to_string(q_) + "x" + std::to_string(r_));
    if (!allFinite(l) || !allFinite(r))
      throw InvalidArgument("range tree: factor pair " + std::to_string(i) + " has a NaN or infinite entry");
  }
  while (leaves_ < m_) leaves_ *= 2;
  // Nodes hold 2·leaves p×q matrices (plus prefix sums): refuse what cannot fit rather
  // than die in the allocator. 4 GiB is far beyond any interactive use.
  const double bytes = 3.0 * leaves_ * static_cast<double>(p_) * q_ * sizeof(float);
  if (bytes > 4.0 * 1024 * 1024 * 1024)
    throw InvalidArgument("range tree: " + std::to_string(static_cast<long long>(bytes / (1 << 20))) +
                          " MiB of node matrices is more than the 4096 MiB allowed");
  nodes_.assign(static_cast<std::size_t>(2 * leaves_), Eigen::MatrixXf());
  for (int i = 0; i < leaves_; ++i) {
    auto& leaf = nodes_[static_cast<std::size_t>(leaves_ + i)];
    if (i < m_) {
      leaf.noalias() = left_[static_cast<std::size_t>(i)] * right_[static_cast<std::size_t>(i)].transpose();
    } else {
      leaf = Eigen::MatrixXf::Zero(p_, q_);
    }
  }
  for (int k = leaves_ - 1; k >= 1; --k)
    nodes_[static_cast<std::size_t>(k)] =
        nodes_[static_cast<std::size_t>(2 * k)] + nodes_[static_cast<std::size_t>(2 * k + 1)];
}

void LowRankRangeTree::update(int i, Eigen::MatrixXf left, Eigen::MatrixXf right) {
  if (i < 0 || i >= m_)
    throw InvalidArgument("range tree update: index " + std::to_string(i) + " outside [0, " + std::to_string(m_ - 1) +
                          "]");
  if (left.rows() != p_ || left.cols() != r_ || right.rows() != q_ || right.cols() != r_)
    throw InvalidArgument("range tree update: factor shapes differ from the tree's");
  if (!allFinite(left) || !allFinite(right)) throw InvalidArgument("range tree update: NaN or infinite entry");
  left_[static_cast<std::size_t>(i)] = std::move(left);
  right_[static_cast<std::size_t>(i)] = std::move(right);
  int k = leaves_ + i;
  nodes_[static_cast<std::size_t>(k)].noalias() =
      left_[static_cast<std::size_t>(i)] * right_[static_cast<std::size_t>(i)].transpose();
  for (k /= 2; k >= 1; k /= 2)
    nodes_[static_cast<std::size_t>(k)] =
        nodes_[static_cast<std::size_t>(2 * k)] + nodes_[static_cast<std::size_t>(2 * k + 1)];
  prefixStale_ = true;
}

std::pair<int, int> LowRankRangeTree::nodeRange(int id) const {
  if (id < 1 || id >= 2 * leaves_) throw InvalidArgument("range tree: no node " + std::to_string(id));
  int first = id, last = id;
  while (first < leaves_) {
    first *= 2;
    last = 2 * last + 1;
  }
  return {first - leaves_, std::min(last - leaves_, m_ - 1)};
}

void LowRankRangeTree::rebuildPrefixSums() const {
  prefix_.assign(static_cast<std::size_t>(m_ + 1), Eigen::MatrixXf());
  prefix_[0] = Eigen::MatrixXf::Zero(p_, q_);
  for (int i = 0; i < m_; ++i)
    prefix_[static_cast<std::size_t>(i + 1)] =
        prefix_[static_cast<std::size_t>(i)] + nodes_[static_cast<std::size_t>(leaves_ + i)];
  prefixStale_ = false;
}

// [SECTION] Queries

void LowRankRangeTree::validateQuery(int l, int h, const Eigen::MatrixXf& x) const {
  if (l < 0 || h >= m_ || l > h)
    throw InvalidArgument("range query: need 0 <= l <= r <= " + std::to_string(m_ - 1) +
                          ", got l = " + std::to_string(l) + ", r = " + std::to_string(h));
  if (x.rows() != q_)
    throw InvalidArgument("range query: X has " + std::to_string(x.rows()) + " rows, the factors have " +
                          std::to_string(q_));
  if (x.cols() == 0) throw InvalidArgument("range query: X has no columns");
  if (!x.allFinite()) throw InvalidArgument("range query: X has a NaN or infinite entry");
}

QueryPlan LowRankRangeTree::plan(int l, int h, int n, const CostModel& costs) const {
  QueryPlan plan;
  plan.l = l;
  plan.h = h;
  for (int lo = l + leaves_, hi = h + leaves_ + 1; lo < hi; lo /= 2, hi /= 2) {
    if (lo & 1) plan.nodes.push_back(lo++);
    if (hi & 1) plan.nodes.push_back(--hi);
  }
  std::sort(plan.nodes.begin(), plan.nodes.end(),
            [&](int a, int b) { return nodeRange(a).first < nodeRange(b).first; });
  for (int id : plan.nodes) plan.nodeRanges.push_back(nodeRange(id));

  const double k = static_cast<double>(plan.nodes.size());
  const double pq = static_cast<double>(p_) * q_;
  const double length = static_cast<double>(h - l + 1);
  const double mac = costs.secondsPerMultiplyAdd, add = costs.secondsPerAdd, call = costs.secondsPerCall;
  // Accumulating GEMMs (y += M X) fuse the sum into the product, so tree and fly pay no
  // separate additions.
  plan.predictedSeconds[static_cast<int>(Strategy::Tree)] = k * (pq * n * mac + call);
  plan.predictedSeconds[static_cast<int>(Strategy::SumThenMultiply)] =
      std::ceil((k - 1) / 4.0) * 2.0 * pq * add + pq * n * mac + 2 * call;
  plan.predictedSeconds[static_cast<int>(Strategy::OnTheFly)] =
      length * ((static_cast<double>(q_) + p_) * r_ * n * mac + 2 * call);
  plan.predictedSeconds[static_cast<int>(Strategy::PrefixSums)] =
      (prefixStale_ ? static_cast<double>(m_) * pq * add + m_ * call : 0.0) + pq * add + pq * n * mac + 2 * call;
  plan.chosen = static_cast<Strategy>(std::min_element(plan.predictedSeconds.begin(), plan.predictedSeconds.end()) -
                                      plan.predictedSeconds.begin());
  return plan;
}

Eigen::MatrixXf LowRankRangeTree::query(int l, int h, const Eigen::MatrixXf& x, Strategy strategy) const {
  return query(l, h, x, strategy, CostModel{}, nullptr);
}

Eigen::MatrixXf LowRankRangeTree::query(int l, int h, const Eigen::MatrixXf& x, std::optional<Strategy> strategy,
                                        const CostModel& costs, QueryTrace* trace) const {
  validateQuery(l, h, x);
  const QueryPlan plan = this->plan(l, h, static_cast<int>(x.cols()), costs);
  const Strategy used = strategy.value_or(plan.chosen);
  const auto begin = std::chrono::steady_clock::now();
  Eigen::MatrixXf y = Eigen::MatrixXf::Zero(p_, x.cols());
  switch (used) {
    case Strategy::Tree:
      for (int id : plan.nodes) y.noalias() += nodes_[static_cast<std::size_t>(id)] * x;
      break;
    case Strategy::SumThenMultiply: {
      // Four nodes per pass over memory: Eigen fuses the chained sum into one loop.
      const auto node = [&](std::size_t i) -> const Eigen::MatrixXf& {
        return nodes_[static_cast<std::size_t>(plan.nodes[i])];
      };
      const std::size_t k = plan.nodes.size();
      Eigen::MatrixXf sum = node(0);
      std::size_t i = 1;
      for (; i + 3 < k; i += 4) sum += node(i) + node(i + 1) + node(i + 2) + node(i + 3);
      for (; i < k; ++i) sum += node(i);
      y.noalias() = sum * x;
      break;
    }
    case Strategy::OnTheFly: {
      Eigen::MatrixXf projected(r_, x.cols());
      for (int i = l; i <= h; ++i) {
        projected.noalias() = right_[static_cast<std::size_t>(i)].transpose() * x;
        y.noalias() += left_[static_cast<std::size_t>(i)] * projected;
      }
      break;
    }
    case Strategy::PrefixSums: {
      if (prefixStale_) rebuildPrefixSums();
      const Eigen::MatrixXf difference =
          prefix_[static_cast<std::size_t>(h + 1)] - prefix_[static_cast<std::size_t>(l)];
      y.noalias() = difference * x;
      break;
    }
  }
  if (trace) {
    trace->plan = plan;
    trace->used = used;
    trace->measuredSeconds = secondsSince(begin);
  }
  return y;
}

// [SECTION] Reference and the tensor tree

Eigen::MatrixXd referenceRangeQuery(const std::vector<Eigen::MatrixXf>& left, const std::vector<Eigen::MatrixXf>& right,
                                    int l, int h, const Eigen::MatrixXf& x) {
  const Eigen::MatrixXd xd = x.cast<double>();
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(left.at(0).rows(), x.cols());
  for (int i = l; i <= h; ++i) {
    const Eigen::MatrixXd projected = right.at(static_cast<std::size_t>(i)).cast<double>().transpose() * xd;
    y.noalias() += left.at(static_cast<std::size_t>(i)).cast<double>() * projected;
  }
  return y;
}

Eigen::MatrixXf khatriRao(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) {
  if (a.cols() != b.cols()) throw InvalidArgument("Khatri–Rao product: factors have different column counts");
  Eigen::MatrixXf out(a.rows() * b.rows(), a.cols());
  for (Eigen::Index col = 0; col < a.cols(); ++col) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) out.col(col).segment(i * b.rows(), b.rows()) = a(i, col) * b.col(col);
  }
  return out;
}

LowRankRangeTree makeTensorRangeTree(const std::vector<Eigen::MatrixXf>& a, const std::vector<Eigen::MatrixXf>& b,
                                     const std::vector<Eigen::MatrixXf>& c) {
  if (a.size() != b.size() || a.size() != c.size()) throw InvalidArgument("tensor tree: A, B and C differ in count");
  std::vector<Eigen::MatrixXf> left;
  left.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].rows() != b[i].rows() || a[i].rows() != c[i].rows() || a[i].cols() != b[i].cols() ||
        a[i].cols() != c[i].cols())
      throw InvalidArgument("tensor tree: A, B and C of entry " + std::to_string(i) + " must all be d×r");
    left.push_back(khatriRao(a[i], b[i]));
  }
  return LowRankRangeTree(std::move(left), c);
}

}  // namespace rankflow::lowrank
