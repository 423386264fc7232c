#!/usr/bin/env python3
"""Write the CNN-LSTM benchmark workloads of issue 14 with real Keras 3.

cnn_lstm: Input((100, 16)) -> Conv1D(64, 3) -> MaxPooling1D(2) -> LSTM(128) -> Dense(1);
lstm128:  Input((50, 64)) -> LSTM(128), the same LSTM alone on about the sequence the front end gives it
(the target: at batch 1 the CNN-LSTM takes at most 1.3x the time of the LSTM alone).
Weights from a fixed seed. Writes fixtures/bench/<name>/{model.h5, model.keras, input.npy (batch 1, N(0, 1)),
expected.npy (Keras' output on it), manifest.json (versions, command)}; `./jkeras bench` checks the output against
expected.npy within 1e-5 first (--input, --expected).

Usage:
    KERAS_BACKEND=tensorflow /work/venv/bin/python tools/gen_bench_cnn_lstm.py [--out fixtures/bench]
"""

import argparse
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import keras  # noqa: E402


def write(model, shape, out, seed, description):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(seed)
    model.set_weights([rng.uniform(-0.2, 0.2, w.shape).astype("float32") for w in model.get_weights()])
    x = rng.standard_normal((1,) + shape).astype("float32")
    y = np.asarray(model.predict(x, verbose=0)).astype("float32")
    model.save(os.path.join(out, "model.h5"))
    model.save(os.path.join(out, "model.keras"))
    np.save(os.path.join(out, "input.npy"), x)
    np.save(os.path.join(out, "expected.npy"), y)
    import tensorflow as tf
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"model": description, "keras": keras.__version__, "tensorflow": tf.__version__,
                   "numpy": np.__version__,
                   "command": "KERAS_BACKEND=tensorflow python tools/gen_bench_cnn_lstm.py " + " ".join(sys.argv[1:]),
                   "params": int(model.count_params()), "output_shape": list(y.shape)}, f, indent=1)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="fixtures/bench")
    a = ap.parse_args()
    keras.utils.set_random_seed(14)
    inp = keras.Input((100, 16))
    h = keras.layers.Conv1D(64, 3, activation="relu", name="conv1d")(inp)
    h = keras.layers.MaxPooling1D(2, name="max_pooling1d")(h)
    h = keras.layers.LSTM(128, name="lstm")(h)
    out = keras.layers.Dense(1, name="dense")(h)
    write(keras.Model(inp, out, name="cnn_lstm_bench"), (100, 16), os.path.join(a.out, "cnn_lstm"), 141,
          "Input((100, 16)) -> Conv1D(64, 3, relu) -> MaxPooling1D(2) -> LSTM(128) -> Dense(1)")
    inp = keras.Input((50, 64))
    out = keras.layers.LSTM(128, name="lstm")(inp)
    write(keras.Model(inp, out, name="lstm128_bench"), (50, 64), os.path.join(a.out, "lstm128"), 142,
          "Input((50, 64)) -> LSTM(128)")


if __name__ == "__main__":
    main()
