#!/usr/bin/env python3
"""NumPy reference outputs for the ConvLSTM2D files of ../shared/keras-zoo, which carry none.

The zoo's 16 ConvLSTM2D files (dl4j-test-resources, tf.keras 2.2.4-tf) have no stored outputs, Keras 3
cannot load them (see fixtures/keras3/layers14/zoo-refused.md) and the zoo's own NumPy runner fails on
them, so this script computes an independent float64 forward pass from each file's config and weights
(read with h5py in weight_names order) with the ConvLSTM of tools/gen_layer_fixtures.py (np_convlstm,
np_conv), under Keras 2's semantics where they differ from Keras 3: hard_sigmoid is
clip(0.2·x + 0.5, 0, 1) (keras/backend/tensorflow_backend.py of Keras 2.2.4); a Bidirectional runs a
copy of the layer and one with go_backwards flipped, reverses the second's sequence and concatenates
on the last axis (keras/layers/wrappers.py, K.concatenate default axis -1, also for channels_first).
Every model is a chain of ConvLSTM2D / Bidirectional(ConvLSTM2D) layers (checked).

Writes fixtures/zoo_convlstm/<file stem>/{x0.npy, y0.npy, case.json} (input: batch 2 of N(0, 1), seed
from the file name; case.json: zoo path, its SHA-256, command, versions).

Usage: python3 tools/gen_zoo_convlstm_refs.py [--zoo ../shared/keras-zoo] [--out fixtures/zoo_convlstm]
"""

import argparse
import hashlib
import json
import os
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import h5py  # noqa: E402
import numpy as np  # noqa: E402

import gen_layer_fixtures as GL  # noqa: E402

_KERAS3_ACTIVATION = GL.np_activation


def keras2_activation(name, x):
    if name == "hard_sigmoid":
        return np.clip(0.2 * x + 0.5, 0, 1)
    return _KERAS3_ACTIVATION(name, x)


GL.np_activation = keras2_activation  # np_convlstm looks it up at call time


def convlstm(cfg, w, x):
    cf = cfg.get("data_format") == "channels_first"
    cfg = dict(cfg, use_bias=cfg.get("use_bias", True))
    xx = np.moveaxis(x, 2, -1) if cf else x
    y = GL.np_convlstm(cfg, w, xx)
    return np.moveaxis(y, -1, 2 if cfg["return_sequences"] else 1) if cf else y


def run(path):
    with h5py.File(path, "r") as f:
        mc = json.loads(f.attrs["model_config"])
        g = f["model_weights"]

        def weights(name):
            grp = g[name]
            return [np.asarray(grp[n.decode() if isinstance(n, bytes) else n], np.float64)
                    for n in grp.attrs["weight_names"]]

        layers = mc["config"]["layers"]
        shape = layers[0]["config"]["batch_input_shape"]
        seed = zlib.crc32(os.path.basename(path).encode())
        x = np.random.default_rng(seed).standard_normal([2] + shape[1:])
        y = x
        for layer in layers[1:]:
            cls, cfg, w = layer["class_name"], layer["config"], weights(layer["name"])
            if cls == "ConvLSTM2D":
                y = convlstm(cfg, w, y)
            elif cls == "Bidirectional" and cfg["layer"]["class_name"] == "ConvLSTM2D":
                assert cfg["merge_mode"] == "concat", cfg["merge_mode"]
                inner = cfg["layer"]["config"]
                half = len(w) // 2
                yf = convlstm(inner, w[:half], y)
                yb = convlstm(dict(inner, go_backwards=not inner["go_backwards"]), w[half:], y)
                if inner["return_sequences"]:
                    yb = yb[:, ::-1]
                y = np.concatenate([yf, yb], axis=-1)
            else:
                raise SystemExit(f"{path}: layer {cls} is not a ConvLSTM2D chain")
        return x.astype(np.float32), y.astype(np.float32), f.attrs["keras_version"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zoo", default="../shared/keras-zoo")
    ap.add_argument("--out", default="fixtures/zoo_convlstm")
    a = ap.parse_args()
    manifest = json.load(open(os.path.join(a.zoo, "manifest.json")))
    for e in manifest["files"]:
        if not any("ConvLSTM2D" in s for s in e.get("layers", [])):
            continue
        path = os.path.join(a.zoo, e["file"])
        x, y, version = run(path)
        stem = os.path.splitext(os.path.basename(e["file"]))[0]
        out = os.path.join(a.out, stem)
        os.makedirs(out, exist_ok=True)
        np.save(os.path.join(out, "x0.npy"), x)
        np.save(os.path.join(out, "y0.npy"), y)
        with open(path, "rb") as fh:
            sha = hashlib.sha256(fh.read()).hexdigest()
        with open(os.path.join(out, "case.json"), "w") as f:
            json.dump({"zoo_file": e["file"], "sha256": sha, "keras_version": str(version),
                       "layers": e["layers"], "output_shape": list(y.shape), "atol": 1e-5,
                       "command": "python3 tools/gen_zoo_convlstm_refs.py",
                       "numpy": np.__version__, "h5py": h5py.__version__}, f, indent=1)
            f.write("\n")
        print(stem, x.shape, "->", y.shape)


if __name__ == "__main__":
    main()
