#!/usr/bin/env python3
"""Writes the fuzz harnesses' seed corpora, tests/fuzz/corpus/NAME/ (docs/RELIABILITY.md,
"Fuzzing"): small valid inputs of every format, and a few near misses, made here from the
formats in docs/formats.md. Standard library only.

    tests/fuzz/make_seeds.py [RANKFLOW_EXECUTABLE]

The executable (default build/release/app/rankflow) trains two tiny checkpoints for the
checkpoint corpus. Regression inputs (files named regression-*) are never touched."""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(ROOT, "corpus")


def put(name, file, data):
    d = os.path.join(CORPUS, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, file), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def npy(descr, shape, values, fortran=False, version=1):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, "True" if fortran else "False", "".join("%d," % s for s in shape) if len(shape) != 1 else "%d," % shape[0])
    prefix = 10 if version == 1 else 12
    pad = (64 - (prefix + len(header) + 1) % 64) % 64
    header = header + " " * pad + "\n"
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    fmt = {"<f4": "<%df", "<f8": "<%dd", "<i8": "<%dq", "<i4": "<%di", "|u1": "<%dB", ">f4": ">%df"}[descr]
    return b"\x93NUMPY" + bytes([version, 0]) + size + header.encode() + struct.pack(fmt % len(values), *values)


def png(width, height, channels, pixel):
    colour_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + bytes(pixel(x, y, c) for x in range(width) for c in range(channels)) for y in range(height))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def safetensors(tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    for name, (dtype, shape, values) in tensors.items():
        fmt = {"F32": "<%df", "F64": "<%dd", "F16": "<%de", "I64": "<%dq"}[dtype]
        blob = struct.pack(fmt % len(values), *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def values(n, scale=1.0, start=0):
    return [scale * (((i + start) * 37 % 19) - 9) / 9.0 for i in range(n)]


def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "..", "build", "release", "app", "rankflow")

    put("npy", "f32-3x2.npy", npy("<f4", (3, 2), values(6)))
    put("npy", "f64-2x2x2.npy", npy("<f8", (2, 2, 2), values(8)))
    put("npy", "i64-4.npy", npy("<i8", (4,), [0, 1, 2, 3]))
    put("npy", "u8-2x3.npy", npy("|u1", (2, 3), [0, 1, 2, 3, 4, 255]))
    put("npy", "big-endian-f4.npy", npy(">f4", (2, 2), values(4)))
    put("npy", "fortran-2x3.npy", npy("<f8", (2, 3), values(6), fortran=True))
    put("npy", "version-2.npy", npy("<f4", (2, 2), values(4), version=2))

    put("trajectories", "f32-3x4x2.npy", npy("<f4", (3, 4, 2), values(24)))
    put("trajectories", "f64-5x3x3.npy", npy("<f8", (5, 3, 3), values(45, 2.0)))
    put("trajectories", "one-frame.npy", npy("<f4", (1, 2, 2), values(4)))

    put("points_csv", "square.csv", "# a unit square\nx,y\n0,0\n1;0\n1   1\n0, 1\n")
    put("points_csv", "crlf.csv", "x;y\r\n-1.5e-3,+2\r\n3.25 4\r\n")
    put("points_csv", "bad-row.csv", "1,,2\n")

    put("png_density", "gray-8x8.png", png(8, 8, 1, lambda x, y, c: 255 if x < 4 else 0))
    put("png_density", "rgba-6x4.png", png(6, 4, 4, lambda x, y, c: 255 if c == 3 else (x * 40 + y * 10) % 256))
    put("png_density", "rgb-3x3.png", png(3, 3, 3, lambda x, y, c: (x + y + c) * 30))

    put("safetensors", "f32.safetensors", safetensors({"w": ("F32", [2, 3], values(6))}, {"format": "pt"}))
    put("safetensors", "mixed.safetensors", safetensors({
        "a": ("F64", [2], values(2)), "b": ("F16", [2, 2], values(4)), "n": ("I64", [3], [1, 2, 3])}))

    put("lora_adapter", "peft.safetensors", safetensors({
        "base_model.model.layers.0.q_proj.lora_A.weight": ("F32", [2, 4], values(8)),
        "base_model.model.layers.0.q_proj.lora_B.weight": ("F32", [5, 2], values(10, 0.5, 3)),
        "base_model.model.layers.1.v_proj.lora_A.weight": ("F32", [1, 4], values(4, 1.0, 7)),
        "base_model.model.layers.1.v_proj.lora_B.weight": ("F32", [3, 1], values(3, 2.0, 1))},
        {"lora_alpha": "16"}))
    put("lora_adapter", "kohya.safetensors", safetensors({
        "lora_unet_down.lora_down.weight": ("F16", [2, 3], values(6)),
        "lora_unet_down.lora_up.weight": ("F16", [4, 2], values(8, 0.25)),
        "lora_unet_down.alpha": ("F32", [], [4.0])}))

    put("lora_config", "peft.json", json.dumps({
        "peft_type": "LORA", "r": 8, "lora_alpha": 16, "use_rslora": False,
        "target_modules": ["q_proj", "v_proj"], "rank_pattern": {"layers.0.q_proj": 4},
        "alpha_pattern": {"v_proj": 32}}))
    put("lora_config", "rslora.json", '{"r": 4, "lora_alpha": 8, "use_rslora": true}')

    put("json_input", "object.json", '{"a": [1, 2.5, -3e-4, true, null, "x"], "b": {"c": {}}}')
    put("json_input", "huge-number.json", '{"rows": 1e999}')
    put("json_input", "unicode.json", '["\\u00e9\\ud83d\\ude00", "tab\\t"]')

    put("matrix_function", "formats-example.json", json.dumps({
        "rows": 2, "cols": 2,
        "entries": [[[{"c": 1, "p": 2, "exp": -1}], 3.5], [[], [{"c": 0.5, "sin": 2}, {"p": 1, "cos": 1}]]]}))
    put("matrix_function", "exact-3x2.json", json.dumps({
        "rows": 3, "cols": 2,
        "entries": [[[{"c": 1, "exp": 1}], 0], [1, [{"c": 2, "p": 3}]], [[{"c": 0.5, "exp": -2}], [{"p": 1}]]]}))

    put("keyframes", "two-squares.txt", "x,y\n0,0\n1,0\n1,1\n\n--\n0,0\n2,0\n2,2\n")
    put("keyframes", "three.txt", "0 0\n1 1\n\n--\n0 1\n1 0\n\n--\n# c\n0.5 0.5\n1 1\n")

    put("scene_parameters", "one.txt", "k=4")
    put("scene_parameters", "several.txt", "n=4,degree=3,seed=1")
    put("scene_parameters", "list.txt", "ranks=1,3,5,2")
    put("scene_parameters", "rank-list.txt", "3,2,4")

    put("session", "full.json", json.dumps({
        "format": "rankflow-session-1",
        "scene": {"name": "moons", "schedule": "linear", "solver": "rk4", "particles": 256, "seed": 2},
        "view": {"t": 0.6, "play_speed": 0.25, "camera": {"center_x": 0.0, "center_y": 0.0, "half_height": 3.0},
                 "show_particles": True, "show_trails": True, "show_arrows": True, "show_data": True,
                 "show_heatmap": False, "show_density": False, "trail_span": 0.06, "field_order": 2,
                 "field_kind": "lagrangian"},
        "panels": {"ranks": False, "queries": False, "cascade": True, "theory": False, "timeline": True,
                   "help": False, "cascade_tab": "learned"},
        "cascade": {"fit_scene": "lemma1.5", "fit_parameters": {"ranks": "4,8,12,16"}, "fit_ranks": [4, 4, 4, 4],
                    "learned_ranks": [16, 8]}}, indent=1))
    put("session", "custom.json", json.dumps({
        "scene": {"name": "custom", "particles": 64, "points": [[-1.02, 0.31], [-0.96, 0.33]], "labels": [0, 1]},
        "veiw": {}}))
    put("session", "trajectories.json", json.dumps({
        "scene": {"name": "trajectories", "trajectories": {"positions": "missing.npy"}},
        "view": {"colour_by": "acceleration"}}))

    put("gui_script", "tour.txt", "# a tour\nwait 2\nset t 0.5\nset field.order 2\nkey Space\n"
        "drag 100 100 200 150 5\nwait-idle 30\nexpect t near 0.5 0.01\nprint t\nscreenshot out.png\nquit\n")
    put("gui_script", "bad.txt", "set zzz 5\nwait 1e308\n")

    presets = os.path.join(ROOT, "..", "..", "assets", "presets", "theory")
    for name in sorted(os.listdir(presets))[:4]:
        with open(os.path.join(presets, name), "rb") as f:
            put("theory_preset", name, f.read())

    if os.access(exe, os.X_OK):
        with tempfile.TemporaryDirectory() as tmp:
            for variant in ("cascade", "separate"):
                out = os.path.join(tmp, variant + ".safetensors")
                subprocess.run([exe, "train", "--layers", "1", "--width", "4", "--frequencies", "1", "--ranks", "2,1",
                                "--steps", "2", "--adapter-steps", "1", "--batch", "16", "--adapter-batch", "16",
                                "--samples", "64", "--count", "16", "--variant", variant, "--out", out],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                with open(out, "rb") as f:
                    put("checkpoint", variant + ".safetensors", f.read())
    else:
        print("make_seeds: no executable at %s; the checkpoint corpus is left as it is" % exe, file=sys.stderr)


if __name__ == "__main__":
    main()
