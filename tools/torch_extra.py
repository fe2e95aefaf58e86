#!/usr/bin/env python3
"""PyTorch on the shapes of our GPU goals that ../shared/peers/torch_gpu.py does not cover:
torch.linalg.svdvals on 500 x 128x128 float32 (random), torch.linalg.svd (thin, with vectors)
on 1024 x 64x64 float32 (the Cascade fit's SVDs) and, for the rank strip, on 16384 64x64
float64 matrices (2048 times x 8 orders). CUDA-event medians of 10 runs after a
warm-up, written as JSON to the path given (default torch_extra.json)."""
import json
import statistics
import sys

try:
    import torch
except Exception as e:  # no torch: say so in the JSON, and leave the table to show "-"
    json.dump({"error": f"cannot import torch: {e}"}, open(sys.argv[1] if len(sys.argv) > 1 else "torch_extra.json", "w"))
    sys.exit(0)


def median_ms(fn, reps=10):
    fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return statistics.median(times)


out = {}
if torch.cuda.is_available():
    torch.backends.cuda.matmul.allow_tf32 = False
    g = torch.Generator(device="cuda")
    g.manual_seed(1)
    a128 = torch.randn(500, 128, 128, device="cuda", generator=g)
    ms = median_ms(lambda: torch.linalg.svdvals(a128))
    out["svals_128_svdvals_us_per_matrix"] = ms * 1e3 / 500
    # The Cascade fit's SVDs with vectors: torch.linalg.svd (thin) on 1024 x 64x64 float32.
    a64f = torch.randn(1024, 64, 64, device="cuda", generator=g)
    ms = median_ms(lambda: torch.linalg.svd(a64f, full_matrices=False))
    out["fit_svd_1024_svd_us_per_matrix"] = ms * 1e3 / 1024
    a64 = torch.randn(16384, 64, 64, device="cuda", dtype=torch.float64, generator=g)
    ms = median_ms(lambda: torch.linalg.matrix_rank(a64), reps=3)
    out["strip_matrix_rank_float64_ms"] = ms
else:
    out["error"] = "no CUDA device"
path = sys.argv[1] if len(sys.argv) > 1 else "torch_extra.json"
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out))
