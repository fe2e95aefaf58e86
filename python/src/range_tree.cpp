// RangeTree: low-rank range queries (docs/MATHEMATICS.md §3) from Python. The factors are
// copied into the tree (it stores them and its node sums); X and the answer cross as
// NumPy arrays, converted to Eigen's column-major layout on the way.
#include "core/lowrank/range_tree.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>

#include "core/common/error.h"
#include "python/src/arrays.h"

namespace rankflow::python {
namespace {

using Stack = nb::ndarray<const float, nb::ndim<3>, nb::c_contig, nb::device::cpu>;
using Matrix = nb::ndarray<const float, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// (m, rows, cols) C-order → m column-major matrices.
std::vector<Eigen::MatrixXf> matricesOf(const Stack& stack) {
  std::vector<Eigen::MatrixXf> out;
  const auto rows = static_cast<Eigen::Index>(stack.shape(1)), cols = static_cast<Eigen::Index>(stack.shape(2));
  for (std::size_t i = 0; i < stack.shape(0); ++i)
    out.emplace_back(Eigen::Map<const RowMajor>(stack.data() + i * rows * cols, rows, cols));
  return out;
}

Eigen::MatrixXf matrixOf(const Matrix& m) {
  return Eigen::Map<const RowMajor>(m.data(), static_cast<Eigen::Index>(m.shape(0)),
                                    static_cast<Eigen::Index>(m.shape(1)));
}

class RangeTree {
 public:
  RangeTree(const Stack& a, const Stack& b, const std::optional<Stack>& c)
      : tree_(c ? lowrank::makeTensorRangeTree(matricesOf(a), matricesOf(b), matricesOf(*c))
                : lowrank::LowRankRangeTree(matricesOf(a), matricesOf(b))) {}

  nb::tuple query(int l, int h, const Matrix& x, const std::string& strategy) const {
    const Eigen::MatrixXf columns = matrixOf(x);
    const std::optional<lowrank::Strategy> chosen = lowrank::parseStrategy(strategy);
    lowrank::QueryTrace trace;
    Eigen::MatrixXf y;
    {
      nb::gil_scoped_release released;
      y = tree_.query(l, h, columns, chosen, lowrank::CostModel::forThisMachine(), &trace);
    }
    const RowMajor rows = y;
    std::vector<float> values(rows.data(), rows.data() + rows.size());
    return nb::make_tuple(
        ownedArray(std::move(values), {static_cast<std::size_t>(y.rows()), static_cast<std::size_t>(y.cols())}),
        lowrank::strategyName(trace.used));
  }

  void update(int i, const Matrix& left, const Matrix& right) {
    if (i < 0 || i >= tree_.count())
      throw InvalidArgument("i: 0.." + std::to_string(tree_.count() - 1) + ", got " + std::to_string(i));
    tree_.update(i, matrixOf(left), matrixOf(right));
  }

  int count() const { return tree_.count(); }
  int rows() const { return tree_.rows(); }
  int cols() const { return tree_.cols(); }
  int rank() const { return tree_.rank(); }

 private:
  lowrank::LowRankRangeTree tree_;
};

}  // namespace

void registerRangeTree(nb::module_& m) {
  nb::class_<RangeTree>(m, "RangeTree",
                        "Sums L_i R_i^T X over index ranges [l, h]: A, B of shape (m, d, r) give the matrix tree "
                        "(L = A, R = B); with C, the tensor tree of Theorem 1.13 (L = A khatri-rao B, R = C).")
      .def(nb::init<const Stack&, const Stack&, const std::optional<Stack>&>(), nb::arg("a"), nb::arg("b"),
           nb::arg("c").none() = nb::none())
      .def("query", &RangeTree::query, nb::arg("l"), nb::arg("h"), nb::arg("x"), nb::arg("strategy") = "auto",
           "(sum over i = l..h of L_i R_i^T X as (p, n) float32, the strategy used); l, h 0-based inclusive; "
           "strategy: auto (the router), tree, sum, fly or prefix.")
      .def("update", &RangeTree::update, nb::arg("i"), nb::arg("left"), nb::arg("right"),
           "Replace factor pair i (left p x r, right q x r).")
      .def_prop_ro("count", &RangeTree::count)
      .def_prop_ro("rows", &RangeTree::rows)
      .def_prop_ro("cols", &RangeTree::cols)
      .def_prop_ro("rank", &RangeTree::rank);
}

}  // namespace rankflow::python
