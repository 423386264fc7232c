#!/usr/bin/env python3
"""Self-check: reload every fixture's model.h5 and model.keras (and, where present,
config.json + model.weights.h5) with Keras and compare its outputs with the stored y*.npy files.
Unsupported-layer fixtures (no x/y) are only reloaded (safe_mode=False, for the Lambda layer).

Usage: KERAS_BACKEND=tensorflow python tools/check_fixtures.py [--dir fixtures/keras3]
           [--unsupported-dir fixtures/unsupported] [NAME ...]
"""
import argparse
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402

# Registers the custom layer class used by fixtures/unsupported/custom_layer, and lends rnn_layers.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_fixtures  # noqa: E402,F401
from gen_fixtures import rnn_layers  # noqa: E402


def load(d, fname, safe_mode=True):
    keras.backend.clear_session()
    if fname == "config.json":
        with open(os.path.join(d, "config.json")) as f:
            model = keras.models.model_from_json(f.read())
        model.load_weights(os.path.join(d, "model.weights.h5"))
        return model
    return keras.models.load_model(os.path.join(d, fname), compile=False, safe_mode=safe_mode)


def check_files(d, c):
    if "files" in c:
        assert sorted(c["files"]) == sorted(os.listdir(d)), (d, c["files"], os.listdir(d))


def check_weights(model, c):
    assert model.count_params() == c["total_params"], (model.count_params(), c["total_params"])
    got = [[int(s) for s in v.shape] for layer in model.layers for v in layer.weights]
    assert got == [w["shape"] for w in c["weights"]], (got, c["weights"])
    # Variable paths are not compared: Keras 3.15.1 gives a reloaded Bidirectional's inner
    # variables paths without the model/layer prefix ('forward_lstm/lstm_cell/kernel' instead
    # of 'sequential/bidirectional/forward_lstm/lstm_cell/kernel').


def check(d, fname):
    c = json.load(open(os.path.join(d, "case.json")))
    if fname == "model.h5" and "keras_h5_reload_error" in c:
        # Keras cannot rebuild this model from model.h5 (config contains keras.ops nodes):
        # confirm that it still fails the same way, then check the HDF5 *weights* by loading
        # them into the model rebuilt from model.keras.
        try:
            load(d, "model.h5")
            raise AssertionError("%s: model.h5 now reloads; drop keras_h5_reload_error" % d)
        except ValueError as e:
            got = "%s: %s" % (type(e).__name__, str(e).splitlines()[0])
            assert got == c["keras_h5_reload_error"], (d, got)
        model = load(d, "model.keras")
        for v in model.weights:
            v.assign(np.zeros(v.shape, dtype=v.dtype))
        model.load_weights(os.path.join(d, "model.h5"))
    else:
        model = load(d, fname)
    n, m, k = c["n_inputs"], c["n_outputs"], c["batches"]
    for r in rnn_layers(model):
        if r.stateful:
            r.reset_states()
    worst = 0.0
    for j in range(k):
        xs = [np.load(os.path.join(d, "x%d.npy" % (j * n + i))) for i in range(n)]
        if "input_dtypes" in c:
            assert [str(x.dtype) for x in xs] == c["input_dtypes"], (d, c["input_dtypes"])
        ys = model(xs if n > 1 else xs[0], training=False)
        ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
        assert len(ys) == m, (d, len(ys), m)
        for i, y in enumerate(ys):
            ref = np.load(os.path.join(d, "y%d.npy" % (j * m + i)))
            y = np.asarray(y, dtype=np.float32)
            assert y.shape == ref.shape, (d, y.shape, ref.shape)
            assert np.all(np.isfinite(ref)), d
            worst = max(worst, float(np.max(np.abs(y - ref))))
    check_weights(model, c)
    return worst


def case_names(d):
    if not os.path.isdir(d):
        return []
    return sorted(x for x in os.listdir(d) if os.path.isfile(os.path.join(d, x, "case.json")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="fixtures/keras3")
    ap.add_argument("--unsupported-dir", default=None,
                    help="default: 'unsupported' next to --dir")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    udir = a.unsupported_dir or os.path.join(os.path.dirname(os.path.normpath(a.dir)),
                                             "unsupported")
    names = a.names or case_names(a.dir)
    bad = 0
    n_checked = 0
    for nm in names:
        d = os.path.join(a.dir, nm)
        if not os.path.isdir(d) and os.path.isdir(os.path.join(udir, nm)):
            continue  # an unsupported case named on the command line: handled below
        check_files(d, json.load(open(os.path.join(d, "case.json"))))
        files = ["model.h5", "model.keras"]
        if os.path.isfile(os.path.join(d, "config.json")):
            files.append("config.json")
        res = []
        for f in files:
            w = check(d, f)
            res.append(w)
            bad += w > 1e-5
        n_checked += 1
        c = json.load(open(os.path.join(d, "case.json")))
        print("%-34s max|diff| h5=%.3g%s keras=%.3g%s" % (
            nm, res[0], " (weights only)" if "keras_h5_reload_error" in c else "", res[1],
            " json+weights.h5=%.3g" % res[2] if len(res) > 2 else ""))
    unames = [x for x in case_names(udir) if not a.names or x in a.names]
    for nm in unames:
        d = os.path.join(udir, nm)
        c = json.load(open(os.path.join(d, "case.json")))
        check_files(d, c)
        assert c["expect_error"] == "UnsupportedModelException", c
        for f in ("model.h5", "model.keras"):
            model = load(d, f, safe_mode=False)
            check_weights(model, c)
            assert model.get_layer(c["layer"]).__class__.__name__ == c["class"], (d, c["class"])
        n_checked += 1
        print("%-34s unsupported %s %r: h5 and keras reload (safe_mode=False)" % (
            nm, c["class"], c["layer"]))
    print("FAILED: %d" % bad if bad else "all %d cases OK" % n_checked)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
