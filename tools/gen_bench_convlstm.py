#!/usr/bin/env python3
"""Write the ConvLSTM2D benchmark workload of issue 14 with real Keras 3.

Model: Input((10, 32, 32, 1)) -> ConvLSTM2D(16, (3, 3)) (Keras defaults: padding 'valid', tanh,
sigmoid), weights from a fixed seed. Writes fixtures/bench/convlstm2d/{model.h5, model.keras,
input.npy (batch 1, N(0, 1)), expected.npy (Keras' output on it), manifest.json (versions, command)}.
The bench module's Issue14Benchmark and `./jkeras bench` time it; both check the output against
expected.npy within 1e-5 first.

Usage:
    KERAS_BACKEND=tensorflow /work/venv/bin/python tools/gen_bench_convlstm.py [--out fixtures/bench/convlstm2d]
"""

import argparse
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import keras  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="fixtures/bench/convlstm2d")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    keras.utils.set_random_seed(14)
    inp = keras.Input((10, 32, 32, 1))
    out = keras.layers.ConvLSTM2D(16, (3, 3), name="conv_lstm2d")(inp)
    model = keras.Model(inp, out, name="convlstm2d_bench")
    rng = np.random.default_rng(14)
    model.set_weights([rng.uniform(-0.3, 0.3, w.shape).astype("float32") for w in model.get_weights()])
    x = rng.standard_normal((1, 10, 32, 32, 1)).astype("float32")
    y = np.asarray(model.predict(x, verbose=0)).astype("float32")
    model.save(os.path.join(a.out, "model.h5"))
    model.save(os.path.join(a.out, "model.keras"))
    np.save(os.path.join(a.out, "input.npy"), x)
    np.save(os.path.join(a.out, "expected.npy"), y)
    import tensorflow as tf
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump({"model": "Input((10, 32, 32, 1)) -> ConvLSTM2D(16, (3, 3))",
                   "keras": keras.__version__, "tensorflow": tf.__version__, "numpy": np.__version__,
                   "command": "KERAS_BACKEND=tensorflow python tools/gen_bench_convlstm.py " + " ".join(sys.argv[1:]),
                   "params": int(model.count_params()), "output_shape": list(y.shape)}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
