#!/usr/bin/env python3
"""Seeds the Jazzer corpora of src/keras/src/test/java/io/jkeras/fuzz/ReadersFuzzTest from fixtures/.

Deterministic; h5py and numpy only. Writes
src/keras/src/test/resources/io/jkeras/fuzz/ReadersFuzzTestInputs/<target>/seed-*; findings of fuzzing runs
(crash-*, timeout-*, ...) live next to them and are never touched by this script.

    .venv/bin/python tools/make_fuzz_seeds.py
"""
import io
import json
import os
import struct
import zipfile

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
K3 = os.path.join(ROOT, "fixtures", "keras3")
OUT = os.path.join(ROOT, "src", "keras", "src", "test", "resources", "io", "jkeras", "fuzz", "ReadersFuzzTestInputs")
# the order of ReadersFuzzTest.PAIRS: the first byte of a weights or config seed picks one
PAIRS = ["gru_default", "bidir_lstm_concat", "conv1d_causal_lstm", "embedding_mask_lstm"]


def read(*p):
    with open(os.path.join(*p), "rb") as f:
        return f.read()


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def legacy():
    for case in ["lstm_default", "gru_default", "simple_rnn_default", "graph_two_in_two_out", "bidir_lstm_concat",
                 "chunked_layer_names", "embedding_mask_lstm", "lstm_stateful"]:
        put("legacyHdf5", case + ".h5", read(K3, case, "model.h5"))
    put("legacyHdf5", "zoo_keras2_rnn.h5", read(ROOT, "fixtures", "zoo", "dl4j_simple_rnn_tf_keras2", "model.h5"))
    for bad in ["truncated.h5", "lstm_kernel_huge_shape.h5", "not_keras.h5"]:
        put("legacyHdf5", "bad_" + bad, read(ROOT, "fixtures", "bad", bad))


def archives():
    for case in ["lstm_default", "gru_default", "graph_two_in_two_out", "bidir_lstm_concat"]:
        put("kerasZip", case + ".keras", read(K3, case, "model.keras"))
    # the same entries deflated (Keras stores them; other zip tools may not)
    src = zipfile.ZipFile(os.path.join(K3, "simple_rnn_default", "model.keras"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n in src.namelist():
            zi = zipfile.ZipInfo(n, date_time=(2020, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, src.read(n))
    put("kerasZip", "simple_rnn_deflated.keras", buf.getvalue())


def weights():
    for i, case in enumerate(PAIRS):
        put("weightsH5WithConfig", case + ".weights.h5", bytes([i]) + read(K3, case, "model.weights.h5"))


def configs():
    for i, case in enumerate(PAIRS):
        put("modelConfigJson", case + ".json", bytes([i]) + read(K3, case, "config.json"))
    # parse-only (index len(PAIRS)): the model_config of legacy files of other eras and graphs
    for name, path in [("graph_two_in_two_out", os.path.join(K3, "graph_two_in_two_out", "model.h5")),
                       ("zoo_keras1_lstm", os.path.join(ROOT, "fixtures", "zoo", "dl4j_simple_lstm_tf_keras1", "model.h5")),
                       ("zoo_keras224_lstm", os.path.join(ROOT, "fixtures", "zoo", "keras2c_lstm_hard_sigmoid_keras224", "model.h5"))]:
        with h5py.File(path, "r") as f:
            c = f.attrs["model_config"]
            c = c.decode("utf-8") if isinstance(c, bytes) else str(c)
        put("modelConfigJson", name + ".json", bytes([len(PAIRS)]) + c.encode("utf-8"))


def npy_bytes(a, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, a)
    else:
        np.lib.format.write_array(buf, a, version=version)
    return buf.getvalue()


def npys():
    put("npy", "x0_f4.npy", read(K3, "stack_lstm_lstm_dense", "x0.npy"))
    rng = np.random.default_rng(7)
    put("npy", "f8.npy", npy_bytes(rng.standard_normal((2, 3, 2))))
    put("npy", "i4.npy", npy_bytes(np.arange(12, dtype=np.int32).reshape(3, 4)))
    put("npy", "i8_big_endian.npy", npy_bytes(np.arange(6, dtype=">i8")))
    put("npy", "u1.npy", npy_bytes(np.arange(5, dtype=np.uint8)))
    put("npy", "bool.npy", npy_bytes(np.array([True, False, True])))
    put("npy", "f4_big_endian.npy", npy_bytes(np.ones((2, 2), dtype=">f4")))
    put("npy", "scalar.npy", npy_bytes(np.float32(1.5)))
    put("npy", "empty.npy", npy_bytes(np.zeros((0, 3), dtype=np.float32)))
    put("npy", "v2.npy", npy_bytes(np.ones((2, 2), dtype=np.float32), version=(2, 0)))
    put("npy", "v3.npy", npy_bytes(np.ones((2,), dtype=np.float32), version=(3, 0)))


if __name__ == "__main__":
    legacy()
    archives()
    weights()
    configs()
    npys()
    total = 0
    for d, _, fs in os.walk(OUT):
        for f in fs:
            total += os.path.getsize(os.path.join(d, f))
    print("seeds written to", OUT, "total", total, "bytes")
