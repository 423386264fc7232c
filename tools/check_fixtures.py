#!/usr/bin/env python3
"""Self-check: reload every fixture's model.h5 and model.keras with Keras and
compare its outputs with the stored y*.npy files.

Usage: KERAS_BACKEND=tensorflow python tools/check_fixtures.py [--dir fixtures/keras3] [NAME ...]
"""
import argparse
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402


def rnn_layers(model):
    out = []

    def visit(layer):
        if isinstance(layer, L.RNN):
            out.append(layer)
        for sub in getattr(layer, "layers", []) or []:
            visit(sub)
        if isinstance(layer, L.Wrapper):
            visit(layer.layer)
    for layer in model.layers:
        visit(layer)
    return out


def check(d, fname):
    c = json.load(open(os.path.join(d, "case.json")))
    keras.backend.clear_session()
    model = keras.models.load_model(os.path.join(d, fname), compile=False)
    n, m, k = c["n_inputs"], c["n_outputs"], c["batches"]
    for r in rnn_layers(model):
        if r.stateful:
            r.reset_states()
    worst = 0.0
    for j in range(k):
        xs = [np.load(os.path.join(d, "x%d.npy" % (j * n + i))) for i in range(n)]
        ys = model(xs if n > 1 else xs[0], training=False)
        ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
        assert len(ys) == m, (d, len(ys), m)
        for i, y in enumerate(ys):
            ref = np.load(os.path.join(d, "y%d.npy" % (j * m + i)))
            y = np.asarray(y, dtype=np.float32)
            assert y.shape == ref.shape, (d, y.shape, ref.shape)
            worst = max(worst, float(np.max(np.abs(y - ref))))
    assert model.count_params() == c["total_params"]
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="fixtures/keras3")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    names = a.names or sorted(x for x in os.listdir(a.dir)
                              if os.path.isfile(os.path.join(a.dir, x, "case.json")))
    bad = 0
    for nm in names:
        d = os.path.join(a.dir, nm)
        res = []
        for f in ("model.h5", "model.keras"):
            w = check(d, f)
            res.append(w)
            bad += w > 1e-5
        print("%-34s max|diff| h5=%.3g keras=%.3g" % (nm, res[0], res[1]))
    print("FAILED: %d" % bad if bad else "all %d cases OK" % len(names))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
