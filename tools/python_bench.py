#!/usr/bin/env python3
"""The Python module's costs against the C++ it calls (docs/PERFORMANCE.md, "Python"), in
one run: the binding's own overhead per call, a 2-point `fields` and a `feasible`, and the
marginal fields u_0..u_3 on 4096 points x 4096 data beside `rankflow bench flow`'s C++ rate.
usage: PYTHONPATH=build/release/python python3 tools/python_bench.py [RANKFLOW_EXE]"""
import re
import subprocess
import sys
import time

import numpy as np

import rankflow
from rankflow import _rankflow


def best_per_call(fn, calls, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        begin = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - begin) / calls)
    return best


def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else "build/release/app/rankflow"
    rng = np.random.default_rng(0)
    two = rng.standard_normal((2, 2)).astype(np.float32)
    data8 = rng.standard_normal((8, 2)).astype(np.float32)
    print("binding overhead (an empty call): %.2f us" % (1e6 * best_per_call(_rankflow._last_input_address, 200000)))
    py = best_per_call(lambda: rankflow.fields(data8, two, 0.5, order=1, backend="cpu"), 20000)
    cpp = min(_rankflow._time_fields_in_cpp(data8, two, 0.5, 1, 20000) for _ in range(5))
    print("fields, 2 points x 8 data, order 1, cpu: Python %.2f us, C++ %.2f us: overhead %.2f us" %
          (1e6 * py, 1e6 * cpp, 1e6 * (py - cpp)))
    py = best_per_call(lambda: rankflow.feasible([1, 1]), 2000)
    cpp = min(_rankflow._time_feasible_in_cpp([1, 1], 2000) for _ in range(5))
    print("feasible([1, 1]): Python %.2f us, C++ %.2f us: overhead %.2f us" % (1e6 * py, 1e6 * cpp, 1e6 * (py - cpp)))
    data = rng.standard_normal((4096, 2)).astype(np.float32)
    points = rng.standard_normal((4096, 2)).astype(np.float32)
    seconds = best_per_call(lambda: rankflow.fields(data, points, 0.6, order=3, backend="cpu"), 10)
    ours = 4096 * 4096 / seconds
    out = subprocess.run([exe, "bench", "flow", "--points", "4096", "--data", "4096"], capture_output=True,
                         text=True).stdout
    cpp = float(re.search(r"marginal u_0..u_3 \(one pass\)\s+[\d.]+ ms\s+([\d.e+]+)", out).group(1))
    print("fields u_0..u_3, 4096 x 4096, cpu: Python %.3g pairs/s, C++ (bench flow) %.3g pairs/s: C++ / Python %.2f" %
          (ours, cpp, cpp / ours))
    return 0


if __name__ == "__main__":
    sys.exit(main())
