"""The cascading low-rank model from Python (docs/MATHEMATICS.md §1, docs/python.md "Cascade").

Order k uses W_k = W + sum_{j<=k} U_j V_j^T. `fit` finds W = T_0 and each U_k V_k^T as the
best rank-r_k fit of T_k - W_{k-1}; `evaluate` runs a model three ways (cascade, naive,
independent); `sweep` tries every rank schedule and marks the Pareto front of error against
parameters; `derivative_matrices` gives T_k = B^(k)(t) of a matrix-function scene to fit.
"""
from __future__ import annotations

import json as _json
import os as _os
from typing import Callable, Mapping, Optional, Sequence, Union

import numpy as _np

from . import _rankflow

__all__ = ["derivative_matrices", "fit", "evaluate", "sweep"]

FunctionLike = Union[str, _os.PathLike, Mapping]


def _function_text(function: Optional[FunctionLike]) -> Optional[str]:
    """A matrix function as JSON text: a dict in the format of docs/formats.md, or a file's path."""
    if function is None:
        return None
    if isinstance(function, Mapping):
        return _json.dumps(function)
    with open(function, encoding="utf-8") as f:
        return f.read()


def _params(params: Optional[Mapping]) -> dict:
    return {str(k): (",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v))
            for k, v in (params or {}).items()}


def _matrices(targets, name: str = "targets") -> list:
    out = [_np.ascontiguousarray(t, dtype=_np.float32) for t in targets]
    for k, t in enumerate(out):
        if t.ndim != 2:
            raise ValueError(f"{name}: T_{k} must be a matrix, got shape {t.shape}")
    return out


def derivative_matrices(scene: Optional[str] = None, *, function: Optional[FunctionLike] = None,
                        params: Optional[Mapping] = None, t: float = 0.5, orders: int = 2) -> list:
    """[B(t), B'(t), ..., B^(orders)(t)] of a built-in scene (with params) or a matrix function."""
    return _rankflow.derivative_matrices(scene, _params(params), _function_text(function), float(t), int(orders))


def _targets(targets, scene, function, params, t, orders):
    if targets is not None:
        if scene is not None or function is not None:
            raise ValueError("give targets, or a scene or function, not both")
        return _matrices(targets)
    return derivative_matrices(scene, function=function, params=params, t=t, orders=orders)


def fit(targets=None, ranks: Sequence[int] = (), *, scene: Optional[str] = None,
        function: Optional[FunctionLike] = None, params: Optional[Mapping] = None, t: float = 0.5) -> dict:
    """The cascading fit of T_0..T_K (or of a scene's derivative matrices at t) with ranks r_1..r_K.

    Returns `rankflow fit --json`'s fields (orders with cascade_error and independent_error,
    parameters and multiply-adds) and the model: "w" (d, d), "u" and "v" lists of (d, r_k).
    """
    ranks = [int(r) for r in ranks]
    return _rankflow.cascade_fit_matrices(_targets(targets, scene, function, params, t, len(ranks)), ranks)


def evaluate(model: Mapping, x, method: str = "cascade", activation: str = "identity") -> list:
    """[Y_0, ..., Y_K], Y_k = activation(W_k X) for X (d, n), as float32 (d, n) arrays.

    model: {"w": (d, d), "u": [(d, r_k)], "v": [(d, r_k)]} (what fit returns). method: cascade
    (one stacked product and a prefix sum), naive (every W_k formed) or independent (order k
    uses W + U_k V_k^T alone). activation: identity, tanh, relu, gelu.
    """
    return _rankflow.cascade_evaluate(_np.ascontiguousarray(model["w"], dtype=_np.float32),
                                      _matrices(model["u"], "u"), _matrices(model["v"], "v"),
                                      _np.ascontiguousarray(x, dtype=_np.float32), method, activation)


def sweep(targets=None, *, max_rank: Optional[int] = None, schedules: Optional[Sequence[Sequence[int]]] = None,
          scene: Optional[str] = None, function: Optional[FunctionLike] = None, params: Optional[Mapping] = None,
          t: float = 0.5, orders: int = 2, max_schedules: int = 200_000,
          progress: Optional[Callable[[float], Optional[bool]]] = None) -> list:
    """Every schedule r_k in 0..max_rank (or the given schedules) of the cascading fit.

    Returns one dict per schedule: ranks, errors (per order), mean_error, parameters,
    macs_per_column and pareto (no other schedule has fewer-or-equal parameters and a lower
    mean error), as `rankflow sweep` writes its CSV.
    """
    if (max_rank is None) == (schedules is None):
        raise ValueError("give exactly one of max_rank and schedules")
    matrices = _targets(targets, scene, function, params, t, orders)
    return _rankflow.cascade_sweep(matrices, int(max_rank or 0), [[int(r) for r in s] for s in (schedules or [])],
                                   int(max_schedules), progress)

