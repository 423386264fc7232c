#!/usr/bin/env python3
"""Writes fixtures/zoo_dot/: a Keras-computed reference for the keras-zoo file with Dot layers that Keras 3 loads.

The zoo has no stored outputs for dot-res-lstm/dot_res_lstm_weights/dot_res_lstm-01-0.45.hdf5 (Keras 2.2.4,
a Functional residual-attention graph: two LSTMs, five Dot layers, Concatenate, Activation). Keras 3.15.1
loads it, but computes hard_sigmoid as Keras 3 does (clip(x/6 + 1/2)), while the file was trained with
Keras 2.2.4's hard_sigmoid (clip(0.2x + 1/2)), which jkeras applies for a file of that writer version. So
this script loads the file with Keras 3.15.1, sets the LSTM cells' recurrent activation to Keras 2's
hard_sigmoid (the only change), and predicts on seeded inputs; dropout is inactive at inference.

    KERAS_BACKEND=tensorflow .venv/bin/python tools/gen_zoo_dot_reference.py --zoo ../shared/keras-zoo \
        --out fixtures/zoo_dot

Writes x<i>.npy (one per model input, batch 2) float32, y0.npy, case.json (file, versions, command). Deterministic (seed 1401).
"""
import argparse
import json
import os
import sys

import numpy as np

FILE = "dot-res-lstm/dot_res_lstm_weights/dot_res_lstm-01-0.45.hdf5"


def parse_args(default_out):
    """--zoo and --out; sets the TensorFlow backend and deterministic ops before Keras is imported."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--zoo", default="../shared/keras-zoo")
    ap.add_argument("--out", default=default_out)
    a = ap.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    return a


def predict_and_write(model, seed, out, case):
    """Predicts on seeded N(0,1) inputs (batch 2) and writes x<i>.npy, y0.npy and case.json (plus versions)."""
    import keras
    import tensorflow as tf
    rng = np.random.default_rng(seed)
    xs = [rng.normal(0.0, 1.0, size=(2,) + tuple(t.shape[1:])).astype(np.float32) for t in model.inputs]
    y = np.asarray(model.predict(xs, verbose=0), dtype=np.float32)
    os.makedirs(out, exist_ok=True)
    for i, x in enumerate(xs):
        np.save(os.path.join(out, "x%d.npy" % i), x)
    np.save(os.path.join(out, "y0.npy"), y)
    case = dict(case, n_inputs=len(xs), input_names=[t.name for t in model.inputs], atol=1e-5,
                keras_version=keras.__version__, tensorflow_version=tf.__version__, numpy_version=np.__version__,
                command=" ".join([os.path.join("tools", os.path.basename(sys.argv[0]))] + sys.argv[1:]))
    with open(os.path.join(out, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
        f.write("\n")


def main():
    a = parse_args("fixtures/zoo_dot")
    import keras
    from keras import ops

    model = keras.models.load_model(os.path.join(a.zoo, FILE), compile=False)

    def keras2_hard_sigmoid(x):  # keras 2.2.4 backend/tensorflow_backend.py hard_sigmoid
        return ops.clip(0.2 * x + 0.5, 0.0, 1.0)

    changed = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.LSTM):
            layer.cell.recurrent_activation = keras2_hard_sigmoid
            changed.append(layer.name)
    predict_and_write(model, 1401, a.out, {"zoo_file": FILE,
                                           "recurrent_activation_set_to_keras2_hard_sigmoid": changed})


if __name__ == "__main__":
    main()
