#!/usr/bin/env python3
"""Writes the bad-input corpus fixtures/bad/ from good Keras 3 fixtures.

Each bad file is a copy of a good fixtures/keras3/<case>/model.h5 changed with h5py (one defect
per file), or a few bytes of non-HDF5 junk. fixtures/bad/expected.json lists, for every file,
the exception jkeras must throw and fragments its message must contain; the Java test
src/keras/src/test/java/io/jkeras/errors/BadFilesTest.java walks it.

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


# Keras never compresses a weight; jkeras reads gzip/shuffle (HDF5's own filters) and refuses the
# filters whose codecs need libraries it does not bundle (lz4-java ships native code), by name.
@case("lstm_kernel_lzf.h5", "lstm_default", "UnsupportedModelException",
      ["layer 'lstm'", "weight 'kernel'", "LZF", "filter 32000"],
      "lstm_default with the lstm kernel rewritten chunked with h5py's LZF filter (id 32000)")
def _(p):
    with h5py.File(p, "r+") as f:
        data = f[LSTM + "kernel"][()]
        del f[LSTM + "kernel"]
        f.create_dataset(LSTM + "kernel", data=data, chunks=data.shape, compression="lzf")


@case("lstm_kernel_lz4.h5", "lstm_default", "UnsupportedModelException",
      ["layer 'lstm'", "weight 'kernel'", "LZ4", "filter 32004"],
      "lstm_default with the lstm kernel written with LZF, then its filter pipeline message patched to the LZ4 "
      "filter (id 32004, name 'lz4'), the data left as is: the reader must refuse it by its id before decoding")
def _(p):
    with h5py.File(p, "r+") as f:
        data = f[LSTM + "kernel"][()]
        del f[LSTM + "kernel"]
        f.create_dataset(LSTM + "kernel", data=data, chunks=data.shape, compression="lzf")
    with open(p, "rb") as fh:
        b = bytearray(fh.read())
    i = b.find(b"lzf\0")
    assert i > 8 and b.find(b"lzf\0", i + 1) < 0, "one LZF filter name expected"
    # filter pipeline message v1: id u16, name length u16, flags u16, value count u16, then the name
    assert int.from_bytes(b[i - 8:i - 6], "little") == 32000
    b[i - 8:i - 6] = (32004).to_bytes(2, "little")
    b[i:i + 3] = b"lz4"
    with open(p, "wb") as fh:
        fh.write(bytes(b))


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


@case("convlstm3d_layer.h5", "lstm_default", "ModelFormatException",
      ["layer 'lstm'", "config has no 'filters'"],
      "lstm_default with the LSTM's class_name changed to 'ConvLSTM3D': an LSTM config has no filters")
def _(p):
    with h5py.File(p, "r+") as f:
        edit_config(f, lambda c: seq_layer(c, "lstm").__setitem__("class_name", "ConvLSTM3D"))


CONVLSTM = "model_weights/conv_lstm2d/sequential/conv_lstm2d/conv_lstm_cell/"  # layers14/convlstm2d_default


@case("convlstm2d_causal.h5", "layers14/convlstm2d_default", "UnsupportedModelException",
      ["layer 'conv_lstm2d'", "padding 'causal' is not supported", "allowed: valid, same"],
      "convlstm2d_default with the ConvLSTM2D's padding changed to 'causal' (a Conv1D-only padding)")
def _(p):
    with h5py.File(p, "r+") as f:
        edit_config(f, lambda c: seq_layer(c, "conv_lstm2d")["config"].__setitem__("padding", "causal"))


@case("convlstm2d_unknown_size.h5", "layers14/convlstm2d_default", "UnsupportedModelException",
      ["layer 'conv_lstm2d'", "needs every spatial size of its input known", "(None, 3, None, 5, 2)"],
      "convlstm2d_default with the input's first spatial size unknown (batch_shape [null, 3, null, 5, 2])")
def _(p):
    with h5py.File(p, "r+") as f:
        edit_config(f, lambda c: c["config"]["layers"][0]["config"].__setitem__("batch_shape", [None, 3, None, 5, 2]))


@case("convlstm2d_kernel_shape.h5", "layers14/convlstm2d_default", "WeightException",
      ["layer 'conv_lstm2d'", "kernel", "found shape (3, 3, 2, 4), expected (3, 3, 2, 8)"],
      "convlstm2d_default with the ConvLSTM2D kernel cut to 4 of its 8 gate columns")
def _(p):
    with h5py.File(p, "r+") as f:
        replace_dataset(f, CONVLSTM + "kernel", f[CONVLSTM + "kernel"][..., :4])


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


# ==== issue 7: hostile files for every reader ================================================
# Cases registered with `other` are written from scratch (base None) and may name another reader:
#   reader "npy"     - Npy.read(file)
#   reader "config"  - JKeras.load(file, with)   (file is an architecture JSON, `with` its weights)
#   reader "weights" - JKeras.load(with, file)   (file is a Keras 3 .weights.h5, `with` its config)
# and the default reader "model" (JKeras.load(file)) for .keras archives and HDF5 files.

import struct
import zipfile
import zlib

KERAS = os.path.join(GOOD, "lstm_default", "model.keras")
GRU_WEIGHTS = "fixtures/keras3/gru_default/model.weights.h5"
GRU_CONFIG = "fixtures/keras3/gru_default/config.json"


def other(file, exception, contains, how, reader="model", with_=None):
    def deco(fn):
        CASES.append(dict(file=file, base=None, exception=exception, message_contains=contains, how=how, fn=fn,
                          reader=reader, with_=with_))
        return fn
    return deco


def real_entries():
    with zipfile.ZipFile(KERAS) as z:
        return [(n, z.read(n)) for n in z.namelist()]


def zip_build(entries, eocd_count=None, zip64_count=None):
    """A zip archive written field by field, so that headers can lie. Each entry is a dict:
    name, payload (the stored bytes), method (0 stored, 8 deflated), size (declared uncompressed
    size; default len(payload)), crc (default CRC-32 of payload), flags, local_name, zip64_size
    (declared in a zip64 extra field of the central header)."""
    out = bytearray()
    central = bytearray()
    for e in entries:
        name = e["name"].encode("utf-8")
        local_name = e.get("local_name", e["name"]).encode("utf-8")
        payload = e["payload"]
        method = e.get("method", 0)
        flags = e.get("flags", 0)
        crc = e.get("crc", zlib.crc32(e.get("plain", payload)) & 0xffffffff)
        size = e.get("size", len(e.get("plain", payload)))
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, flags, method, 0, 0x21, crc, len(payload),
                           min(size, 0xffffffff), len(local_name), 0)
        out += local_name + payload
        extra = b""
        csize_field = len(payload)
        size_field = min(size, 0xffffffff)
        if "zip64_size" in e:
            size_field = 0xffffffff
            extra = struct.pack("<HHQ", 1, 8, e["zip64_size"])
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 20, 45 if extra else 20, flags, method, 0, 0x21, crc,
                               csize_field, size_field, len(name), len(extra), 0, 0, 0, 0, offset)
        central += name + extra
    cd_offset = len(out)
    out += central
    n = len(entries) if eocd_count is None else eocd_count
    if zip64_count is not None:
        z = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0, zip64_count, zip64_count, len(central), cd_offset)
        out += struct.pack("<IIQI", 0x07064b50, 0, z, 1)
        out += struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 0xffff, 0xffff, len(central), cd_offset, 0)
    else:
        out += struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, n, n, len(central), cd_offset, 0)
    return bytes(out)


def stored(name, data, **kw):
    return dict(name=name, payload=data, **kw)


def deflated(name, data, **kw):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return dict(name=name, payload=c.compress(data) + c.flush(), plain=data, method=8, **kw)


def write_zip(p, entries, **kw):
    with open(p, "wb") as f:
        f.write(zip_build(entries, **kw))


def keras_entries(**replace):
    """The lstm_default archive's entries as stored entries, with some replaced (None removes)."""
    out = []
    for n, d in real_entries():
        if n in replace:
            if replace[n] is not None:
                out.append(replace[n])
        else:
            out.append(stored(n, d))
    return out


ZIP_FROM = " (entries of fixtures/keras3/lstm_default/model.keras, rewritten field by field)"


@other("zip_absolute_entry.keras", "ModelFileException", ["zip entry '/etc/passwd' has an absolute path"],
       "a .keras archive with an extra entry named /etc/passwd" + ZIP_FROM)
def _(p):
    write_zip(p, keras_entries() + [stored("/etc/passwd", b"root:x:0:0\n")])


@other("zip_dotdot_entry.keras", "ModelFileException", ["zip entry 'assets/../../evil.py' contains '..'"],
       "a .keras archive with an extra entry assets/../../evil.py" + ZIP_FROM)
def _(p):
    write_zip(p, keras_entries() + [stored("assets/../../evil.py", b"import os\n")])


@other("zip_duplicate_entry.keras", "ModelFileException", ["two entries named 'config.json'"],
       "a .keras archive holding config.json twice (the second a different config)" + ZIP_FROM)
def _(p):
    write_zip(p, keras_entries() + [stored("config.json", b'{"class_name": "Sequential", "config": {"layers": []}}')])


@other("zip_bomb_ratio.keras", "ModelFileException",
       ["zip entry 'model.weights.h5' declares 16777216 bytes from", "zip bomb", "LoadOptions.maxCompressionRatio"],
       "model.weights.h5 replaced by 16 MiB of zeros deflated to about 16 KB (a 1000x expansion)" + ZIP_FROM)
def _(p):
    write_zip(p, keras_entries(**{"model.weights.h5": deflated("model.weights.h5", bytes(16 << 20))}))


@other("zip_bomb_lying_size.keras", "ModelFileException",
       ["zip entry 'model.weights.h5' decompresses to more than", "zip bomb"],
       "as zip_bomb_ratio.keras but both headers declare 1000 bytes: caught while inflating" + ZIP_FROM)
def _(p):
    write_zip(p, keras_entries(**{"model.weights.h5": deflated("model.weights.h5", bytes(16 << 20), size=1000)}))


@other("zip_entry_claims_100gb.keras", "ModelFileException",
       ["zip entry 'model.weights.h5' declares 107374182400 bytes", "LoadOptions.maxArchiveBytes"],
       "model.weights.h5 declared (zip64 extra field) as 100 GiB uncompressed" + ZIP_FROM)
def _(p):
    d = dict(real_entries())["model.weights.h5"]
    write_zip(p, keras_entries(**{"model.weights.h5": stored("model.weights.h5", d, zip64_size=100 << 30)}))


@other("zip_billion_entries.keras", "ModelFileException",
       ["the zip archive lists 1000000000 entries, more than the limit of 10000", "LoadOptions.maxArchiveEntries"],
       "a zip64 end record claiming 10^9 entries (the archive holds 3)" + ZIP_FROM)
def _(p):
    write_zip(p, keras_entries(), zip64_count=10 ** 9)


@other("zip_count_mismatch.keras", "ModelFileException",
       ["the zip end record announces 5 entries but the central directory holds 3"],
       "the end-of-central-directory record claims 5 entries; there are 3" + ZIP_FROM)
def _(p):
    write_zip(p, keras_entries(), eocd_count=5)


@other("zip_encrypted_entry.keras", "ModelFileException", ["zip entry 'config.json' is encrypted"],
       "config.json with the 'encrypted' flag set" + ZIP_FROM)
def _(p):
    d = dict(real_entries())["config.json"]
    write_zip(p, keras_entries(**{"config.json": stored("config.json", d, flags=1)}))


@other("zip_unknown_method.keras", "ModelFileException", ["zip entry 'config.json' uses compression method 12"],
       "config.json marked as bzip2-compressed (method 12)" + ZIP_FROM)
def _(p):
    d = dict(real_entries())["config.json"]
    write_zip(p, keras_entries(**{"config.json": stored("config.json", d, method=12)}))


@other("zip_crc_mismatch.keras", "ModelFileException", ["zip entry 'config.json' fails its CRC-32 check"],
       "config.json with one byte changed after its CRC-32 was recorded" + ZIP_FROM)
def _(p):
    d = dict(real_entries())["config.json"]
    bad = d.replace(b'"class_name"', b'"Class_name"', 1)
    write_zip(p, keras_entries(**{"config.json": stored("config.json", bad, crc=zlib.crc32(d) & 0xffffffff)}))


@other("zip_local_name_mismatch.keras", "ModelFileException",
       ["zip entry 'config.json' is named 'config.jsoN' in its local header"],
       "config.json whose local header names another file" + ZIP_FROM)
def _(p):
    d = dict(real_entries())["config.json"]
    write_zip(p, keras_entries(**{"config.json": stored("config.json", d, local_name="config.jsoN")}))


@other("zip_truncated.keras", "ModelFileException", ["without an end-of-central-directory record", "truncated"],
       "the first 10000 bytes of fixtures/keras3/lstm_default/model.keras")
def _(p):
    with open(KERAS, "rb") as f:
        b = f.read(10000)
    with open(p, "wb") as f:
        f.write(b)


@other("zip_no_config.keras", "ModelFormatException", ["the .keras archive has no config.json", "[metadata.json, model.weights.h5]"],
       "a .keras archive without config.json" + ZIP_FROM)
def _(p):
    write_zip(p, keras_entries(**{"config.json": None}))


@other("zip_no_weights.keras", "ModelFormatException", ["the .keras archive has no model.weights.h5"],
       "a .keras archive without model.weights.h5" + ZIP_FROM)
def _(p):
    write_zip(p, keras_entries(**{"model.weights.h5": None}))


@other("zip_npz_weights.keras", "UnsupportedModelException", ["stores its weights as model.weights.npz"],
       "model.weights.h5 renamed model.weights.npz (Keras' weights_format='npz')" + ZIP_FROM)
def _(p):
    d = dict(real_entries())["model.weights.h5"]
    write_zip(p, keras_entries(**{"model.weights.h5": stored("model.weights.npz", d)}))


@other("zip_config_not_utf8.keras", "ModelFormatException", ["config.json in the .keras archive is not UTF-8 text"],
       "config.json holding Latin-1 bytes (0xff 0xfe ...)" + ZIP_FROM)
def _(p):
    write_zip(p, keras_entries(**{"config.json": stored("config.json", b'{"class_name": "\xff\xfe"}')}))


@other("zip_config_too_deep.keras", "ModelFormatException",
       ["model config nests arrays and objects deeper than the limit of 200 levels", "LoadOptions.maxJsonDepth"],
       "config.json replaced by 5000 nested lists" + ZIP_FROM)
def _(p):
    write_zip(p, keras_entries(**{"config.json": stored("config.json", b"[" * 5000 + b"]" * 5000)}))


# ---- .npy inputs -------------------------------------------------------------------------

def npy_raw(header, data=b"", version=1, header_len=None):
    """A .npy file from its header dict text (padded as NumPy pads) and data bytes."""
    h = header.encode("latin-1")
    pre = 6 + 2 + (2 if version == 1 else 4)
    pad = (64 - (pre + len(h) + 1) % 64) % 64
    h = h + b" " * pad + b"\n"
    n = len(h) if header_len is None else header_len
    ln = struct.pack("<H", n) if version == 1 else struct.pack("<I", n)
    return b"\x93NUMPY" + bytes([version, 0]) + ln + h + data


def write_bytes(p, b):
    with open(p, "wb") as f:
        f.write(b)


F4 = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }"


@other("npy_not_npy.npy", "InputException", ["not a .npy file (no \\x93NUMPY magic)"],
       "a CSV file named .npy", reader="npy")
def _(p):
    write_bytes(p, b"x,y\n1,2\n3,4\n")


@other("npy_two_bytes.npy", "InputException", ["not a .npy file: only 2 bytes"], "the first 2 bytes of a .npy file",
       reader="npy")
def _(p):
    write_bytes(p, b"\x93N")


@other("npy_truncated_header.npy", "InputException", ["file is truncated"], "a .npy file cut inside its header",
       reader="npy")
def _(p):
    write_bytes(p, npy_raw(F4 % "(10,)")[:30])


@other("npy_truncated_data.npy", "InputException",
       ["header claims 40 bytes of data for shape (10,) <f4 but the file holds 8; it is truncated"],
       "shape (10,) float32 with 8 bytes of data", reader="npy")
def _(p):
    write_bytes(p, npy_raw(F4 % "(10,)", bytes(8)))


@other("npy_claims_100gb.npy", "InputException",
       ["shape (25000000000,) is too large: more than the limit of 268435456 elements (LoadOptions.maxInputElements)"],
       "a 128-byte .npy whose header claims shape (25000000000,) float32: 100 GB", reader="npy")
def _(p):
    write_bytes(p, npy_raw(F4 % "(25000000000,)"))


@other("npy_claims_800mb.npy", "InputException", ["header claims 800000000 bytes of data", "it is truncated"],
       "a .npy whose header claims (200000000,) float32 (under the element limit) with 16 bytes of data",
       reader="npy")
def _(p):
    write_bytes(p, npy_raw(F4 % "(200000000,)", bytes(16)))


@other("npy_negative_dimension.npy", "InputException", ["bad dimension -5 in shape (-5, 2)"],
       "shape (-5, 2)", reader="npy")
def _(p):
    write_bytes(p, npy_raw(F4 % "(-5, 2)", bytes(16)))


@other("npy_shape_not_numbers.npy", "InputException", ["bad shape in header: ('a', 2)"],
       "shape ('a', 2)", reader="npy")
def _(p):
    write_bytes(p, npy_raw(F4 % "('a', 2)", bytes(16)))


@other("npy_complex.npy", "InputException", ["dtype '<c8' is not supported", "allowed: float32, float64"],
       "a complex64 array", reader="npy")
def _(p):
    write_bytes(p, npy_raw("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", bytes(24)))


@other("npy_object_pickle.npy", "InputException", ["dtype '|O' is not supported"],
       "an object array (NumPy stores it as a pickle, which jkeras never unpickles)", reader="npy")
def _(p):
    write_bytes(p, npy_raw("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", b"\x80\x04N."))


@other("npy_fortran_order.npy", "InputException", ["Fortran-order arrays are not supported"],
       "fortran_order True", reader="npy")
def _(p):
    write_bytes(p, npy_raw("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", bytes(24)))


@other("npy_no_shape.npy", "InputException", [".npy header has no 'shape'"], "a header without 'shape'",
       reader="npy")
def _(p):
    write_bytes(p, npy_raw("{'descr': '<f4', 'fortran_order': False, }"))


@other("npy_version_9.npy", "InputException", [".npy format version 9 is not supported; allowed: 1, 2, 3"],
       "format version byte 9", reader="npy")
def _(p):
    b = bytearray(npy_raw(F4 % "(1,)", bytes(4)))
    b[6] = 9
    write_bytes(p, bytes(b))


@other("npy_header_length_1gb.npy", "InputException", ["header length 1073741824 is out of range"],
       "a version 2.0 header whose length field claims 1 GiB", reader="npy")
def _(p):
    write_bytes(p, npy_raw(F4 % "(1,)", bytes(4), version=2, header_len=1 << 30))


# ---- architecture JSON (loaded with fixtures/keras3/gru_default/model.weights.h5) -----------

def cfg(name, exception, contains, how):
    return other(name, exception, contains, how + "; loaded with " + GRU_WEIGHTS, reader="config", with_=GRU_WEIGHTS)


@cfg("config_truncated.json", "ModelFormatException", ["model config is not valid JSON"],
     "the first 300 bytes of fixtures/keras3/gru_default/config.json")
def _(p):
    with open(os.path.join(ROOT, GRU_CONFIG), "rb") as f:
        write_bytes(p, f.read(300))


@cfg("config_array.json", "ModelFormatException", ["model config is not a JSON object"], "a JSON list [1, 2, 3]")
def _(p):
    write_bytes(p, b"[1, 2, 3]")


@cfg("config_too_deep.json", "ModelFormatException",
     ["model config nests arrays and objects deeper than the limit of 200 levels", "LoadOptions.maxJsonDepth"],
     "a Sequential config whose first layer's config nests 20000 lists")
def _(p):
    write_bytes(p, b'{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": '
                + b"[" * 20000 + b"]" * 20000 + b"}]}}")


@cfg("config_too_many_layers.json", "ModelFormatException",
     ["Sequential config lists 10001 layers, more than the limit of 10000 (LoadOptions.maxLayers)"],
     "a Sequential config listing 10001 empty layer entries (refused before any is built)")
def _(p):
    write_bytes(p, b'{"class_name": "Sequential", "config": {"layers": [' + b",".join([b"{}"] * 10001) + b"]}}")


@cfg("config_functional_too_many_layers.json", "ModelFormatException",
     ["Functional config lists 20000 layers, more than the limit of 10000 (LoadOptions.maxLayers)"],
     "a Functional config listing 20000 empty layer entries")
def _(p):
    write_bytes(p, b'{"class_name": "Functional", "config": {"layers": [' + b",".join([b"{}"] * 20000) + b"]}}")


@cfg("config_no_class_name.json", "ModelFormatException", ["model config needs 'class_name' and 'config', found keys [config]"],
     "an object without class_name")
def _(p):
    write_bytes(p, b'{"config": {"layers": []}}')


@cfg("config_unknown_top_class.json", "UnsupportedModelException",
     ["top-level model class 'Pipeline' is not supported; allowed: Sequential, Functional, Model"],
     "class_name Pipeline")
def _(p):
    write_bytes(p, b'{"class_name": "Pipeline", "config": {"layers": []}}')


@cfg("config_sequential_without_layers.json", "ModelFormatException", ["Sequential config has no 'layers' list"],
     "a Sequential config whose layers is a string")
def _(p):
    write_bytes(p, b'{"class_name": "Sequential", "config": {"layers": "gru"}}')


@cfg("config_layer_not_object.json", "ModelFormatException", ["layer entry is not an object: 42"],
     "a Sequential config whose layer list holds the number 42")
def _(p):
    write_bytes(p, b'{"class_name": "Sequential", "config": {"layers": [42]}}')


@cfg("config_huge_number.json", "ModelFormatException", ["model config holds a number of more than 100 digits"],
     "units written as a 1000-digit number")
def _(p):
    write_bytes(p, b'{"class_name": "Sequential", "config": {"layers": [{"class_name": "GRU", "config": {"units": '
                + b"9" * 1000 + b"}}]}}")


@cfg("config_not_utf8.json", "ModelFileException", ["architecture JSON is not UTF-8 text"],
     "bytes ff fe 00 80 c3 (not UTF-8)")
def _(p):
    write_bytes(p, b"\xff\xfe\x00\x80\xc3")


# ---- Keras 3 .weights.h5 (loaded with fixtures/keras3/gru_default/config.json) --------------

def wts(name, exception, contains, how):
    return other(name, exception, contains, how + " (from " + GRU_WEIGHTS + "; loaded with " + GRU_CONFIG + ")",
                 reader="weights", with_=GRU_CONFIG)


def copy_gru_weights(p):
    shutil.copyfile(os.path.join(ROOT, GRU_WEIGHTS), p)


@wts("weights_group_cycle.weights.h5", "ModelFormatException",
     ["HDF5 path 'layers/gru/cell' below / reaches at 'layers/gru/cell' the group it already passed at 'layers/gru'",
      "the file's groups form a cycle"],
     "layers/gru/cell replaced by a hard link to its parent layers/gru (a group cycle)")
def _(p):
    copy_gru_weights(p)
    with h5py.File(p, "r+") as f:
        del f["layers/gru/cell"]
        f["layers/gru/cell"] = f["layers/gru"]


@wts("weights_kernel_claims_100gb.weights.h5", "WeightException",
     ["layer 'gru'", "weight 'kernel'", "exceeds the limit of 268435456 elements"],
     "layers/gru/cell/vars/0 replaced by an unwritten chunked (160000, 160000) float32 dataset: 102 GB claimed")
def _(p):
    copy_gru_weights(p)
    with h5py.File(p, "r+") as f:
        del f["layers/gru/cell/vars/0"]
        f.create_dataset("layers/gru/cell/vars/0", shape=(160000, 160000), dtype=np.float32, chunks=(16, 16))


@wts("weights_vars_gap.weights.h5", "ModelFormatException",
     ["layer 'gru'", "group layers/gru/cell/vars holds variables [0, 2]", "needs every index"],
     "layers/gru/cell/vars/1 deleted")
def _(p):
    copy_gru_weights(p)
    with h5py.File(p, "r+") as f:
        del f["layers/gru/cell/vars/1"]


@wts("weights_vars_foreign_name.weights.h5", "ModelFormatException",
     ["layer 'gru'", "holds 'payload'", "Keras names a layer's variables 0, 1, 2"],
     "a dataset named payload added to layers/gru/cell/vars")
def _(p):
    copy_gru_weights(p)
    with h5py.File(p, "r+") as f:
        f["layers/gru/cell/vars/payload"] = np.zeros(3, np.float32)


# ---- legacy HDF5: links and cycles ----------------------------------------------------------

@case("weight_path_through_cycle.h5", "lstm_default", "ModelFormatException",
      ["layer 'lstm'", "reaches at 'sequential/lstm/back' the group it already passed at '/model_weights/lstm'",
       "the file's groups form a cycle"],
      "a hard link model_weights/lstm/sequential/lstm/back -> model_weights/lstm, and the kernel's weight_names"
      " entry routed through it (sequential/lstm/back/sequential/lstm/lstm_cell/kernel)")
def _(p):
    with h5py.File(p, "r+") as f:
        f["model_weights/lstm/sequential/lstm/back"] = f["model_weights/lstm"]
        g = f["model_weights/lstm"]
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in g.attrs["weight_names"]]
        names[0] = "sequential/lstm/back/" + names[0]
        g.attrs["weight_names"] = np.array(names, dtype=h5py.string_dtype())


@case("kernel_external_link.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "weight 'kernel'", "listed in weight_names as 'sequential/lstm/lstm_cell/kernel' but no such dataset"],
      "the kernel replaced by an HDF5 external link to /etc/passwd (links are never followed, no other file is opened)")
def _(p):
    with h5py.File(p, "r+") as f:
        del f[LSTM + "kernel"]
        f[LSTM + "kernel"] = h5py.ExternalLink("/etc/passwd", "/kernel")


@case("kernel_soft_link_loop.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "weight 'kernel'", "no such dataset"],
      "the kernel replaced by a soft link to itself")
def _(p):
    with h5py.File(p, "r+") as f:
        del f[LSTM + "kernel"]
        f[LSTM + "kernel"] = h5py.SoftLink("/" + LSTM + "kernel")


@case("lstm_kernel_claims_100gb_float64.h5", "lstm_default", "WeightException",
      ["layer 'lstm'", "weight 'kernel'", "shape [125000, 100000] exceeds the limit of 268435456 elements"],
      "the kernel replaced by an unwritten chunked (125000, 100000) float64 dataset: 100 GB claimed by a 15 KB file")
def _(p):
    with h5py.File(p, "r+") as f:
        del f[LSTM + "kernel"]
        f.create_dataset(LSTM + "kernel", shape=(125000, 100000), dtype=np.float64, chunks=(16, 16))


# ---- jkeras native files (.jkm; the layout of io.jkeras.format.JkmReader) --------------------
# Made from the fuzz seed written by io.jkeras.fuzz.JkmSeeds (lstm_default with an embedded check).

JKM_SEED = os.path.join(ROOT, "src", "keras", "src", "test", "resources", "io", "jkeras", "fuzz", "ReadersFuzzTestInputs", "nativeJkm",
                        "seed-lstm_default.jkm")
JKM_FROM = " (from the native seed src/keras/src/test/resources/io/jkeras/fuzz/ReadersFuzzTestInputs/nativeJkm/seed-lstm_default.jkm)"


def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_CRC32C = _crc32c_table()


def crc32c(b):
    c = 0xffffffff
    for x in b:
        c = _CRC32C[(c ^ x) & 0xff] ^ (c >> 8)
    return c ^ 0xffffffff


def jkm():
    with open(JKM_SEED, "rb") as f:
        return bytearray(f.read())


def jkm_header(b):
    hl = struct.unpack_from("<q", b, 24)[0]
    return json.loads(bytes(b[64:64 + hl]))


def jkm_fix(b, header=None, crc=crc32c):
    """Rewrites the header (compact JSON, padded with zeros up to the data section) and every checksum
    (the preamble's is CRC-32C; the header's CRC-32C in format 1.x, the default, CRC-32 in 2.x:
    io.jkeras.format.Jkm.checksum)."""
    if header is not None:
        h = json.dumps(header, separators=(",", ":")).encode("utf-8")
        data_offset = struct.unpack_from("<q", b, 32)[0]
        assert 64 + len(h) <= data_offset, "the new header must fit before the data section"
        b[64:data_offset] = h + bytes(data_offset - 64 - len(h))
        struct.pack_into("<q", b, 24, len(h))
    hl = struct.unpack_from("<q", b, 24)[0]
    struct.pack_into("<I", b, 48, crc(bytes(b[64:64 + hl])))
    struct.pack_into("<I", b, 60, crc32c(bytes(b[0:60])))
    return b


def jkm_case(name, exception, contains, how):
    return other(name, exception, contains, how + JKM_FROM, reader="jkm")


@jkm_case("jkm_truncated.jkm", "ModelFileException", ["is truncated: 2816 bytes, but its preamble says the file has 5632 bytes"],
          "the first half of a native file")
def _(p):
    b = jkm()
    write_bytes(p, bytes(b[: len(b) // 2]))


@jkm_case("jkm_preamble_damaged.jkm", "ModelFileException", ["preamble checksum mismatch", "the first 64 bytes are damaged"],
          "the minor version byte changed without updating the preamble checksum")
def _(p):
    b = jkm()
    b[10] = 7
    write_bytes(p, bytes(b))


@jkm_case("jkm_version_99.jkm", "ModelFormatException", ["native format version 99.0 is newer than this jkeras"],
          "major version 99, checksums recomputed")
def _(p):
    b = jkm()
    struct.pack_into("<H", b, 8, 99)
    write_bytes(p, bytes(jkm_fix(b)))


@jkm_case("jkm_header_damaged.jkm", "ModelFileException", ["header checksum mismatch", "is damaged"],
          "one byte of the JSON header changed without updating its checksum")
def _(p):
    b = jkm()
    i = b.index(b'"writer"')
    b[i + 1] = ord("W")
    write_bytes(p, bytes(b))


@jkm_case("jkm_header_not_json.jkm", "ModelFormatException", ["header is not valid JSON"],
          "the JSON header's first byte replaced by '<', checksums recomputed")
def _(p):
    b = jkm()
    b[64] = ord("<")
    write_bytes(p, bytes(jkm_fix(b)))


@jkm_case("jkm_tensor_claims_100gb.jkm", "ModelFormatException",
          ["tensor 0 'lstm/kernel' has shape [160000,160000], more than the limit of 268435456 elements"],
          "the kernel's shape in the tensor table changed to [160000, 160000] (102 GB), checksums recomputed")
def _(p):
    b = jkm()
    h = jkm_header(b)
    h["tensors"][0]["shape"] = [160000, 160000]
    write_bytes(p, bytes(jkm_fix(b, h)))


@jkm_case("jkm_tensor_outside_file.jkm", "ModelFormatException",
          ["tensor 1 'lstm/recurrent_kernel' (400 bytes at offset 1073741824) does not lie within the data section"],
          "the recurrent kernel's offset moved to 1 GiB (past the end of the 5632-byte file), checksums recomputed")
def _(p):
    b = jkm()
    h = jkm_header(b)
    h["tensors"][1]["offset"] = 1 << 30
    write_bytes(p, bytes(jkm_fix(b, h)))


@jkm_case("jkm_tensor_damaged.jkm", "ModelFileException", ["tensor 0 'lstm/kernel'", "checksum mismatch", "the file is damaged"],
          "one byte of the kernel's data changed")
def _(p):
    b = jkm()
    off = jkm_header(b)["tensors"][0]["offset"]
    b[off] ^= 0x40
    write_bytes(p, bytes(b))


@jkm_case("jkm_padding_not_zero.jkm", "ModelFileException", ["padding byte at offset", "is 0x01, not zero"],
          "a padding byte between the header and the data section set to 1")
def _(p):
    b = jkm()
    hl = struct.unpack_from("<q", b, 24)[0]
    b[64 + hl + 1] = 1
    write_bytes(p, bytes(b))


@jkm_case("jkm_duplicate_tensor.jkm", "ModelFormatException", ["tensor 1 'lstm/kernel' appears twice in the tensor table"],
          "the second tensor renamed to lstm/kernel, checksums recomputed")
def _(p):
    b = jkm()
    h = jkm_header(b)
    h["tensors"][1]["name"] = "lstm/kernel"
    write_bytes(p, bytes(jkm_fix(b, h)))


# ---- sizes a config gives, checked before anything of that size exists (LoadOptions.maxDimension) -----

ENC_DEC = os.path.join(GOOD, "stack_encoder_decoder", "model.keras")
ENC_DEC_FROM = " (config.json of fixtures/keras3/stack_encoder_decoder/model.keras, RepeatVector(5) changed)"


def encoder_decoder_with_repeat(n):
    """The encoder-decoder archive with RepeatVector's n replaced; the weights do not depend on n."""
    with zipfile.ZipFile(ENC_DEC) as z:
        entries = [(name, z.read(name)) for name in z.namelist()]
    out = []
    for name, data in entries:
        if name == "config.json":
            cfg = json.loads(data)
            for l in cfg["config"]["layers"]:
                if l["class_name"] == "RepeatVector":
                    l["config"]["n"] = n
            data = json.dumps(cfg).encode("utf-8")
        out.append(stored(name, data))
    return out


for _n, _what in [(2147483647, "2^31 - 1 (was a NegativeArraySizeException, exit 3)"),
                  (100000000, "10^8 (was an OutOfMemoryError)"),
                  (10000000, "10^7 (ran for a minute at 2.4 GB)")]:
    def _make(p, n=_n):
        write_zip(p, encoder_decoder_with_repeat(n))
    other(f"repeat_vector_n_{_n}.keras", "ModelFormatException",
          ["layer 'repeat_vector'", f"config 'n' is {_n}, more than the limit of 1048576", "LoadOptions.maxDimension"],
          f"RepeatVector n = {_what}" + ENC_DEC_FROM)(_make)


# ---- tensor names a .jkm gives must be the names the layer's decoder reads -------------------------

BN_JKM = os.path.join(ROOT, "fixtures", "native", "v2.0", "stack_lstm_batchnorm_noscale.jkm")


@other("jkm_batchnorm_weight_renamed.jkm", "ModelFormatException",
       ["layer 'batch_normalization'", "weight 'bias'", "is not a weight this layer reads",
        "allowed: gamma, beta, moving_mean, moving_variance, renorm_*"],
       "BatchNormalization's 'beta' renamed 'bias' (in its weight entry and the tensor table), checksums recomputed;"
       " it loaded, without its beta, and its output moved by 1.08 (from fixtures/native/v2.0/"
       "stack_lstm_batchnorm_noscale.jkm)", reader="jkm")
def _(p):
    with open(BN_JKM, "rb") as f:
        b = bytearray(f.read())
    h = jkm_header(b)
    for l in h["model"]["layers"]:
        if l["type"] == "BatchNormalization":
            for w in l["weights"]:
                if w["name"] == "beta":
                    w["name"] = "bias"
                    t = h["tensors"][w["tensor"]]
                    t["name"] = t["name"].replace("beta", "bias")
    write_bytes(p, bytes(jkm_fix(b, h, crc=lambda x: zlib.crc32(x) & 0xffffffff)))


def jkm_check_tolerance(key, value):
    def fn(p):
        b = jkm()
        h = jkm_header(b)
        h["checks"][0][key] = value
        write_bytes(p, bytes(jkm_fix(b, h)))
    return fn


# An embedded check's tolerance is finite, >= 0 and at most 1e-2 (io.jkeras.golden.Tolerance.MAX): a looser
# check passes any output, so the file would claim a self-test that tests nothing.
for _name, _key, _value, _shown in [("jkm_check_atol_negative.jkm", "atol", -1.0, "'atol' -1.0"),
                                    ("jkm_check_atol_huge.jkm", "atol", 1e300, "'atol' 1.0E300"),
                                    ("jkm_check_rtol_loose.jkm", "rtol", 0.5, "'rtol' 0.5")]:
    jkm_case(_name, "ModelFormatException", ["embedded check 0", _shown, "a tolerance is a finite number >= 0 and at most 0.01"],
             f"the embedded check's {_key} set to {_value!r}, checksums recomputed")(jkm_check_tolerance(_key, _value))


def write_harmless_cycle(out_dir):
    """fixtures/hostile/harmless_group_cycle.h5: a good file plus a cycle no weight path uses (loads)."""
    os.makedirs(out_dir, exist_ok=True)
    p = os.path.join(out_dir, "harmless_group_cycle.h5")
    shutil.copyfile(good("lstm_default"), p)
    with h5py.File(p, "r+") as f:
        f["model_weights/lstm/sequential/up"] = f["/"]
        f["model_weights/loop"] = f["model_weights"]


def write_gzip_weights(out_dir):
    """fixtures/hostile/gzip_weights.h5: lstm_default with every weight gzip- and shuffle-compressed
    (HDF5's own filters, which h5py users sometimes apply): it loads and predicts exactly as the original."""
    os.makedirs(out_dir, exist_ok=True)
    p = os.path.join(out_dir, "gzip_weights.h5")
    shutil.copyfile(good("lstm_default"), p)
    with h5py.File(p, "r+") as f:
        names = []
        f["model_weights"].visititems(lambda n, o: names.append("model_weights/" + n) if isinstance(o, h5py.Dataset) else None)
        for n in names:
            data = f[n][()]
            del f[n]
            f.create_dataset(n, data=data, chunks=data.shape, compression="gzip", compression_opts=9, shuffle=True)


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
        entry = {"file": c["file"], "exception": c["exception"], "message_contains": c["message_contains"],
                 "how": c["how"] + ("" if c["base"] is None else f" (from fixtures/keras3/{c['base']}/model.h5)")}
        if c.get("reader", "model") != "model":
            entry["reader"] = c["reader"]
        if c.get("with_"):
            entry["with"] = c["with_"]
        expected.append(entry)
    with open(os.path.join(args.out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    write_harmless_cycle(os.path.join(os.path.dirname(args.out), "hostile"))
    write_gzip_weights(os.path.join(os.path.dirname(args.out), "hostile"))
    print(f"wrote {len(expected)} files, {total} bytes, to {os.path.relpath(args.out, ROOT)}")


if __name__ == "__main__":
    main()
