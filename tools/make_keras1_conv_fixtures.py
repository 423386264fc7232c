#!/usr/bin/env python3
"""Keras 1.2.2-style convolution models converted by hand from Keras 3 fixtures (fixtures/keras1conv/).

No real Keras 1 file with Convolution2D/Convolution3D exists in ../shared/keras-zoo, so each case here takes a
real-Keras 3.15.1 case of fixtures/keras3/layers14 (its weights, x0.npy and y0.npy, unchanged) and writes the
same model as Keras 1.2.2 would have saved it:

* the config in Keras 1 spelling: Convolution2D / Convolution3D / AtrousConvolution2D with nb_filter,
  nb_row/nb_col (kernel_dim1..3 for 3-D), subsample, border_mode, atrous_rate, dim_ordering 'th'/'tf', bias,
  batch_input_shape (Keras 1.2.2 keras/layers/convolutional.py get_config);
* weights named <layer>_W / <layer>_b; with dim_ordering 'th' W is (nb_filter, stack, k...) (Keras 1
  Convolution2D.build), i.e. the Keras 3 kernel transposed by (rank+1, rank, 0, ..., rank-1);
* with backend 'theano' (the attribute Keras 2 writes; Keras 1 wrote none) W is also flipped along every spatial
  axis, since Theano's conv2d convolves where TensorFlow correlates (keras/utils/conv_utils.py convert_kernel):
  the same outputs then need the flip undone on loading.

Run from the repository root: /work/venv/bin/python tools/make_keras1_conv_fixtures.py  (needs h5py, numpy).
"""
import json
import os
import shutil

import h5py
import numpy as np

SRC = "fixtures/keras3/layers14"
OUT = "fixtures/keras1conv"

# name, source case, Keras 1 class, dim_ordering, backend attribute (None: none written, as Keras 1 did)
CASES = [
    ("k1_convolution2d_th_theano", "conv2d_cf", "Convolution2D", "th", "theano"),
    ("k1_convolution2d_tf_same_subsample", "conv2d_same_strides", "Convolution2D", "tf", None),
    ("k1_convolution3d_th", "conv3d_cf", "Convolution3D", "th", None),
    ("k1_atrous_convolution2d_tf", "conv2d_dilation", "AtrousConvolution2D", "tf", None),
]


def keras3_layer(src):
    with h5py.File(os.path.join(SRC, src, "model.h5"), "r") as f:
        cfg = json.loads(f.attrs["model_config"])
        layers = cfg["config"]["layers"]
        inp = [l for l in layers if l["class_name"] == "InputLayer"][0]["config"]
        conv = [l for l in layers if l["class_name"] != "InputLayer"][0]
        g = f["model_weights"][conv["config"]["name"]]
        names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
        weights = [np.array(g[n]) for n in names]
    return inp["batch_shape"], conv["config"], weights


def keras1_config(cls, c, batch_shape, ordering, name):
    rank = len(c["kernel_size"])
    k1 = {"name": name, "trainable": True, "nb_filter": c["filters"], "init": "glorot_uniform",
          "activation": c["activation"], "border_mode": c["padding"], "subsample": list(c["strides"]),
          "dim_ordering": ordering, "W_regularizer": None, "b_regularizer": None, "activity_regularizer": None,
          "W_constraint": None, "b_constraint": None, "bias": c["use_bias"], "batch_input_shape": batch_shape,
          "input_dtype": "float32"}
    if rank == 2:
        k1["nb_row"], k1["nb_col"] = c["kernel_size"]
    else:
        for i, k in enumerate(c["kernel_size"]):
            k1["kernel_dim%d" % (i + 1)] = k
    if cls == "AtrousConvolution2D":
        k1["atrous_rate"] = list(c["dilation_rate"])
    elif any(d != 1 for d in c["dilation_rate"]):
        raise SystemExit("%s: dilation needs AtrousConvolution2D" % name)
    return {"class_name": cls, "config": k1}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, src, cls, ordering, backend in CASES:
        batch_shape, c, weights = keras3_layer(src)
        want_cf = ordering == "th"
        if (c["data_format"] == "channels_first") != want_cf:
            raise SystemExit("%s: %s is %s" % (name, src, c["data_format"]))
        layer = "%s_1" % cls.lower()
        kernel = weights[0]
        rank = kernel.ndim - 2
        if backend == "theano":
            kernel = kernel[tuple([slice(None, None, -1)] * rank + [slice(None), slice(None)])]
        if ordering == "th":
            kernel = np.transpose(kernel, [rank + 1, rank] + list(range(rank)))
        arrays = [("%s_W" % layer, kernel)] + ([("%s_b" % layer, weights[1])] if c["use_bias"] else [])
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        with h5py.File(os.path.join(d, "model.h5"), "w") as f:
            f.attrs["keras_version"] = np.bytes_("1.2.2")
            if backend:
                f.attrs["backend"] = np.bytes_(backend)
            f.attrs["model_config"] = np.bytes_(json.dumps(
                {"class_name": "Sequential", "config": [keras1_config(cls, c, batch_shape, ordering, layer)]}))
            mw = f.create_group("model_weights")
            mw.attrs["layer_names"] = np.array([layer.encode()])
            g = mw.create_group(layer)
            g.attrs["weight_names"] = np.array([n.encode() for n, _ in arrays])
            for n, a in arrays:
                g.create_dataset(n, data=np.ascontiguousarray(a, dtype=np.float32))
        for f in ("x0.npy", "y0.npy"):
            shutil.copyfile(os.path.join(SRC, src, f), os.path.join(d, f))
        src_case = json.load(open(os.path.join(SRC, src, "case.json")))
        case = {"name": name,
                "description": "Keras 1.2.2 spelling (%s, dim_ordering=%r%s) of the Keras 3 case %s: %s"
                               % (cls, ordering, ", backend " + backend if backend else "", src,
                                  src_case["description"]),
                "provenance": {"converter": "tools/make_keras1_conv_fixtures.py", "source_case": SRC + "/" + src,
                               "note": "config and weight layout converted by hand from a real Keras 3.15.1 "
                                       "model; x0.npy and y0.npy are that model's, unchanged"},
                "n_inputs": 1, "n_outputs": 1, "batches": 1, "stateful": False, "atol": src_case["atol"],
                "keras_version": "1.2.2", "total_params": src_case["total_params"]}
        with open(os.path.join(d, "case.json"), "w") as f:
            json.dump(case, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
