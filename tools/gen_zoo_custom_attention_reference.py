#!/usr/bin/env python3
"""Writes fixtures/zoo_custom_attention/: Keras-computed references for the keras-zoo file with a custom Python layer.

The zoo file electricity-forecasting/models/H_TDH_I_L3_N_model.h5 (tf.keras 2.8, no stored outputs) is a Sequential
Bidirectional(LSTM(8, return_sequences)) -> attention -> Dropout(0.1) -> Dense(1, sigmoid) on (None, 1, 15), where
`attention` is a custom class of the original repository, not registered with Keras:

    PedroOliveiraPT/Electricity-Forecasting, AttentionBiLSTM.py @ 0ded570e729b0f4b0be4e73cc5fbce24b7fa9f83
    (lines 6-34; the commit that added the model file; MIT license), used by "Final Models.py" of that commit.

`Attention` below is that class restated for Keras 3.15.1 (the original imports tf.keras 2's `keras.backend as K`,
whose tanh/dot/softmax/sum Keras 3 no longer has); every difference is commented. Its math:
e = tanh(x . W + b) with W (features, 1) and b (steps, 1), a = softmax(e) over the time axis, output x * a
(return_sequences=True) or sum_t x_t a_t.

Keras 3.15.1 cannot load the file itself (its legacy HDF5 reader does not find the tf.keras 2 'LSTM' class inside
Bidirectional: "TypeError: Could not locate class 'LSTM'"), so this script rebuilds the same graph in Keras 3 with
this class, sets every weight read from the file with h5py (by name), and predicts on seeded inputs. Dropout is
inactive at inference. The file's inputs have one time step, where softmax over time is 1 and the attention layer
passes its input through; so the script also writes two models whose attention math matters, with 6 time steps
(the file's LSTM, Dense and att_weight; a seeded att_bias of shape (6, 1)), one per return_sequences value, saved
by Keras 3.15.1 as legacy .h5 (class name 'attention') and checked by Keras reloading them.

    KERAS_BACKEND=tensorflow .venv/bin/python tools/gen_zoo_custom_attention_reference.py --zoo ../shared/keras-zoo \
        --out fixtures/zoo_custom_attention

Writes x0.npy, y0.npy (the zoo file, batch 3), steps6_<mode>.h5 with steps6_<mode>_x0.npy, steps6_<mode>_y0.npy
(mode: sequences, sum; batch 3), case.json (file, source, versions, command). Deterministic (seed 1402).
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np

FILE = "electricity-forecasting/models/H_TDH_I_L3_N_model.h5"
SOURCE = {
    "repository": "PedroOliveiraPT/Electricity-Forecasting",
    "path": "AttentionBiLSTM.py",
    "lines": "6-34",
    "commit": "0ded570e729b0f4b0be4e73cc5fbce24b7fa9f83",
    "license": "MIT",
}
STEPS = 6
BATCH = 3


def attention_class(keras):
    from keras import ops

    class Attention(keras.layers.Layer):
        """The original `attention` (AttentionBiLSTM.py lines 6-34) for Keras 3."""

        def __init__(self, return_sequences=True, **kwargs):
            self.return_sequences = return_sequences
            # as the original: kwargs (name, trainable, dtype of the saved config) are not passed on
            super().__init__()

        def build(self, input_shape):
            # same names, shapes and initializers as the original
            self.W = self.add_weight(name="att_weight", shape=(input_shape[-1], 1), initializer="normal",
                                     trainable=True)
            self.b = self.add_weight(name="att_bias", shape=(input_shape[1], 1), initializer="zeros",
                                     trainable=True)
            super().build(input_shape)

        def call(self, x):
            # K.tanh / K.dot / K.softmax / K.sum of tf.keras 2 -> keras.ops (Keras 3 has no keras.backend math);
            # K.dot of a 3-D x and a 2-D W is the matmul over x's last axis
            e = ops.tanh(ops.matmul(x, self.W) + self.b)
            a = ops.softmax(e, axis=1)
            output = x * a
            if self.return_sequences:
                return output
            return ops.sum(output, axis=1)

        def compute_output_shape(self, input_shape):
            # added: Keras 3 needs it to save the model (tf.keras 2 inferred it by tracing call)
            return tuple(input_shape) if self.return_sequences else (input_shape[0], input_shape[2])

        def get_config(self):
            config = super().get_config().copy()
            config.update({"return_sequences": self.return_sequences})
            return config

    # the class name the file holds (Python class names are not part of the saved config)
    Attention.__name__ = "attention"
    Attention.__qualname__ = "attention"
    return Attention


def read_weights(path):
    """The file's weights by 'layer/variable' (h5py; tf.keras 2 layout model_weights/<layer>/<layer>/...)."""
    out = {}
    with h5py.File(path, "r") as f:
        g = f["model_weights"]
        for layer in g.attrs["layer_names"]:
            layer = layer.decode() if isinstance(layer, bytes) else layer
            for n in g[layer].attrs["weight_names"]:
                n = n.decode() if isinstance(n, bytes) else n
                out[layer + "/" + n] = np.asarray(g[layer][n])
        config = json.loads(f.attrs["model_config"])
    return out, config


def build(keras, attention, steps, return_sequences):
    """The file's graph (AttentionBiLSTM.py create_model, cells 8, rate 0.1, features 15) in Keras 3."""
    return keras.Sequential([
        keras.Input((steps, 15)),
        keras.layers.Bidirectional(keras.layers.LSTM(8, return_sequences=True), name="bidirectional_1"),
        attention(return_sequences=return_sequences),
        keras.layers.Dropout(0.1, name="dropout_1"),
        keras.layers.Dense(1, activation="sigmoid", name="dense_3"),
    ], name="sequential_3")


def set_weights(model, w, att_bias):
    bi = model.get_layer("bidirectional_1")
    p = "bidirectional_1/bidirectional_1/"
    lstm = [p + "forward_lstm_1/lstm_cell_4/", p + "backward_lstm_1/lstm_cell_5/"]
    bi.set_weights([w[c + v + ":0"] for c in lstm for v in ("kernel", "recurrent_kernel", "bias")])
    att = [l for l in model.layers if type(l).__name__ == "attention"][0]
    att.set_weights([w["attention_1/attention_1/att_weight:0"], att_bias])
    model.get_layer("dense_3").set_weights([w["dense_3/dense_3/kernel:0"], w["dense_3/dense_3/bias:0"]])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zoo", default="../shared/keras-zoo")
    ap.add_argument("--out", default="fixtures/zoo_custom_attention")
    a = ap.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    attention = attention_class(keras)
    os.makedirs(a.out, exist_ok=True)

    w, config = read_weights(os.path.join(a.zoo, FILE))
    classes = [l["class_name"] for l in config["config"]["layers"]]
    assert classes == ["InputLayer", "Bidirectional", "attention", "Dropout", "Dense"], classes
    layers = [l["config"] for l in config["config"]["layers"]]
    lstm = layers[1]["layer"]["config"]
    assert (lstm["units"], lstm["activation"], lstm["recurrent_activation"], lstm["return_sequences"],
            layers[1]["merge_mode"]) == (8, "tanh", "sigmoid", True, "concat"), layers[1]
    assert layers[2]["return_sequences"] is True and layers[3]["rate"] == 0.1, layers[2:4]
    assert (layers[4]["units"], layers[4]["activation"]) == (1, "sigmoid"), layers[4]
    rng = np.random.default_rng(1402)

    model = build(keras, attention, 1, True)
    set_weights(model, w, w["attention_1/attention_1/att_bias:0"])
    x = rng.uniform(0.0, 1.0, size=(BATCH, 1, 15)).astype(np.float32)  # the file was trained on MinMax-scaled data
    np.save(os.path.join(a.out, "x0.npy"), x)
    np.save(os.path.join(a.out, "y0.npy"), np.asarray(model.predict(x, verbose=0), dtype=np.float32))

    steps6 = {}
    for mode, return_sequences in (("sequences", True), ("sum", False)):
        m = build(keras, attention, STEPS, return_sequences)
        set_weights(m, w, rng.normal(0.0, 1.0, size=(STEPS, 1)).astype(np.float32))
        xs = rng.uniform(0.0, 1.0, size=(BATCH, STEPS, 15)).astype(np.float32)
        y = np.asarray(m.predict(xs, verbose=0), dtype=np.float32)
        h5 = os.path.join(a.out, "steps6_%s.h5" % mode)
        m.save(h5)
        back = keras.models.load_model(h5, custom_objects={"attention": attention}, compile=False)
        err = float(np.max(np.abs(np.asarray(back.predict(xs, verbose=0)) - y)))
        assert err == 0.0, (mode, err)
        np.save(os.path.join(a.out, "steps6_%s_x0.npy" % mode), xs)
        np.save(os.path.join(a.out, "steps6_%s_y0.npy" % mode), y)
        steps6[mode] = {"model": os.path.basename(h5), "return_sequences": return_sequences,
                        "output_shape": list(y.shape), "keras_reload_max_abs_diff": err}

    case = {
        "zoo_file": FILE,
        "zoo_file_writer": "tf.keras 2.8.0 (tensorflow backend)",
        "custom_class": "attention",
        "custom_class_source": SOURCE,
        "how": "Keras 3.15.1 cannot load the zoo file (\"Could not locate class 'LSTM'\" inside Bidirectional); "
               "the graph is rebuilt in Keras 3 with the restated class and the file's weights set by name "
               "(read with h5py); inputs uniform in [0, 1)",
        "steps6": steps6,
        "steps6_note": "the file's LSTM, Dense and att_weight with a seeded att_bias (6, 1), 6 time steps, saved by "
                       "Keras 3.15.1 as legacy .h5; Keras reloads them with custom_objects and predicts the same",
        "atol": 1e-5,
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "numpy_version": np.__version__,
        "h5py_version": h5py.__version__,
        "command": " ".join(["tools/gen_zoo_custom_attention_reference.py"] + sys.argv[1:]),
    }
    with open(os.path.join(a.out, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
