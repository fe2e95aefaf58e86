#!/usr/bin/env python3
"""The Python peer of `rankflow cascade-fit` (docs/PERFORMANCE.md, "Cascading a checkpoint
family"), run on the checkpoints `rankflow bench checkpoints --keep DIR` writes.

What a strong PyTorch user writes for the same fit: per 2-D weight, W = T_0; order k adds
torch.svd_lowrank(T_k - W, q=r_k + 10, niter=2) truncated to r_k (the same randomized range
finder, oversampling and power passes as Rankflow), and independent LoRA fits T_k - T_0 at
r_k; errors relative to ||T_k - T_0||_F. Timed end to end, loading included.
usage: cascade_peer.py BASE.safetensors T1.safetensors,T2.safetensors 64,32"""
import sys
import time

import torch
from safetensors.torch import load_file


def truncated(m, r):
    u, s, v = torch.svd_lowrank(m, q=min(r + 10, min(m.shape)), niter=2)
    return (u[:, :r] * s[:r]) @ v[:, :r].T


def main():
    base_path, target_paths, ranks = sys.argv[1], sys.argv[2].split(","), [int(r) for r in sys.argv[3].split(",")]
    begin = time.perf_counter()
    base = load_file(base_path)
    targets = [load_file(p) for p in target_paths]
    sums = [[0.0, 0.0, 0.0] for _ in ranks]  # cascade², independent², delta²
    for name, t0 in base.items():
        if t0.dim() != 2:
            continue
        t0 = t0.float()
        w = t0.clone()
        for k, r in enumerate(ranks):
            tk = targets[k][name].float()
            w = w + truncated(tk - w, r)
            delta = tk - t0
            independent = delta - truncated(delta, r) if k else tk - w
            sums[k][0] += float(torch.linalg.norm(tk - w)) ** 2
            sums[k][1] += float(torch.linalg.norm(independent)) ** 2
            sums[k][2] += float(torch.linalg.norm(delta)) ** 2
    seconds = time.perf_counter() - begin
    print("torch %s, %d threads: cascade fit %.2f s" % (torch.__version__, torch.get_num_threads(), seconds))
    for k, (c, i, d) in enumerate(sums):
        print("  order %d rank %d: cascade error %.4g, independent error %.4g" % (
            k + 1, ranks[k], (c / d) ** 0.5, (i / d) ** 0.5))
    return 0


if __name__ == "__main__":
    sys.exit(main())
