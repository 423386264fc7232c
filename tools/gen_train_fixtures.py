#!/usr/bin/env python3
"""Generate Keras 3 TRAINING parity fixtures for the jkeras Java runtime.

Every case builds a small recurrent model with real Keras 3, fills every
weight (biases included) with seeded uniform random values, compiles it with a
given loss and optimizer and runs ``model.fit(..., shuffle=False)``.  The model
before training (``start.h5`` / ``start.keras``), the training data
(``x*.npy`` / ``y*.npy`` and optionally ``vx*.npy`` / ``vy*.npy``), the model
after training (``final.h5``) and a ``case.json`` with the exact loss,
optimizer, history and per-step losses are written to
``fixtures/train/<case>/``.  See fixtures/train/README.md for the format and
for the Keras training semantics the Java side has to reproduce.

Usage:
    KERAS_BACKEND=tensorflow python tools/gen_train_fixtures.py --out fixtures/train [--only NAME ...]

The run is deterministic (per-case seeds from the case name with CRC32, TF op
determinism enabled): the .npy files and case.json are identical between runs
(case.json up to provenance.command).
"""

import argparse
import json
import math
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
from keras import optimizers as O  # noqa: E402
from keras import regularizers as R  # noqa: E402
from keras import constraints as C  # noqa: E402

tf.config.experimental.enable_op_determinism()

CASES = {}

# Default data / model sizes.
N, T, F, U = 20, 5, 3, 4      # samples, timesteps, features, units
BS = 8                         # batch size: 20 samples -> batches of 8, 8, 4 (partial last batch)
EPOCHS = 3


class TrainCase:
    def __init__(self, name, description, build, data, loss, optimizer, epochs=EPOCHS,
                 batch_size=BS, validation="none", callbacks=None, scale=0.6,
                 init=None, stateful=False, loss_weights=None, notes=None):
        self.name = name
        self.description = description
        self.build = build            # () -> uncompiled model (layers created inside)
        self.data = data              # rng -> {"x": [...], "y": [...], "vx": [...], "vy": [...]}
        self.loss = loss              # () -> loss argument of compile()
        self.optimizer = optimizer    # () -> fresh optimizer
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation = validation  # "none" | "data" | "split 0.25"
        self.callbacks = callbacks or (lambda: [])
        self.scale = scale            # start weights ~ U(-scale, scale)
        self.init = init              # optional (model, rng) -> None, after fill_weights
        self.stateful = stateful
        self.loss_weights = loss_weights
        self.notes = notes
        self.seed = zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


def add(name, description, build, data, loss, optimizer, **kw):
    if name in CASES:
        raise ValueError("duplicate case " + name)
    CASES[name] = TrainCase(name, description, build, data, loss, optimizer, **kw)


def seq(*layers):
    return keras.Sequential(list(layers))


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------
def u(rng, shape, r=1.0):
    return rng.uniform(-r, r, size=shape).astype(np.float32)


def regression(n=N, t=T, f=F, out=2, y_range=1.0, per_step=False, val=0):
    def make(rng):
        d = {"x": [u(rng, (n, t, f))],
             "y": [u(rng, (n, t, out) if per_step else (n, out), y_range)]}
        if val:
            d["vx"] = [u(rng, (val, t, f))]
            d["vy"] = [u(rng, (val, t, out) if per_step else (val, out), y_range)]
        return d
    return make


def binary(n=N, out=3):
    def make(rng):
        return {"x": [u(rng, (n, T, F))],
                "y": [rng.integers(0, 2, size=(n, out)).astype(np.float32)]}
    return make


def onehot(n=N, k=4):
    def make(rng):
        return {"x": [u(rng, (n, T, F))],
                "y": [np.eye(k, dtype=np.float32)[rng.integers(0, k, size=n)]]}
    return make


def sparse(n=N, k=4, keepdim=False):
    def make(rng):
        lab = rng.integers(0, k, size=(n, 1) if keepdim else (n,)).astype(np.int32)
        return {"x": [u(rng, (n, T, F))], "y": [lab]}
    return make


VOCAB = 8


def padded_tokens(n=N, t=6):
    """int32 token ids in [1, VOCAB) with 0 = padding: trailing, leading, middle, all-zero rows."""
    def make(rng):
        tok = rng.integers(1, VOCAB, size=(n, t)).astype(np.int32)
        for i in range(n):
            k = i % 5
            if k == 0:
                tok[i, t - 2:] = 0          # trailing padding
            elif k == 1:
                tok[i, :3] = 0              # leading padding
            elif k == 2:
                tok[i, 2:4] = 0             # zeros in the middle
            elif k == 3 and i == 3:
                tok[i, :] = 0               # one fully padded row
        return {"x": [np.ascontiguousarray(tok)], "y": [u(rng, (n, 2))]}
    return make


def masked_steps(n=N, t=6, f=F, per_step=False):
    """float inputs with whole timesteps set to exactly 0.0 (the Masking mask_value)."""
    def make(rng):
        x = u(rng, (n, t, f))
        for i in range(n):
            k = i % 4
            if k == 0:
                x[i, t - 2:] = 0.0
            elif k == 1:
                x[i, :2] = 0.0
            elif k == 2:
                x[i, 3] = 0.0
        y = u(rng, (n, t, 2) if per_step else (n, 2))
        return {"x": [x], "y": [y]}
    return make


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------
def lstm_dense(out=2, activation=None, **lstm_kw):
    return lambda: seq(keras.Input((T, F)), L.LSTM(U, **lstm_kw), L.Dense(out, activation=activation))


def rnn_dense(cls, out=2, activation=None, units=U, **kw):
    return lambda: seq(keras.Input((T, F)), cls(units, **kw), L.Dense(out, activation=activation))


def sgd(lr=0.1, **kw):
    return lambda: O.SGD(learning_rate=lr, **kw)


# --------------------------------------------------------------------------
# Optimizers (LSTM(4) -> Dense(2), mse)
# --------------------------------------------------------------------------
_OPT = "LSTM(4) -> Dense(2) regression, mse, 20 samples, batch 8 (8, 8, 4), 3 epochs; "
add("opt_sgd", _OPT + "SGD(0.1)", lstm_dense(), regression(), lambda: "mse", sgd(0.1))
add("opt_sgd_momentum", _OPT + "SGD(0.05, momentum=0.9)", lstm_dense(), regression(),
    lambda: "mse", sgd(0.05, momentum=0.9))
add("opt_sgd_nesterov", _OPT + "SGD(0.05, momentum=0.9, nesterov=True)", lstm_dense(),
    regression(), lambda: "mse", sgd(0.05, momentum=0.9, nesterov=True))
add("opt_sgd_weight_decay", _OPT + "SGD(0.1, weight_decay=0.05) (decoupled decay, any optimizer)",
    lstm_dense(), regression(), lambda: "mse", sgd(0.1, weight_decay=0.05))
add("opt_adam", _OPT + "Adam() with all defaults (lr 0.001, beta_1 0.9, beta_2 0.999, eps 1e-7)",
    lstm_dense(), regression(), lambda: "mse", lambda: O.Adam())
add("opt_adam_lr", _OPT + "Adam(0.02)", lstm_dense(), regression(), lambda: "mse",
    lambda: O.Adam(learning_rate=0.02))
add("opt_adam_amsgrad", _OPT + "Adam(0.02, beta_2=0.6, amsgrad=True), 4 epochs (the small beta_2 "
    "lets v shrink, so v_hat = max(v_hat, v) differs from v)", lstm_dense(), regression(),
    lambda: "mse", lambda: O.Adam(learning_rate=0.02, beta_2=0.6, amsgrad=True), epochs=4)
add("opt_adamw", _OPT + "AdamW(0.02, weight_decay=0.01)", lstm_dense(), regression(),
    lambda: "mse", lambda: O.AdamW(learning_rate=0.02, weight_decay=0.01))
add("opt_rmsprop", _OPT + "RMSprop() defaults (lr 0.001, rho 0.9, eps 1e-7)", lstm_dense(),
    regression(), lambda: "mse", lambda: O.RMSprop())
add("opt_rmsprop_centered", _OPT + "RMSprop(0.01, centered=True)", lstm_dense(), regression(),
    lambda: "mse", lambda: O.RMSprop(learning_rate=0.01, centered=True))
add("opt_rmsprop_momentum", _OPT + "RMSprop(0.01, momentum=0.5)", lstm_dense(), regression(),
    lambda: "mse", lambda: O.RMSprop(learning_rate=0.01, momentum=0.5))
add("opt_adagrad", _OPT + "Adagrad(0.05) (initial_accumulator_value 0.1, eps 1e-7)", lstm_dense(),
    regression(), lambda: "mse", lambda: O.Adagrad(learning_rate=0.05))

# --------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------
add("loss_mae", "GRU(4) -> Dense(2), loss 'mae', SGD(0.1)", rnn_dense(L.GRU), regression(),
    lambda: "mae", sgd(0.1))
add("loss_huber", "SimpleRNN(4) -> Dense(2), loss 'huber' (delta 1.0), targets U(-2,2) so both "
    "branches occur, SGD(0.1)", rnn_dense(L.SimpleRNN), regression(y_range=2.0),
    lambda: "huber", sgd(0.1))
add("loss_huber_delta", "LSTM(4) -> Dense(2), keras.losses.Huber(delta=0.5), targets U(-2,2), "
    "SGD(0.1)", lstm_dense(), regression(y_range=2.0), lambda: keras.losses.Huber(delta=0.5),
    sgd(0.1))
add("loss_bce_sigmoid", "SimpleRNN(4) -> Dense(3, sigmoid), multi-label 0/1 targets, "
    "'binary_crossentropy', SGD(0.2)", rnn_dense(L.SimpleRNN, out=3, activation="sigmoid"),
    binary(), lambda: "binary_crossentropy", sgd(0.2))
add("loss_bce_logits", "GRU(4) -> Dense(3) linear, BinaryCrossentropy(from_logits=True), SGD(0.2)",
    rnn_dense(L.GRU, out=3), binary(),
    lambda: keras.losses.BinaryCrossentropy(from_logits=True), sgd(0.2))
add("loss_cce_softmax", "LSTM(4) -> Dense(4, softmax), one-hot float32 targets, "
    "'categorical_crossentropy', SGD(0.2)", lstm_dense(out=4, activation="softmax"), onehot(),
    lambda: "categorical_crossentropy", sgd(0.2))
add("loss_cce_logits", "SimpleRNN(4) -> Dense(4) linear, CategoricalCrossentropy(from_logits=True), "
    "SGD(0.2)", rnn_dense(L.SimpleRNN, out=4), onehot(),
    lambda: keras.losses.CategoricalCrossentropy(from_logits=True), sgd(0.2))
add("loss_scce_softmax", "GRU(4) -> Dense(4, softmax), int32 labels of shape (N,), "
    "'sparse_categorical_crossentropy', SGD(0.2)", rnn_dense(L.GRU, out=4, activation="softmax"),
    sparse(), lambda: "sparse_categorical_crossentropy", sgd(0.2))
add("loss_scce_logits", "LSTM(4) -> Dense(4) linear, int32 labels of shape (N, 1), "
    "SparseCategoricalCrossentropy(from_logits=True), SGD(0.2)", lstm_dense(out=4),
    sparse(keepdim=True),
    lambda: keras.losses.SparseCategoricalCrossentropy(from_logits=True), sgd(0.2))


def _saturate_dense(model, rng):
    """Make the last Dense produce pre-activations of about +-20 (sigmoid saturates in float32)."""
    d = model.layers[-1]
    d = getattr(d, "layer", d)
    k = np.zeros(tuple(d.kernel.shape), np.float32)
    k[:, 0] = rng.uniform(-0.5, 0.5, size=k.shape[0])
    d.kernel.assign(k)
    b = np.array([20.0, -20.0, 0.5][:d.bias.shape[0]], np.float32)
    d.bias.assign(b)


add("loss_bce_saturated_dense",
    "SimpleRNN(4) -> Dense(3, sigmoid), 'binary_crossentropy'; Dense bias (+20, -20, 0.5) and kernel "
    "columns 1, 2 zero so outputs 0, 1 saturate to exactly 1.0 / 0.0 in float32. Keras (TF backend) "
    "computes the loss from the cached logits (sigmoid_cross_entropy_with_logits, no clipping), so "
    "the loss of a wrong saturated unit is ~20 and its gradient is not 0. SGD(0.01)",
    rnn_dense(L.SimpleRNN, out=3, activation="sigmoid"), binary(), lambda: "binary_crossentropy",
    sgd(0.01), init=_saturate_dense)
add("loss_bce_saturated_td",
    "SimpleRNN(4, return_sequences) -> TimeDistributed(Dense(3, sigmoid)), per-timestep 0/1 targets, "
    "'binary_crossentropy'; same saturated Dense as loss_bce_saturated_dense. TimeDistributed "
    "reshapes the output, which loses the cached logits, so Keras uses the probability formula "
    "with clip(p, 1e-7, 1-1e-7): a wrong saturated unit costs -log(float32(1-(1-1e-7))) = 15.94 and "
    "gets ZERO gradient. SGD(0.01)",
    lambda: seq(keras.Input((T, F)), L.SimpleRNN(U, return_sequences=True),
                L.TimeDistributed(L.Dense(3, activation="sigmoid"))),
    lambda rng: {"x": [u(rng, (N, T, F))],
                 "y": [rng.integers(0, 2, size=(N, T, 3)).astype(np.float32)]},
    lambda: "binary_crossentropy", sgd(0.01), init=_saturate_dense)
add("loss_cce_td_softmax",
    "LSTM(4, return_sequences) -> TimeDistributed(Dense(4, softmax)), per-timestep one-hot targets, "
    "'categorical_crossentropy' (probability path: p / sum(p), clip to [1e-7, 1-1e-7], -sum(t log p)), "
    "SGD(0.2)",
    lambda: seq(keras.Input((T, F)), L.LSTM(U, return_sequences=True),
                L.TimeDistributed(L.Dense(4, activation="softmax"))),
    lambda rng: {"x": [u(rng, (N, T, F))],
                 "y": [np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=(N, T))]]},
    lambda: "categorical_crossentropy", sgd(0.2))

# --------------------------------------------------------------------------
# Models (SGD(0.1) unless noted: final = start - lr * sum of gradients checks gradients directly)
# --------------------------------------------------------------------------
add("model_simple_rnn", "SimpleRNN(5) -> Dense(2), mse, SGD(0.1)",
    rnn_dense(L.SimpleRNN, units=5), regression(), lambda: "mse", sgd(0.1))
add("model_lstm", "LSTM(5) -> Dense(2), mse, SGD(0.1)", rnn_dense(L.LSTM, units=5), regression(),
    lambda: "mse", sgd(0.1))
add("model_gru", "GRU(5) (reset_after=True) -> Dense(2), mse, SGD(0.1)",
    rnn_dense(L.GRU, units=5), regression(), lambda: "mse", sgd(0.1))
add("model_gru_reset_after_false", "GRU(5, reset_after=False) -> Dense(2), mse, SGD(0.1)",
    rnn_dense(L.GRU, units=5, reset_after=False), regression(), lambda: "mse", sgd(0.1))
add("model_lstm_seq_td",
    "LSTM(4, return_sequences) -> TimeDistributed(Dense(2)), per-timestep targets (N, T, 2), mse, "
    "SGD(0.1)",
    lambda: seq(keras.Input((T, F)), L.LSTM(U, return_sequences=True),
                L.TimeDistributed(L.Dense(2))),
    regression(per_step=True), lambda: "mse", sgd(0.1))
add("model_dense_3d",
    "SimpleRNN(4, return_sequences) -> Dense(3, tanh) -> Dense(2) applied directly to the 3D "
    "sequence, per-timestep targets, mse, SGD(0.1)",
    lambda: seq(keras.Input((T, F)), L.SimpleRNN(U, return_sequences=True),
                L.Dense(3, activation="tanh"), L.Dense(2)),
    regression(per_step=True), lambda: "mse", sgd(0.1))
add("model_stacked_lstm", "LSTM(5, return_sequences) -> LSTM(4) -> Dense(2), mse, SGD(0.1)",
    lambda: seq(keras.Input((T, F)), L.LSTM(5, return_sequences=True), L.LSTM(4), L.Dense(2)),
    regression(), lambda: "mse", sgd(0.1))
add("model_bidir_lstm", "Bidirectional(LSTM(3)) merge_mode='concat' -> Dense(2), mse, SGD(0.1)",
    lambda: seq(keras.Input((T, F)), L.Bidirectional(L.LSTM(3)), L.Dense(2)),
    regression(), lambda: "mse", sgd(0.1))
add("model_lstm_go_backwards", "LSTM(4, go_backwards=True) -> Dense(2), mse, SGD(0.1)",
    lstm_dense(go_backwards=True), regression(), lambda: "mse", sgd(0.1))
add("model_embedding_mask_lstm",
    "Embedding(8, 3, mask_zero=True) -> LSTM(4) -> Dense(2) on int32 token ids (T=6) with trailing, "
    "leading and middle padding and one all-zero row; mse, SGD(0.1). The Embedding row 0 gets no "
    "gradient (masked steps are skipped, their input does not reach the output)",
    lambda: seq(keras.Input((6,), dtype="int32"), L.Embedding(VOCAB, 3, mask_zero=True),
                L.LSTM(U), L.Dense(2)),
    padded_tokens(), lambda: "mse", sgd(0.1))
add("model_masking_gru",
    "Masking(0.0) -> GRU(4) -> Dense(2), inputs (T=6) with whole timesteps = 0.0 (trailing, "
    "leading, middle); mse, SGD(0.1)",
    lambda: seq(keras.Input((6, F)), L.Masking(0.0), L.GRU(U), L.Dense(2)),
    masked_steps(), lambda: "mse", sgd(0.1))
add("model_masking_gru_seq",
    "Masking(0.0) -> GRU(4, return_sequences) -> Dense(2) on 3D, per-timestep targets; the output "
    "keeps the mask, so the mse is averaged over UNMASKED timesteps only (Keras loss masking); "
    "SGD(0.1)",
    lambda: seq(keras.Input((6, F)), L.Masking(0.0), L.GRU(U, return_sequences=True), L.Dense(2)),
    masked_steps(per_step=True), lambda: "mse", sgd(0.1))


def _two_in_two_out():
    a = keras.Input((T, F), name="in_a")
    b = keras.Input((4, 2), name="in_b")
    ha = L.LSTM(U, name="lstm_a")(a)
    hb = L.GRU(3, name="gru_b")(b)
    m = L.Concatenate(name="concat")([ha, hb])
    ya = L.Dense(2, name="out_reg")(m)
    yb = L.Dense(3, activation="softmax", name="out_cls")(hb)
    return keras.Model([a, b], [ya, yb], name="two_in_two_out")


add("model_graph_two_in_two_out",
    "Functional: inputs in_a (T,3) -> LSTM(4), in_b (4,2) -> GRU(3); out_reg = Dense(2)(concat), "
    "out_cls = Dense(3, softmax)(gru); losses ['mse', 'sparse_categorical_crossentropy'] with "
    "loss_weights [1.0, 0.5]; x0/x1 = in_a/in_b, y0 = out_reg targets, y1 = int32 labels; SGD(0.1)",
    _two_in_two_out,
    lambda rng: {"x": [u(rng, (N, T, F)), u(rng, (N, 4, 2))],
                 "y": [u(rng, (N, 2)), rng.integers(0, 3, size=(N,)).astype(np.int32)]},
    lambda: ["mse", "sparse_categorical_crossentropy"], sgd(0.1), loss_weights=[1.0, 0.5])

# --------------------------------------------------------------------------
# Gradient clipping
# --------------------------------------------------------------------------
add("clip_norm", "LSTM(4) -> Dense(2), mse, targets U(-2,2), SGD(0.1, clipnorm=0.1) (each "
    "gradient tensor clipped to L2 norm 0.1)", lstm_dense(), regression(y_range=2.0),
    lambda: "mse", sgd(0.1, clipnorm=0.1))
add("clip_value", "LSTM(4) -> Dense(2), mse, targets U(-2,2), SGD(0.1, clipvalue=0.02)",
    lstm_dense(), regression(y_range=2.0), lambda: "mse", sgd(0.1, clipvalue=0.02))
add("clip_global_norm", "GRU(4) -> Dense(2), mse, targets U(-2,2), Adam(0.02, global_clipnorm=0.2)",
    rnn_dense(L.GRU), regression(y_range=2.0), lambda: "mse",
    lambda: O.Adam(learning_rate=0.02, global_clipnorm=0.2))
add("clip_norm_adam", "LSTM(4) -> Dense(2), mse, targets U(-2,2), Adam(0.02, clipnorm=0.05)",
    lstm_dense(), regression(y_range=2.0), lambda: "mse",
    lambda: O.Adam(learning_rate=0.02, clipnorm=0.05))

# --------------------------------------------------------------------------
# Learning-rate schedules (3 epochs x 3 steps = 9 steps)
# --------------------------------------------------------------------------
S = O.schedules
add("sched_exponential", "LSTM(4) -> Dense(2), mse, SGD(ExponentialDecay(0.2, decay_steps=3, "
    "decay_rate=0.5))", lstm_dense(), regression(), lambda: "mse",
    lambda: O.SGD(learning_rate=S.ExponentialDecay(0.2, decay_steps=3, decay_rate=0.5)))
add("sched_exponential_staircase", "LSTM(4) -> Dense(2), mse, SGD(ExponentialDecay(0.2, "
    "decay_steps=2, decay_rate=0.5, staircase=True))", lstm_dense(), regression(), lambda: "mse",
    lambda: O.SGD(learning_rate=S.ExponentialDecay(0.2, decay_steps=2, decay_rate=0.5,
                                                    staircase=True)))
add("sched_cosine", "GRU(4) -> Dense(2), mse, Adam(CosineDecay(0.05, decay_steps=7, alpha=0.1)); "
    "9 steps > decay_steps, so the last steps use the floor alpha*0.05",
    rnn_dense(L.GRU), regression(), lambda: "mse",
    lambda: O.Adam(learning_rate=S.CosineDecay(0.05, decay_steps=7, alpha=0.1)))
add("sched_cosine_warmup", "LSTM(4) -> Dense(2), mse, SGD(CosineDecay(0.01, decay_steps=5, "
    "warmup_target=0.2, warmup_steps=3))", lstm_dense(), regression(), lambda: "mse",
    lambda: O.SGD(learning_rate=S.CosineDecay(0.01, decay_steps=5, warmup_target=0.2,
                                               warmup_steps=3)))

# --------------------------------------------------------------------------
# Regularizers (weight penalties and activity penalties enter loss AND val_loss)
# --------------------------------------------------------------------------
add("reg_kernel_l2", "LSTM(4, kernel_regularizer=l2(0.01)) -> Dense(2), mse, SGD(0.1), "
    "validation_data (8 samples)", lstm_dense(kernel_regularizer=R.L2(0.01)), regression(val=8),
    lambda: "mse", sgd(0.1), validation="data")
add("reg_recurrent_l1", "LSTM(4, recurrent_regularizer=l1(0.01)) -> Dense(2), mse, SGD(0.1)",
    lstm_dense(recurrent_regularizer=R.L1(0.01)), regression(), lambda: "mse", sgd(0.1))
add("reg_bias_l1_l2", "GRU(4, bias_regularizer=L1L2(0.01, 0.02)) -> Dense(2, "
    "bias_regularizer=L1L2(0.01, 0.02)), mse, SGD(0.1)",
    lambda: seq(keras.Input((T, F)), L.GRU(U, bias_regularizer=R.L1L2(l1=0.01, l2=0.02)),
                L.Dense(2, bias_regularizer=R.L1L2(l1=0.01, l2=0.02))),
    regression(), lambda: "mse", sgd(0.1))
add("reg_activity_l2", "LSTM(4, return_sequences, activity_regularizer=l2(0.01)) -> "
    "Dense(2, activity_regularizer=l2(0.02)) on 3D, per-timestep targets, mse, SGD(0.1), "
    "validation_data (8 samples). Activity penalty = l2 * sum(output^2) / batch_size",
    lambda: seq(keras.Input((T, F)), L.LSTM(U, return_sequences=True,
                                            activity_regularizer=R.L2(0.01)),
                L.Dense(2, activity_regularizer=R.L2(0.02))),
    regression(per_step=True, val=8), lambda: "mse", sgd(0.1), validation="data")

# --------------------------------------------------------------------------
# Constraints (applied after every optimizer update, not to the start weights)
# --------------------------------------------------------------------------
add("con_max_norm", "LSTM(4, kernel_constraint=max_norm(1.0)) -> Dense(2); start weights "
    "U(-1.2, 1.2) so kernel column norms (axis 0) exceed 1; mse, SGD(0.1)",
    lstm_dense(kernel_constraint=C.MaxNorm(1.0)), regression(), lambda: "mse", sgd(0.1),
    scale=1.2)
add("con_non_neg", "SimpleRNN(4) -> Dense(2, kernel_constraint=non_neg); the start Dense kernel "
    "has negative entries, they become 0 after the first update; mse, SGD(0.1)",
    lambda: seq(keras.Input((T, F)), L.SimpleRNN(U), L.Dense(2, kernel_constraint=C.NonNeg())),
    regression(), lambda: "mse", sgd(0.1))
add("con_unit_norm", "LSTM(4) -> Dense(2, kernel_constraint=unit_norm) (axis 0); mse, SGD(0.1)",
    lambda: seq(keras.Input((T, F)), L.LSTM(U), L.Dense(2, kernel_constraint=C.UnitNorm())),
    regression(), lambda: "mse", sgd(0.1))
add("con_min_max_norm", "GRU(4, recurrent_constraint=min_max_norm(0.5, 1.0, rate=0.7)) -> "
    "Dense(2, kernel_constraint=min_max_norm(0.8, 1.2)); start weights U(-0.9, 0.9); mse, SGD(0.1)",
    lambda: seq(keras.Input((T, F)),
                L.GRU(U, recurrent_constraint=C.MinMaxNorm(0.5, 1.0, rate=0.7)),
                L.Dense(2, kernel_constraint=C.MinMaxNorm(0.8, 1.2))),
    regression(), lambda: "mse", sgd(0.1), scale=0.9)

# --------------------------------------------------------------------------
# Frozen layer
# --------------------------------------------------------------------------


def _frozen():
    lstm = L.LSTM(U)
    lstm.trainable = False
    return seq(keras.Input((T, F)), lstm, L.Dense(2))


add("frozen_lstm", "LSTM(4) with trainable=False -> trainable Dense(2), mse, Adam(0.02); the "
    "LSTM weights are unchanged, the optimizer has state for the Dense only", _frozen,
    regression(), lambda: "mse", lambda: O.Adam(learning_rate=0.02))

# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------
add("val_data", "LSTM(4) -> Dense(2), mse, SGD(0.1), validation_data=(vx0, vy0) with 12 samples "
    "(evaluated with batch_size 8 -> 8, 4)", lstm_dense(), regression(val=12), lambda: "mse",
    sgd(0.1), validation="data")
add("val_split", "GRU(4) -> Dense(2), mse, SGD(0.1), 24 samples with validation_split=0.25: Keras "
    "trains on the FIRST 18 samples (batches 8, 8, 2) and validates on the LAST 6",
    rnn_dense(L.GRU), regression(n=24), lambda: "mse", sgd(0.1), validation="split 0.25")


def _early_stop_data(rng):
    # Validation targets are the negated train targets of the same inputs, so
    # fitting the training data makes val_loss worse after a while.
    x = u(rng, (N, T, F))
    y = np.tanh(2.0 * x.sum(axis=(1, 2)))[:, None].repeat(2, axis=1).astype(np.float32)
    y[:, 1] *= -0.5
    vx = x[:8].copy()
    vy = (-y[:8]).astype(np.float32)
    return {"x": [x], "y": [y], "vx": [vx], "vy": [vy]}


add("val_early_stopping", "LSTM(4) -> Dense(2), mse, SGD(0.3), validation_data whose targets are "
    "the negated training targets; EarlyStopping(monitor='val_loss', patience=1, "
    "restore_best_weights=False), epochs=12: training stops early, final.h5 holds the weights of "
    "the LAST epoch run", lstm_dense(), _early_stop_data, lambda: "mse", sgd(0.3),
    validation="data", epochs=12,
    callbacks=lambda: [keras.callbacks.EarlyStopping(monitor="val_loss", patience=1,
                                                     restore_best_weights=False)])

# --------------------------------------------------------------------------
# Stateful
# --------------------------------------------------------------------------
add("stateful_lstm", "LSTM(4, stateful=True) -> Dense(2), Input(batch_shape=(4, 5, 3)), 16 samples, "
    "batch_size 4 (4 steps per epoch), 2 epochs, mse, SGD(0.1). Keras 3 fit() never resets the "
    "states: batch k+1 starts from the final state of batch k, ACROSS epochs too (see "
    "stateful_check)",
    lambda: seq(keras.Input(batch_shape=(4, T, F)), L.LSTM(U, stateful=True), L.Dense(2)),
    regression(n=16), lambda: "mse", sgd(0.1), epochs=2, batch_size=4, stateful=True)


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


def jsonable(o):
    """Recursively convert numpy scalars / arrays / tuples into plain JSON values."""
    if isinstance(o, dict):
        return {str(k): jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [jsonable(v) for v in o]
    if isinstance(o, (np.floating, float)):
        return float(o)
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, np.ndarray):
        return jsonable(o.tolist())
    return o


def loss_description(loss):
    if isinstance(loss, (list, tuple)):
        return [loss_description(x) for x in loss]
    if isinstance(loss, str):
        return loss
    return {"class_name": loss.__class__.__name__, "config": jsonable(loss.get_config())}


def optimizer_config(opt):
    cfg = jsonable(opt.get_config())
    lr = opt._learning_rate
    if isinstance(lr, O.schedules.LearningRateSchedule):
        cfg["learning_rate"] = {"class_name": lr.__class__.__name__,
                                "config": jsonable(lr.get_config())}
    return cfg


def to_list(v):
    return list(v) if isinstance(v, (list, tuple)) else [v]


def batch_slices(n, bs):
    return [(s, min(s + bs, n)) for s in range(0, n, bs)]


def pick(arrs, s, e):
    return [a[s:e] for a in arrs]


def unlist(arrs):
    return arrs if len(arrs) > 1 else arrs[0]


def make_loss_fn(model, loss):
    """tf.function computing (total loss, penalty, per-output unweighted losses) exactly as
    train_step/test_step do (per-output losses only for multi-output models)."""
    out_fns = [keras.losses.get(lo) for lo in loss] if isinstance(loss, (list, tuple)) else []

    @tf.function
    def fn(x, y, training):
        y_pred = model(x, training=training)
        total = model.compute_loss(x=x, y=y, y_pred=y_pred, training=training)
        pen = [tf.reduce_sum(tf.cast(p, tf.float32)) for p in model.losses]
        pen = tf.add_n(pen) if pen else tf.zeros(())
        outs = ([tf.reduce_mean(f(yt, yp)) for f, yt, yp in zip(out_fns, y, y_pred)]
                if out_fns else [])
        return total, pen, outs
    return fn


class Recorder(keras.callbacks.Callback):
    """Records, for every training step, the lr used, Keras' running-mean logs['loss'] and the
    raw batch loss (recomputed from the pre-update weights with model.compute_loss)."""

    def __init__(self, c, xt, yt, vx, vy):
        super().__init__()
        self.c, self.xt, self.yt, self.vx, self.vy = c, xt, yt, vx, vy
        self.slices = batch_slices(len(xt[0]), c.batch_size)
        self.steps = []
        self.epoch_states = []
        self.val_recomputed = []
        self._fn = None
        self._epoch = 0

    def states(self):
        return [np.asarray(s.value if hasattr(s, "value") else s).copy()
                for r in rnn_layers(self.model) for s in (r.states or [])]

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        if self.c.stateful:
            self.epoch_states.append({"epoch": epoch, "begin": self.states()})

    def on_train_batch_begin(self, batch, logs=None):
        if self._fn is None:
            self._fn = make_loss_fn(self.model, self.c.loss())
        s, e = self.slices[batch]
        saved = self.states() if self.c.stateful else None
        total, pen, outs = self._fn(unlist(pick(self.xt, s, e)), unlist(pick(self.yt, s, e)), True)
        if saved is not None:  # the recomputation must not advance the stateful RNN
            flat = [st for r in rnn_layers(self.model) for st in r.states]
            for v, val in zip(flat, saved):
                v.assign(val)
        opt = self.model.optimizer
        self.steps.append({"epoch": self._epoch, "batch": batch, "size": e - s,
                           "iteration": int(opt.iterations.numpy()),
                           "learning_rate": float(np.float32(opt.learning_rate)),
                           "loss": float(total), "penalty": float(pen)})
        if outs:
            self.steps[-1]["output_losses"] = [float(o) for o in outs]

    def on_train_batch_end(self, batch, logs=None):
        self.steps[-1]["logs_loss"] = float(logs["loss"])

    def on_epoch_end(self, epoch, logs=None):
        if self.c.stateful:
            self.epoch_states[-1]["end"] = self.states()
        if self.vx is not None and "val_loss" in (logs or {}):
            tot, n = 0.0, 0
            for s, e in batch_slices(len(self.vx[0]), self.c.batch_size):
                lo, _, _ = self._fn(unlist(pick(self.vx, s, e)), unlist(pick(self.vy, s, e)), False)
                tot += float(lo) * (e - s)
                n += e - s
            self.val_recomputed.append((tot / n, float(logs["val_loss"])))


def compile_model(model, c):
    kw = {}
    if c.loss_weights is not None:
        kw["loss_weights"] = c.loss_weights
    model.compile(optimizer=c.optimizer(), loss=c.loss(), jit_compile=False, run_eagerly=False,
                  **kw)


def fit_model(model, c, data, callbacks):
    kw = dict(epochs=c.epochs, batch_size=c.batch_size, shuffle=False, verbose=0,
              callbacks=callbacks)
    if c.validation == "data":
        kw["validation_data"] = (unlist(data["vx"]), unlist(data["vy"]))
    elif c.validation.startswith("split"):
        kw["validation_split"] = float(c.validation.split()[1])
    return model.fit(unlist(data["x"]), unlist(data["y"]), **kw)


def train_split(c, data):
    """(train x, train y, val x, val y) exactly as fit() slices them."""
    x, y = data["x"], data["y"]
    if c.validation.startswith("split"):
        n = len(x[0])
        at = int(math.floor(n * (1.0 - float(c.validation.split()[1]))))
        return pick(x, 0, at), pick(y, 0, at), pick(x, at, n), pick(y, at, n)
    if c.validation == "data":
        return x, y, data["vx"], data["vy"]
    return x, y, None, None


def float64_reference(c, start_weights, data):
    """Re-run the same training with floatx=float64 (same start weights and data); returns the
    final weights and history, or an error string. Gives the float32 round-off scale."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(c.seed)
    keras.backend.set_floatx("float64")
    try:
        model = c.build()
        for v, w in zip(model.weights, start_weights):
            v.assign(w.astype(np.float64))
        compile_model(model, c)
        d64 = {k: [a.astype(np.float64) if a.dtype == np.float32 else a for a in v]
               for k, v in data.items()}
        h = fit_model(model, c, d64, c.callbacks())
        return [np.asarray(v.numpy()) for v in model.weights], h.history
    except Exception as e:  # noqa: BLE001 - record whatever Keras raises
        return "%s: %s" % (type(e).__name__, str(e).splitlines()[0]), None
    finally:
        keras.backend.set_floatx("float32")
        keras.backend.clear_session()


def first_gradients(model, c, xt, yt):
    """Gradient of the first training batch's loss at the start weights (what step 1 uses,
    before clipping), as per-weight L2 norm / max |g| and the global norm."""
    s, e = batch_slices(len(xt[0]), c.batch_size)[0]
    x, y = unlist(pick(xt, s, e)), unlist(pick(yt, s, e))
    with tf.GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = model.compute_loss(x=x, y=y, y_pred=y_pred, training=True)
    grads = [np.asarray(tf.convert_to_tensor(g)) for g in
             tape.gradient(loss, model.trainable_weights)]  # Embedding: IndexedSlices
    for r in rnn_layers(model):  # the call above must not leave a state behind
        if r.stateful:
            r.reset_states()
    per = [{"path": v.path, "norm": float(np.sqrt(np.sum(np.square(g.astype(np.float64))))),
            "max_abs": float(np.max(np.abs(g)))}
           for v, g in zip(model.trainable_weights, grads)]
    return {"loss": float(loss), "global_norm": float(math.sqrt(sum(p["norm"] ** 2 for p in per))),
            "per_weight": per}


def run_case(c, out_dir, command, with_float64=True):
    keras.backend.clear_session()
    keras.utils.set_random_seed(c.seed)
    rng = np.random.default_rng(c.seed)
    model = c.build()
    fill_weights(model, rng, c.scale)
    if c.init is not None:
        c.init(model, rng)
    data = c.data(rng)
    compile_model(model, c)
    start_weights = [np.asarray(v.numpy()).copy() for v in model.weights]

    d = os.path.join(out_dir, c.name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    model.save(os.path.join(d, "start.h5"))
    model.save(os.path.join(d, "start.keras"))
    for key, prefix in (("x", "x"), ("y", "y"), ("vx", "vx"), ("vy", "vy")):
        for i, a in enumerate(data.get(key, [])):
            np.save(os.path.join(d, "%s%d.npy" % (prefix, i)), np.ascontiguousarray(a))

    xt, yt, vx, vy = train_split(c, data)
    grad0 = first_gradients(model, c, xt, yt)
    rec = Recorder(c, xt, yt, vx, vy)
    callbacks = c.callbacks()
    hist = fit_model(model, c, data, callbacks + [rec])
    model.save(os.path.join(d, "final.h5"))
    final_weights = [np.asarray(v.numpy()) for v in model.weights]

    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    opt = model.optimizer
    n_train = len(xt[0])
    sizes = [e - s for s, e in batch_slices(n_train, c.batch_size)]

    # Self-checks of the documented semantics.
    checks = {}
    steps = rec.steps
    epochs_run = len(history["loss"])
    per_epoch = [[s for s in steps if s["epoch"] == ep] for ep in range(epochs_run)]
    checks["epoch_loss_minus_batch_size_weighted_mean_of_step_losses_max_abs"] = max(
        abs(history["loss"][ep] - sum(s["loss"] * s["size"] for s in st) / sum(s["size"] for s in st))
        for ep, st in enumerate(per_epoch))
    run_err = 0.0
    for st in per_epoch:
        acc, cnt = 0.0, 0
        for s in st:
            acc += s["loss"] * s["size"]
            cnt += s["size"]
            run_err = max(run_err, abs(acc / cnt - s["logs_loss"]))
    checks["logs_loss_minus_running_weighted_mean_max_abs"] = run_err
    checks["iterations_equals_number_of_steps"] = int(opt.iterations.numpy()) == len(steps)
    if rec.val_recomputed:
        checks["val_loss_minus_recomputed_max_abs"] = max(abs(a - b) for a, b in rec.val_recomputed)
    trainable_ids = {id(v) for v in model.trainable_weights}
    checks["non_trainable_weights_unchanged"] = all(
        np.array_equal(a, b) for v, a, b in zip(model.weights, start_weights, final_weights)
        if id(v) not in trainable_ids)

    info = {
        "name": c.name,
        "description": c.description,
        "provenance": {
            "generator": "tools/gen_train_fixtures.py",
            "command": command,
            "keras_version": keras.__version__,
            "tensorflow_version": tf.__version__,
            "numpy_version": np.__version__,
            "h5py_version": h5py.__version__,
            "backend": keras.backend.backend(),
            "seed": c.seed,
        },
        "model": {
            "class_name": model.__class__.__name__,
            "layers": [{"name": layer.name, "class_name": layer.__class__.__name__,
                        "trainable": bool(layer.trainable), "params": int(layer.count_params())}
                       for layer in model.layers],
            "total_params": int(model.count_params()),
            "trainable_params": int(sum(int(np.prod(v.shape)) for v in model.trainable_weights)),
            "start_weights": "U(-%g, %g)%s" % (c.scale, c.scale,
                                               " then case-specific init (see description)"
                                               if c.init else ""),
        },
        "loss": loss_description(c.loss()),
        "loss_weights": c.loss_weights,
        "optimizer": {"class_name": opt.__class__.__name__, "config": optimizer_config(opt)},
        "epochs": c.epochs,
        "epochs_run": epochs_run,
        "batch_size": c.batch_size,
        "shuffle": False,
        "validation": c.validation,
        "samples": {"train": n_train, "validation": len(vx[0]) if vx is not None else 0,
                    "train_batch_sizes": sizes},
        "callbacks": [cb.__class__.__name__ for cb in callbacks],
        "data": {
            "x": [{"file": "x%d.npy" % i, "shape": list(a.shape), "dtype": str(a.dtype)}
                  for i, a in enumerate(data["x"])],
            "y": [{"file": "y%d.npy" % i, "shape": list(a.shape), "dtype": str(a.dtype)}
                  for i, a in enumerate(data["y"])],
            "vx": [{"file": "vx%d.npy" % i, "shape": list(a.shape), "dtype": str(a.dtype)}
                   for i, a in enumerate(data.get("vx", []))],
            "vy": [{"file": "vy%d.npy" % i, "shape": list(a.shape), "dtype": str(a.dtype)}
                   for i, a in enumerate(data.get("vy", []))],
        },
        "history": history,
        "iterations": int(opt.iterations.numpy()),
        "steps": steps,
        "first_step_gradient": grad0,
        "checks": checks,
        "weights": [{"name": "%s/%s" % (layer.name, v.name), "path": v.path,
                     "shape": [int(s) for s in v.shape], "trainable": bool(v.trainable)}
                    for layer in model.layers for v in layer.weights],
        "optimizer_variables": [{"path": v.path, "shape": [int(s) for s in v.shape]}
                                for v in opt.variables],
        "final_weights_max_abs_change": float(max(
            float(np.max(np.abs(a - b))) if a.size else 0.0
            for a, b in zip(start_weights, final_weights))),
    }
    for cb in callbacks:
        if isinstance(cb, keras.callbacks.EarlyStopping):
            info["early_stopping"] = {"stopped_epoch": int(cb.stopped_epoch),
                                      "best": float(cb.best), "best_epoch": int(cb.best_epoch),
                                      "wait": int(cb.wait)}
    if c.stateful:
        es = rec.epoch_states
        info["stateful_check"] = {
            "state_norm_at_epoch_begin": [float(sum(np.sum(np.square(s)) for s in e["begin"]))
                                          for e in es],
            "states_carried_across_epochs": all(
                all(np.array_equal(a, b) for a, b in zip(es[i]["end"], es[i + 1]["begin"]))
                for i in range(len(es) - 1)),
            "states_reset_between_epochs": all(
                all(not np.any(b) for b in es[i + 1]["begin"]) for i in range(len(es) - 1)),
        }
    if c.notes:
        info["notes"] = c.notes

    if with_float64:
        w64, h64 = float64_reference(c, start_weights, data)
        if isinstance(w64, str):
            info["float64_reference"] = {"error": w64}
        else:
            same_len = len(h64["loss"]) == len(history["loss"])
            info["float64_reference"] = {
                "what": "same training re-run with keras floatx=float64 (same start weights/data)",
                "final_weights_max_abs_diff": float(max(
                    float(np.max(np.abs(a.astype(np.float64) - b))) if a.size else 0.0
                    for a, b in zip(final_weights, w64))),
                "history_loss_max_abs_diff": float(max(
                    abs(a - b) for a, b in zip(history["loss"], h64["loss"]))),
                "same_number_of_epochs": same_len,
            }

    info["files"] = sorted(os.listdir(d)) + ["case.json"]
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(jsonable(info), f, indent=1)
        f.write("\n")
    return d, info


def readme_table(out):
    rows = ["| case | epochs (run) | steps | validation | description |",
            "|------|--------------|-------|------------|-------------|"]
    for n in sorted(os.listdir(out)):
        p = os.path.join(out, n, "case.json")
        if not os.path.isfile(p):
            continue
        c = json.load(open(p))
        rows.append("| `%s` | %d (%d) | %d | %s | %s |" % (
            n, c["epochs"], c["epochs_run"], c["iterations"], c["validation"], c["description"]))
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="fixtures/train")
    ap.add_argument("--only", nargs="+", metavar="NAME")
    ap.add_argument("--no-float64", action="store_true",
                    help="skip the float64 re-run (float64_reference in case.json)")
    ap.add_argument("--list", action="store_true", help="list case names and exit")
    ap.add_argument("--table", action="store_true",
                    help="print the README case table from the case.json files in --out and exit")
    args = ap.parse_args(argv)
    if args.list:
        for n in CASES:
            print(n)
        return 0
    if args.table:
        print(readme_table(args.out))
        return 0
    if keras.backend.backend() != "tensorflow":
        ap.error("run with KERAS_BACKEND=tensorflow")
    names = list(CASES)
    if args.only:
        unknown = [n for n in args.only if n not in CASES]
        if unknown:
            ap.error("unknown case(s): " + ", ".join(unknown))
        names = [n for n in names if n in args.only]
    command = "KERAS_BACKEND=tensorflow python " + shlex.join(sys.argv)
    os.makedirs(args.out, exist_ok=True)
    bad = []
    for n in names:
        d, info = run_case(CASES[n], args.out, command, with_float64=not args.no_float64)
        ch = info["checks"]
        ok = (ch["epoch_loss_minus_batch_size_weighted_mean_of_step_losses_max_abs"] < 1e-5
              and ch["logs_loss_minus_running_weighted_mean_max_abs"] < 1e-5
              and ch["iterations_equals_number_of_steps"]
              and ch.get("val_loss_minus_recomputed_max_abs", 0.0) < 1e-5
              and ch["non_trainable_weights_unchanged"])
        if not ok:
            bad.append(n)
        f64 = info.get("float64_reference", {})
        print("%-30s epochs %2d/%-2d steps %3d loss %.5f -> %.5f  max|dw| %.4f  f64 dw %s%s" % (
            n, info["epochs_run"], info["epochs"], info["iterations"], info["steps"][0]["loss"],
            info["history"]["loss"][-1], info["final_weights_max_abs_change"],
            "%.1e" % f64["final_weights_max_abs_diff"] if "final_weights_max_abs_diff" in f64
            else f64.get("error", "-"), "" if ok else "  CHECK FAILED"))
    if bad:
        print("self-checks failed:", ", ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
