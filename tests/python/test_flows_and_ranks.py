"""info, feasible, svals, fields and sample against the CLI and NumPy on fresh random inputs;
inputs read in place; bad input named; the GIL released during work."""
import threading
import time

import numpy as np
import pytest

import rankflow
from rankflow import _rankflow

from conftest import run_cli, run_cli_json


def test_info_names_the_backends():
    info = rankflow.info()
    assert info["version"] == rankflow.__version__
    assert info["cpu"].startswith("CPU")
    assert isinstance(info["cuda_available"], bool)
    if not info["cuda_available"]:
        assert info["cuda_reason"]


@pytest.mark.parametrize("ranks", [[2, 1, 5], [1, 1, 1], [3, 2, 1], [0, 0, 1], [2, 2, 2, 2]])
def test_feasible_answers_as_the_cli(ranks):
    ours = rankflow.feasible(ranks)
    cli = run_cli_json("feasible", ",".join(map(str, ranks)), "--json")
    assert ours["verdict"] == cli["verdict"]
    assert ours["reason"] == cli["reason"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_svals_match_numpy_and_read_the_batch_in_place(rng, dtype):
    batch = rng.standard_normal((6, 7, 5)).astype(dtype)
    batch[2] = np.outer(rng.standard_normal(7), rng.standard_normal(5))  # rank 1
    values, ranks, backend = rankflow.svals(batch)
    assert _rankflow._last_input_address() == batch.ctypes.data  # not copied
    expected = np.linalg.svd(batch.astype(np.float64), compute_uv=False)
    tolerance = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(values, expected, atol=tolerance * expected.max())
    assert ranks.dtype == np.int32
    assert list(ranks) == [5, 5, 1, 5, 5, 5]
    assert backend


def test_svals_copy_what_is_not_contiguous_and_refuse_what_is_not_a_batch(rng):
    wide = rng.standard_normal((4, 5, 12))
    view = wide[:, :, ::2]  # not contiguous: converted (copied) first
    values, _, _ = rankflow.svals(view)
    assert _rankflow._last_input_address() != wide.ctypes.data
    np.testing.assert_allclose(values, np.linalg.svd(view, compute_uv=False), atol=1e-10)
    with pytest.raises(ValueError, match=r"batch: expected shape \(B, m, n\)"):
        rankflow.svals(np.ones((3, 3)))
    with pytest.raises(ValueError, match="batch: expected numbers"):
        rankflow.svals(np.array([[["a"]]]))
    bad = np.ones((2, 3, 3))
    bad[1, 2, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        rankflow.svals(bad)


def test_fields_equal_the_cli_and_read_the_points_in_place(rng, tmp_path):
    data = rng.standard_normal((300, 2)).astype(np.float32)
    points = rng.standard_normal((57, 2)).astype(np.float32)
    np.save(tmp_path / "data.npy", data)
    np.save(tmp_path / "points.npy", points)
    for kind, order in [("marginal", 3), ("lagrangian", 3)]:
        ours = rankflow.fields(data, points, 0.63, order=order, kind=kind, schedule="trig", backend="cpu")
        assert _rankflow._last_input_address() == points.ctypes.data
        run_cli("flow", "field", "--data-file", tmp_path / "data.npy", "--points", tmp_path / "points.npy", "--t",
                0.63, "--order", order, "--kind", kind, "--schedule", "trig", "--backend", "cpu", "--out",
                tmp_path / "f.npy")
        cli = np.load(tmp_path / "f.npy")
        assert ours.shape == cli.shape == (57, order + 1, 2)
        np.testing.assert_array_equal(ours, cli.astype(np.float32))


def test_fields_refuse_bad_input_naming_the_argument(rng):
    data = rng.standard_normal((10, 2)).astype(np.float32)
    with pytest.raises(ValueError, match=r"points: expected shape \(N, 2\)"):
        rankflow.fields(data, np.ones((4, 3)), 0.5)
    with pytest.raises(ValueError, match="schedule"):
        rankflow.fields(data, data, 0.5, schedule="sideways")
    with pytest.raises(ValueError):
        rankflow.fields(data, data, 1.5)
    nan = data.copy()
    nan[3, 1] = np.nan
    with pytest.raises(ValueError):
        rankflow.fields(nan, data, 0.5)


def test_sample_takes_euler_steps_along_the_fields(rng):
    data = rng.standard_normal((200, 2)).astype(np.float32)
    start = rng.standard_normal((40, 2)).astype(np.float32)
    out = rankflow.sample(data, start, t0=0.0, t1=0.9, steps=3, solver="euler", log_density=True, backend="cpu")
    positions = out["positions"]
    assert positions.shape == (4, 40, 2)
    assert out["log_density"].shape == (4, 40)
    np.testing.assert_array_equal(positions[0], start)
    velocity = rankflow.fields(data, start, 0.0, order=1, backend="cpu")[:, 1]
    np.testing.assert_allclose(positions[1], start + 0.3 * velocity, rtol=1e-5, atol=1e-5)
    # log N(x; 0, I) at t = 0.
    np.testing.assert_allclose(out["log_density"][0], -np.log(2 * np.pi) - 0.5 * (start**2).sum(1), atol=1e-4)


def test_sample_reports_progress_and_a_false_answer_cancels(rng):
    data = rng.standard_normal((100, 2)).astype(np.float32)
    start = rng.standard_normal((2000, 2)).astype(np.float32)
    seen = []
    rankflow.sample(data, start, steps=20, backend="cpu", progress=lambda f: seen.append(f))
    assert seen and max(seen) == pytest.approx(1.0)
    with pytest.raises(KeyboardInterrupt):
        rankflow.sample(data, start, steps=20, backend="cpu", progress=lambda f: False)


def test_the_gil_is_released_while_the_core_works(rng):
    data = rng.standard_normal((4096, 2)).astype(np.float32)
    points = rng.standard_normal((65536, 2)).astype(np.float32)  # about 0.2 s on two cores
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    begin = time.perf_counter()
    rankflow.fields(data, points, 0.5, order=3, backend="cpu")
    end = time.perf_counter()
    done.set()
    counter.join()
    during = [t for t in ticks if begin < t < end]
    assert end - begin > 0.02, "the call was too short to tell"
    assert len(during) >= 3, f"the other thread ran {len(during)} times in {end - begin:.3f} s"
