"""Rankflow over a Dask cluster (docs/python.md, "Dask"): one call maps a Rankflow function
over many inputs, on a LocalCluster here or on a multi-node scheduler, with the same
results as the serial loop.

    from dask.distributed import Client
    import rankflow.dask
    client = Client("tcp://scheduler:8786")        # or Client(LocalCluster(n_workers=2))
    profiles = rankflow.dask.map_profiles(paths, client)
    fits = rankflow.dask.map_cascade_fits([(base, [t1, t2], [64, 32]), ...], client)
    sweeps = rankflow.dask.sweep([{"scene": "lemma1.5", "t": t} for t in (0.1, 0.5, 0.9)], client, max_rank=5)

Every worker needs rankflow installed (pip install . on each node, or a shared venv) and
the files at the same paths, as any Dask task reading files does. Results come back in the
order of the inputs; the first task that fails raises its exception here.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence, Tuple

import rankflow
import rankflow.cascade


def _profile(path: str, tolerance: float, fro: float) -> dict:
    return rankflow.lora_profile(path, tolerance=tolerance, fro=fro)


def _cascade(base: str, targets: Sequence[str], ranks: Sequence[int], exact: bool) -> dict:
    return rankflow.cascade_fit(base, targets, ranks, exact=exact)


def map_profiles(paths: Iterable[str], client, tolerance: float = 1e-6, fro: float = 0.9) -> list:
    """rankflow.lora_profile of every adapter in `paths`, one task each, in order."""
    paths = [str(p) for p in paths]
    futures = client.map(_profile, paths, tolerance=tolerance, fro=fro, pure=False)
    return client.gather(futures)


def map_cascade_fits(families: Iterable[Tuple[str, Sequence[str], Sequence[int]]], client,
                     exact: bool = False) -> list:
    """rankflow.cascade_fit of every (base, targets, ranks) family, one task each, in order."""
    families = [(str(b), [str(t) for t in ts], [int(r) for r in rs]) for b, ts, rs in families]
    futures = client.map(_cascade, [f[0] for f in families], [f[1] for f in families], [f[2] for f in families],
                         exact=exact, pure=False)
    return client.gather(futures)


def _sweep(spec, max_rank: Optional[int], schedules) -> list:
    if isinstance(spec, Mapping):
        return rankflow.cascade.sweep(max_rank=max_rank, schedules=schedules, **spec)
    return rankflow.cascade.sweep(spec, max_rank=max_rank, schedules=schedules)


def sweep(inputs: Iterable, client, *, max_rank: Optional[int] = None,
          schedules: Optional[Sequence[Sequence[int]]] = None) -> list:
    """rankflow.cascade.sweep of every input, one task each, in order.

    An input is either the targets T_0..T_K (a list of (d, d) arrays) or the keywords of a
    scene's derivative matrices: {"scene": "lemma1.5", "params": {...}, "t": 0.5, "orders": 2}
    (or "function" instead of "scene"). Every schedule r_k in 0..max_rank, or the schedules given.
    """
    specs = [dict(i) if isinstance(i, Mapping) else rankflow.cascade._matrices(i) for i in inputs]
    futures = client.map(_sweep, specs, max_rank=max_rank, schedules=schedules, pure=False)
    return client.gather(futures)
