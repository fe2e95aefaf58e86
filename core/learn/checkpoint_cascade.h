#pragma once
// The cascading fit of a family of checkpoints (docs/MATHEMATICS.md §1 and §7): a base T_0 and
// its successive fine-tunes T_1..T_K (or per-order networks). For every 2-D weight, W_0 = T_0
// and order k adds the best rank-r_k update of T_k − W_{k−1}; independent LoRA fits each
// T_k − T_0 on its own at the same rank. Errors are relative to the fine-tune's own delta
// ‖T_k − T_0‖_F: relative to ‖T_k‖_F they would all look like zero, the base dominating.
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/io/safetensors.h"
#include "core/lowrank/randomized_svd.h"

namespace rankflow::learn {

struct CheckpointCascadeOptions {
  std::vector<int> ranks;  // r_1..r_K, one per target
  lowrank::RandomizedSvdOptions svd = {};
  bool exactSvd = false;          // the full SVD instead of the randomized one (small tensors, tests)
  bool keepFactors = true;        // keep U_k·diag(s_k) and V_k for cascadeFactorsFile
  ProgressFn progress = nullptr;  // per tensor and order finished; false cancels (Cancelled)
};

struct CheckpointOrderFit {
  int k = 0;
  int rank = 0;
  double deltaNorm = 0.0;            // ‖T_k − T_0‖_F
  double cascadeError = 0.0;         // ‖T_k − W_k‖_F / ‖T_k − T_0‖_F (0 when the delta is 0)
  double independentError = 0.0;     // ‖T_k − T_0 − best rank-r_k of it‖_F / ‖T_k − T_0‖_F
  double cascadeResidualNorm = 0.0;  // ‖T_k − W_k‖_F
  double independentResidualNorm = 0.0;
};

struct CheckpointTensorFit {
  std::string name;
  std::vector<std::int64_t> shape;  // {rows, cols}
  std::string dtype;                // the base's
  std::vector<CheckpointOrderFit> orders;
  // Order k's update U_k·diag(s_k)·V_kᵀ as up = U_k·diag(s_k) (rows × r_k) and down = V_kᵀ (r_k × cols).
  std::vector<Eigen::MatrixXf> up, down;
};

struct CheckpointOrderTotal {
  int k = 0, rank = 0;
  double cascadeError = 0.0;  // √(Σ‖T_k − W_k‖²) / √(Σ‖T_k − T_0‖²) over every tensor
  double independentError = 0.0;
  std::int64_t parameters = 0;  // Σ r_k · (rows + cols)
};

struct CheckpointCascade {
  std::vector<CheckpointTensorFit> tensors;  // by name
  std::vector<CheckpointOrderTotal> totals;  // index k − 1
  std::vector<std::string> skipped;          // tensors that are not 2-D float weights (biases, norms, ints)
  std::int64_t denseParameters = 0;          // Σ rows · cols of the fitted tensors
  double seconds = 0.0;
};

// `names`: the files' names for messages (base first). InvalidArgument naming the tensor and
// the file when a target lacks a 2-D weight of the base, has one the base lacks, a shape
// differs, a value is NaN/inf, a rank is outside 1..min(rows, cols), the ranks are not one
// per target, or no 2-D float weight is shared at all.
CheckpointCascade cascadeCheckpoints(const io::SafeTensorsFile& base,
                                     const std::vector<const io::SafeTensorsFile*>& targets,
                                     const std::vector<std::string>& names, const CheckpointCascadeOptions& options);

// The same from files: the base and the targets read (one at a time into memory, all held
// while the fit runs), named by their paths in messages.
CheckpointCascade cascadeCheckpointFiles(const std::string& base, const std::vector<std::string>& targets,
                                         const CheckpointCascadeOptions& options);

// The factors as a checkpoint (docs/formats.md, "Cascade factors"): `<name>.cascade.<k>.up`
// and `<name>.cascade.<k>.down` in each base tensor's dtype, metadata "format" =
// "rankflow-cascade" and "ranks"; W_k = T_0 + Σ_{j≤k} up_j·down_j. InvalidArgument when the
// fit kept no factors.
io::SafeTensorsFile cascadeFactorsFile(const CheckpointCascade& fit);

}  // namespace rankflow::learn
