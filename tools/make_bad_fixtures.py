#!/usr/bin/env python3
"""Writes the bad-input corpus fixtures/bad/ from good Keras 3 fixtures.

Each bad file is a copy of a good fixtures/keras3/<case>/model.h5 changed with h5py (one defect
per file), or a few bytes of non-HDF5 junk. fixtures/bad/expected.json lists, for every file,
the exception jkeras must throw and fragments its message must contain; the Java test
src/test/java/io/jkeras/errors/BadFilesTest.java walks it.

    .venv/bin/python tools/make_bad_fixtures.py [--out fixtures/bad]

Deterministic: no random values, no Keras needed (h5py and numpy only).
"""
import argparse
import json
import os
import shutil
import sys

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOOD = os.path.join(ROOT, "fixtures", "keras3")

# Weight paths inside the good fixtures (Keras 3.15.1 legacy HDF5 layout).
LSTM = "model_weights/lstm/sequential/lstm/lstm_cell/"  # lstm_default: features 4, units 5
SRNN = "model_weights/simple_rnn/sequential/simple_rnn/simple_rnn_cell/"  # simple_rnn_default
DENSE = "model_weights/dense/sequential/dense/"  # stack_lstm_lstm_dense: kernel (4, 3)

CASES = []


def case(file, base, exception, contains, how):
    """Registers a generator: fn(path) modifies the copy of base (or writes the file if base is None)."""
    def deco(fn):
        CASES.append(dict(file=file, base=base, exception=exception, message_contains=contains, how=how, fn=fn))
        return fn
    return deco


def good(name):
    return os.path.join(GOOD, name, "model.h5")


def replace_dataset(f, path, data):
    """Deletes the dataset at path and writes data there (any shape or dtype)."""
    del f[path]
    f.create_dataset(path, data=data)


def edit_config(f, fn):
    cfg = json.loads(f.attrs["model_config"])
    fn(cfg)
    f.attrs["model_config"] = json.dumps(cfg)


def seq_layer(cfg, name):
    for l in cfg["config"]["layers"]:
        if l["config"].get("name") == name:
            return l
    raise KeyError(name)


# ---- not an HDF5 file at all -------------------------------------------------------------

@case("not_hdf5.h5", None, "ModelFileException", ["not an HDF5 file", "no HDF5 signature"],
      "a text file with an .h5 name")
def _(p):
    with open(p, "w") as f:
        f.write("this is not a model, just some text someone saved as model.h5\n")


@case("empty.h5", None, "ModelFileException", ["file is empty"], "0 bytes")
def _(p):
    open(p, "wb").close()


@case("zip_not_h5.h5", None, "ModelFileException", ["not an HDF5 file", "a zip archive"],
      "the first 512 bytes of fixtures/keras3/lstm_default/model.keras (a Keras 3 zip) named .h5")
def _(p):
    with open(os.path.join(GOOD, "lstm_default", "model.keras"), "rb") as f:
        head = f.read(512)
    with open(p, "wb") as f:
        f.write(head)


GOOD_SIZE = os.path.getsize(good("lstm_default"))


@case("truncated.h5", "lstm_default", "ModelFileException",
      ["HDF5 file is truncated", f"holds {GOOD_SIZE // 2} bytes", f"superblock records {GOOD_SIZE}"],
      "the first half of lstm_default/model.h5")
def _(p):
    with open(p, "rb") as f:
        b = f.read()
    with open(p, "wb") as f:
        f.write(b[: len(b) // 2])


@case("truncated_tail.h5", "lstm_default", "ModelFileException",
      ["HDF5 file is truncated", f"holds {GOOD_SIZE - 512} bytes", f"superblock records {GOOD_SIZE}"],
      "lstm_default/model.h5 without its last 512 bytes")
def _(p):
    with open(p, "rb") as f:
        b = f.read()
    with open(p, "wb") as f:
        f.write(b[:-512])


# ---- weights -----------------------------------------------------------------------------

@case("lstm_kernel_wrong_shape.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "weight 'kernel'", "found shape (4, 12)", "expected (4, 20)"],
      "lstm_default with lstm kernel replaced by a (4, 12) array (units 5 needs (4, 20))")
def _(p):
    with h5py.File(p, "r+") as f:
        replace_dataset(f, LSTM + "kernel", np.full((4, 12), 0.1, np.float32))


@case("lstm_recurrent_kernel_wrong_shape.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "weight 'recurrent_kernel'", "found shape (5, 16)", "expected (5, 20)"],
      "lstm_default with recurrent_kernel replaced by a (5, 16) array")
def _(p):
    with h5py.File(p, "r+") as f:
        replace_dataset(f, LSTM + "recurrent_kernel", np.full((5, 16), 0.1, np.float32))


@case("lstm_bias_wrong_rank.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "weight 'bias'", "found shape (4, 5)", "expected (20,)"],
      "lstm_default with bias (20,) replaced by a (4, 5) array")
def _(p):
    with h5py.File(p, "r+") as f:
        replace_dataset(f, LSTM + "bias", np.zeros((4, 5), np.float32))


@case("lstm_bias_missing.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "weight 'bias'", "listed in weight_names", "no such dataset"],
      "lstm_default with the bias dataset deleted; weight_names still lists it")
def _(p):
    with h5py.File(p, "r+") as f:
        del f[LSTM + "bias"]


@case("lstm_extra_weight.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "expected 3 weights (kernel, recurrent_kernel, bias), found 4", "extra (5,)"],
      "lstm_default with a fourth dataset 'extra' (5,) added to the layer and its weight_names")
def _(p):
    with h5py.File(p, "r+") as f:
        g = f["model_weights/lstm"]
        f.create_dataset(LSTM + "extra", data=np.zeros(5, np.float32))
        names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
        g.attrs["weight_names"] = names + ["sequential/lstm/lstm_cell/extra"]


@case("lstm_weights_missing_from_names.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "expected 3 weights (kernel, recurrent_kernel, bias), found 2"],
      "lstm_default whose weight_names lists only kernel and recurrent_kernel (bias dataset still there)")
def _(p):
    with h5py.File(p, "r+") as f:
        g = f["model_weights/lstm"]
        g.attrs["weight_names"] = ["sequential/lstm/lstm_cell/kernel", "sequential/lstm/lstm_cell/recurrent_kernel"]


@case("lstm_kernel_nan.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "weight 'kernel'", "holds NaN at flat index 7", "of shape (4, 20)"],
      "lstm_default with kernel.flat[7] = NaN")
def _(p):
    with h5py.File(p, "r+") as f:
        k = f[LSTM + "kernel"][()]
        k.flat[7] = np.nan
        f[LSTM + "kernel"][...] = k


@case("lstm_recurrent_kernel_inf.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "weight 'recurrent_kernel'", "holds Infinity at flat index 42", "of shape (5, 20)"],
      "lstm_default with recurrent_kernel.flat[42] = +Inf")
def _(p):
    with h5py.File(p, "r+") as f:
        k = f[LSTM + "recurrent_kernel"][()]
        k.flat[42] = np.inf
        f[LSTM + "recurrent_kernel"][...] = k


@case("lstm_kernel_int32.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "weight 'kernel'", "must be float32 or float64", "found int32 data"],
      "lstm_default with kernel stored as an int32 (4, 20) dataset")
def _(p):
    with h5py.File(p, "r+") as f:
        replace_dataset(f, LSTM + "kernel", np.ones((4, 20), np.int32))


@case("lstm_kernel_huge_shape.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "weight 'kernel'", "exceeds the limit of 268435456 elements"],
      "lstm_default with kernel replaced by an unwritten chunked (100000, 100000) dataset (a few bytes on disk)")
def _(p):
    with h5py.File(p, "r+") as f:
        del f[LSTM + "kernel"]
        f.create_dataset(LSTM + "kernel", shape=(100000, 100000), dtype=np.float32, chunks=(16, 16))


@case("simple_rnn_kernel_wrong_shape.h5", "simple_rnn_default", "WeightException",
      ["layer 'simple_rnn'", "weight 'kernel'", "found shape (4, 7)", "expected (4, 5)"],
      "simple_rnn_default with kernel replaced by a (4, 7) array")
def _(p):
    with h5py.File(p, "r+") as f:
        k = f[SRNN + "kernel"]
        replace_dataset(f, SRNN + "kernel", np.zeros((k.shape[0], 7), np.float32))


@case("dense_kernel_wrong_features.h5", "stack_lstm_lstm_dense", "WeightException",
      ["layer 'dense'", "weight 'kernel'", "6 input rows", "input has 4 features"],
      "stack_lstm_lstm_dense with the dense kernel (4, 3) replaced by a (6, 3) array")
def _(p):
    with h5py.File(p, "r+") as f:
        replace_dataset(f, DENSE + "kernel", np.zeros((6, 3), np.float32))


@case("layer_names_without_group.h5", "lstm_default", "WeightException",
      ["layer 'ghost'", "listed in layer_names but has no group in /model_weights"],
      "lstm_default with 'ghost' appended to model_weights' layer_names (no such group)")
def _(p):
    with h5py.File(p, "r+") as f:
        g = f["model_weights"]
        names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["layer_names"]]
        g.attrs["layer_names"] = names + ["ghost"]


@case("weights_for_unknown_layer.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "the file holds weights for this layer but the model config has no such layer"],
      "lstm_default with the LSTM layer renamed to 'lstm_renamed' in model_config only")
def _(p):
    with h5py.File(p, "r+") as f:
        edit_config(f, lambda c: seq_layer(c, "lstm")["config"].__setitem__("name", "lstm_renamed"))


# ---- model config ------------------------------------------------------------------------

@case("unknown_layer_class.h5", "lstm_default", "UnsupportedModelException",
      ["layer 'lstm'", "layer class 'MyCustomLayer' is not supported", "supported: ", "LSTM"],
      "lstm_default with the LSTM's class_name changed to 'MyCustomLayer' in model_config")
def _(p):
    with h5py.File(p, "r+") as f:
        edit_config(f, lambda c: seq_layer(c, "lstm").__setitem__("class_name", "MyCustomLayer"))


@case("convlstm3d_layer.h5", "lstm_default", "UnsupportedModelException",
      ["layer 'lstm'", "layer class 'ConvLSTM3D' is not supported"],
      "lstm_default with the LSTM's class_name changed to 'ConvLSTM3D'")
def _(p):
    with h5py.File(p, "r+") as f:
        edit_config(f, lambda c: seq_layer(c, "lstm").__setitem__("class_name", "ConvLSTM3D"))


@case("lambda_layer.h5", "stack_lstm_lstm_dense", "UnsupportedModelException",
      ["layer 'lambda'", "Lambda layers hold Python code", "never runs code"],
      "stack_lstm_lstm_dense with a Lambda layer (marshalled-code config) inserted before the Dense")
def _(p):
    with h5py.File(p, "r+") as f:
        def add(c):
            layers = c["config"]["layers"]
            lam = {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
                   "config": {"name": "lambda", "trainable": True, "dtype": "float32",
                              "function": {"class_name": "__lambda__",
                                           "config": {"code": "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMI", "defaults": None, "closure": None}},
                              "arguments": {}}}
            layers.insert(len(layers) - 1, lam)
        edit_config(f, add)


@case("lstm_time_major.h5", "lstm_default", "UnsupportedModelException",
      ["layer 'lstm'", "time_major=True is not supported"],
      "lstm_default with \"time_major\": true added to the LSTM config")
def _(p):
    with h5py.File(p, "r+") as f:
        edit_config(f, lambda c: seq_layer(c, "lstm")["config"].__setitem__("time_major", True))


@case("unknown_activation.h5", "lstm_default", "UnsupportedModelException",
      ["layer 'lstm'", "activation 'swooshy' is not supported", "allowed: ", "tanh"],
      "lstm_default with the LSTM activation set to 'swooshy'")
def _(p):
    with h5py.File(p, "r+") as f:
        edit_config(f, lambda c: seq_layer(c, "lstm")["config"].__setitem__("activation", "swooshy"))


@case("units_not_integer.h5", "lstm_default", "ModelFormatException",
      ["layer 'lstm'", "config 'units' should be an integer", "found \"five\""],
      "lstm_default with the LSTM units set to the string \"five\"")
def _(p):
    with h5py.File(p, "r+") as f:
        edit_config(f, lambda c: seq_layer(c, "lstm")["config"].__setitem__("units", "five"))


@case("config_not_json.h5", "lstm_default", "ModelFormatException",
      ["model config is not valid JSON"],
      "lstm_default with model_config = its first 100 characters (cut mid-object)")
def _(p):
    with h5py.File(p, "r+") as f:
        f.attrs["model_config"] = f.attrs["model_config"][:100]


@case("config_not_object.h5", "lstm_default", "ModelFormatException",
      ["model config is not a JSON object"],
      "lstm_default with model_config = '[1, 2, 3]'")
def _(p):
    with h5py.File(p, "r+") as f:
        f.attrs["model_config"] = "[1, 2, 3]"


@case("weights_only.h5", "lstm_default", "ModelFormatException",
      ["no 'model_config' attribute", "weights-only file", "architecture JSON"],
      "lstm_default with the root model_config attribute deleted (model_weights kept)")
def _(p):
    with h5py.File(p, "r+") as f:
        del f.attrs["model_config"]


@case("not_keras.h5", None, "ModelFormatException",
      ["not a Keras file", "no 'model_config' or 'layer_names'"],
      "a valid HDF5 file with one dataset 'x' and no Keras attributes")
def _(p):
    with h5py.File(p, "w") as f:
        f.create_dataset("x", data=np.arange(4, dtype=np.float32))


@case("top_level_class_foo.h5", "lstm_default", "UnsupportedModelException",
      ["top-level model class 'Foo' is not supported", "allowed: Sequential, Functional, Model"],
      "lstm_default with model_config class_name 'Sequential' changed to 'Foo'")
def _(p):
    with h5py.File(p, "r+") as f:
        edit_config(f, lambda c: c.__setitem__("class_name", "Foo"))


@case("sequential_no_layers.h5", "lstm_default", "ModelFormatException",
      ["Sequential config has no 'layers' list"],
      "lstm_default with the 'layers' key removed from the Sequential config")
def _(p):
    with h5py.File(p, "r+") as f:
        edit_config(f, lambda c: c["config"].pop("layers"))


@case("functional_unknown_inbound.h5", "graph_two_in_two_out", "ModelFormatException",
      ["layer 'dense_a'", "takes input no_such_layer[0][0] from a layer that is not in the model"],
      "graph_two_in_two_out with dense_a's inbound keras_history pointing at 'no_such_layer'")
def _(p):
    with h5py.File(p, "r+") as f:
        def fn(c):
            for l in c["config"]["layers"]:
                if l["name"] == "dense_a":
                    l["inbound_nodes"][0]["args"][0]["config"]["keras_history"][0] = "no_such_layer"
        edit_config(f, fn)


@case("functional_call_without_inputs.h5", "graph_two_in_two_out", "ModelFormatException",
      ["layer 'lstm_a'", "call 0 has no input tensors"],
      "graph_two_in_two_out with lstm_a's inbound node args emptied ([])")
def _(p):
    with h5py.File(p, "r+") as f:
        def fn(c):
            for l in c["config"]["layers"]:
                if l["name"] == "lstm_a":
                    l["inbound_nodes"][0]["args"] = []
        edit_config(f, fn)


@case("functional_unknown_output.h5", "graph_two_in_two_out", "ModelFormatException",
      ["layer 'nowhere'", "model output nowhere[0][0] is not produced by any layer call"],
      "graph_two_in_two_out with output_layers[1] renamed to 'nowhere'")
def _(p):
    with h5py.File(p, "r+") as f:
        edit_config(f, lambda c: c["config"]["output_layers"][1].__setitem__(0, "nowhere"))


@case("functional_cycle.h5", "graph_two_in_two_out", "ModelFormatException",
      ["layer 'lstm_a'", "its inputs are never produced", "dense_a[0][0]"],
      "graph_two_in_two_out with lstm_a taking its input from dense_a (which takes lstm_a): a cycle")
def _(p):
    with h5py.File(p, "r+") as f:
        def fn(c):
            for l in c["config"]["layers"]:
                if l["name"] == "lstm_a":
                    l["inbound_nodes"][0]["args"][0]["config"]["keras_history"][0] = "dense_a"
        edit_config(f, fn)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures", "bad"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    expected = []
    total = 0
    for c in CASES:
        p = os.path.join(args.out, c["file"])
        if os.path.exists(p):
            os.remove(p)
        if c["base"] is not None:
            shutil.copyfile(good(c["base"]), p)
        c["fn"](p)
        size = os.path.getsize(p)
        if size > 100_000:
            sys.exit(f"{c['file']} is {size} bytes; keep bad fixtures under 100 KB")
        total += size
        expected.append({"file": c["file"], "exception": c["exception"], "message_contains": c["message_contains"],
                         "how": c["how"] + ("" if c["base"] is None else f" (from fixtures/keras3/{c['base']}/model.h5)")})
    with open(os.path.join(args.out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(f"wrote {len(expected)} files, {total} bytes, to {os.path.relpath(args.out, ROOT)}")


if __name__ == "__main__":
    main()
