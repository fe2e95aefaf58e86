"""ranks, the cascade (derivative matrices, fit, evaluate, sweep) and vlfm against the CLI and
float64 NumPy references on fresh random inputs; bad input named."""
import csv
import json

import numpy as np
import pytest

import rankflow

from conftest import run_cli, run_cli_json


def random_function(rng, rows=4, cols=4, terms=2):
    """A fresh matrix function with integer rates and rational coefficients (exact rank works)."""
    entries = [[[{"c": int(rng.integers(-3, 4)), "p": int(rng.integers(0, 3)), "exp": int(rng.integers(-2, 3))}
                 for _ in range(terms)] for _ in range(cols)] for _ in range(rows)]
    return {"rows": rows, "cols": cols, "entries": entries}


def test_ranks_match_the_cli_for_scenes_and_functions(rng, tmp_path):
    ours = rankflow.ranks("lemma1.5", params={"ranks": [1, 3, 5, 2]}, exact=True, times=5)
    cli = run_cli_json("ranks", "--scene", "lemma1.5", "--param", "ranks=1,3,5,2", "--exact", "--times", "5", "--json")
    assert [o["numerical_rank"] for o in ours["orders"]] == [o["numerical_rank"] for o in cli["orders"]]
    assert [o["exact_rank"] for o in ours["orders"]] == [o["exact_rank"] for o in cli["orders"]]
    assert ours["strip"] == cli["strip"]
    assert ours["strip"][0]["ranks"][:4] == [1, 3, 5, 2]  # Lemma 1.5 at t = 0

    function = random_function(rng)
    (tmp_path / "f.json").write_text(json.dumps(function))
    from_dict = rankflow.ranks(function=function, max_order=3)
    from_file = rankflow.ranks(function=tmp_path / "f.json", max_order=3)
    cli = run_cli_json("ranks", "--function", tmp_path / "f.json", "--max-order", "3", "--json")
    for a, b, c in zip(from_dict["orders"], from_file["orders"], cli["orders"]):
        assert a["numerical_rank"] == b["numerical_rank"] == c["numerical_rank"]
        np.testing.assert_allclose(a["singular_values"], c["singular_values"], rtol=1e-9, atol=1e-12)

    with pytest.raises(ValueError, match="exactly one of scene and function"):
        rankflow.ranks("lemma1.5", function=function)
    with pytest.raises(ValueError, match="unknown"):
        rankflow.ranks("no-such-scene")
    with pytest.raises(ValueError, match="max order"):
        rankflow.ranks("lemma1.5", max_order=17)


def test_cascade_fit_matches_the_cli_and_a_float64_reference(rng):
    targets = rankflow.cascade.derivative_matrices("lemma1.5", t=0.3, orders=2)
    cli = run_cli_json("fit", "--scene", "lemma1.5", "--t", "0.3", "--ranks", "2,1", "--json")
    ours = rankflow.cascade.fit(targets, [2, 1])
    for a, b in zip(ours["orders"], cli["orders"]):
        assert a["rank"] == b["rank"]
        np.testing.assert_allclose(a["cascade_error"], b["cascade_error"], rtol=1e-6)
    # Fresh random targets: the factors rebuild W_k and its error, in float64.
    d = 12
    targets = [rng.standard_normal((d, d)).astype(np.float32) for _ in range(3)]
    fit = rankflow.cascade.fit(targets, [3, 2])
    w = fit["w"].astype(np.float64)
    np.testing.assert_allclose(w, targets[0], atol=1e-6)
    for k, order in enumerate(fit["orders"], start=1):
        w = w + fit["u"][k - 1].astype(np.float64) @ fit["v"][k - 1].astype(np.float64).T
        error = np.linalg.norm(targets[k] - w) / np.linalg.norm(targets[k])
        np.testing.assert_allclose(order["cascade_error"], error, rtol=1e-4)
    with pytest.raises(ValueError, match="one more than ranks"):
        rankflow.cascade.fit(targets, [3])
    with pytest.raises(ValueError, match="outside 0..12"):
        rankflow.cascade.fit(targets, [3, 13])


@pytest.mark.parametrize("method", ["cascade", "naive", "independent"])
@pytest.mark.parametrize("activation", ["identity", "tanh"])
def test_cascade_evaluate_matches_numpy(rng, method, activation):
    d, n, ranks = 16, 9, [3, 2]
    model = {"w": rng.standard_normal((d, d)), "u": [rng.standard_normal((d, r)) for r in ranks],
             "v": [rng.standard_normal((d, r)) for r in ranks]}
    x = rng.standard_normal((d, n))
    ys = rankflow.cascade.evaluate(model, x, method=method, activation=activation)
    act = np.tanh if activation == "tanh" else (lambda a: a)
    w = model["w"].astype(np.float32).astype(np.float64)
    x64 = x.astype(np.float32).astype(np.float64)
    u = [m.astype(np.float32).astype(np.float64) for m in model["u"]]
    v = [m.astype(np.float32).astype(np.float64) for m in model["v"]]
    expected = [act(w @ x64)]
    for k in range(len(ranks)):
        wk = w + (sum(u[j] @ v[j].T for j in range(k + 1)) if method != "independent" else u[k] @ v[k].T)
        expected.append(act(wk @ x64))
    assert len(ys) == 3
    for y, e in zip(ys, expected):
        np.testing.assert_allclose(y, e, rtol=1e-4, atol=1e-4 * np.abs(e).max())
    with pytest.raises(ValueError, match="x: needs d = 16 rows"):
        rankflow.cascade.evaluate(model, x[:5], method=method)


def test_cascade_sweep_matches_the_cli_csv(tmp_path):
    rows = rankflow.cascade.sweep(scene="lemma1.5", t=0.4, orders=2, max_rank=3)
    run_cli("sweep", "--scene", "lemma1.5", "--t", "0.4", "--orders", "2", "--max-rank", "3", "--csv",
            tmp_path / "s.csv")
    with open(tmp_path / "s.csv") as f:
        cli = list(csv.DictReader(f))
    assert len(rows) == len(cli) == 16
    for ours, theirs in zip(rows, cli):
        assert ours["ranks"] == [int(theirs["r_1"]), int(theirs["r_2"])]
        np.testing.assert_allclose(ours["mean_error"], float(theirs["mean_error"]), rtol=1e-5)
        assert ours["pareto"] == (theirs["pareto"] in ("1", "true"))
    explicit = rankflow.cascade.sweep(scene="lemma1.5", t=0.4, schedules=[[3, 1], [1, 3]])
    assert [r["ranks"] for r in explicit] == [[3, 1], [1, 3]]
    with pytest.raises(ValueError, match="exactly one of max_rank and schedules"):
        rankflow.cascade.sweep(scene="lemma1.5")


def test_vlfm_matches_the_cli(tmp_path):
    summary = run_cli_json("vlfm", "--shape", "rotating-star", "--points", "12", "--keyframes", "6", "--order", "5",
                           "--fps", "20", "--out", tmp_path, "--json")
    keyframes = np.load(tmp_path / "keyframes.npy")
    ours = rankflow.vlfm(keyframes, order=5, fps=20)
    np.testing.assert_allclose(ours["frames"], np.load(tmp_path / "frames.npy"), atol=1e-9)
    np.testing.assert_allclose(ours["jerk"], np.load(tmp_path / "jerk.npy"), atol=1e-6)
    np.testing.assert_allclose(ours["reconstruction_error"]["rms"], summary["reconstruction_error"]["rms"], rtol=1e-9)
    extrapolated = rankflow.vlfm(keyframes, order=5, fps=20, end=1.5, variant="bilinear")
    assert extrapolated["extrapolated"] and extrapolated["frames"].shape == (31, 12, 2)
    with pytest.raises(ValueError, match="exceeds the 6 keyframes"):
        rankflow.vlfm(keyframes, order=7)
    with pytest.raises(ValueError, match="expected shape"):
        rankflow.vlfm(keyframes[..., :1], order=2)
