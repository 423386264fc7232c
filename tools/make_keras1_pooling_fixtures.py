#!/usr/bin/env python3
"""Writes fixtures/keras1_pooling/: Keras 1 spellings of the pooling and shape layers, converted by hand.

No real Keras 1 file in ../shared/keras-zoo uses a pooling, padding, cropping or upsampling layer, so each case
here is a Keras 3.15.1 case of fixtures/keras3/layers14 (written by real Keras, see its README) whose
model_config is rewritten as Keras 1.2.2 wrote that layer (keras 1.2.2 keras/layers/pooling.py,
keras/layers/convolutional.py get_config: pool_length/stride/border_mode for 1-D pooling,
pool_size/strides/border_mode/dim_ordering for 2-D/3-D, UpSampling1D's length, ZeroPadding2D's 4-tuple;
a Keras 1 Sequential config is a list of layers, the first with batch_input_shape), with keras_version 1.2.2
and the backend named below. The weights (none), inputs x0.npy and Keras 3's outputs y0.npy are copied
unchanged: the same layer computes the same function in both versions.

    .venv/bin/python tools/make_keras1_pooling_fixtures.py [--out fixtures/keras1_pooling]

Deterministic (h5py and json only, no Keras needed).
"""
import argparse
import json
import os
import shutil

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "fixtures", "keras3", "layers14")

# (new case, source case, backend, Keras 1 config of the one layer, without name/trainable)
CASES = [
    ("keras1_max_pool1d_pool_length_stride", "max_pool1d_valid_strides2_pool3", "tensorflow",
     "MaxPooling1D", {"pool_length": 3, "stride": 2, "border_mode": "valid"}),
    ("keras1_max_pool1d_border_mode_same", "max_pool1d_same_odd", "tensorflow",
     "MaxPooling1D", {"pool_length": None, "stride": None, "border_mode": "same"}),
    ("keras1_max_pool2d_dim_ordering_th", "max_pool2d_cf", "theano",
     "MaxPooling2D", {"pool_size": None, "strides": None, "border_mode": "valid", "dim_ordering": "th"}),
    ("keras1_avg_pool2d_same_dim_ordering_th", "avg_pool2d_same_cf", "tensorflow",
     "AveragePooling2D", {"pool_size": None, "strides": None, "border_mode": "same", "dim_ordering": "th"}),
    ("keras1_global_avg_pool2d_dim_ordering_th", "global_avg_pool2d_cf", "theano",
     "GlobalAveragePooling2D", {"dim_ordering": "th"}),
    ("keras1_upsampling1d_length", "upsampling1d", "tensorflow", "UpSampling1D", {"length": None}),
    ("keras1_zero_padding2d_four_tuple", "zero_padding2d_tuples", "tensorflow",
     "ZeroPadding2D", {"padding": None, "dim_ordering": "tf"}),
    # refused: Theano pads 'same' pooling its own way (keras 1.2.2 keras/backend/theano_backend.py pool2d)
    ("keras1_max_pool2d_same_theano_refused", "max_pool2d_same_cf", "theano",
     "MaxPooling2D", {"pool_size": None, "strides": None, "border_mode": "same", "dim_ordering": "th"}),
]
REFUSED = {"keras1_max_pool2d_same_theano_refused": {
    "exception": "UnsupportedModelException",
    "message_contains": ["max_pooling2d", "padding 'same' written by the Theano backend", "allowed: 'valid'"]}}


def keras3_layer(case):
    with h5py.File(os.path.join(SRC, case, "model.h5"), "r") as h:
        cfg = json.loads(h.attrs["model_config"])
    layers = cfg["config"]["layers"]
    assert layers[0]["class_name"] == "InputLayer" and len(layers) == 2, case
    return layers[0]["config"]["batch_shape"], layers[1]["config"]


def keras1_config(cls, spelled, k3, batch_shape):
    """The Keras 1 config: values left None are taken from the Keras 3 config under their Keras 3 name."""
    c = {"name": k3["name"], "trainable": True, "batch_input_shape": batch_shape, "input_dtype": "float32"}
    for k, v in spelled.items():
        if v is None:
            if k in ("pool_length", "length"):
                v = k3["pool_size" if k == "pool_length" else "size"]
                v = v[0] if isinstance(v, list) else v
            elif k == "stride":
                v = k3["strides"][0]
            elif k == "padding":
                (t, b), (l, r) = k3["padding"]
                v = [t, b, l, r]  # Keras 1 ZeroPadding2D (top_pad, bottom_pad, left_pad, right_pad)
            else:
                v = k3[k]
        c[k] = v
    return {"class_name": cls, "config": c}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures", "keras1_pooling"))
    a = ap.parse_args()
    for name, src, backend, cls, spelled in CASES:
        d = os.path.join(a.out, name)
        os.makedirs(d, exist_ok=True)
        batch_shape, k3 = keras3_layer(src)
        layer = keras1_config(cls, spelled, k3, batch_shape)
        shutil.copyfile(os.path.join(SRC, src, "model.h5"), os.path.join(d, "model.h5"))
        with h5py.File(os.path.join(d, "model.h5"), "r+") as h:
            h.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": [layer]})
            h.attrs["keras_version"] = "1.2.2"
            h.attrs["backend"] = backend
            mw = h["model_weights"]
            for g in list(mw.keys()):
                if g != k3["name"]:
                    del mw[g]
            mw.attrs["layer_names"] = [k3["name"].encode()]
        for f in ("x0.npy", "y0.npy"):
            shutil.copyfile(os.path.join(SRC, src, f), os.path.join(d, f))
        with open(os.path.join(SRC, src, "case.json")) as f:
            k3case = json.load(f)
        case = {
            "name": name, "n_inputs": 1, "n_outputs": 1, "batches": 1, "stateful": False,
            "atol": k3case["atol"], "total_params": 0,
            "layers": [{"class_name": cls, "name": k3["name"], "params": 0}],
            "keras1_config": layer,
            "provenance": {
                "converted_from": "fixtures/keras3/layers14/" + src,
                "how": "model_config rewritten in Keras 1.2.2 spelling by tools/make_keras1_pooling_fixtures.py; "
                       "x0.npy and y0.npy are Keras 3.15.1's, unchanged",
                "command": ".venv/bin/python tools/make_keras1_pooling_fixtures.py",
                "backend_attribute": backend,
            },
        }
        if name in REFUSED:
            case["expected_error"] = REFUSED[name]
        with open(os.path.join(d, "case.json"), "w") as f:
            json.dump(case, f, indent=1, sort_keys=True)
            f.write("\n")
    print("wrote", len(CASES), "cases to", a.out)


if __name__ == "__main__":
    main()
