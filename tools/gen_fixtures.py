#!/usr/bin/env python3
"""Generate Keras 3 reference fixtures for the jkeras Java runtime.

Every case builds a tiny recurrent model with real Keras 3, fills *every*
weight (biases included) with seeded uniform random values, saves the model
as legacy HDF5 (``model.h5``) and as the Keras 3 zip format (``model.keras``),
and writes the inputs (``x*.npy``) and Keras' own outputs (``y*.npy``)
together with a ``case.json`` description.  See fixtures/keras3/README.md for
the directory format.

Usage:
    KERAS_BACKEND=tensorflow python tools/gen_fixtures.py --out fixtures/keras3 [--only NAME ...]

The run is deterministic: the .npy files are byte-identical between runs.
"""

import argparse
import json
import os
import shlex
import shutil
import sys
import zlib

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

tf.config.experimental.enable_op_determinism()

ATOL = 1e-5
CASES = {}


class Case:
    def __init__(self, name, description, build, scale=0.6, in_range=1.5,
                 stateful=False):
        self.name = name
        self.description = description
        self.build = build  # () -> (model, [[shape, ...] per batch])
        self.scale = scale
        self.in_range = in_range
        self.stateful = stateful
        # Stable per-case seed derived from the case name.
        self.seed = zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


def case(name, description, **kw):
    def deco(fn):
        if name in CASES:
            raise ValueError("duplicate case " + name)
        CASES[name] = Case(name, description, fn, **kw)
        return fn
    return deco


def add_case(name, description, fn, **kw):
    case(name, description, **kw)(fn)


def seq(*layers, name=None):
    return keras.Sequential(list(layers), name=name)


def one(shape):
    """Batches spec for a single-input model evaluated on one batch."""
    return [[tuple(shape)]]


# --------------------------------------------------------------------------
# SimpleRNN
# --------------------------------------------------------------------------
B, T, F = 3, 6, 4

case("simple_rnn_default", "SimpleRNN with default options (tanh, bias, last output only)")(
    lambda: (seq(keras.Input((T, F)), L.SimpleRNN(5)), one((B, T, F))))
case("simple_rnn_return_sequences", "SimpleRNN return_sequences=True")(
    lambda: (seq(keras.Input((T, F)), L.SimpleRNN(5, return_sequences=True)), one((B, T, F))))
case("simple_rnn_relu_no_bias", "SimpleRNN activation='relu', use_bias=False")(
    lambda: (seq(keras.Input((7, 3)), L.SimpleRNN(6, activation="relu", use_bias=False)),
             one((2, 7, 3))))
case("simple_rnn_go_backwards", "SimpleRNN go_backwards=True, last output only")(
    lambda: (seq(keras.Input((T, F)), L.SimpleRNN(5, go_backwards=True)), one((B, T, F))))
case("simple_rnn_go_backwards_seq",
     "SimpleRNN go_backwards=True, return_sequences=True (Keras returns the sequence in "
     "processing order, i.e. output[:,0] corresponds to the LAST input timestep)")(
    lambda: (seq(keras.Input((T, F)), L.SimpleRNN(5, go_backwards=True, return_sequences=True)),
             one((B, T, F))))


def _srnn_return_state():
    inp = keras.Input((T, F), name="in")
    out, h = L.SimpleRNN(5, return_state=True, name="rnn")(inp)
    return keras.Model(inp, [out, h], name="srnn_state"), one((B, T, F))


add_case("simple_rnn_return_state",
         "Functional SimpleRNN return_state=True; outputs [output, h]", _srnn_return_state)
case("simple_rnn_unroll", "SimpleRNN unroll=True")(
    lambda: (seq(keras.Input((5, 3)), L.SimpleRNN(4, unroll=True)), one((2, 5, 3))))
case("simple_rnn_stateful",
     "SimpleRNN stateful=True, Input(batch_shape=(2,5,3)); 3 consecutive batches, state "
     "reset once before batch 0 and carried across batches",
     stateful=True)(
    lambda: (seq(keras.Input(batch_shape=(2, 5, 3)),
                 L.SimpleRNN(4, stateful=True, return_sequences=True)),
             [[(2, 5, 3)]] * 3))
case("simple_rnn_dropout", "SimpleRNN dropout=0.3, recurrent_dropout=0.3 (inactive at inference)")(
    lambda: (seq(keras.Input((T, F)), L.SimpleRNN(5, dropout=0.3, recurrent_dropout=0.3,
                                                  return_sequences=True)), one((B, T, F))))

# --------------------------------------------------------------------------
# LSTM
# --------------------------------------------------------------------------
case("lstm_default", "LSTM with default options")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5)), one((B, T, F))))
case("lstm_return_sequences", "LSTM return_sequences=True")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5, return_sequences=True)), one((B, T, F))))
case("lstm_no_bias", "LSTM use_bias=False")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5, use_bias=False)), one((B, T, F))))
case("lstm_go_backwards", "LSTM go_backwards=True, last output only")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5, go_backwards=True)), one((B, T, F))))
case("lstm_go_backwards_seq",
     "LSTM go_backwards=True, return_sequences=True (sequence in processing order, "
     "i.e. reversed relative to the input)")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5, go_backwards=True, return_sequences=True)),
             one((B, T, F))))
case("lstm_hard_sigmoid",
     "LSTM recurrent_activation='hard_sigmoid' (Keras 3: relu6(x+3)/6); inputs in [-4,4]",
     in_range=4.0, scale=1.0)(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5, recurrent_activation="hard_sigmoid",
                                             return_sequences=True)), one((B, T, F))))
case("lstm_relu_activation", "LSTM activation='relu', recurrent_activation='sigmoid'")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5, activation="relu", recurrent_activation="sigmoid",
                                             return_sequences=True)), one((B, T, F))))
case("lstm_unroll", "LSTM unroll=True")(
    lambda: (seq(keras.Input((5, 3)), L.LSTM(4, unroll=True, return_sequences=True)),
             one((2, 5, 3))))


def _lstm_return_state(return_sequences):
    def build():
        inp = keras.Input((T, F), name="in")
        out, h, c = L.LSTM(5, return_state=True, return_sequences=return_sequences,
                           name="lstm")(inp)
        return keras.Model(inp, [out, h, c]), one((B, T, F))
    return build


add_case("lstm_return_state", "Functional LSTM return_state=True; outputs [output, h, c]",
         _lstm_return_state(False))
add_case("lstm_return_state_seq",
         "Functional LSTM return_state=True, return_sequences=True; outputs [sequence, h, c]",
         _lstm_return_state(True))
case("lstm_stateful",
     "LSTM stateful=True, Input(batch_shape=(2,4,3)); 3 consecutive batches, state reset once "
     "before batch 0 and carried across batches",
     stateful=True)(
    lambda: (seq(keras.Input(batch_shape=(2, 4, 3)), L.LSTM(5, stateful=True)),
             [[(2, 4, 3)]] * 3))
case("lstm_dropout", "LSTM dropout=0.25, recurrent_dropout=0.4 (inactive at inference)")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5, dropout=0.25, recurrent_dropout=0.4,
                                             return_sequences=True)), one((B, T, F))))
case("lstm_no_unit_forget_bias",
     "LSTM unit_forget_bias=False (only affects the initializer; bias is random here)")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5, unit_forget_bias=False)), one((B, T, F))))

# --------------------------------------------------------------------------
# Activations (enumerated programmatically from keras.activations)
# --------------------------------------------------------------------------
_NOT_ACTIVATIONS = {"get", "serialize", "deserialize"}
# Activations whose output width differs from its input width cannot be used
# as a recurrent cell activation; they are exercised on the Dense layer only.
_DENSE_ONLY = {"glu"}
ACTIVATION_SKIPPED = {}


def _enumerate_activations():
    import inspect
    names = []
    for n in sorted(dir(keras.activations)):
        if n.startswith("_") or n in _NOT_ACTIVATIONS:
            continue
        fn = getattr(keras.activations, n)
        if not callable(fn):
            continue
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            ACTIVATION_SKIPPED[n] = "no inspectable signature"
            continue
        params = list(sig.parameters.values())
        required = [p for p in params[1:] if p.default is inspect.Parameter.empty
                    and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        if required:
            ACTIVATION_SKIPPED[n] = ("requires argument(s) without defaults: "
                                     + ", ".join(p.name for p in required))
            continue
        try:
            y = np.asarray(fn(tf.constant(np.linspace(-2, 2, 12, dtype="float32").reshape(2, 6))))
            if not np.all(np.isfinite(y)):
                raise ValueError("non-finite output")
        except Exception as e:  # pragma: no cover - depends on Keras version
            ACTIVATION_SKIPPED[n] = "fails with default arguments: %s" % type(e).__name__
            continue
        names.append(n)
    return names


ACTIVATIONS = _enumerate_activations()


def _act_case(a):
    def build():
        if a in _DENSE_ONLY:
            model = seq(keras.Input((5, 3)), L.SimpleRNN(6, return_sequences=True),
                        L.Dense(4, activation=a))
        else:
            model = seq(keras.Input((5, 3)), L.SimpleRNN(6, activation=a, return_sequences=True),
                        L.Dense(4, activation=a))
        return model, one((2, 5, 3))
    return build


# Aliases that Keras serializes under another name (the saved config is
# byte-for-byte the same as for the target), so they get no separate case.
ACTIVATION_ALIASES = {}
for _a in list(ACTIVATIONS):
    _ser = keras.activations.serialize(getattr(keras.activations, _a))
    if _ser != _a and _ser in ACTIVATIONS:
        ACTIVATION_ALIASES[_a] = _ser
        ACTIVATIONS.remove(_a)

for _a in ACTIVATIONS:
    _desc = ("activation=%r on SimpleRNN(return_sequences) and on the following Dense"
             % _a)
    if _a in _DENSE_ONLY:
        _desc = ("activation=%r on the Dense after a tanh SimpleRNN (%s halves the last axis, "
                 "so it cannot be a recurrent cell activation)" % (_a, _a))
    _scale = 0.6
    if _a == "exponential":
        _scale = 0.3
    _range = 4.0 if _a in ("hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh",
                           "relu6", "sparse_sigmoid") else 1.5
    if _range == 4.0:
        _desc += "; inputs in [-4,4] to hit the clipping regions"
        _scale = 0.9
    if _a == "relu6":
        _scale = 1.0  # so that pre-activations exceed 6
    add_case("act_" + _a, _desc, _act_case(_a), scale=_scale, in_range=_range)


def _recact_case(a):
    def build():
        return (seq(keras.Input((T, F)), L.LSTM(5, recurrent_activation=a, return_sequences=True)),
                one((B, T, F)))
    return build


for _a in ["sigmoid", "hard_sigmoid", "tanh", "relu", "linear", "softsign"]:
    add_case("lstm_recact_" + _a, "LSTM recurrent_activation=%r (gates i, f, o)" % _a,
             _recact_case(_a), in_range=4.0 if _a == "hard_sigmoid" else 1.5,
             scale=1.0 if _a == "hard_sigmoid" else 0.6)

# --------------------------------------------------------------------------
# Stacks / combinations
# --------------------------------------------------------------------------
case("stack_lstm_lstm_dense", "LSTM(return_sequences) -> LSTM -> Dense")(
    lambda: (seq(keras.Input((7, 3)), L.LSTM(6, return_sequences=True), L.LSTM(4), L.Dense(3)),
             one((3, 7, 3))))
case("stack_srnn_lstm_td_dense",
     "SimpleRNN(return_sequences) -> LSTM(return_sequences) -> TimeDistributed(Dense)")(
    lambda: (seq(keras.Input((T, F)), L.SimpleRNN(5, return_sequences=True),
                 L.LSTM(4, return_sequences=True), L.TimeDistributed(L.Dense(3, activation="tanh"))),
             one((B, T, F))))
case("stack_lstm_flatten_dense", "LSTM(return_sequences) -> Flatten -> Dense")(
    lambda: (seq(keras.Input((5, 3)), L.LSTM(4, return_sequences=True), L.Flatten(), L.Dense(3)),
             one((2, 5, 3))))
case("stack_encoder_decoder",
     "encoder LSTM -> RepeatVector(5) -> decoder LSTM(return_sequences) -> "
     "TimeDistributed(Dense(softmax))")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(8), L.RepeatVector(5),
                 L.LSTM(8, return_sequences=True),
                 L.TimeDistributed(L.Dense(4, activation="softmax"))), one((B, T, F))))
case("stack_lstm_dense3d", "LSTM(return_sequences) -> Dense applied directly to the 3D sequence")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5, return_sequences=True), L.Dense(3, activation="sigmoid")),
             one((B, T, F))))
case("stack_dropout_layers", "Dropout layers between and after RNNs (identity at inference)")(
    lambda: (seq(keras.Input((T, F)), L.Dropout(0.2), L.LSTM(6, return_sequences=True),
                 L.Dropout(0.5), L.SimpleRNN(4), L.Dropout(0.3), L.Dense(2)), one((B, T, F))))
case("stack_activation_layers", "Activation('relu') and Activation('softmax') layers")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(6, return_sequences=True), L.Activation("relu"),
                 L.SimpleRNN(5), L.Dense(4), L.Activation("softmax")), one((B, T, F))))
case("stack_go_backwards_under_lstm",
     "LSTM(go_backwards, return_sequences) stacked under another LSTM -> Dense")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5, go_backwards=True, return_sequences=True),
                 L.LSTM(4), L.Dense(2)), one((B, T, F))))
case("stack_lstm_relu_nobias_dense", "LSTM(activation='relu', use_bias=False) -> Dense")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(6, activation="relu", use_bias=False),
                 L.Dense(3, activation="relu")), one((B, T, F))))


# --------------------------------------------------------------------------
# Graphs
# --------------------------------------------------------------------------
def _two_in_two_out():
    a = keras.Input((5, 3), name="in_a")
    b = keras.Input((7, 2), name="in_b")
    ya = L.Dense(2, name="dense_a")(L.LSTM(4, name="lstm_a")(a))
    yb = L.SimpleRNN(3, return_sequences=True, name="srnn_b")(b)
    return keras.Model([a, b], [ya, yb], name="two_branch"), [[(2, 5, 3), (2, 7, 2)]]


add_case("graph_two_in_two_out",
         "Functional with two inputs and two outputs: independent LSTM and SimpleRNN branches, "
         "no merge layer", _two_in_two_out)


def _dup_output():
    inp = keras.Input((T, F), name="in")
    h = L.LSTM(5, name="lstm")(inp)
    y = L.Dense(3, name="dense")(h)
    return keras.Model(inp, [y, h, y], name="dup_out"), one((B, T, F))


add_case("graph_duplicate_output",
         "Functional whose outputs list contains the same tensor twice: [dense, lstm, dense]",
         _dup_output)


def _state_outputs():
    inp = keras.Input((T, F), name="in")
    seq_out, h, c = L.LSTM(5, return_sequences=True, return_state=True, name="enc")(inp)
    y = L.SimpleRNN(3, name="srnn")(seq_out)
    hs = L.Dense(2, name="from_h")(h)
    return keras.Model(inp, [y, hs, c], name="state_outputs"), one((B, T, F))


add_case("graph_return_state_outputs",
         "LSTM(return_sequences, return_state): sequence feeds a SimpleRNN, h feeds a Dense, c "
         "is a model output directly; outputs [srnn, dense(h), c]", _state_outputs)


def _variable_time():
    inp = keras.Input((None, 3), name="in")
    x = L.LSTM(5, return_sequences=True, name="lstm")(inp)
    x = L.SimpleRNN(4, go_backwards=True, name="srnn")(x)
    y = L.Dense(2, name="dense")(x)
    return keras.Model(inp, y, name="variable_time"), [[(2, 4, 3)], [(2, 9, 3)]]


add_case("graph_variable_time",
         "Input((None, 3)) variable time length; 2 independent batches with T=4 and T=9 "
         "(not stateful: each batch starts from zero state)", _variable_time)


def _no_input_sequential():
    model = keras.Sequential([L.LSTM(4, return_sequences=True), L.SimpleRNN(3), L.Dense(2)])
    model(np.zeros((2, 5, 3), dtype="float32"))  # build by calling
    return model, one((2, 5, 3))


add_case("sequential_no_input",
         "Sequential without an explicit Input, built by calling it on a (2,5,3) tensor "
         "(config has no InputLayer / batch_shape on the first layer)", _no_input_sequential)


def _chunked_layer_names():
    # 61 layers x 1060-character names: the legacy HDF5 writer stores
    # layer_names as a fixed-width byte-string array of 61*1060 = 64660 bytes,
    # above its 64512-byte object-header limit, so it is split into
    # model_weights.attrs['layer_names0'], ['layer_names1'].  Mostly weightless
    # Activation layers keep the file small.
    width = 1060
    ls = [keras.Input((4, 2), name="in")]
    ls.append(L.SimpleRNN(3, return_sequences=True, name=("l000_simple_rnn_" + "r" * width)[:width]))
    acts = ["tanh", "linear", "sigmoid", "relu", "softsign"]
    for i in range(1, 60):
        if i % 20 == 0:
            ls.append(L.Dense(3, name=("l%03d_dense_" % i + "d" * width)[:width]))
        else:
            a = acts[i % len(acts)]
            ls.append(L.Activation(a, name=("l%03d_activation_%s_" % (i, a) + "a" * width)[:width]))
    ls.append(L.Dense(2, name=("l060_dense_" + "d" * width)[:width]))
    return seq(*ls, name="chunked"), one((2, 4, 2))


add_case("chunked_layer_names",
         "Sequential of 61 layers (SimpleRNN, Activation layers, 3 Dense layers) with "
         "1060-character names, so the legacy HDF5 'layer_names' attribute (61*1060 bytes) exceeds "
         "Keras' 64512-byte header limit and is split into layer_names0, layer_names1",
         _chunked_layer_names)


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------
def fill_weights(model, rng, scale):
    for v in model.weights:
        v.assign(rng.uniform(-scale, scale, size=tuple(v.shape)).astype(v.dtype))


def rnn_layers(model):
    out = []

    def visit(layer):
        if isinstance(layer, L.RNN):
            out.append(layer)
        for sub in getattr(layer, "layers", []) or []:
            visit(sub)
        if isinstance(layer, L.Wrapper):
            visit(layer.layer)
    for layer in model.layers:
        visit(layer)
    return out


def as_list(y):
    if isinstance(y, (list, tuple)):
        return list(y)
    return [y]


def summary_text(model):
    # Fix the console width so the captured text is complete and independent of
    # the terminal the generator runs in (rich and Keras both honour COLUMNS).
    parts = []
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "200"
    try:
        model.summary(print_fn=lambda s, **kw: parts.append(s))
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return "\n".join(parts)


def h5_chunked_attrs(path):
    found = []

    def visit(name, obj):
        for k in obj.attrs.keys():
            if k.endswith("0") and k[:-1] in ("layer_names", "weight_names"):
                found.append((name or "/") + ":" + k)
    with h5py.File(path, "r") as f:
        visit("", f)
        f.visititems(visit)
    return found


def run_case(c, out_dir, command):
    keras.backend.clear_session()
    keras.utils.set_random_seed(c.seed)
    rng = np.random.default_rng(c.seed)
    model, batches = c.build()
    fill_weights(model, rng, c.scale)

    d = os.path.join(out_dir, c.name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)

    n_in = len(batches[0])
    xs, ys = [], []
    for r in rnn_layers(model):
        if r.stateful:
            r.reset_states()
    for batch in batches:
        xb = [rng.uniform(-c.in_range, c.in_range, size=s).astype(np.float32) for s in batch]
        yb = model(xb if n_in > 1 else xb[0], training=False)
        xs.append(xb)
        ys.append([np.asarray(y, dtype=np.float32) for y in as_list(yb)])
    n_out = len(ys[0])

    # Save after computing outputs; stateful RNN state is not part of the weights.
    model.save(os.path.join(d, "model.h5"))
    model.save(os.path.join(d, "model.keras"))

    for j, (xb, yb) in enumerate(zip(xs, ys)):
        for i, x in enumerate(xb):
            np.save(os.path.join(d, "x%d.npy" % (j * n_in + i)), np.ascontiguousarray(x))
        for i, y in enumerate(yb):
            np.save(os.path.join(d, "y%d.npy" % (j * n_out + i)), np.ascontiguousarray(y))

    info = {
        "name": c.name,
        "description": c.description,
        "provenance": {
            "generator": "tools/gen_fixtures.py",
            "command": command,
            "keras_version": keras.__version__,
            "tensorflow_version": tf.__version__,
            "numpy_version": np.__version__,
            "h5py_version": h5py.__version__,
            "backend": keras.backend.backend(),
            "seed": c.seed,
        },
        "n_inputs": n_in,
        "n_outputs": n_out,
        "batches": len(batches),
        "stateful": c.stateful,
        "atol": ATOL,
        "total_params": int(model.count_params()),
        "trainable_params": int(sum(int(np.prod(v.shape)) for v in model.trainable_weights)),
        "layers": [{"name": layer.name, "class_name": layer.__class__.__name__,
                    "params": int(layer.count_params())} for layer in model.layers],
        "weights": [{"name": "%s/%s" % (layer.name, v.name), "shape": [int(s) for s in v.shape]}
                    for layer in model.layers for v in layer.weights],
        "summary": summary_text(model),
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    max_abs = max(float(np.max(np.abs(y))) for yb in ys for y in yb)
    return d, max_abs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="fixtures/keras3")
    ap.add_argument("--only", nargs="+", metavar="NAME")
    ap.add_argument("--list", action="store_true", help="list case names and exit")
    args = ap.parse_args(argv)

    if args.list:
        for n in CASES:
            print(n)
        return 0
    names = list(CASES)
    if args.only:
        unknown = [n for n in args.only if n not in CASES]
        if unknown:
            ap.error("unknown case(s): " + ", ".join(unknown))
        names = [n for n in names if n in args.only]

    if keras.backend.backend() != "tensorflow":
        ap.error("run with KERAS_BACKEND=tensorflow")
    command = "KERAS_BACKEND=tensorflow python " + shlex.join(sys.argv)
    os.makedirs(args.out, exist_ok=True)
    for n in names:
        d, max_abs = run_case(CASES[n], args.out, command)
        chunked = h5_chunked_attrs(os.path.join(d, "model.h5"))
        print("%-36s max|y|=%8.4f%s" % (n, max_abs,
                                          ("  chunked attrs: %s" % chunked) if chunked else ""))
    for k, v in sorted(ACTIVATION_ALIASES.items()):
        print("alias activation %s serializes as %r: covered by act_%s" % (k, v, v))
    if ACTIVATION_SKIPPED:
        print("skipped activations:")
        for k, v in sorted(ACTIVATION_SKIPPED.items()):
            print("  %s: %s" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
