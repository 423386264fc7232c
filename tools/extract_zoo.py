#!/usr/bin/env python3
"""Build fixtures/zoo/<case>/ from the keras-zoo collection.

Only model files that come with ORIGINAL reference data (inputs and outputs
produced by the same Keras that wrote the model) are used.  Model files are
copied byte for byte; x0.npy / y0.npy are obtained purely by reformatting the
original reference data (reading stacked HDF5 datasets, parsing CSV files,
reshaping a flat prediction vector).  Nothing is computed with a model here.

Usage:  python tools/extract_zoo.py [ZOO_DIR] [--out fixtures/zoo]
ZOO_DIR defaults to ../shared/keras-zoo relative to the repository root.
Needs numpy and h5py.
"""
import argparse
import json
import os
import shutil
import sys

import h5py
import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_ZOO = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "keras-zoo"))
DEFAULT_OUT = os.path.join(REPO_ROOT, "fixtures", "zoo")

DL4J = "dl4j-test-resources/modelimport/keras"
DL4J_SRC = "src/main/resources/modelimport/keras"
DL4J_REPO = "KonduitAI/dl4j-test-resources"
DL4J_COMMIT = "e95182762844cb67d575997c048e6b6f45a9e7b5"
KERAS2C_REPO = "PlasmaControl/keras2c"
KERAS2C_COMMIT = "434edc2bef1ee0c776afcc45fe3c9a90d153329d"


def dl4j_example(case, sub, stem, written_by, version, layers, description):
    """DL4J examples/<sub>/<stem>_model.h5 + <stem>_inputs_and_outputs.h5."""
    return {
        "name": case,
        "description": description,
        "files": {"model.h5": f"{DL4J}/examples/{sub}/{stem}_model.h5"},
        "ref": ("dl4j_h5", f"{DL4J}/examples/{sub}/{stem}_inputs_and_outputs.h5"),
        "provenance": {
            "source_repo": DL4J_REPO,
            "source_paths": [
                f"{DL4J_SRC}/examples/{sub}/{stem}_model.h5",
                f"{DL4J_SRC}/examples/{sub}/{stem}_inputs_and_outputs.h5",
            ],
            "commit": DL4J_COMMIT,
            "license": "Apache-2.0",
            "written_by": written_by,
            "reference": (
                "ORIGINAL: DL4J's Keras-side reference file "
                f"{stem}_inputs_and_outputs.h5, written together with the model by the "
                "same Keras. x0 = dataset inputs/<input name> (one stacked dataset, "
                "first axis = samples), y0 = dataset predictions/<output name> "
                "(model.predict output; outputs/* are training targets and are NOT "
                "used). Copied unchanged apart from forcing float32 / C order."
            ),
            "converter": "tools/extract_zoo.py",
        },
        "keras_version": version,
        "layers": layers,
    }


CASES = [
    dl4j_example(
        "dl4j_simple_lstm_tf_keras1", "simple_lstm", "simple_lstm_tf_keras_1",
        "Keras 1.2.2 / tensorflow (backend from DL4J file name; Keras 1 files carry no backend attribute)",
        "1.2.2",
        ["LSTM(50, activation=tanh, inner_activation=hard_sigmoid, consume_less=cpu, dropout_W=0.2)", "Dense(1)"],
        "Keras 1 LSTM with 12 per-gate weight arrays (W_i,U_i,b_i,W_c,U_c,b_c,W_f,U_f,b_f,W_o,U_o,b_o), "
        "input (100, 1, 1), output (100, 1). Weight names carry ':0' (TF).",
    ),
    dl4j_example(
        "dl4j_simple_lstm_th_keras1", "simple_lstm", "simple_lstm_th_keras_1",
        "Keras 1.2.2 / theano (backend from DL4J file name; Keras 1 files carry no backend attribute)",
        "1.2.2",
        ["LSTM(50, activation=tanh, inner_activation=hard_sigmoid, consume_less=cpu, dropout_W=0.2)", "Dense(1)"],
        "Keras 1 LSTM written under Theano: same layout as the TF one but weight names without ':0'; "
        "no transposition/flipping needed for LSTM/Dense. Input (100, 1, 1), output (100, 1).",
    ),
    dl4j_example(
        "dl4j_simple_rnn_tf_keras2", "simple_rnn", "simple_rnn_tf_keras_2",
        "Keras 2.1.3 / tensorflow", "2.1.3",
        ["SimpleRNN(50, activation=tanh, dropout=0.2)", "Dense(1)"],
        "Keras 2 SimpleRNN -> Dense, batch_input_shape fixed to [25, 1, 1]; input (25, 1, 1), output (25, 1).",
    ),
    dl4j_example(
        "dl4j_simple_flatten_rnn_tf_keras2", "simple_flatten_rnn", "simple_flatten_rnn_tf_keras_2",
        "Keras 2.1.3 / tensorflow", "2.1.3",
        ["SimpleRNN(50, activation=tanh, return_sequences=True, dropout=0.2)", "Flatten", "Dense(1)"],
        "Keras 2 SimpleRNN(return_sequences) -> Flatten -> Dense, batch_input_shape [25, 1, 1]; "
        "input (25, 1, 1), output (25, 1).",
    ),
    dl4j_example(
        "dl4j_simple_flatten_lstm_tf_keras2", "simple_flatten_lstm", "simple_flatten_lstm_tf_keras_2",
        "Keras 2.1.3 / tensorflow", "2.1.3",
        ["LSTM(50, activation=tanh, recurrent_activation=hard_sigmoid, implementation=1, dropout=0.2)", "Dense(1)"],
        "Keras 2 LSTM -> Dense (despite the DL4J name there is no Flatten layer), batch_input_shape "
        "[25, 1, 1]; input (25, 1, 1), output (25, 1).",
    ),
    {
        "name": "keras2c_lstm_hard_sigmoid_keras224",
        "description": "keras2c example: functional Model InputLayer(8, 32) -> Dense(20, relu) -> Dense(20, relu) "
                       "(applied per timestep on 3-D input) -> LSTM(20, activation=relu, "
                       "recurrent_activation=hard_sigmoid) -> Dense(30). Keras 2.2.4 hard_sigmoid = "
                       "clip(0.2x+0.5, 0, 1). Input (10, 8, 32), output (10, 30).",
        "files": {"model.h5": "keras2c/model.h5"},
        "ref": ("npy", "keras2c/inputs.npy", "keras2c/expected_outputs.npy"),
        "provenance": {
            "source_repo": KERAS2C_REPO,
            "source_paths": ["example/model.h5", "example/profile_predictor_test_suite.c"],
            "commit": KERAS2C_COMMIT,
            "license": "LGPL-3.0",
            "written_by": "Keras 2.2.4 / tensorflow",
            "reference": (
                "ORIGINAL: Keras predictions embedded by keras2c's make_test_suite in "
                "example/profile_predictor_test_suite.c (arrays test{i}_input_1_input_array -> "
                "keras_dense_3_test{i}_array, i=1..10); the zoo collector extracted the numbers "
                "to keras-zoo/keras2c/inputs.npy (10,8,32) and expected_outputs.npy (10,30); "
                "copied here unchanged apart from forcing float32 / C order."
            ),
            "converter": "tools/extract_zoo.py",
        },
        "keras_version": "2.2.4",
        "layers": ["InputLayer(8, 32)", "Dense(20, relu)", "Dense(20, relu)",
                   "LSTM(20, activation=relu, recurrent_activation=hard_sigmoid, implementation=1)", "Dense(30)"],
    },
    {
        "name": "dl4j_fullconfigs_lstm_th_keras2",
        "description": "Two-layer LSTM(96, return_sequences) -> LSTM(96) -> Dense(1, sigmoid) written by Keras 2.0.8 "
                       "under Theano; architecture only as JSON (config.json, model.to_json), weights via "
                       "save_weights (weights.h5). Input (283, 4, 12), output (283, 1).",
        "files": {
            "config.json": f"{DL4J}/fullconfigs/lstm/lstm_th_keras_2_config.json",
            "weights.h5": f"{DL4J}/fullconfigs/lstm/lstm_th_keras_2_weights.h5",
        },
        "ref": ("csv_seq", f"{DL4J}/fullconfigs/lstm/data/sequences", 283, 12,
                f"{DL4J}/fullconfigs/lstm/predictions.npy"),
        "provenance": {
            "source_repo": DL4J_REPO,
            "source_paths": [
                f"{DL4J_SRC}/fullconfigs/lstm/lstm_th_keras_2_config.json",
                f"{DL4J_SRC}/fullconfigs/lstm/lstm_th_keras_2_weights.h5",
                f"{DL4J_SRC}/fullconfigs/lstm/data/sequences/{{0..282}}.csv",
                f"{DL4J_SRC}/fullconfigs/lstm/predictions.npy",
            ],
            "commit": DL4J_COMMIT,
            "license": "Apache-2.0",
            "written_by": "Keras 2.0.8 / theano",
            "reference": (
                "ORIGINAL: inputs are DL4J's 283 CSV files data/sequences/0.csv..282.csv "
                "(';'-separated, 4 rows = 4 timesteps, 13 columns of which the first 12 are the "
                "features and the 13th is a label); x0[i] = first 12 columns of i.csv parsed as "
                "float64 then cast to float32, in numeric file order 0..282. y0 = predictions.npy "
                "(283,) float32 produced by Keras 2.0.8/Theano predict, reshaped to (283, 1)."
            ),
            "converter": "tools/extract_zoo.py",
        },
        "keras_version": "2.0.8",
        "layers": ["LSTM(96, activation=tanh, recurrent_activation=hard_sigmoid, return_sequences=True, implementation=0)",
                   "LSTM(96, activation=tanh, recurrent_activation=hard_sigmoid, implementation=0)",
                   "Dense(1, sigmoid)"],
    },
]


def f32c(a):
    return np.ascontiguousarray(np.asarray(a, dtype=np.float32))


def load_reference(zoo, ref):
    kind = ref[0]
    if kind == "dl4j_h5":
        with h5py.File(os.path.join(zoo, ref[1]), "r") as h:
            in_names = json.loads(h.attrs["inputs"])["inputs"]
            out_names = json.loads(h.attrs["outputs"])["outputs"]
            assert len(in_names) == 1 and len(out_names) == 1, (in_names, out_names)
            x = h["inputs"][in_names[0]][()]
            y = h["predictions"][out_names[0]][()]
        return f32c(x), f32c(y)
    if kind == "npy":
        return f32c(np.load(os.path.join(zoo, ref[1]))), f32c(np.load(os.path.join(zoo, ref[2])))
    if kind == "csv_seq":
        _, folder, n, n_feat, pred = ref
        seqs = []
        for i in range(n):
            with open(os.path.join(zoo, folder, f"{i}.csv")) as fh:
                rows = [line for line in fh.read().splitlines() if line.strip()]
            seqs.append([[float(v) for v in row.split(";")[:n_feat]] for row in rows])
        x = np.array(seqs, dtype=np.float64)
        y = np.load(os.path.join(zoo, pred))
        assert y.shape == (n,), y.shape
        return f32c(x), f32c(y.reshape(n, 1))
    raise ValueError(kind)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("zoo", nargs="?", default=DEFAULT_ZOO)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    if not os.path.isdir(args.zoo):
        sys.exit(f"keras-zoo not found at {args.zoo}")
    os.makedirs(args.out, exist_ok=True)
    for spec in CASES:
        d = os.path.join(args.out, spec["name"])
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        for dst, src in spec["files"].items():
            shutil.copyfile(os.path.join(args.zoo, src), os.path.join(d, dst))
        x, y = load_reference(args.zoo, spec["ref"])
        assert x.ndim == 3 and x.shape[0] == y.shape[0], (x.shape, y.shape)
        np.save(os.path.join(d, "x0.npy"), x)
        np.save(os.path.join(d, "y0.npy"), y)
        case = {
            "name": spec["name"],
            "description": spec["description"],
            "provenance": spec["provenance"],
            "n_inputs": 1,
            "n_outputs": 1,
            "batches": 1,
            "stateful": False,
            "atol": 1e-5,
            "keras_version": spec["keras_version"],
            "layers": spec["layers"],
        }
        with open(os.path.join(d, "case.json"), "w") as fh:
            json.dump(case, fh, indent=2)
            fh.write("\n")
        print(f"{spec['name']}: {sorted(spec['files'])} x0{x.shape} y0{y.shape}")


if __name__ == "__main__":
    main()
