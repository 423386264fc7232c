#!/usr/bin/env python3
"""Writes fixtures/zoo_dot_cudnn/: a Keras-computed reference for the keras-zoo Dot graph saved with CuDNNLSTM.

dot-res-lstm/dot_res_lstm_weights/dot_res_lstm-07-0.78.hdf5 (Keras 2.2.4) is the residual-attention graph of
dot_res_lstm-01-0.45.hdf5 (see tools/gen_zoo_dot_reference.py) with CuDNNLSTM layers, which Keras 3 cannot load.
Keras' own route from CuDNNLSTM weights to a CPU model is loading them into an LSTM graph, converting them with
Keras' `_convert_rnn_weights` (per-gate input kernels transposed between Fortran and C order, recurrent kernels
transposed, the two bias halves summed); the LSTM must use sigmoid as recurrent activation, as cuDNN does. So
this script:
  1. loads -01 with Keras 3.15.1 (the same graph: checked below, layer by layer, class and config but names),
  2. sets each LSTM cell's recurrent activation to sigmoid,
  3. reads -07's weights with h5py in layer order, converts the CuDNNLSTM ones with tf.keras' legacy
     `tensorflow.python.keras.saving.hdf5_format._convert_rnn_weights` (the conversion Keras 2 applied when
     loading), sets them, and predicts on seeded inputs (dropout is inactive at inference).

    KERAS_BACKEND=tensorflow .venv/bin/python tools/gen_zoo_cudnn_dot_reference.py --zoo ../shared/keras-zoo \
        --out fixtures/zoo_dot_cudnn

Writes x<i>.npy (one per model input, batch 2) float32, y0.npy, case.json (file, versions, command).
Deterministic (seed 1407).
"""
import json
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_zoo_dot_reference  # noqa: E402

GRAPH = "dot-res-lstm/dot_res_lstm_weights/dot_res_lstm-01-0.45.hdf5"
FILE = "dot-res-lstm/dot_res_lstm_weights/dot_res_lstm-07-0.78.hdf5"


def _text(v):
    return v.decode() if isinstance(v, bytes) else v


def _layers_with_weights(path):
    """[(layer name, class name, config, [arrays])] of a Keras 2 .h5 model, in the file's layer order."""
    with h5py.File(path, "r") as f:
        config = json.loads(_text(f.attrs["model_config"]))
        by_name = {l["config"]["name"]: l for l in config["config"]["layers"]}
        g = f["model_weights"]
        out = []
        for n in g.attrs["layer_names"]:
            n = _text(n)
            ws = [np.asarray(g[n][_text(w)]) for w in g[n].attrs["weight_names"]]
            if ws:
                out.append((n, by_name[n]["class_name"], by_name[n]["config"], ws))
        return out


def _same_except_names(a, b, skip=("name", "trainable")):
    keys = set(a) | set(b)
    return {k for k in keys if k not in skip and a.get(k) != b.get(k)}


def main():
    a = gen_zoo_dot_reference.parse_args("fixtures/zoo_dot_cudnn")
    import keras
    from tensorflow.python.keras.saving import hdf5_format

    graph = _layers_with_weights(os.path.join(a.zoo, GRAPH))
    cudnn = _layers_with_weights(os.path.join(a.zoo, FILE))
    assert len(graph) == len(cudnn), (len(graph), len(cudnn))
    pairs = []
    for (gn, gc, gcfg, gw), (cn, cc, ccfg, cw) in zip(graph, cudnn):
        if gc == "LSTM":
            assert cc == "CuDNNLSTM", (gn, cn, cc)
            assert gcfg["units"] == ccfg["units"] and gcfg["return_sequences"] == ccfg["return_sequences"], (gn, cn)
        else:
            assert gc == cc and not _same_except_names(gcfg, ccfg), (gn, cn, _same_except_names(gcfg, ccfg))
        assert [w.shape for w in gw][:2] == [w.shape for w in cw][:2], (gn, cn)
        pairs.append((gn, cn, cw))

    model = keras.models.load_model(os.path.join(a.zoo, GRAPH), compile=False)
    converted = []
    for gn, cn, cw in pairs:
        layer = model.get_layer(gn)
        if isinstance(layer, keras.layers.LSTM):
            layer.cell.recurrent_activation = keras.activations.sigmoid
            cw = hdf5_format._convert_rnn_weights(layer, cw)
            converted.append("%s <- %s" % (gn, cn))
        layer.set_weights(cw)
    gen_zoo_dot_reference.predict_and_write(model, 1407, a.out, {
        "zoo_file": FILE, "graph_from": GRAPH, "converted_with_tf_keras_convert_rnn_weights": converted,
        "recurrent_activation": "sigmoid (cuDNN's)"})


if __name__ == "__main__":
    main()
