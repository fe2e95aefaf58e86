#!/usr/bin/env python3
"""The Python peer of `rankflow lora-ranks` / `lora-resize` (docs/PERFORMANCE.md, "Real LoRA
adapters"), run on the adapter `rankflow bench lora --keep DIR` writes.

Two ways a PyTorch user profiles an adapter, each timed end to end (load + every module):
  kohya  the way kohya's resize_lora.py and PEFT's SVD utilities do it: the dense update
         scale * B @ A in float32, then torch.linalg.svd of it (U, S, Vh), per module.
  qr     what a strong user writes instead: torch.linalg.qr of B and A^T, then the singular
         values of the r x r core R_B R_A^T (Rankflow's own method), per module.
usage: lora_peer.py ADAPTER.safetensors [--mode kohya|qr|both] [--layers N] [--json]
--layers N profiles only the modules of layers 0..N-1 (the kohya way takes about a minute per
7B layer on 2 cores) and the JSON extrapolates the whole adapter's time from them."""
import argparse
import json
import re
import sys
import time

import torch
from safetensors.torch import load_file


def modules_of(tensors, layers):
    pairs = {}
    for name in tensors:
        m = re.match(r"(.*)\.lora_([AB])\.weight$", name)
        if not m:
            continue
        layer = re.search(r"\.layers\.(\d+)\.", name)
        if layers is not None and (layer is None or int(layer.group(1)) >= layers):
            continue
        pairs.setdefault(m.group(1), {})[m.group(2)] = name
    return pairs


def profile(tensors, pairs, mode, scale):
    ranks = {}
    for module, p in sorted(pairs.items()):
        a = tensors[p["A"]].float()
        b = tensors[p["B"]].float()
        if mode == "kohya":
            _, s, _ = torch.linalg.svd(scale * (b @ a), full_matrices=False)
            s = s[: a.shape[0]]
        else:
            rb = torch.linalg.qr(b, mode="r").R
            ra = torch.linalg.qr(a.T, mode="r").R
            s = torch.linalg.svdvals(scale * (rb @ ra.T))
        ranks[module] = int((s > 1e-6 * s[0]).sum())
    return ranks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("adapter")
    parser.add_argument("--mode", default="both", choices=["kohya", "qr", "both"])
    parser.add_argument("--layers", type=int, default=None)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {"torch": torch.__version__, "threads": torch.get_num_threads(), "runs": []}
    for mode in ["kohya", "qr"] if args.mode == "both" else [args.mode]:
        begin = time.perf_counter()
        tensors = load_file(args.adapter)
        loaded = time.perf_counter() - begin
        all_modules = modules_of(tensors, None)
        pairs = modules_of(tensors, args.layers)
        compute_begin = time.perf_counter()
        profile(tensors, pairs, mode, args.scale)
        compute = time.perf_counter() - compute_begin
        whole = loaded + compute * len(all_modules) / max(1, len(pairs))
        results["runs"].append({"mode": mode, "modules_profiled": len(pairs), "modules": len(all_modules),
                                "load_seconds": loaded, "compute_seconds": compute,
                                "whole_adapter_seconds": whole, "extrapolated": len(pairs) < len(all_modules)})
        del tensors
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        for r in results["runs"]:
            note = " (extrapolated from %d modules)" % r["modules_profiled"] if r["extrapolated"] else ""
            print("%-6s %4d modules: load %.2f s, profile %.2f s; whole adapter %.1f s%s" % (
                r["mode"], r["modules_profiled"], r["load_seconds"], r["compute_seconds"],
                r["whole_adapter_seconds"], note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
