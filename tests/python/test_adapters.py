"""lora_profile, lora_resize and cascade_fit: the CLI's JSON, from files written here with
fresh random factors; progress and cancel; bad arguments named."""
import numpy as np
import pytest

import rankflow

from conftest import run_cli_json, write_safetensors


def write_adapter(path, rng, r=4):
    tensors = {}
    for layer in range(2):
        for module, (out, inp) in {"q_proj": (24, 20), "v_proj": (12, 20)}.items():
            name = f"base_model.model.model.layers.{layer}.self_attn.{module}"
            tensors[name + ".lora_A.weight"] = rng.standard_normal((r, inp))
            tensors[name + ".lora_B.weight"] = rng.standard_normal((out, r))
    write_safetensors(path, tensors, {"lora_alpha": "8"})
    return tensors


def test_lora_profile_is_lora_ranks_json(rng, tmp_path):
    path = tmp_path / "adapter_model.safetensors"
    tensors = write_adapter(path, rng)
    ours = rankflow.lora_profile(path, tolerance=1e-8)
    assert ours == run_cli_json("lora-ranks", path, "--json", "--tolerance", "1e-8")
    # Against NumPy: scale 8 / 4 = 2 times B @ A.
    module = ours["modules"][0]
    name = "base_model.model." + module["module"]
    dense = 2.0 * tensors[name + ".lora_B.weight"].astype(np.float32).astype(np.float64) @ \
        tensors[name + ".lora_A.weight"].astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(module["singular_values"], np.linalg.svd(dense, compute_uv=False)[:4], rtol=1e-9)


def test_lora_resize_writes_what_the_cli_writes(rng, tmp_path):
    path = tmp_path / "adapter_model.safetensors"
    write_adapter(path, rng)
    ours = rankflow.lora_resize(path, tmp_path / "ours", budget=200)
    cli = run_cli_json("lora-resize", path, "--budget", 200, "--out", tmp_path / "cli", "--json")
    assert ours["parameters_after"] == cli["parameters_after"] <= 200
    assert (tmp_path / "ours" / "adapter_model.safetensors").read_bytes() == \
        (tmp_path / "cli" / "adapter_model.safetensors").read_bytes()
    with pytest.raises(ValueError, match="exactly one of"):
        rankflow.lora_resize(path, tmp_path / "x", rank=2, energy=0.9)
    with pytest.raises(ValueError, match="exists already"):
        rankflow.lora_resize(path, tmp_path / "ours", rank=2)
    with pytest.raises(ValueError, match="not a readable .safetensors file"):
        (tmp_path / "bad.safetensors").write_bytes(b"nonsense")
        rankflow.lora_profile(tmp_path / "bad.safetensors")


def test_cascade_fit_is_the_clis_and_exact_on_a_stepwise_low_rank_family(rng, tmp_path):
    base = {f"layers.{i}.weight": rng.standard_normal((48, 40)) for i in range(3)}
    tune1 = {k: v + rng.standard_normal((48, 3)) @ rng.standard_normal((3, 40)) for k, v in base.items()}
    tune2 = {k: v + rng.standard_normal((48, 2)) @ rng.standard_normal((2, 40)) for k, v in tune1.items()}
    paths = [tmp_path / f"t{i}.safetensors" for i in range(3)]
    for p, t in zip(paths, [base, tune1, tune2]):
        write_safetensors(p, t)
    seen = []
    ours = rankflow.cascade_fit(paths[0], paths[1:], [3, 2], out=tmp_path / "c.safetensors", progress=seen.append)
    cli = run_cli_json("cascade-fit", "--base", paths[0], "--targets", f"{paths[1]},{paths[2]}", "--ranks", "3,2",
                       "--json")
    ours.pop("seconds"), cli.pop("seconds")
    ours["base"], ours["targets"] = cli["base"], cli["targets"]
    assert ours == cli
    assert ours["orders"][1]["cascade_error"] < 1e-4 < 0.1 < ours["orders"][1]["independent_error"]
    assert len(seen) == 6 and max(seen) == pytest.approx(1.0)
    assert (tmp_path / "c.safetensors").exists()
    with pytest.raises(KeyboardInterrupt):
        rankflow.cascade_fit(paths[0], paths[1:], [3, 2], progress=lambda f: False)
    with pytest.raises(ValueError, match="give one rank per target"):
        rankflow.cascade_fit(paths[0], paths[1:], [3])
