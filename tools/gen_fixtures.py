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
                 stateful=False, formats=False, unsupported=None):
        self.name = name
        self.description = description
        # () -> (model, [[input, ...] per batch]); an input is a shape tuple
        # (float32 ~ U(-in_range, in_range)) or a callable rng -> np.ndarray.
        self.build = build
        self.scale = scale
        self.in_range = in_range
        self.stateful = stateful
        # Also write config.json (model.to_json()) and model.weights.h5.
        self.formats = formats
        # {"layer": name, "class": class_name}: an error-test model written to
        # the unsupported directory with no inputs/outputs.
        self.unsupported = unsupported
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


# Cases above this line were the first 72 and keep their original case.json
# layout (no "path" per weight, no "files", no "input_dtypes"), so that
# re-running the generator leaves them byte-for-byte unchanged.
FORMAT1_CASES = frozenset(CASES)


# --------------------------------------------------------------------------
# GRU
# --------------------------------------------------------------------------
case("gru_default", "GRU with default options (reset_after=True, last output only); also "
     "written as config.json + model.weights.h5", formats=True)(
    lambda: (seq(keras.Input((T, F)), L.GRU(5)), one((B, T, F))))
case("gru_reset_after_false",
     "GRU reset_after=False (reset gate applied before the recurrent matmul, bias shape (3*units,))")(
    lambda: (seq(keras.Input((T, F)), L.GRU(5, reset_after=False, return_sequences=True)),
             one((B, T, F))))
case("gru_return_sequences", "GRU return_sequences=True")(
    lambda: (seq(keras.Input((T, F)), L.GRU(5, return_sequences=True)), one((B, T, F))))
case("gru_go_backwards", "GRU go_backwards=True, last output only")(
    lambda: (seq(keras.Input((T, F)), L.GRU(5, go_backwards=True)), one((B, T, F))))
case("gru_go_backwards_seq",
     "GRU go_backwards=True, return_sequences=True (sequence in processing order, i.e. "
     "y[:, 0] is the output after the LAST input timestep)")(
    lambda: (seq(keras.Input((T, F)), L.GRU(5, go_backwards=True, return_sequences=True)),
             one((B, T, F))))


def _gru_return_state():
    inp = keras.Input((T, F), name="in")
    out, h = L.GRU(5, return_state=True, name="gru")(inp)
    return keras.Model(inp, [out, h], name="gru_state"), one((B, T, F))


add_case("gru_return_state", "Functional GRU return_state=True; outputs [output, h]",
         _gru_return_state)
case("gru_stateful",
     "GRU stateful=True, return_sequences=True, Input(batch_shape=(2,4,3)); 3 consecutive "
     "batches, state reset once before batch 0 and carried across batches",
     stateful=True)(
    lambda: (seq(keras.Input(batch_shape=(2, 4, 3)),
                 L.GRU(5, stateful=True, return_sequences=True)),
             [[(2, 4, 3)]] * 3))
case("gru_no_bias", "GRU use_bias=False (reset_after=True)")(
    lambda: (seq(keras.Input((T, F)), L.GRU(5, use_bias=False, return_sequences=True)),
             one((B, T, F))))
case("gru_no_bias_reset_after_false", "GRU use_bias=False, reset_after=False")(
    lambda: (seq(keras.Input((T, F)), L.GRU(5, use_bias=False, reset_after=False,
                                            return_sequences=True)), one((B, T, F))))
case("gru_hard_sigmoid",
     "GRU recurrent_activation='hard_sigmoid' (Keras 3: relu6(x+3)/6); inputs in [-4,4]",
     in_range=4.0, scale=1.0)(
    lambda: (seq(keras.Input((T, F)), L.GRU(5, recurrent_activation="hard_sigmoid",
                                            return_sequences=True)), one((B, T, F))))
case("gru_relu_activation", "GRU activation='relu'")(
    lambda: (seq(keras.Input((T, F)), L.GRU(5, activation="relu", return_sequences=True)),
             one((B, T, F))))
case("gru_unroll", "GRU unroll=True")(
    lambda: (seq(keras.Input((5, 3)), L.GRU(4, unroll=True, return_sequences=True)),
             one((2, 5, 3))))


# --------------------------------------------------------------------------
# Bidirectional
# --------------------------------------------------------------------------
def _bidir(inner, merge_mode="concat", t=T, f=F, b=B):
    return lambda: (seq(keras.Input((t, f)), L.Bidirectional(inner(), merge_mode=merge_mode)),
                    one((b, t, f)))


case("bidir_lstm_concat", "Bidirectional(LSTM(4)) merge_mode='concat' (default), last output; "
     "also written as config.json + model.weights.h5", formats=True)(
    _bidir(lambda: L.LSTM(4)))
case("bidir_lstm_sum", "Bidirectional(LSTM(4)) merge_mode='sum'")(
    _bidir(lambda: L.LSTM(4), "sum"))
case("bidir_lstm_ave", "Bidirectional(LSTM(4)) merge_mode='ave'")(
    _bidir(lambda: L.LSTM(4), "ave"))
case("bidir_lstm_mul", "Bidirectional(LSTM(4)) merge_mode='mul'", scale=1.0)(
    _bidir(lambda: L.LSTM(4), "mul"))
case("bidir_lstm_concat_seq",
     "Bidirectional(LSTM(4, return_sequences=True)) concat; the backward half is re-reversed "
     "so y[:, t] pairs forward step t with the backward output for input step t")(
    _bidir(lambda: L.LSTM(4, return_sequences=True)))


def _bidir_none(return_sequences):
    def build():
        inp = keras.Input((T, F), name="in")
        fwd, bwd = L.Bidirectional(L.LSTM(4, return_sequences=return_sequences),
                                   merge_mode=None, name="bidir")(inp)
        return keras.Model(inp, [fwd, bwd], name="bidir_none"), one((B, T, F))
    return build


add_case("bidir_lstm_none", "Bidirectional(LSTM(4)) merge_mode=None: two outputs [forward, backward]",
         _bidir_none(False))
add_case("bidir_lstm_none_seq",
         "Bidirectional(LSTM(4, return_sequences=True)) merge_mode=None: outputs [forward, "
         "backward]; the backward sequence is re-reversed (y1[:, t] belongs to input step t)",
         _bidir_none(True))
case("bidir_gru", "Bidirectional(GRU(4)) concat, last output")(
    _bidir(lambda: L.GRU(4)))
case("bidir_gru_seq", "Bidirectional(GRU(4, return_sequences=True)) concat")(
    _bidir(lambda: L.GRU(4, return_sequences=True)))
case("bidir_simple_rnn", "Bidirectional(SimpleRNN(5)) concat, last output")(
    _bidir(lambda: L.SimpleRNN(5)))
case("bidir_simple_rnn_seq", "Bidirectional(SimpleRNN(5, return_sequences=True)) merge_mode='sum'")(
    _bidir(lambda: L.SimpleRNN(5, return_sequences=True), "sum"))


def _bidir_lstm_state():
    inp = keras.Input((T, F), name="in")
    out, fh, fc, bh, bc = L.Bidirectional(L.LSTM(4, return_state=True), name="bidir")(inp)
    return keras.Model(inp, [out, fh, fc, bh, bc], name="bidir_state"), one((B, T, F))


add_case("bidir_lstm_return_state",
         "Functional Bidirectional(LSTM(4, return_state=True)) concat; outputs "
         "[output, forward h, forward c, backward h, backward c]", _bidir_lstm_state)


def _bidir_gru_state_seq():
    inp = keras.Input((T, F), name="in")
    out, fh, bh = L.Bidirectional(L.GRU(4, return_state=True, return_sequences=True),
                                  merge_mode="sum", name="bidir")(inp)
    return keras.Model(inp, [out, fh, bh], name="bidir_state_seq"), one((B, T, F))


add_case("bidir_gru_return_state_seq",
         "Functional Bidirectional(GRU(4, return_state=True, return_sequences=True)) "
         "merge_mode='sum'; outputs [sequence, forward h, backward h]", _bidir_gru_state_seq)


def _bidir_inner_go_backwards(return_sequences):
    # Keras 3.15.1 always creates the default backward layer with
    # go_backwards=True, so Bidirectional(LSTM(go_backwards=True)) without a
    # backward_layer raises ValueError. An inner go_backwards=True layer needs
    # an explicit forward-running backward_layer.
    def build():
        fwd = L.LSTM(4, go_backwards=True, return_sequences=return_sequences, name="lstm_rev")
        bwd = L.LSTM(4, go_backwards=False, return_sequences=return_sequences, name="lstm_fwd")
        return (seq(keras.Input((T, F)), L.Bidirectional(fwd, backward_layer=bwd)),
                one((B, T, F)))
    return build


add_case("bidir_inner_go_backwards_seq",
         "Bidirectional(LSTM(4, go_backwards=True, return_sequences=True), backward_layer="
         "LSTM(4, go_backwards=False, return_sequences=True)) concat (Keras 3.15.1 rejects an inner "
         "go_backwards=True layer without an explicit backward_layer): the layer in the 'forward' "
         "slot runs backwards and its sequence is NOT re-reversed; the 'backward' slot runs forwards "
         "and its sequence IS reversed (Bidirectional always flips the backward_layer's sequence)",
         _bidir_inner_go_backwards(True))


def _bidir_backward_layer():
    fwd = L.LSTM(4, return_sequences=True, name="lstm_f")
    bwd = L.LSTM(4, return_sequences=True, go_backwards=True, activation="relu",
                 recurrent_activation="hard_sigmoid", name="lstm_b")
    return (seq(keras.Input((T, F)), L.Bidirectional(fwd, backward_layer=bwd),
                L.Dense(3)), one((B, T, F)))


add_case("bidir_backward_layer",
         "Bidirectional with an explicit backward_layer: LSTM(4, seq) forward, LSTM(4, seq, "
         "go_backwards, activation='relu', recurrent_activation='hard_sigmoid') backward -> Dense(3)",
         _bidir_backward_layer)
case("bidir_stacked", "Bidirectional(LSTM(4, return_sequences)) -> Bidirectional(GRU(3)) -> Dense(2)",
     scale=1.0)(
    lambda: (seq(keras.Input((T, F)), L.Bidirectional(L.LSTM(4, return_sequences=True)),
                 L.Bidirectional(L.GRU(3)), L.Dense(2)), one((B, T, F))))


# --------------------------------------------------------------------------
# Embedding (int32 inputs) and masking
# --------------------------------------------------------------------------
VOCAB, ET = 10, 7
# 1 = random token in [1, VOCAB), 0 = token 0 (the padding / masked value with mask_zero=True):
# trailing padding, leading padding, zeros in the middle, all zeros.
TOKEN_PATTERN = np.array([[1, 1, 1, 1, 0, 0, 0],
                          [0, 0, 1, 1, 1, 1, 1],
                          [1, 1, 0, 0, 1, 0, 1],
                          [0, 0, 0, 0, 0, 0, 0]], dtype=np.int32)


def tokens(rng):
    t = rng.integers(1, VOCAB, size=TOKEN_PATTERN.shape).astype(np.int32)
    return np.ascontiguousarray(t * TOKEN_PATTERN)


TOKENS_DESC = ("int32 tokens (vocab 10, T=7): sample 0 trailing zeros, 1 leading zeros, "
               "2 zeros in the middle, 3 all zeros")


def _emb(rest, mask_zero=True):
    # rest: () -> [layer, ...] so that the layers are created inside the case build
    return lambda: (seq(keras.Input((ET,), dtype="int32"),
                        L.Embedding(VOCAB, 4, mask_zero=mask_zero), *rest()), [[tokens]])


case("embedding_lstm", "Embedding(10, 4, mask_zero=False) -> LSTM(5); token 0 is an ordinary "
     "token; " + TOKENS_DESC)(_emb(lambda: [L.LSTM(5)], mask_zero=False))
case("embedding_mask_lstm", "Embedding(10, 4, mask_zero=True) -> LSTM(5), last output; "
     + TOKENS_DESC + "; also written as config.json + model.weights.h5", formats=True)(
    _emb(lambda: [L.LSTM(5)]))
case("embedding_mask_gru", "Embedding(mask_zero=True) -> GRU(5, return_sequences=True); "
     "masked steps repeat the previous output (zeros before the first unmasked step); "
     + TOKENS_DESC)(_emb(lambda: [L.GRU(5, return_sequences=True)]))
case("embedding_mask_simple_rnn", "Embedding(mask_zero=True) -> SimpleRNN(5), last output; "
     + TOKENS_DESC)(_emb(lambda: [L.SimpleRNN(5)]))
case("embedding_mask_bidir_lstm_td_dense",
     "Embedding(mask_zero=True) -> Bidirectional(LSTM(4, return_sequences=True)) -> "
     "TimeDistributed(Dense(3)); Bidirectional forces zero outputs at masked steps; "
     + TOKENS_DESC)(
    _emb(lambda: [L.Bidirectional(L.LSTM(4, return_sequences=True)),
                  L.TimeDistributed(L.Dense(3))]))

MT, MF = 7, 3
# Timesteps set to the mask value: start, middle, end, whole sample.
MASKED_STEPS = [[0, 1], [3, 4], [5, 6], list(range(MT))]
MASK_DESC = ("masked timesteps: sample 0 t=0,1; sample 1 t=3,4; sample 2 t=5,6; sample 3 all")


def masked_input(mask_value, partial=False):
    def make(rng):
        x = rng.uniform(-1.5, 1.5, size=(len(MASKED_STEPS), MT, MF)).astype(np.float32)
        for b, ts in enumerate(MASKED_STEPS):
            x[b, ts, :] = mask_value
        if partial:
            # Only some features equal the mask value: this step is NOT masked.
            x[0, 2, 0] = mask_value
            x[1, 1, :2] = mask_value
        return x
    return make


def _masked(rest, mask_value=0.0, partial=False):
    # rest: () -> [layer, ...] so that the layers are created inside the case build
    return lambda: (seq(keras.Input((MT, MF)), L.Masking(mask_value), *rest()),
                    [[masked_input(mask_value, partial)]])


case("masking_lstm_lstm", "Masking(0.0) -> LSTM(5, return_sequences) -> LSTM(4); " + MASK_DESC)(
    _masked(lambda: [L.LSTM(5, return_sequences=True), L.LSTM(4)]))
case("masking_neg1_lstm_lstm",
     "Masking(-1.0) -> LSTM(5, return_sequences) -> LSTM(4); " + MASK_DESC
     + "; plus steps where only some features are -1.0 (not masked)")(
    _masked(lambda: [L.LSTM(5, return_sequences=True), L.LSTM(4)], mask_value=-1.0, partial=True))
case("masking_gru", "Masking(0.0) -> GRU(5, return_sequences=True); " + MASK_DESC)(
    _masked(lambda: [L.GRU(5, return_sequences=True)]))
case("masking_simple_rnn", "Masking(0.0) -> SimpleRNN(5), last output; " + MASK_DESC)(
    _masked(lambda: [L.SimpleRNN(5)]))
case("masking_bidir_gru_seq",
     "Masking(0.0) -> Bidirectional(GRU(4, return_sequences=True)) concat (zeros at masked "
     "steps); " + MASK_DESC)(
    _masked(lambda: [L.Bidirectional(L.GRU(4, return_sequences=True))]))
case("masking_bidir_gru", "Masking(0.0) -> Bidirectional(GRU(4)) concat, last output; " + MASK_DESC)(
    _masked(lambda: [L.Bidirectional(L.GRU(4))]))
case("masking_lstm_td_dense",
     "Masking(0.0) -> LSTM(5, return_sequences) -> TimeDistributed(Dense(3)); " + MASK_DESC)(
    _masked(lambda: [L.LSTM(5, return_sequences=True), L.TimeDistributed(L.Dense(3))]))


def _masking_return_state():
    inp = keras.Input((MT, MF), name="in")
    x = L.Masking(0.0, name="masking")(inp)
    out, h, c = L.LSTM(4, return_sequences=True, return_state=True, name="lstm")(x)
    return keras.Model(inp, [out, h, c], name="masked_state"), [[masked_input(0.0)]]


add_case("masking_lstm_return_state",
         "Functional Masking(0.0) -> LSTM(4, return_sequences, return_state); outputs "
         "[sequence, h, c]; " + MASK_DESC, _masking_return_state)


# --------------------------------------------------------------------------
# Conv1D
# --------------------------------------------------------------------------
CT, CF = 8, 3


def _conv(**kw):
    return lambda: (seq(keras.Input((CT, CF)), L.Conv1D(4, 3, **kw), L.LSTM(5)),
                    one((3, CT, CF)))


case("conv1d_valid_lstm", "Conv1D(4, 3, padding='valid') -> LSTM(5)")(_conv(padding="valid"))
case("conv1d_same_relu_lstm", "Conv1D(4, 3, padding='same', activation='relu') -> LSTM(5)")(
    _conv(padding="same", activation="relu"))
case("conv1d_causal_lstm", "Conv1D(4, 3, padding='causal') -> LSTM(5) (left zero padding of "
     "dilation*(kernel-1)); also written as config.json + model.weights.h5", formats=True)(
    _conv(padding="causal"))
case("conv1d_strides2_lstm", "Conv1D(4, 3, strides=2, padding='valid') -> LSTM(5) (T 8 -> 3)")(
    _conv(strides=2))
case("conv1d_strides2_same_lstm",
     "Conv1D(4, 3, strides=2, padding='same') -> LSTM(5) (T 8 -> 4; TF 'same' pads the extra "
     "zero at the end)")(_conv(strides=2, padding="same"))
case("conv1d_dilation2_causal_relu_lstm",
     "Conv1D(4, 3, dilation_rate=2, padding='causal', activation='relu') -> LSTM(5)")(
    _conv(dilation_rate=2, padding="causal", activation="relu"))


# --------------------------------------------------------------------------
# Other layers around RNNs
# --------------------------------------------------------------------------
case("stack_lstm_batchnorm_dense",
     "LSTM(5, return_sequences) -> BatchNormalization() (epsilon 1e-3, random gamma/beta/"
     "moving_mean, moving_variance ~ U(0.2, 1.2)) -> Dense(3)")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5, return_sequences=True),
                 L.BatchNormalization(), L.Dense(3)), one((B, T, F))))
case("stack_lstm_batchnorm_noscale",
     "LSTM(5) -> BatchNormalization(epsilon=0.05, scale=False) (no gamma) -> Dense(3)")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5), L.BatchNormalization(epsilon=0.05, scale=False),
                 L.Dense(3)), one((B, T, F))))
case("stack_reshape_lstm", "Input((24,)) -> Reshape((6, 4)) -> LSTM(5)")(
    lambda: (seq(keras.Input((T * F,)), L.Reshape((T, F)), L.LSTM(5)), one((B, T * F))))
case("stack_permute_lstm", "Input((4, 6)) -> Permute((2, 1)) -> LSTM(5) (features x time input)")(
    lambda: (seq(keras.Input((F, T)), L.Permute((2, 1)), L.LSTM(5)), one((B, F, T))))
case("stack_dense_softmax_layer", "LSTM(5) -> Dense(4) -> Softmax() layer")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(5), L.Dense(4), L.Softmax()), one((B, T, F))))
case("stack_softmax_axis1", "LSTM(4, return_sequences) -> Softmax(axis=1) (over time)")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(4, return_sequences=True), L.Softmax(axis=1)),
             one((B, T, F))))


def _merge_concatenate():
    inp = keras.Input((T, F), name="in")
    a = L.LSTM(4, name="lstm_a")(inp)
    b = L.GRU(3, name="gru_b")(inp)
    y = L.Concatenate(name="concat")([a, b])
    return keras.Model(inp, y, name="merge_concatenate"), one((B, T, F))


add_case("merge_concatenate",
         "Functional: LSTM(4) and GRU(3) branches on the same input -> Concatenate() (width 7)",
         _merge_concatenate)

MERGE_CLASSES = (L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum)


def _merge_elementwise():
    # One model with one output per merge layer (keeps the fixture size down).
    inp = keras.Input((T, F), name="in")
    a = L.LSTM(4, name="lstm_a")(inp)
    b = L.LSTM(4, name="lstm_b")(inp)
    ys = [cls(name=cls.__name__.lower())([a, b]) for cls in MERGE_CLASSES]
    return keras.Model(inp, ys, name="merge_elementwise"), one((B, T, F))


add_case("merge_elementwise",
         "Functional: two LSTM(4) branches a, b on the same input; 6 outputs "
         "[Add, Subtract (a-b), Multiply, Average, Maximum, Minimum]([a, b])",
         _merge_elementwise, scale=1.0)


def _concat_time():
    inp = keras.Input((T, F), name="in")
    a = L.LSTM(4, return_sequences=True, name="lstm_a")(inp)
    b = L.SimpleRNN(4, return_sequences=True, name="srnn_b")(inp)
    x = L.Concatenate(axis=1, name="concat_time")([a, b])
    y = L.LSTM(3, name="lstm_out")(x)
    return keras.Model(inp, y, name="concat_time"), one((B, T, F))


add_case("merge_concatenate_time",
         "Functional: LSTM(4, seq) and SimpleRNN(4, seq) concatenated along time "
         "(Concatenate(axis=1), T 6+6=12) -> LSTM(3)", _concat_time)


def _embedding_mask_merge():
    inp = keras.Input((ET,), dtype="int32", name="tokens")
    e = L.Embedding(VOCAB, 4, mask_zero=True, name="embedding")(inp)
    a = L.LSTM(4, return_sequences=True, name="lstm_a")(e)
    b = L.Dense(3, activation="tanh", name="dense_b")(e)
    x = L.Concatenate(name="concat")([a, b])
    y = L.LSTM(3, return_sequences=True, name="lstm_out")(x)
    return keras.Model(inp, y, name="mask_merge"), [[tokens]]


add_case("graph_embedding_mask_merge",
         "Functional: Embedding(mask_zero=True) -> [LSTM(4, seq), Dense(3)] -> Concatenate -> "
         "LSTM(3, seq): the mask passes through Dense and the merge; " + TOKENS_DESC,
         _embedding_mask_merge)


# --------------------------------------------------------------------------
# Unsupported layers (error tests: fixtures/unsupported/<case>/, no x/y)
# --------------------------------------------------------------------------
@keras.saving.register_keras_serializable(package="jkeras_fixtures")
class ScaleShift(L.Layer):
    """x * scale + shift with per-feature weights (a user-defined layer)."""

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")
        self.shift = self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="shift")

    def call(self, x):
        return x * self.scale + self.shift


ScaleShift.__module__ = "jkeras_fixtures"  # saved config: independent of how the script is run


def _unsupported(name, description, layer, cls):
    return case(name, description, unsupported={"layer": layer, "class": cls})


_unsupported("lambda_layer", "LSTM(4, return_sequences) -> Lambda(lambda x: x * 2) -> Dense(2); "
             "Keras loads it only with safe_mode=False (Python bytecode in the config)",
             "times_two", "Lambda")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(4, return_sequences=True),
                 L.Lambda(lambda x: x * 2, name="times_two"), L.Dense(2)), one((B, T, F))))
_unsupported("custom_layer", "LSTM(4) -> ScaleShift (a keras.saving.register_keras_serializable "
             "custom layer, registered name 'jkeras_fixtures>ScaleShift', weights scale/shift) "
             "-> Dense(2)", "scale_shift", "ScaleShift")(
    lambda: (seq(keras.Input((T, F)), L.LSTM(4), ScaleShift(name="scale_shift"), L.Dense(2)),
             one((B, T, F))))


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------
def fill_weights(model, rng, scale):
    for v in model.weights:
        lo, hi = -scale, scale
        if v.path.endswith("moving_variance"):
            lo, hi = 0.2, 1.2  # BatchNormalization: must be positive
        v.assign(rng.uniform(lo, hi, size=tuple(v.shape)).astype(v.dtype))


def make_input(rng, spec, in_range):
    if callable(spec):
        return np.ascontiguousarray(spec(rng))
    return rng.uniform(-in_range, in_range, size=spec).astype(np.float32)


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
    if c.unsupported is None:
        for r in rnn_layers(model):
            if r.stateful:
                r.reset_states()
        for batch in batches:
            xb = [make_input(rng, s, c.in_range) for s in batch]
            yb = model(xb if n_in > 1 else xb[0], training=False)
            xs.append(xb)
            ys.append([np.asarray(y, dtype=np.float32) for y in as_list(yb)])
    n_out = len(ys[0]) if ys else len(model.outputs)

    # Save after computing outputs; stateful RNN state is not part of the weights.
    model.save(os.path.join(d, "model.h5"))
    model.save(os.path.join(d, "model.keras"))
    if c.formats:
        with open(os.path.join(d, "config.json"), "w") as f:
            f.write(model.to_json())
        model.save_weights(os.path.join(d, "model.weights.h5"))

    for j, (xb, yb) in enumerate(zip(xs, ys)):
        for i, x in enumerate(xb):
            np.save(os.path.join(d, "x%d.npy" % (j * n_in + i)), np.ascontiguousarray(x))
        for i, y in enumerate(yb):
            np.save(os.path.join(d, "y%d.npy" % (j * n_out + i)), np.ascontiguousarray(y))

    format1 = c.name in FORMAT1_CASES
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
    }
    if c.unsupported is not None:
        info["expect_error"] = "UnsupportedModelException"
        info["layer"] = c.unsupported["layer"]
        info["class"] = c.unsupported["class"]
        assert model.get_layer(info["layer"]).__class__.__name__ == info["class"]
    else:
        info.update({
            "n_inputs": n_in,
            "n_outputs": n_out,
            "batches": len(batches),
            "stateful": c.stateful,
            "atol": ATOL,
        })
        if not format1:
            info["input_dtypes"] = [str(x.dtype) for x in xs[0]]
    info.update({
        "total_params": int(model.count_params()),
        "trainable_params": int(sum(int(np.prod(v.shape)) for v in model.trainable_weights)),
        "layers": [{"name": layer.name, "class_name": layer.__class__.__name__,
                    "params": int(layer.count_params())} for layer in model.layers],
        "weights": [dict([("name", "%s/%s" % (layer.name, v.name))]
                         + ([] if format1 else [("path", v.path)])
                         + [("shape", [int(s) for s in v.shape])])
                    for layer in model.layers for v in layer.weights],
    })
    if not format1:
        ops = config_op_nodes(model)
        if ops:
            # Functional models with masks: Keras 3.15.1 serializes the mask computation as
            # keras.ops nodes, which its own legacy HDF5 loader cannot deserialize.
            info["config_op_nodes"] = ops
            err = keras_load_error(os.path.join(d, "model.h5"))
            if err:
                info["keras_h5_reload_error"] = err
        info["files"] = sorted(os.listdir(d), key=_file_order) + ["case.json"]
    info["summary"] = summary_text(model)
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    max_abs = max((float(np.max(np.abs(y))) for yb in ys for y in yb), default=0.0)
    return d, max_abs


def config_op_nodes(model):
    """Nodes of the saved Functional config that are keras.ops operations, not layers."""
    layers = json.loads(model.to_json())["config"].get("layers", [])
    if not isinstance(layers, list):
        return []
    return [{"name": entry["name"], "class_name": entry["class_name"]} for entry in layers
            if str(entry.get("module", "")).startswith("keras.src.ops")]


def keras_load_error(path):
    try:
        keras.models.load_model(path, compile=False)
    except Exception as e:  # noqa: BLE001 - record whatever Keras raises
        return "%s: %s" % (type(e).__name__, str(e).splitlines()[0])
    return None


def _file_order(name):
    # model files first, then x0, x1, ..., x10 (numeric), then y*.
    stem, ext = os.path.splitext(name)
    if stem[:1] in ("x", "y") and stem[1:].isdigit():
        return (1 if stem[0] == "x" else 2, int(stem[1:]), name)
    return (0, 0, name)


def readme_table(dirs):
    rows = ["| case | inputs | outputs | batches | stateful | description |",
            "|------|--------|---------|---------|----------|-------------|"]
    for d in dirs:
        for n in sorted(os.listdir(d)):
            p = os.path.join(d, n, "case.json")
            if not os.path.isfile(p):
                continue
            c = json.load(open(p))
            rows.append("| `%s` | %d | %d | %d | %s | %s |" % (
                n, c["n_inputs"], c["n_outputs"], c["batches"], "yes" if c["stateful"] else "",
                c["description"]))
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="fixtures/keras3")
    ap.add_argument("--only", nargs="+", metavar="NAME")
    ap.add_argument("--unsupported-out", default=None, metavar="DIR",
                    help="directory for the unsupported-layer cases "
                         "(default: 'unsupported' next to --out)")
    ap.add_argument("--list", action="store_true", help="list case names and exit")
    ap.add_argument("--table", action="store_true",
                    help="print the README case table from the case.json files in --out and exit")
    args = ap.parse_args(argv)

    if args.list:
        for n in CASES:
            print(n + ("  (unsupported)" if CASES[n].unsupported else ""))
        return 0
    if args.table:
        print(readme_table([args.out]))
        return 0
    unsupported_out = args.unsupported_out or os.path.join(
        os.path.dirname(os.path.normpath(args.out)), "unsupported")
    names = list(CASES)
    if args.only:
        unknown = [n for n in args.only if n not in CASES]
        if unknown:
            ap.error("unknown case(s): " + ", ".join(unknown))
        names = [n for n in names if n in args.only]

    if keras.backend.backend() != "tensorflow":
        ap.error("run with KERAS_BACKEND=tensorflow")
    command = "KERAS_BACKEND=tensorflow python " + shlex.join(sys.argv)
    for n in names:
        out = unsupported_out if CASES[n].unsupported else args.out
        os.makedirs(out, exist_ok=True)
        d, max_abs = run_case(CASES[n], out, command)
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
