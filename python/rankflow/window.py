"""Your own trajectories in Rankflow, and pictures of any scene (docs/python.md, "Trajectories").

`trajectories` computes what the window shows of a model's trajectories (the PCA plane, |v|,
|a|, |j|, the deviation from straight and the straightness) in this process. `view` opens them
in the Rankflow window, and `render` draws any scene, session or trajectory file offscreen; both
run the rankflow executable, which the package carries in rankflow/bin (or RANKFLOW_EXE names).
"""
from __future__ import annotations

import json as _json
import os as _os
import shutil as _shutil
import subprocess as _subprocess
import tempfile as _tempfile
from pathlib import Path as _Path
from typing import Callable, Optional, Union

import numpy as _np

from . import _rankflow

__all__ = ["trajectories", "view", "render", "executable"]

_COLOURS = ("label", "speed", "acceleration", "jerk", "deviation")


def executable() -> str:
    """The rankflow program view and render run: $RANKFLOW_EXE, the package's bin/rankflow, or PATH's."""
    candidates = [_os.environ.get("RANKFLOW_EXE"), str(_Path(__file__).parent / "bin" / "rankflow"),
                  _shutil.which("rankflow")]
    for candidate in candidates:
        if candidate and _os.path.isfile(candidate) and _os.access(candidate, _os.X_OK):
            return candidate
    raise RuntimeError("no rankflow executable: install the package with the application (pip install . builds it) "
                       "or set RANKFLOW_EXE")


def _positions(t, name: str = "positions") -> _np.ndarray:
    a = _np.asarray(t)
    if a.ndim != 3:
        raise ValueError(f"{name}: expected shape (S+1, N, D), got {a.shape}")
    if not _np.issubdtype(a.dtype, _np.number):
        raise ValueError(f"{name}: expected numbers, got dtype {a.dtype}")
    if a.dtype == _np.float32 and a.flags.c_contiguous:
        return a  # read in place
    return _np.ascontiguousarray(a, dtype=_np.float32)


def _companions(positions, times, velocities, labels):
    frames, count = positions.shape[0], positions.shape[1]
    if times is not None:
        times = _np.ascontiguousarray(times, dtype=_np.float64)
        if times.shape != (frames,):
            raise ValueError(f"times: expected shape ({frames},), one per frame, got {times.shape}")
    if velocities is not None:
        velocities = _positions(velocities, "velocities")
        if velocities.shape != positions.shape:
            raise ValueError(f"velocities: expected the positions' shape {positions.shape}, got {velocities.shape}")
    if labels is not None:
        labels = _np.asarray(labels)
        if labels.shape != (count,):
            raise ValueError(f"labels: expected shape ({count},), one per trajectory, got {labels.shape}")
        if not _np.issubdtype(labels.dtype, _np.integer):
            raise ValueError(f"labels: expected integers, got dtype {labels.dtype}")
        labels = _np.ascontiguousarray(labels, dtype=_np.int64)
    return times, velocities, labels


def trajectories(positions, times=None, velocities=None, labels=None,
                 progress: Optional[Callable[[float], Optional[bool]]] = None) -> dict:
    """What Rankflow derives from a model's trajectories, as the window shows them.

    positions: (S+1, N, D) (float32 C-contiguous is read in place; others are converted), with
    optional times (S+1,) strictly monotonic, velocities like positions (else derived from the
    positions), labels (N,) integers. Returns {"speed", "acceleration", "jerk", "deviation":
    (S+1, N) float32 in all D; "straightness": (N,); "mean_straightness"; "projected": (S+1, N, 2)
    the drawn plane; "projection": {"identity", "mean", "components" (2, D), "variance",
    "total_variance", "explained_share"}; "times"; "derivatives": how v, a, j were obtained}.
    Bad input raises ValueError naming the argument (NaN, one frame, D = 1, mismatched shapes).
    """
    positions = _positions(positions)
    times, velocities, labels = _companions(positions, times, velocities, labels)
    return _rankflow.trajectories(positions, times, velocities, labels, progress)


def _has_display() -> bool:
    return bool(_os.environ.get("DISPLAY") or _os.environ.get("WAYLAND_DISPLAY"))


def _run(arguments) -> None:
    done = _subprocess.run([executable(), *arguments], stdout=_subprocess.PIPE, stderr=_subprocess.PIPE, text=True)
    if done.returncode == 2:
        raise ValueError(done.stderr.strip())
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip() or f"rankflow exited with {done.returncode}")


def view(positions, times=None, velocities=None, labels=None, *, colour_by: str = "label", t: float = 0.5,
         directory: Optional[Union[str, _os.PathLike]] = None, png: Optional[Union[str, _os.PathLike]] = None,
         wait: bool = False):
    """Open trajectories (S+1, N, D) in the Rankflow window; a PNG of it where there is no display.

    Writes T.npy (and times.npy, velocities.npy, labels.npy when given) and session.json into
    `directory` (a new temporary one by default), so the session can be opened again with
    `rankflow gui --session`. With a display, starts the window and returns its
    subprocess.Popen (wait=True waits for it to close and returns None). Without one, draws the
    window offscreen into `png` (default: directory/window.png) and returns that path.
    colour_by: label, speed, acceleration, jerk or deviation.
    """
    if colour_by not in _COLOURS:
        raise ValueError(f"colour_by: one of {', '.join(_COLOURS)}, got {colour_by!r}")
    if not 0.0 <= float(t) <= 1.0:
        raise ValueError(f"t: must lie in [0, 1], got {t}")
    positions = _positions(positions)
    times, velocities, labels = _companions(positions, times, velocities, labels)
    if not _np.isfinite(positions).all():
        raise ValueError("positions: hold NaN or infinite values")
    folder = _Path(directory) if directory is not None else _Path(_tempfile.mkdtemp(prefix="rankflow-view-"))
    folder.mkdir(parents=True, exist_ok=True)
    files = {"positions": folder / "T.npy"}
    _np.save(files["positions"], positions)
    for name, array in (("times", times), ("velocities", velocities), ("labels", labels)):
        if array is not None:
            files[name] = folder / f"{name}.npy"
            _np.save(files[name], array)
    session = {"format": "rankflow-session-1",
               "scene": {"name": "trajectories", "trajectories": {k: str(v.resolve()) for k, v in files.items()}},
               "view": {"t": float(t), "colour_by": colour_by}}
    session_path = folder / "session.json"
    session_path.write_text(_json.dumps(session, indent=2) + "\n")
    if _has_display():
        window = _subprocess.Popen([executable(), "gui", "--session", str(session_path)])
        if wait:
            window.wait()
            return None
        return window
    out = _Path(png) if png is not None else folder / "window.png"
    _run(["render", "--session", str(session_path), "--panel", "window", "--out", str(out)])
    return str(out)


def render(scene: Optional[str] = None, *, session: Optional[Union[str, _os.PathLike]] = None,
           trajectories: Optional[Union[str, _os.PathLike]] = None, panel: str = "flow", t: float = 0.5,
           width: int = 1280, height: int = 720, colour_by: str = "label") -> _np.ndarray:
    """A picture of Rankflow drawn offscreen (no display needed): (height, width, 4) uint8 RGBA.

    Give one of a built-in scene name, a saved session file, or a trajectory file (.npy, (S+1,
    N, D)). panel: "flow" (the scene alone), "window" (everything), or a panel name as `rankflow
    render --panel` takes it ("timeline", "ranks", ...).
    """
    given = [x is not None for x in (scene, session, trajectories)]
    if sum(given) > 1:
        raise ValueError("give one of scene, session and trajectories")
    arguments = ["render", "--panel", panel, "--width", str(int(width)), "--height", str(int(height))]
    if session is not None:
        arguments += ["--session", str(session)]
    elif trajectories is not None:
        arguments += ["--trajectories", str(trajectories), "--t", str(float(t)), "--colour-by", colour_by]
    else:
        arguments += ["--scene", scene or "default", "--t", str(float(t))]
    with _tempfile.TemporaryDirectory(prefix="rankflow-render-") as folder:
        out = _os.path.join(folder, "picture.npy")
        _run(arguments + ["--out", out])
        return _np.load(out)
