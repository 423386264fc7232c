#!/usr/bin/env python3
"""Writes fixtures/bad/term/: model files whose names try to take over the terminal.

Each file is fixtures/keras3/lstm_default (model.h5 or model.keras) with the LSTM layer and the
model renamed to HOSTILE (a terminal title sequence, colours, a newline, a carriage return, a
right-to-left override, an isolate, a line separator, C1 and DEL), and in the *_activation files
also an activation name holding a clear-screen sequence and a newline (which jkeras refuses,
naming the layer). src/cli/src/test/java/io/jkeras/cli/TerminalSafetyTest.java and
fixtures/bad/cli/term.json check that no raw control character reaches the output.

    /work/venv/bin/python tools/make_term_fixtures.py [--out fixtures/bad/term]

Deterministic: h5py, json and zipfile only (no Keras).
"""
import argparse
import io
import json
import os
import shutil
import zipfile

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = os.path.join(ROOT, "fixtures", "keras3", "lstm_default")

HOSTILE = ("lstm\x1b]0;pwned\x07\x1b[31mred\x1b[0m\nsecond line\rback"
           "\u202eevil\u2066iso\u2069\u2028sep\u0085c1\x7fdel")
MODEL = "model\x1b[2J\x1b[Hcleared\n"
ACTIVATION = "tanh\x1b[2J\x1b[H\nspoofed line\u202e"


def rename(cfg, activation):
    cfg["config"]["name"] = MODEL
    for layer in cfg["config"]["layers"]:
        if layer["class_name"] == "LSTM":
            layer["config"]["name"] = HOSTILE
            if activation:
                layer["config"]["activation"] = ACTIVATION


def write_h5(out, activation):
    shutil.copyfile(os.path.join(BASE, "model.h5"), out)
    with h5py.File(out, "r+") as f:
        cfg = json.loads(f.attrs["model_config"])
        rename(cfg, activation)
        f.attrs["model_config"] = json.dumps(cfg)
        mw = f["model_weights"]
        mw.move("lstm", HOSTILE)
        names = [x.decode() if isinstance(x, bytes) else x for x in mw.attrs["layer_names"]]
        mw.attrs.create("layer_names", [HOSTILE if n == "lstm" else n for n in names],
                        dtype=h5py.string_dtype("utf-8"))


def write_keras(out, activation):
    with zipfile.ZipFile(os.path.join(BASE, "model.keras")) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "config.json":
                cfg = json.loads(data)
                rename(cfg, activation)
                data = json.dumps(cfg).encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            dst.writestr(zi, data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures", "bad", "term"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    write_h5(os.path.join(a.out, "hostile_names.h5"), False)
    write_h5(os.path.join(a.out, "hostile_activation.h5"), True)
    write_keras(os.path.join(a.out, "hostile_names.keras"), False)
    write_keras(os.path.join(a.out, "hostile_activation.keras"), True)
    for n in ("x0.npy", "y0.npy"):
        shutil.copyfile(os.path.join(BASE, n), os.path.join(a.out, n))
    print("wrote", a.out)


if __name__ == "__main__":
    main()
