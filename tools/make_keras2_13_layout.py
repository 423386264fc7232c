"""Builds .keras archives in the Keras 2.13-2.15 (tf.keras) layout from real Keras 3 fixtures.

No Keras 2.13-2.15 .keras file exists in the keras-zoo, and this machine has no tf.keras 2.13, so
this script re-writes real Keras 3.15.1 models (fixtures/keras3/<case>/model.keras, loaded with
Keras itself) the way tf.keras 2.13 `saving_lib.save_model` writes them. Source followed
(keras/src/saving/saving_lib.py of Keras 2.13; the same functions as keras/saving/saving_lib.py of
2.12 plus the 2.13 duplicate fix):

* save_model: zip entries metadata.json, config.json (zf.open(..., "w")), then model.weights.h5
  (H5IOStore.close -> archive.writestr), all ZIP_STORED; metadata {"keras_version", "date_saved"}.
* _save_state: `trackable._save_own_variables(weights_store.make(inner_path))`, then every
  attribute from `_walk_trackable` (plain `dir()` order) that is a Keras layer (recursion) or a
  list/dict/tuple/set (`_save_container_state`), at `tf.io.gfile.join(inner_path, child_attr)`.
* H5IOStore.make: `self.h5_file.create_group("vars")` for the root, else
  `self.h5_file.create_group(path).create_group("vars")` - a group for every object, even empty.
* Layer._save_own_variables: `all_vars = self._trainable_weights + self._non_trainable_weights`,
  `store[f"{i}"] = v.numpy()`.
* Functional._layer_checkpoint_dependencies (tf.keras engine/functional.py): for each
  `layer_index, layer in enumerate(self.layers)`: `"layer_with_weights-%d"` (if layer.weights) then
  `"layer-%d"` -> the same layer twice. It is the first container in dir() (before `layers`).
* _save_container_state: dict -> `list(container.values())`; skips already visited trackables
  ("Keeps layer name indexing in proper order when duplicate layers are in container", 2.13+);
  name `generic_utils.to_snake_case(trackable.__class__.__name__)` made unique with _1, _2.
* Attributes that hold layers in tf.keras 2.13: RNN `cell`; Wrapper `layer` (for Bidirectional the
  original, unbuilt layer); Bidirectional `forward_layer`, `backward_layer` (a fresh copy each).

config.json is kept as Keras 3 wrote it (jkeras reads both eras' configs with one parser); only the
weights layout and metadata.json's keras_version are those of 2.13.

Usage: KERAS_BACKEND=tensorflow .venv/bin/python tools/make_keras2_13_layout.py [--out fixtures/keras2_13_layout]
"""
import argparse
import io
import json
import os
import re
import zipfile

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

CASES = ["stack_srnn_lstm_td_dense", "stack_lstm_lstm_dense", "stack_dropout_layers", "graph_two_in_two_out",
         "bidir_lstm_concat", "bidir_gru", "stack_lstm_batchnorm_dense"]
VERSION = "2.13.1"


def to_snake_case_2x(name):
    """tf.keras generic_utils.to_snake_case."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    if insecure[0] != "_":
        return insecure
    return "private" + insecure


def join(a, b):
    return b if not a else a + "/" + b


def children(obj):
    """The (attribute, value) pairs tf.keras 2.13 `_walk_trackable` yields that hold layers, in dir() order."""
    if isinstance(obj, keras.Model):
        deps = {}
        w = 0
        for i, layer in enumerate(obj.layers):
            if layer.weights:
                deps["layer_with_weights-%d" % w] = layer
                w += 1
            deps["layer-%d" % i] = layer
        return [("_layer_checkpoint_dependencies", deps), ("layers", obj.layers)]
    cls = type(obj).__name__
    if cls == "Bidirectional":
        original = type(obj.forward_layer).from_config(obj.forward_layer.get_config())  # never built
        return [("backward_layer", obj.backward_layer), ("forward_layer", obj.forward_layer), ("layer", original)]
    if cls == "TimeDistributed":
        return [("layer", obj.layer)]
    if hasattr(obj, "cell") and isinstance(obj.cell, keras.layers.Layer):
        return [("cell", obj.cell)]
    return []


def save_state(f, obj, path, visited):
    if id(obj) in visited:
        return
    group = f.create_group("vars") if not path else f.create_group(path).create_group("vars")
    own = list(obj._trainable_variables) + list(obj._non_trainable_variables) if isinstance(obj, keras.layers.Layer) else []
    if isinstance(obj, keras.Model):
        own = []
    for i, v in enumerate(own):
        group[f"{i}"] = np.asarray(v)
    visited.add(id(obj))
    for attr, child in children(obj):
        if isinstance(child, keras.layers.Layer):
            save_state(f, child, join(path, attr), visited)
        elif isinstance(child, (list, dict, tuple, set)):
            save_container(f, child, join(path, attr), visited)


def save_container(f, container, path, visited):
    used = {}
    if isinstance(container, dict):
        container = list(container.values())
    for t in container:
        if isinstance(t, keras.layers.Layer):
            if id(t) in visited:
                continue
            name = to_snake_case_2x(type(t).__name__)
            if name in used:
                used[name] += 1
                name = f"{name}_{used[name]}"
            else:
                used[name] = 0
            save_state(f, t, join(path, name), visited)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default="fixtures/keras3")
    ap.add_argument("--out", default="fixtures/keras2_13_layout")
    a = ap.parse_args()
    for case in CASES:
        src = os.path.join(a.src, case, "model.keras")
        model = keras.saving.load_model(src, compile=False)
        with zipfile.ZipFile(src) as z:
            config = z.read("config.json")
        buf = io.BytesIO()
        with h5py.File(buf, "w") as f:
            save_state(f, model, "", set())
        d = os.path.join(a.out, case)
        os.makedirs(d, exist_ok=True)
        with zipfile.ZipFile(os.path.join(d, "model.keras"), "w") as z:
            with z.open("metadata.json", "w") as m:
                m.write(json.dumps({"keras_version": VERSION, "date_saved": "2023-07-01@00:00:00"}).encode())
            with z.open("config.json", "w") as c:
                c.write(config)
            z.writestr("model.weights.h5", buf.getvalue())
        print(d)


if __name__ == "__main__":
    main()
