#!/usr/bin/env python3
"""Loads model files jkeras wrote (io.jkeras.keras.KerasWriter) with real Keras and compares
Keras' predictions with jkeras' own.

Each case directory (fixtures/saved/<case>/, written by SavedFixturesTest#generate) holds
model.h5 and model.keras (written by jkeras), inputs x*.npy, jkeras' outputs jkeras_y*.npy and
case.json (n_inputs, n_outputs, batches, stateful, optional "optimizer"). For each of the two
files this script:

  * loads it with keras.models.load_model (compile=False; with compile=True for a .keras file
    that carries an optimizer, whose variables are then compared with opt<i>.npy),
  * predicts on the inputs (batch after batch; stateful layers are reset once before batch 0,
    as tools/gen_fixtures.py does), writes Keras' outputs as keras_h5_y*.npy / keras_keras_y*.npy,
  * compares them with jkeras_y*.npy (max |diff| <= atol, default 1e-5),
  * checks that both files give Keras the same weights, bit for bit,

and writes result.json (versions, per file max |diff| and verdict). Exit status 1 if any check
fails.

Usage: KERAS_BACKEND=tensorflow python tools/check_saved.py [DIR ...]   (default: fixtures/saved/*)
"""
import json
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import h5py  # noqa: E402
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
            if getattr(layer, "backward_layer", None) is not None:
                visit(layer.backward_layer)
    for layer in model.layers:
        visit(layer)
    return out


def predict(model, d, c):
    n, m, k = c["n_inputs"], c["n_outputs"], c["batches"]
    for r in rnn_layers(model):
        if r.stateful:
            r.reset_states()
    out = []
    for j in range(k):
        xs = [np.load(os.path.join(d, "x%d.npy" % (j * n + i))) for i in range(n)]
        ys = model(xs if n > 1 else xs[0], training=False)
        ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
        assert len(ys) == m, (d, len(ys), m)
        out.extend(np.asarray(y, dtype=np.float32) for y in ys)
    return out


def check_optimizer(model, d, c):
    """The optimizer Keras rebuilt from the .keras file holds the state jkeras wrote."""
    o = c["optimizer"]
    opt = model.optimizer
    v = [np.asarray(x) for x in opt.variables]
    res = {"class_name": type(opt).__name__, "n_variables": len(v)}
    ok = type(opt).__name__ == o["class_name"] and len(v) == o["n_variables"]
    ok = ok and int(v[0]) == o["iterations"] and abs(float(v[1]) - o["learning_rate"]) < 1e-9
    worst = 0.0
    for i in range(2, len(v)):
        want = np.load(os.path.join(d, "opt%d.npy" % i))
        ok = ok and v[i].shape == want.shape
        if v[i].shape == want.shape:
            worst = max(worst, float(np.max(np.abs(v[i] - want))) if want.size else 0.0)
    res["max_abs_diff"] = worst
    res["ok"] = bool(ok and worst == 0.0)
    return res


def check_case(d):
    c = json.load(open(os.path.join(d, "case.json")))
    atol = c.get("atol", 1e-5)
    result = {"case": c["name"], "keras_version": keras.__version__, "backend": keras.backend.backend(),
              "h5py_version": h5py.__version__, "numpy_version": np.__version__, "atol": atol}
    weights = {}
    ok_all = True
    for fmt in ("h5", "keras"):
        path = os.path.join(d, "model." + fmt)
        keras.backend.clear_session()
        r = {}
        try:
            compile_ = fmt == "keras" and "optimizer" in c
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model = keras.models.load_model(path, compile=compile_)
            r["warnings"] = sorted({str(w.message).splitlines()[0] for w in caught
                                    if "optimizer" in str(w.message).lower() or "skip" in str(w.message).lower()})
            ys = predict(model, d, c)
            worst = 0.0
            for i, y in enumerate(ys):
                np.save(os.path.join(d, "keras_%s_y%d.npy" % (fmt, i)), y)
                ref = np.load(os.path.join(d, "jkeras_y%d.npy" % i))
                assert y.shape == ref.shape, (d, fmt, i, y.shape, ref.shape)
                worst = max(worst, float(np.max(np.abs(y - ref))) if ref.size else 0.0)
            r["outputs"] = len(ys)
            r["max_abs_diff_vs_jkeras"] = worst
            r["layer_names"] = [layer.name for layer in model.layers]
            r["ok"] = bool(worst <= atol) and r["layer_names"] == c["keras_layer_names"]
            weights[fmt] = [np.asarray(v) for v in model.weights]
            if compile_:
                r["optimizer"] = check_optimizer(model, d, c)
                r["ok"] = r["ok"] and r["optimizer"]["ok"]
        except Exception as e:  # noqa: BLE001 - reported in result.json
            r["ok"] = False
            r["error"] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
        result[fmt] = r
        ok_all = ok_all and r["ok"]
    same = len(weights) == 2 and len(weights["h5"]) == len(weights["keras"]) and all(
        a.shape == b.shape and a.tobytes() == b.tobytes() for a, b in zip(weights["h5"], weights["keras"]))
    result["weights_identical_h5_keras"] = bool(same)
    result["ok"] = bool(ok_all and same)
    with open(os.path.join(d, "result.json"), "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    return result


def main(argv):
    dirs = argv or sorted(os.path.join("fixtures/saved", x) for x in os.listdir("fixtures/saved")
                          if os.path.isfile(os.path.join("fixtures/saved", x, "case.json")))
    bad = 0
    for d in dirs:
        r = check_case(d)
        bad += not r["ok"]
        print("%-38s h5 %s  keras %s  weights h5==keras %s%s" % (
            os.path.basename(os.path.normpath(d)),
            "%.3g" % r["h5"]["max_abs_diff_vs_jkeras"] if "max_abs_diff_vs_jkeras" in r["h5"] else r["h5"].get("error"),
            "%.3g" % r["keras"]["max_abs_diff_vs_jkeras"] if "max_abs_diff_vs_jkeras" in r["keras"] else r["keras"].get("error"),
            r["weights_identical_h5_keras"],
            "  optimizer %s" % r["keras"]["optimizer"]["ok"] if "optimizer" in r["keras"] else ""))
    print("FAILED: %d" % bad if bad else "all %d cases OK" % len(dirs))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
