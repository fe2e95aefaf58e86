"""Rankflow from Python: the same core as the rankflow CLI and window (docs/python.md).

Arrays are NumPy arrays. A C-contiguous input of the dtype a function takes (float32 points,
float32 or float64 batches) is read in place, without a copy. Any other input is converted
first, which copies it, and a bad shape or dtype raises ValueError naming the argument. The
GIL is released while the core works, so other Python threads run meanwhile. Errors keep the
CLI's messages: ValueError for bad input, RuntimeError for anything else, and KeyboardInterrupt
when a progress callback returned False.
"""
from __future__ import annotations

import json as _json
from typing import Callable, Optional, Sequence

import numpy as _np

from . import _rankflow, cascade
from .window import executable, render, trajectories, view

__all__ = ["info", "feasible", "ranks", "svals", "fields", "sample", "vlfm", "cascade", "lora", "lora_profile", "lora_resize",
           "cascade_fit", "RangeTree", "trajectories", "view", "render", "executable"]
__version__ = _rankflow.info()["version"]


def _points(array, name: str) -> _np.ndarray:
    """(N, 2) float32, C-contiguous: the input itself when it already is, else a converted copy."""
    if type(array) is _np.ndarray and array.dtype == _np.float32 and array.ndim == 2 and array.shape[1] == 2 \
            and array.flags.c_contiguous:
        return array  # the fast path: nothing to check further, nothing to copy
    a = _np.asarray(array)
    if a.ndim != 2 or a.shape[1] != 2:
        raise ValueError(f"{name}: expected shape (N, 2), got {a.shape}")
    if not _np.issubdtype(a.dtype, _np.number):
        raise ValueError(f"{name}: expected numbers, got dtype {a.dtype}")
    return _np.ascontiguousarray(a, dtype=_np.float32)


def info() -> dict:
    """Version, the CPU backend, and whether CUDA was compiled in and a device found (or why not)."""
    return _rankflow.info()


def feasible(ranks: Sequence[int], search_limit: int = 2_000_000) -> dict:
    """Can a matrix function B(t) have rank B, rank B', ... = ranks?

    Returns {"verdict": "feasible" | "infeasible" | "unknown", "reason", "blocks", "realized"}
    as `rankflow feasible` decides it (docs/MATHEMATICS.md §2).
    """
    return _rankflow.feasible([int(r) for r in ranks], int(search_limit))


def ranks(scene: Optional[str] = None, *, function=None, params: Optional[dict] = None, max_order: int = 4,
          samples: int = 8, tolerance: Optional[float] = None, exact: bool = False, times: int = 0,
          t_min: float = 0.0, t_max: float = 1.0, backend: str = "auto") -> dict:
    """The ranks of the derivatives B^(k), k = 0..max_order, of a matrix function.

    Give a built-in scene (with params, e.g. {"ranks": [1, 3, 5, 2]}) or a matrix function: a dict
    in the format of docs/formats.md or a JSON file's path. Returns `rankflow ranks --json`'s
    fields: per order the numerical generic rank (max over `samples` random t) with the spectrum
    at that t, the Fact 1.4 / 1.7 ceilings, with exact=True the exact generic rank over GF(p),
    and with times=N the rank strip at N evenly spaced t in [t_min, t_max].
    """
    text = cascade._function_text(function)
    return _json.loads(_rankflow.ranks(scene, cascade._params(params), text, int(max_order), int(samples), tolerance,
                                       bool(exact), int(times), float(t_min), float(t_max), backend))


def vlfm(keyframes, order: int, duration: float = 1.0, fps: float = 30.0, end: Optional[float] = None,
         variant: str = "euler") -> dict:
    """The video latent flow through keyframes (N, P, 2): a HiPPO-LegS fit of order `order`.

    Keyframe tau of N is shown at t = tau * duration / N. Returns the frames at `fps` over [0,
    end] (end defaults to duration; beyond it the polynomial extrapolates): {"times", "frames",
    "velocity", "acceleration", "jerk" (F, P, 2), "extrapolated", "reconstruction_error",
    "keyframe_times"}, as `rankflow vlfm` writes them. variant: euler (needs order <= N) or bilinear.
    """
    k = _np.ascontiguousarray(keyframes, dtype=_np.float64)
    if k.ndim != 3 or k.shape[2] != 2:
        raise ValueError(f"keyframes: expected shape (N, P, 2), got {k.shape}")
    return _rankflow.vlfm(k, int(order), float(duration), float(fps), None if end is None else float(end), variant)


def svals(batch, tolerance: Optional[float] = None, backend: str = "auto"):
    """Singular values and numerical ranks of a (B, m, n) batch of matrices.

    float32 and float64 C-contiguous batches are read in place; others are converted to
    float64. Returns (singular_values (B, min(m, n)) float64 descending, ranks (B,) int32,
    backend description). The rank counts sigma_i > tolerance, by default
    sigma_max * max(m, n) * eps of the input's dtype. backend: "auto", "cpu" or "cuda".
    """
    a = _np.asarray(batch)
    if a.ndim != 3:
        raise ValueError(f"batch: expected shape (B, m, n), got {a.shape}")
    if a.dtype not in (_np.float32, _np.float64) or not a.flags.c_contiguous:
        if not _np.issubdtype(a.dtype, _np.number):
            raise ValueError(f"batch: expected numbers, got dtype {a.dtype}")
        a = _np.ascontiguousarray(a, dtype=_np.float64 if a.dtype != _np.float32 else _np.float32)
    return _rankflow.svals(a, tolerance, backend)


def fields(data, points, t: float, order: int = 1, kind: str = "marginal", schedule: str = "linear",
           backend: str = "auto") -> _np.ndarray:
    """The exact fields of the flow from N(0, I) to the points `data` (N, 2), at `points` (P, 2).

    kind "marginal": u_0..u_order (u_0 = x, u_1 the velocity, ...); "lagrangian": x, v, a, j
    along the ODE. Returns (P, order + 1, 2) float32. schedule: linear, trig, vp-cosine, cubic.
    """
    return _rankflow.fields(_points(data, "data"), _points(points, "points"), float(t), int(order), kind, schedule,
                            backend)


def sample(data, start, t0: float = 0.0, t1: float = 1.0, steps: int = 100, solver: str = "rk4",
           schedule: str = "linear", log_density: bool = False, tolerance: float = 1e-5, backend: str = "auto",
           progress: Optional[Callable[[float], Optional[bool]]] = None) -> dict:
    """Carry particles `start` (N, 2) through the flow of `data` from t0 to t1 over `steps` frames.

    solver: euler, heun, rk4, dopri5 (adaptive within each frame, `tolerance`) or taylor3.
    Returns {"positions": (S + 1, N, 2), "velocities": (S + 1, N, 2), "log_density": (S + 1, N)
    or None, "field_evaluations", "exhausted_particles"}. progress(fraction) may return False
    to stop (KeyboardInterrupt).
    """
    return _rankflow.sample(_points(data, "data"), _points(start, "start"), float(t0), float(t1), int(steps), solver,
                            schedule, bool(log_density), float(tolerance), backend, progress)


def lora_profile(path: str, tolerance: float = 1e-6, fro: float = 0.9) -> dict:
    """The rank profile of a LoRA adapter (.safetensors; PEFT or kohya; F32, F16, BF16).

    The fields of `rankflow lora-ranks --json` (docs/cli.md): per module the singular values of
    scale * B @ A, numeric rank, 90% / 99% energy ranks, rank_fro, truncation errors; by type
    and by layer; adapter_config.json beside the file sets the scales.
    """
    return _json.loads(_rankflow.lora_profile(str(path), float(tolerance), float(fro)))


def lora_resize(path: str, out: str, *, rank: Optional[int] = None, energy: Optional[float] = None,
                fro: Optional[float] = None, ratio: Optional[float] = None, cumulative: Optional[float] = None,
                budget: Optional[int] = None) -> dict:
    """Write the adapter resized by one criterion into the new directory `out`.

    Exactly one of rank, energy, fro, ratio (kohya's sv_ratio), cumulative (sv_cumulative) or
    budget (parameters in all). Returns `rankflow lora-resize --json`'s fields.
    """
    given = {k: v for k, v in dict(rank=rank, energy=energy, fro=fro, ratio=ratio, cumulative=cumulative,
                                   budget=budget).items() if v is not None}
    if len(given) != 1:
        raise ValueError("give exactly one of rank, energy, fro, ratio, cumulative and budget")
    (criterion, value), = given.items()
    return _json.loads(_rankflow.lora_resize(str(path), str(out), criterion, float(value)))


def cascade_fit(base: str, targets: Sequence[str], ranks: Sequence[int], out: Optional[str] = None,
                exact: bool = False, power_iterations: int = 2, oversampling: int = 10, seed: int = 0,
                progress: Optional[Callable[[float], Optional[bool]]] = None) -> dict:
    """The cascading fit of a checkpoint family against independent LoRA (docs/MATHEMATICS.md §7).

    base: T_0; targets: T_1..T_K (.safetensors); ranks: r_1..r_K. Returns `rankflow
    cascade-fit --json`'s fields; `out` also writes the factors.
    """
    return _json.loads(_rankflow.cascade_fit(str(base), [str(t) for t in targets], [int(r) for r in ranks],
                                             None if out is None else str(out), bool(exact), int(power_iterations),
                                             int(oversampling), int(seed), progress))


class RangeTree:
    """Low-rank range queries (docs/MATHEMATICS.md §3): sum_{i=l..h} L_i R_i^T X.

    a, b: (m, d, r) factors give the matrix tree (L = A, R = B); with c, the tensor tree of
    Theorem 1.13 (L = A ⊙ B, Khatri-Rao, p = d^2; R = C). Factors are copied into the tree as
    float32.
    """

    def __init__(self, a, b, c=None):
        stack = lambda x, name: _stack(x, name)  # noqa: E731
        self._tree = _rankflow.RangeTree(stack(a, "a"), stack(b, "b"), None if c is None else stack(c, "c"))

    def query(self, l: int, h: int, x, strategy: str = "auto"):
        """(Y (p, n) float32, the strategy used) for the 0-based inclusive range [l, h].

        strategy: "auto" (the router's cheapest predicted), "tree", "sum", "fly" or "prefix".
        """
        x = _np.ascontiguousarray(x, dtype=_np.float32)
        if x.ndim != 2:
            raise ValueError(f"x: expected shape (q, n), got {x.shape}")
        return self._tree.query(int(l), int(h), x, strategy)

    def update(self, i: int, left, right) -> None:
        """Replace factor pair i."""
        self._tree.update(int(i), _np.ascontiguousarray(left, dtype=_np.float32),
                          _np.ascontiguousarray(right, dtype=_np.float32))

    count = property(lambda self: self._tree.count, doc="m, the number of factor pairs")
    rows = property(lambda self: self._tree.rows, doc="p, the rows of each L_i")
    cols = property(lambda self: self._tree.cols, doc="q, the rows of each R_i (and of X)")
    rank = property(lambda self: self._tree.rank, doc="r")


def _stack(x, name: str) -> _np.ndarray:
    a = _np.ascontiguousarray(x, dtype=_np.float32)
    if a.ndim != 3:
        raise ValueError(f"{name}: expected shape (m, d, r), got {a.shape}")
    return a


from . import lora  # noqa: E402 (after lora_profile and lora_resize, which it names)
