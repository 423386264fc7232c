#!/usr/bin/env python3
"""Writes fixtures/keras2_attention/: tf.keras 2 spellings of normalisation, attention and Dot models.

No tf.keras 2 file with these layers is in ../shared/keras-zoo, so each case here is a Keras 3.15.1 case of
fixtures/keras3/layers14 converted to the form tf.keras 2.15 writes (the provenance is in each case.json):
the same weights and inputs, so the same outputs (y*.npy are copied from the Keras 3 case). The conversion:

* the keras_version attribute is 2.15.0; layer dtypes are plain strings; InputLayer's batch_shape is
  batch_input_shape; Keras-3-only config keys (MultiHeadAttention's use_gate, sliding_window, seed;
  InputLayer's optional) are dropped;
* inbound_nodes are tf.keras 2 lists ``[[layer, node, tensor, kwargs], ...]``: a layer called on a list
  (Attention, Dot) has one entry per tensor; MultiHeadAttention, called as ``mha(query, value, key=...,
  attention_mask=...)``, has the query as its one entry and the other tensors as ``[layer, node, tensor]``
  in the entry's kwargs, with the call's flags (use_causal_mask, return_attention_scores);
* with ``--causal-config`` cases, Attention's use_causal_mask call argument becomes the ``causal: true``
  config key of tf.keras 2.4-2.9;
* weight datasets get tf.keras 2's ``:0`` suffix (``mha/query/kernel:0``), in the same groups and order.

    .venv/bin/python tools/make_keras2_attention_fixtures.py [--out fixtures/keras2_attention]

Deterministic (h5py and numpy only, no Keras needed).
"""
import argparse
import json
import os
import shutil
import sys

import h5py
import numpy as np

SRC = "fixtures/keras3/layers14"
CASES = ["mha_cross", "mha_key_value_dim_output_shape", "mha_attention_mask", "attention_causal_self",
         "attention_masked", "additive_attention_default", "layer_norm_axes_1_2", "dot_axes_1_1_normalize"]
CAUSAL_CONFIG = {"attention_causal_self"}
DROP = {"MultiHeadAttention": ["use_gate", "sliding_window", "seed"], "InputLayer": ["optional"]}


def ref(t):
    h = t["config"]["keras_history"]
    return [h[0], h[1], h[2]]


def is_tensor(x):
    return isinstance(x, dict) and x.get("class_name") == "__keras_tensor__"


def legacy_nodes(cls, nodes, causal_config):
    out = []
    for n in nodes:
        args, kwargs = n.get("args", []), dict(n.get("kwargs", {}))
        flags = {k: v for k, v in kwargs.items() if not is_tensor(v) and k != "mask"}
        if causal_config:
            flags.pop("use_causal_mask", None)  # the config's causal key says it instead
        tensors = {k: ref(v) for k, v in kwargs.items() if is_tensor(v)}
        if len(args) == 1 and isinstance(args[0], list):  # called on a list: one entry per tensor
            entries = [ref(t) + [dict(flags)] for t in args[0]]
        else:
            names = ["query", "value", "key"] if cls == "MultiHeadAttention" else []
            extra = dict(flags)
            for i, a in enumerate(args[1:]):
                extra[names[i + 1]] = ref(a)
            extra.update(tensors)
            entries = [ref(args[0]) + [extra]]
        out.append(entries)
    return out


def convert_config(cfg, case):
    causal_config = case in CAUSAL_CONFIG
    for layer in cfg["config"]["layers"]:
        c = layer["config"]
        if isinstance(c.get("dtype"), dict):
            c["dtype"] = c["dtype"]["config"]["name"]
        if "batch_shape" in c:
            c["batch_input_shape"] = c.pop("batch_shape")
        for k in DROP.get(layer["class_name"], []):
            c.pop(k, None)
        if causal_config and layer["class_name"] == "Attention":
            c["causal"] = True
        if "inbound_nodes" in layer and cfg["class_name"] != "Sequential":
            layer["inbound_nodes"] = legacy_nodes(layer["class_name"], layer["inbound_nodes"], causal_config)
    return cfg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="fixtures/keras2_attention")
    a = ap.parse_args()
    for case in CASES:
        src_dir, out_dir = os.path.join(SRC, case), os.path.join(a.out, case)
        os.makedirs(out_dir, exist_ok=True)
        with h5py.File(os.path.join(src_dir, "model.h5"), "r") as f, \
                h5py.File(os.path.join(out_dir, "model.h5"), "w") as o:
            cfg = convert_config(json.loads(f.attrs["model_config"]), case)
            o.attrs["model_config"] = json.dumps(cfg)
            o.attrs["keras_version"] = "2.15.0"
            o.attrs["backend"] = "tensorflow"
            mw = o.create_group("model_weights")
            mw.attrs["layer_names"] = f["model_weights"].attrs["layer_names"]
            mw.attrs["keras_version"] = "2.15.0"
            mw.attrs["backend"] = "tensorflow"
            for name in f["model_weights"]:
                g = f["model_weights"][name]
                d = mw.create_group(name)
                names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs.get("weight_names", [])]
                d.attrs["weight_names"] = np.array([(n + ":0").encode() for n in names])
                for n in names:
                    d.create_dataset(n + ":0", data=np.asarray(g[n]))
        case_json = json.load(open(os.path.join(src_dir, "case.json")))
        keep = {k: case_json[k] for k in ("n_inputs", "n_outputs", "batches", "stateful", "atol", "input_dtypes",
                                          "total_params", "layers") if k in case_json}
        keep["provenance"] = {
            "converted_from": src_dir + "/model.h5 (Keras 3.15.1)",
            "form": "tf.keras 2.15 model_config and weight names" + (
                ", Attention causal config key (tf.keras 2.4-2.9)" if case in CAUSAL_CONFIG else ""),
            "command": " ".join(["tools/make_keras2_attention_fixtures.py"] + sys.argv[1:]),
        }
        for fn in sorted(os.listdir(src_dir)):
            if fn.endswith(".npy") and fn[0] in "xy" and fn[1:-4].isdigit():
                shutil.copyfile(os.path.join(src_dir, fn), os.path.join(out_dir, fn))
        with open(os.path.join(out_dir, "case.json"), "w") as f:
            json.dump(keep, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
