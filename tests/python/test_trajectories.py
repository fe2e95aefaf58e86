"""rankflow.trajectories, view and render: a model's trajectories against analytic metrics and
NumPy's PCA on fresh random embeddings, the CLI's summary, bad input named, and pictures drawn
offscreen (no display needed)."""
import json
import os
import re

import numpy as np
import pytest

import rankflow
from rankflow import _rankflow

from conftest import run_cli_json

TWO_PI = 2 * np.pi


def helices(rng, frames=121, count=16, dims=3):
    """x(τ) = (cos 2πτ + c, sin 2πτ, τ/2) rotated into `dims` dimensions, on uneven times:
    |v| = √(4π² + 1/4), |a| = 4π², deviation 2π, straightness 4π² in every dimension count."""
    u = np.linspace(0, 1, frames)
    times = 0.6 * u + 0.4 * u ** 2
    c = 0.3 * rng.standard_normal(count)
    local = np.stack([np.cos(TWO_PI * times)[:, None] + c, np.broadcast_to(np.sin(TWO_PI * times)[:, None],
                                                                           (frames, count)),
                      np.broadcast_to(0.5 * times[:, None], (frames, count))], axis=-1)
    basis, _ = np.linalg.qr(rng.standard_normal((dims, 3)))
    return (local @ basis.T).astype(np.float32), times


@pytest.mark.parametrize("dims", [2, 3, 40])
def test_metrics_match_the_analytic_values_and_pca_matches_numpy(rng, dims):
    if dims == 2:
        # A plane curve: x = (τ³, τ): |a| = 6τ, |j| = 6.
        times = np.linspace(0, 1, 21)
        positions = np.stack([times ** 3, times], axis=-1)[:, None, :].repeat(3, axis=1).astype(np.float32)
        positions[:, :, 0] += rng.standard_normal(3).astype(np.float32)
        out = rankflow.trajectories(positions, times=times)
        assert out["projection"]["identity"]
        np.testing.assert_allclose(out["acceleration"], np.broadcast_to(6 * times[:, None], (21, 3)), atol=2e-3)
        np.testing.assert_allclose(out["jerk"], 6.0, atol=3e-2)
        np.testing.assert_allclose(out["projected"], positions, atol=1e-6)
        return
    positions, times = helices(rng, dims=dims)
    out = rankflow.trajectories(positions, times=times)
    assert _rankflow._last_input_address() == positions.ctypes.data  # read in place
    inner = slice(2, -2)
    np.testing.assert_allclose(out["speed"][inner], np.sqrt(TWO_PI ** 2 + 0.25), rtol=2e-3)
    np.testing.assert_allclose(out["acceleration"][inner], TWO_PI ** 2, rtol=5e-3)
    np.testing.assert_allclose(out["deviation"][inner], TWO_PI, rtol=2e-3)
    np.testing.assert_allclose(out["straightness"], TWO_PI ** 2, rtol=5e-3)
    # The drawn plane is NumPy's two leading principal directions of every position.
    flat = positions.reshape(-1, dims).astype(np.float64)
    centred = flat - flat.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred / len(flat))
    leading = eigenvectors[:, ::-1][:, :2]
    components = out["projection"]["components"]
    assert components.shape == (2, dims)
    np.testing.assert_allclose(np.abs(np.sum(components * leading.T, axis=1)), 1.0, atol=1e-3)
    np.testing.assert_allclose(out["projection"]["variance"], eigenvalues[::-1][:2], rtol=1e-3)
    np.testing.assert_allclose(out["projected"], (positions - flat.mean(axis=0)) @ components.T, atol=1e-3)


def test_given_velocities_are_used_and_match_the_cli(rng, tmp_path):
    positions, times = helices(rng, dims=5)
    velocities = np.gradient(positions, times, axis=0).astype(np.float32)
    out = rankflow.trajectories(positions, times=times, velocities=velocities)
    assert out["derivatives"].startswith("given velocities")
    np.testing.assert_allclose(out["speed"], np.linalg.norm(velocities, axis=-1), rtol=1e-5)
    np.save(tmp_path / "T.npy", positions)
    np.save(tmp_path / "times.npy", times)
    np.save(tmp_path / "V.npy", velocities)
    cli = run_cli_json("trajectories", "--trajectories", tmp_path / "T.npy", "--times", tmp_path / "times.npy",
                       "--velocities", tmp_path / "V.npy", "--json")
    np.testing.assert_allclose(cli["mean_straightness"], out["mean_straightness"], rtol=1e-6)
    # The bands' percentiles are order statistics: NumPy's "lower" method.
    np.testing.assert_allclose(cli["bands"]["acceleration"]["median"],
                               np.percentile(out["acceleration"], 50, axis=1, method="lower"), rtol=1e-4)


def test_other_dtypes_and_layouts_are_converted(rng):
    positions, times = helices(rng, dims=4)
    as_float64 = positions.astype(np.float64)
    transposed = np.ascontiguousarray(positions.transpose(1, 0, 2)).transpose(1, 0, 2)  # not C-contiguous
    reference = rankflow.trajectories(positions, times=times)
    for variant in (as_float64, transposed):
        out = rankflow.trajectories(variant, times=times)
        np.testing.assert_allclose(out["acceleration"], reference["acceleration"], rtol=1e-5)


def test_bad_input_names_the_argument(rng):
    positions, times = helices(rng, frames=11, count=4, dims=3)
    nan = positions.copy()
    nan[3, 1, 2] = np.nan
    cases = [
        (dict(positions=nan), "positions: non-finite value at frame 3, trajectory 1"),
        (dict(positions=positions[:1]), "positions: need at least 2 frames"),
        (dict(positions=positions[:, :, :1]), "positions: need D ≥ 2"),
        (dict(positions=positions[0]), "positions: expected shape (S+1, N, D)"),
        (dict(positions=positions, times=times[:-1]), "times: expected shape (11,)"),
        (dict(positions=positions, times=np.r_[times[:5], times[3], times[6:]]), "times: must be strictly"),
        (dict(positions=positions, velocities=positions[:, :3]), "velocities: expected the positions' shape"),
        (dict(positions=positions, labels=np.arange(5)), "labels: expected shape (4,)"),
        (dict(positions=positions, labels=np.linspace(0, 1, 4)), "labels: expected integers"),
        (dict(positions=positions, labels=-np.arange(4)), "labels: entry 1 is -1"),
    ]
    for arguments, message in cases:
        with pytest.raises(ValueError, match=re.escape(message)):
            rankflow.trajectories(**arguments)


def test_progress_reaches_one_and_cancel_interrupts(rng):
    positions, times = helices(rng, frames=31, count=4096, dims=8)
    seen = []
    rankflow.trajectories(positions, progress=lambda f: seen.append(f))
    assert seen and seen[-1] <= 1.0 and seen == sorted(seen)
    with pytest.raises(KeyboardInterrupt):
        rankflow.trajectories(positions, progress=lambda f: False)


def test_view_without_a_display_writes_the_session_and_a_png(rng, tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    positions, times = helices(rng, dims=6)
    labels = np.arange(positions.shape[1]) % 3
    png = rankflow.view(positions, times=times, labels=labels, colour_by="acceleration", directory=tmp_path)
    assert png == str(tmp_path / "window.png") and os.path.getsize(png) > 10_000
    session = json.loads((tmp_path / "session.json").read_text())
    assert session["scene"]["name"] == "trajectories"
    assert session["view"]["colour_by"] == "acceleration"
    np.testing.assert_array_equal(np.load(tmp_path / "labels.npy"), labels)
    # The session opens again, through the CLI, as the window would open it.
    picture = rankflow.render(session=tmp_path / "session.json", panel="timeline", width=900, height=500)
    assert picture.dtype == np.uint8 and picture.shape[2] == 4
    with pytest.raises(ValueError, match="colour_by"):
        rankflow.view(positions, colour_by="mass")


def test_render_returns_the_pixels_of_a_scene_or_a_trajectory_file(rng, tmp_path):
    picture = rankflow.render("default", t=0.8, width=320, height=180)
    assert picture.shape == (180, 320, 4) and picture.dtype == np.uint8
    assert (picture[..., :3].astype(int).sum(axis=-1) > 200).sum() > 100  # particles drawn on the dark background
    positions, _ = helices(rng, dims=3)
    np.save(tmp_path / "T.npy", positions[:, :, :2].copy())
    drawn = rankflow.render(trajectories=tmp_path / "T.npy", width=200, height=120, colour_by="speed")
    assert drawn.shape == (120, 200, 4)
    with pytest.raises(ValueError, match="not a readable .npy array"):
        (tmp_path / "bad.npy").write_bytes(b"nope")
        rankflow.render(trajectories=tmp_path / "bad.npy")
    with pytest.raises(ValueError, match="give one of"):
        rankflow.render("default", session="x.json")
