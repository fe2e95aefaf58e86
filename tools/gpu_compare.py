#!/usr/bin/env python3
"""One table from one GPU run: Rankflow's `bench device --json` beside PyTorch's numbers on
the same device (../shared/peers/torch_gpu.py's JSON, and tools/torch_extra.py's).
usage: gpu_compare.py OURS.json TORCH.json [TORCH_EXTRA.json]
Ratios are PyTorch time / our time: above 1 we are faster. Our kernel times are CUDA-event
medians on device-resident data, as PyTorch's are; end-to-end times include the copies."""
import json
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except Exception as e:  # a missing peer run still prints our half of the table
        print(f"(could not read {path}: {e})", file=sys.stderr)
        return {}


ours = load(sys.argv[1])
peer = load(sys.argv[2]) if len(sys.argv) > 2 else {}
extra = load(sys.argv[3]) if len(sys.argv) > 3 else {}
results = peer.get("results", [])


def torch_ms(prefix, includes=(), excludes=("TF32",)):
    """Fastest PyTorch result whose name starts with prefix and contains every `includes`."""
    best = None
    for r in results:
        name = r.get("name", "")
        if not name.startswith(prefix) or any(x in name for x in excludes):
            continue
        if not all(x in name for x in includes) or r.get("ms") is None:
            continue
        if best is None or r["ms"] < best[0]:
            best = (r["ms"], name)
    return best


def get(*keys):
    node = ours
    for k in keys:
        if not isinstance(node, dict) or node.get(k) is None:
            return None
        node = node[k]
    return node


def fmt(v, unit):
    return "-" if v is None else f"{v:.3g} {unit}"


def ratio(theirs, mine):
    return "-" if theirs is None or not mine else f"{theirs / mine:.2f}x"


rows = []


def row(work, mine, mine_e2e, theirs, unit, goal, peer_name=""):
    rows.append((work, fmt(mine, unit), fmt(mine_e2e, unit), fmt(theirs, unit) + (f" ({peer_name})" if peer_name else ""),
                 ratio(theirs, mine), goal))


for key, label, prefix, goal in (("svals_32", "batched svals 4096 x 32x32 f32", "4096 x rand 32x32", ">= 3x svdvals"),
                                 ("svals_64", "batched svals 2000 x 64x64 rank 20 f32", "2000 x rank-20 64x64",
                                  "<= 3 us/matrix, >= 25x our CPU")):
    t = torch_ms(prefix, includes=("(cuda)",))
    row(label, get(key, "cuda_kernel_us_per_matrix"), get(key, "cuda_end_to_end_us_per_matrix"),
        None if t is None else t[0] * 1e3 / (4096 if key == "svals_32" else 2000), "us/matrix", goal,
        "" if t is None else t[1].split(" ", 3)[-1])
cpu64 = get("svals_64", "cpu_us_per_matrix")
row("  same, our CPU path (16 cores)", cpu64, None, None, "us/matrix", "")
row("batched svals 500 x 128x128 f32", get("svals_128", "cuda_kernel_us_per_matrix"),
    get("svals_128", "cuda_end_to_end_us_per_matrix"), extra.get("svals_128_svdvals_us_per_matrix"), "us/matrix",
    "reported", "svdvals")
row("Cascade fit SVDs, 1024 x 64x64 f32 + vectors", get("fit_svd_1024", "cuda_kernel_us_per_matrix"),
    get("fit_svd_1024", "cuda_end_to_end_us_per_matrix"), extra.get("fit_svd_1024_svd_us_per_matrix"), "us/matrix",
    "reported", "svd")
row("  same, a fit's batch of 8", get("fit_svd_8", "cuda_kernel_us_per_matrix"),
    get("fit_svd_8", "cuda_end_to_end_us_per_matrix"), None, "us/matrix", "reported")
row("rank strip 2048 t x 8 orders, 64x64 f64", get("strip", "cuda_kernel_ms"), get("strip", "cuda_end_to_end_ms"),
    extra.get("strip_matrix_rank_float64_ms"), "ms", "<= 20 ms end to end", "matrix_rank f64, SVDs only")
for key, tag, goal, peer_pick in (("cascade_256", "d=256 n=4096 K=8 R=64", ">= 3x torch naive", ("naive (K+1",)),
                                  ("cascade_1024_16k", "d=1024 n=16384 K=8 R=128", "", ()),
                                  ("cascade_1024_64k", "d=1024 n=65536 K=8 R=128", ">= 1.3x torch.compile",
                                   ("compiled",))):
    t = torch_ms(tag, includes=peer_pick) if peer_pick else torch_ms(tag, excludes=("TF32", "GEMM only"))
    row(f"cascade {tag} (resident)", get(key, "resident_kernel_ms"), get(key, "resident_end_to_end_ms"),
        None if t is None else t[0], "ms", goal, "" if t is None else t[1][len(tag) + 1:])
    frac_g, frac_e = get(key, "gemm_fraction_of_cublas"), get(key, "epilogue_fraction_of_copy")
    if frac_g is not None:
        rows.append((f"  GEMM part / cuBLAS SGEMM; epilogue / copy rate", f"{frac_g:.0%}; {frac_e:.0%}", "", "", "",
                     ">= 85%; >= 80%"))
t = torch_ms("P=4096 M=4096", includes=("compiled",))
row("fields u0..u3 P=4096 M=4096 one pass", get("flow", "fields_4096x4096_kernel_ms"), get("flow", "fields_4096x4096_ms"),
    None if t is None else t[0], "ms", ">= 3x torch.compile", "torch.compile")
t = torch_ms("P=100000 M=1000 steps=100")
row("RK4 100k x 1k x 100 steps", get("flow", "rk4_100k_1k_100_kernel_ms"), get("flow", "rk4_100k_1k_100_ms"),
    None if t is None else t[0], "ms", "stay ahead", "" if t is None else "best of eager/compiled/torchdiffeq")

print(f"device: {ours.get('device')}; torch {peer.get('meta', {}).get('torch', '?')}")
print("| work | Rankflow kernel | Rankflow end to end | PyTorch best | ratio (torch / ours kernel) | goal |")
print("| --- | ---: | ---: | ---: | ---: | --- |")
for r in rows:
    print("| " + " | ".join(r) + " |")
