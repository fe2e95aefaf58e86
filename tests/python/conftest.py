"""Shared by the Python tests: the rankflow executable (to compare with the CLI), fresh seeds,
and .safetensors files written here in the format's own layout."""
import json
import os
import struct
import subprocess

import numpy as np
import pytest

EXE = os.environ.get("RANKFLOW_EXE", os.path.join(os.path.dirname(__file__), "..", "..", "build", "release", "app",
                                                  "rankflow"))


def run_cli(*args):
    """The CLI's stdout; fails the test with its output when it exits non-zero."""
    done = subprocess.run([EXE, *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def run_cli_json(*args):
    return json.loads(run_cli(*args))


@pytest.fixture
def rng():
    """A fresh generator each run; the seed is printed so a failure can be replayed."""
    seed = int(os.environ.get("RANKFLOW_TEST_SEED", np.random.SeedSequence().entropy % (2**32)))
    print(f"seed {seed}")
    return np.random.default_rng(seed)


def write_safetensors(path, tensors, metadata=None):
    """float32 tensors by name, in the reference layout (header padded to 8 bytes, packed data)."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name], dtype=np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
