"""rankflow.dask on a LocalCluster of two worker processes: the same results as the serial
loop, in the inputs' order, and a failing task's error raised here."""
import numpy as np
import pytest

import rankflow

from conftest import write_safetensors
from test_adapters import write_adapter

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_profiles_and_fits_match_the_serial_run(client, rng, tmp_path):
    import rankflow.dask

    paths = []
    for i in range(4):
        path = tmp_path / f"adapter{i}.safetensors"
        write_adapter(path, rng, r=2 + i)
        paths.append(path)
    mapped = rankflow.dask.map_profiles(paths, client)
    assert mapped == [rankflow.lora_profile(p) for p in paths]
    assert [m["summary"]["stated_rank_max"] for m in mapped] == [2, 3, 4, 5]

    base = {"w": rng.standard_normal((30, 20))}
    tune = {"w": base["w"] + rng.standard_normal((30, 2)) @ rng.standard_normal((2, 20))}
    write_safetensors(tmp_path / "b.safetensors", base)
    write_safetensors(tmp_path / "t.safetensors", tune)
    families = [(tmp_path / "b.safetensors", [tmp_path / "t.safetensors"], [r]) for r in (1, 2)]
    fits = rankflow.dask.map_cascade_fits(families, client, exact=True)
    serial = [rankflow.cascade_fit(b, t, r, exact=True) for b, t, r in families]
    for a, b in zip(fits, serial):
        a.pop("seconds"), b.pop("seconds")
        assert a == b
    assert fits[1]["orders"][0]["cascade_error"] < 1e-5 < fits[0]["orders"][0]["cascade_error"]

    with pytest.raises(ValueError, match="cannot open"):
        rankflow.dask.map_profiles([tmp_path / "missing.safetensors"], client)


def test_schedule_sweeps_match_the_serial_run(client, rng):
    import rankflow.dask

    d = 10
    random_targets = [rng.standard_normal((d, d)).astype(np.float32) for _ in range(3)]
    inputs = [{"scene": "lemma1.5", "t": t, "orders": 2} for t in (0.2, 0.7)] + [random_targets]
    swept = rankflow.dask.sweep(inputs, client, max_rank=3)
    serial = [rankflow.cascade.sweep(scene="lemma1.5", t=t, orders=2, max_rank=3) for t in (0.2, 0.7)]
    serial.append(rankflow.cascade.sweep(random_targets, max_rank=3))
    assert swept == serial
    assert [len(s) for s in swept] == [16, 16, 16]
    with pytest.raises(ValueError, match="unknown"):
        rankflow.dask.sweep([{"scene": "no-such-scene"}], client, max_rank=1)
