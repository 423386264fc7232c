#!/usr/bin/env python3
"""Generate real-Keras CONTINUATION fixtures: training resumed from a saved optimizer state.

For each named case of fixtures/train/ this loads the case's ``final.h5`` (Keras' model after its
``fit``, with Keras' optimizer state in ``optimizer_weights/``), restores that optimizer state,
trains ONE more epoch on the case's own data (same batch size, ``shuffle=False``) and saves the
result as ``fixtures/train_resume/<case>/resumed.keras`` (weights + Keras' optimizer state after
the extra epoch) with a ``case.json`` (provenance, history, iterations, checks).  jkeras must turn
``final.h5`` + data into ``resumed.keras`` (io.jkeras.saving.OptimizerStateTest).

Keras 3.15.1 cannot resume from its own legacy HDF5 file with ``load_model``: a training_config
whose loss is ``"mse"`` fails to deserialize ("Could not deserialize 'keras.metrics.mse'"), and
otherwise the optimizer is built on ``model._trainable_variables`` (empty for a Sequential model),
so only ``iteration`` and ``learning_rate`` are restored and the next ``fit`` fails ("Unknown
variable").  This script records both facts per case (``keras_legacy_h5_load``) and restores the
state the way the file stores it instead: ``load_model(compile=False)``, ``compile`` with the
case's loss and the ``training_config`` optimizer, ``optimizer.build(model.trainable_variables)``
(which must give exactly the variable paths of ``optimizer_weights/weight_names``), then
``optimizer.set_weights`` with the stored values in that order.

Usage:
    KERAS_BACKEND=tensorflow .venv/bin/python tools/gen_resume_fixture.py \
        [--train fixtures/train] [--out fixtures/train_resume] [CASE ...]
"""

import argparse
import json
import os
import shlex
import shutil
import sys
import tempfile

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

tf.config.experimental.enable_op_determinism()

DEFAULT_CASES = ["opt_adam", "opt_adam_amsgrad", "opt_adamw", "opt_sgd_momentum", "opt_rmsprop_centered",
                 "opt_rmsprop_momentum", "opt_adagrad", "sched_cosine"]


def first_line(e):
    return "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else "")


def decode(a):
    return a.decode("utf8") if isinstance(a, bytes) else a


def legacy_h5_load_facts(final_h5, x, y, batch_size):
    """What keras.models.load_model does with Keras' own final.h5 (the script does not rely on it)."""
    facts = {}
    try:
        keras.models.load_model(final_h5)
        facts["load_model"] = "ok"
    except Exception as e:  # noqa: BLE001 - record whatever Keras raises
        facts["load_model"] = first_line(e)
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, "renamed_loss.h5")
        shutil.copy(final_h5, p)
        with h5py.File(p, "r+") as f:
            tc = json.loads(decode(f.attrs["training_config"]))
            if tc.get("loss") in ("mse", "mae"):
                tc["loss"] = {"mse": "mean_squared_error", "mae": "mean_absolute_error"}[tc["loss"]]
            f.attrs["training_config"] = json.dumps(tc).encode("utf8")
            stored = len(f["optimizer_weights"].attrs["weight_names"])
        try:
            m = keras.models.load_model(p)
            facts["with_loss_spelled_out"] = {
                "optimizer_variables_stored": stored,
                "optimizer_variables_after_load": [v.path for v in m.optimizer.variables],
            }
            try:
                m.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
                facts["with_loss_spelled_out"]["fit"] = "ok"
            except Exception as e:  # noqa: BLE001
                facts["with_loss_spelled_out"]["fit"] = first_line(e)
        except Exception as e:  # noqa: BLE001
            facts["with_loss_spelled_out"] = first_line(e)
    return facts


def run_case(name, train_dir, out_dir, command):
    src = os.path.join(train_dir, name)
    case = json.load(open(os.path.join(src, "case.json")))
    if case.get("validation", "none") != "none" or case.get("callbacks"):
        raise SystemExit("%s: only cases without validation and callbacks are supported" % name)
    x = [np.load(os.path.join(src, d["file"])) for d in case["data"]["x"]]
    y = [np.load(os.path.join(src, d["file"])) for d in case["data"]["y"]]
    xs, ys = (x[0] if len(x) == 1 else x), (y[0] if len(y) == 1 else y)
    final_h5 = os.path.join(src, "final.h5")
    bs = case["batch_size"]

    keras.backend.clear_session()
    facts = legacy_h5_load_facts(final_h5, xs, ys, bs)

    keras.backend.clear_session()
    model = keras.models.load_model(final_h5, compile=False)
    with h5py.File(final_h5, "r") as f:
        tc = json.loads(decode(f.attrs["training_config"]))
        names = [decode(n) for n in f["optimizer_weights"].attrs["weight_names"]]
        stored = [np.asarray(f["optimizer_weights"][n]) for n in names]
    optimizer_config = json.loads(json.dumps(tc["optimizer_config"]))  # deserialize() modifies its argument
    optimizer = keras.optimizers.deserialize(tc["optimizer_config"])
    model.compile(optimizer=optimizer, loss=tc["loss"] if tc["loss"] not in ("mse", "mae") else
                  {"mse": "mean_squared_error", "mae": "mean_absolute_error"}[tc["loss"]],
                  loss_weights=tc.get("loss_weights"), jit_compile=False, run_eagerly=False)
    optimizer.build(model.trainable_variables)
    paths = [v.path for v in optimizer.variables]
    checks = {"optimizer_variable_paths_equal_stored_weight_names": paths == names}
    if paths != names:
        raise SystemExit("%s: optimizer variables %s differ from the stored %s" % (name, paths, names))
    optimizer.set_weights(stored)
    checks["restored_optimizer_variables_equal_stored"] = all(
        np.array_equal(np.asarray(v), s) for v, s in zip(optimizer.variables, stored))
    checks["restored_iterations_equal_case_iterations"] = int(optimizer.iterations.numpy()) == case["iterations"]
    iterations_before = int(optimizer.iterations.numpy())
    weights_before = [np.asarray(v.numpy()).copy() for v in model.weights]

    hist = model.fit(xs, ys, batch_size=bs, epochs=1, shuffle=False, verbose=0)
    iterations_after = int(optimizer.iterations.numpy())
    checks["iterations_advanced_by_steps_per_epoch"] = iterations_after - iterations_before == len(
        case["samples"]["train_batch_sizes"])
    checks["weights_changed"] = any(not np.array_equal(a, np.asarray(v.numpy()))
                                    for a, v in zip(weights_before, model.weights))

    d = os.path.join(out_dir, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    # .keras first: in Keras 3.15.1 a legacy .h5 save drops the optimizer from later compile_configs
    model.save(os.path.join(d, "resumed.keras"))
    info = {
        "name": name,
        "description": "fixtures/train/%s/final.h5 (Keras' model and optimizer state after %d iterations) trained one more"
                       " epoch by Keras on the same data" % (name, iterations_before),
        "provenance": {
            "generator": "tools/gen_resume_fixture.py",
            "command": command,
            "keras_version": keras.__version__,
            "tensorflow_version": tf.__version__,
            "numpy_version": np.__version__,
            "h5py_version": h5py.__version__,
            "backend": keras.backend.backend(),
            "op_determinism": True,
        },
        "source": "fixtures/train/%s" % name,
        "data": {"x": ["../../train/%s/%s" % (name, d_["file"]) for d_ in case["data"]["x"]],
                 "y": ["../../train/%s/%s" % (name, d_["file"]) for d_ in case["data"]["y"]]},
        "loss": tc["loss"],
        "optimizer": optimizer_config,
        "epochs": 1,
        "batch_size": bs,
        "shuffle": False,
        "iterations_before": iterations_before,
        "iterations_after": iterations_after,
        "history": {k: [float(v) for v in vals] for k, vals in hist.history.items()},
        "optimizer_variables": [{"path": v.path, "shape": list(v.shape)} for v in optimizer.variables],
        "weights": [{"path": v.path, "shape": list(v.shape), "trainable": bool(v.trainable)} for v in model.weights],
        "checks": checks,
        "keras_legacy_h5_load": facts,
        "files": ["resumed.keras", "case.json"],
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(info, f, indent=1, sort_keys=False)
        f.write("\n")
    bad = [k for k, v in checks.items() if v is not True]
    print("%-22s iterations %d -> %d, loss %.6f%s" % (name, iterations_before, iterations_after,
                                                      info["history"]["loss"][0],
                                                      "  FAILED CHECKS %s" % bad if bad else ""))
    return not bad


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", default="fixtures/train")
    ap.add_argument("--out", default="fixtures/train_resume")
    ap.add_argument("cases", nargs="*", default=DEFAULT_CASES)
    a = ap.parse_args(argv)
    command = "KERAS_BACKEND=tensorflow .venv/bin/python tools/gen_resume_fixture.py" + (
        " " + " ".join(shlex.quote(c) for c in a.cases) if a.cases != DEFAULT_CASES else "")
    ok = all([run_case(c, a.train, a.out, command) for c in a.cases])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
