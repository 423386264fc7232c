#!/usr/bin/env python3
"""Generate Keras 3 reference fixtures for the layers of issue 14 (CNN-LSTM, LRCN, ConvLSTM,
attention, normalization, nested models, custom layers).

Every inference case builds a tiny model with real Keras 3 (pooling, convolutions, shape layers,
ConvLSTM1D/2D/3D, normalization, attention, Dot, nested models, a registered custom layer and
realistic composites), fills every weight with seeded uniform random values and writes, through
``tools/gen_fixtures.py``'s driver, ``model.h5``, ``model.keras``, ``x*.npy``, ``y*.npy`` and
``case.json`` to ``fixtures/keras3/layers14/<case>/`` (same directory format as
fixtures/keras3/README.md). Sequential models made only of layers with a NumPy implementation
below (pooling, every convolution, padding/cropping/upsampling, ConvLSTM, normalization, ...)
are also run through that independent NumPy reference (``numpy_reference`` in case.json); for
the ``channels_first`` cases this is the check that does not depend on how TensorFlow runs them.

The fit-parity cases (a few SGD/Adam steps on a CNN-LSTM, an attention model and a
LayerNormalization model) use ``tools/gen_train_fixtures.py``'s driver and go to
``fixtures/keras3/layers14/fit/<case>/`` (format: fixtures/train/README.md) plus
``step_weights.h5``: the weights after every training step.

Usage:
    KERAS_BACKEND=tensorflow python tools/gen_layer_fixtures.py --out fixtures/keras3/layers14 \
        [--only NAME ...] [--list] [--table]

Deterministic like gen_fixtures.py: seeds from the case name (CRC32), TF op determinism on.
"""

import argparse
import inspect
import json
import os
import re
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_fixtures as G  # noqa: E402  (sets KERAS_BACKEND, TF determinism)
import gen_train_fixtures as GT  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402
from keras import ops  # noqa: E402

GENERATOR = "tools/gen_layer_fixtures.py"
CASES = {}
FIT_CASES = {}


class Case(G.Case):
    def __init__(self, name, description, build, options=(), notes=None, files=None, extra=None,
                 **kw):
        super().__init__(name, description, build, **kw)
        self.options = list(options)   # the layer options this case pins down (README table)
        self.notes = notes
        self.files = files or {}       # extra files written into the case directory
        self.extra = extra or {}       # extra case.json keys


def case(name, description, build, **kw):
    if name in CASES:
        raise ValueError("duplicate case " + name)
    CASES[name] = Case(name, description, build, **kw)


def layer_case(name, description, shape, make_layer, batch=2, **kw):
    """Input(shape) -> one layer (created inside the builder)."""
    case(name, description,
         lambda: (G.seq(keras.Input(shape), make_layer()), G.one((batch,) + tuple(shape))), **kw)


CF = "channels_first"

# --------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------
for _name, _cls, _shape, _kw in [
        ("max_pool1d_valid", L.MaxPooling1D, (8, 3), dict(pool_size=2)),
        ("max_pool1d_same_strides1", L.MaxPooling1D, (7, 3), dict(pool_size=3, strides=1, padding="same")),
        ("max_pool1d_valid_strides2_pool3", L.MaxPooling1D, (9, 3), dict(pool_size=3, strides=2)),
        ("max_pool1d_same_odd", L.MaxPooling1D, (7, 3), dict(pool_size=2, padding="same")),
        ("max_pool1d_cf", L.MaxPooling1D, (3, 8), dict(pool_size=2, data_format=CF)),
        ("max_pool1d_same_cf", L.MaxPooling1D, (3, 7), dict(pool_size=3, strides=2, padding="same",
                                                             data_format=CF)),
        ("avg_pool1d_valid", L.AveragePooling1D, (8, 3), dict(pool_size=2)),
        ("avg_pool1d_valid_strides2_pool3", L.AveragePooling1D, (9, 3), dict(pool_size=3, strides=2)),
        ("avg_pool1d_same_odd", L.AveragePooling1D, (7, 3), dict(pool_size=2, padding="same")),
        ("avg_pool1d_same_strides1", L.AveragePooling1D, (6, 3), dict(pool_size=3, strides=1, padding="same")),
        ("avg_pool1d_cf", L.AveragePooling1D, (3, 8), dict(pool_size=2, data_format=CF)),
        ("avg_pool1d_same_cf", L.AveragePooling1D, (3, 7), dict(pool_size=3, strides=2, padding="same",
                                                                 data_format=CF)),
        ("max_pool2d_valid", L.MaxPooling2D, (6, 6, 2), dict(pool_size=2)),
        ("max_pool2d_same_strides", L.MaxPooling2D, (5, 6, 2), dict(pool_size=(3, 2), strides=(2, 1),
                                                                     padding="same")),
        ("max_pool2d_valid_rect", L.MaxPooling2D, (5, 7, 2), dict(pool_size=(2, 3), strides=(1, 2))),
        ("max_pool2d_cf", L.MaxPooling2D, (2, 6, 6), dict(pool_size=2, data_format=CF)),
        ("max_pool2d_same_cf", L.MaxPooling2D, (2, 5, 5), dict(pool_size=3, strides=2, padding="same",
                                                                data_format=CF)),
        ("avg_pool2d_valid", L.AveragePooling2D, (6, 6, 2), dict(pool_size=2)),
        ("avg_pool2d_same_strides", L.AveragePooling2D, (5, 5, 2), dict(pool_size=3, strides=2,
                                                                         padding="same")),
        ("avg_pool2d_valid_rect", L.AveragePooling2D, (5, 7, 2), dict(pool_size=(2, 3), strides=(1, 2))),
        ("avg_pool2d_cf", L.AveragePooling2D, (2, 6, 6), dict(pool_size=2, data_format=CF)),
        ("avg_pool2d_same_cf", L.AveragePooling2D, (2, 5, 5), dict(pool_size=3, strides=2, padding="same",
                                                                    data_format=CF)),
        ("max_pool3d_valid", L.MaxPooling3D, (4, 4, 4, 2), dict(pool_size=2)),
        ("max_pool3d_same_strides", L.MaxPooling3D, (3, 5, 4, 2), dict(pool_size=(2, 3, 2), strides=(1, 2, 2),
                                                                        padding="same")),
        ("max_pool3d_cf", L.MaxPooling3D, (2, 4, 4, 4), dict(pool_size=2, data_format=CF)),
        ("avg_pool3d_valid", L.AveragePooling3D, (4, 4, 4, 2), dict(pool_size=2)),
        ("avg_pool3d_same_strides", L.AveragePooling3D, (3, 5, 4, 2), dict(pool_size=(2, 3, 2),
                                                                            strides=(1, 2, 2), padding="same")),
        ("avg_pool3d_cf", L.AveragePooling3D, (2, 4, 4, 4), dict(pool_size=2, data_format=CF)),
        ("avg_pool3d_same_cf", L.AveragePooling3D, (2, 3, 5, 4), dict(pool_size=2, strides=2, padding="same",
                                                                       data_format=CF)),
]:
    layer_case(_name, "%s(%s) on Input(%s)" % (_cls.__name__, ", ".join(
        "%s=%r" % kv for kv in _kw.items()), _shape), _shape,
        (lambda c=_cls, k=_kw: c(**k)), options=sorted(_kw))

for _name, _cls, _shape, _kw in [
        ("global_max_pool1d", L.GlobalMaxPooling1D, (6, 3), {}),
        ("global_max_pool1d_keepdims", L.GlobalMaxPooling1D, (6, 3), dict(keepdims=True)),
        ("global_max_pool1d_cf", L.GlobalMaxPooling1D, (3, 6), dict(data_format=CF)),
        ("global_avg_pool1d", L.GlobalAveragePooling1D, (6, 3), {}),
        ("global_avg_pool1d_keepdims_cf", L.GlobalAveragePooling1D, (3, 6), dict(keepdims=True,
                                                                                 data_format=CF)),
        ("global_max_pool2d", L.GlobalMaxPooling2D, (4, 5, 3), {}),
        ("global_max_pool2d_keepdims_cf", L.GlobalMaxPooling2D, (3, 4, 5), dict(keepdims=True,
                                                                                data_format=CF)),
        ("global_avg_pool2d", L.GlobalAveragePooling2D, (4, 5, 3), {}),
        ("global_avg_pool2d_keepdims", L.GlobalAveragePooling2D, (4, 5, 3), dict(keepdims=True)),
        ("global_avg_pool2d_cf", L.GlobalAveragePooling2D, (3, 4, 5), dict(data_format=CF)),
        ("global_max_pool3d", L.GlobalMaxPooling3D, (3, 4, 2, 3), {}),
        ("global_max_pool3d_cf", L.GlobalMaxPooling3D, (3, 3, 4, 2), dict(data_format=CF)),
        ("global_avg_pool3d_keepdims", L.GlobalAveragePooling3D, (3, 4, 2, 3), dict(keepdims=True)),
        ("global_avg_pool3d_cf", L.GlobalAveragePooling3D, (3, 3, 4, 2), dict(data_format=CF)),
]:
    layer_case(_name, "%s(%s) on Input(%s)" % (_cls.__name__, ", ".join(
        "%s=%r" % kv for kv in _kw.items()), _shape), _shape,
        (lambda c=_cls, k=_kw: c(**k)), options=sorted(_kw) or ["defaults"])

MASKED_ROWS = ("masked steps have every feature = 5.0; sample 0: last 2 steps masked, sample 1: first step "
               "masked, sample 2: none masked")


def masked_seq(shape, value=0.0, hi=1.5):
    """float input (3, T, F) ~ U(-1.5, hi) with whole timesteps equal to the Masking value."""
    def make(rng):
        x = rng.uniform(-1.5, hi, size=shape).astype(np.float32)
        x[0, -2:] = value
        x[1, 0] = value
        return x
    return make


def _masked_global(cls, keepdims):
    def build():
        # Masking also multiplies the masked steps by 0 (keras/src/layers/core/masking.py)
        return (G.seq(keras.Input((6, 3)), L.Masking(5.0), L.Dense(4), cls(keepdims=keepdims)),
                [[masked_seq((3, 6, 3), value=5.0)]])
    return build


case("global_avg_pool1d_masked",
     "Masking(5.0) (zeroes masked steps) -> Dense(4) (keeps the mask) -> GlobalAveragePooling1D: the mask "
     "excludes masked steps from the mean; " + MASKED_ROWS, _masked_global(L.GlobalAveragePooling1D, False),
     options=["mask"])
case("global_avg_pool1d_masked_keepdims",
     "Masking(5.0) -> Dense(4) -> GlobalAveragePooling1D(keepdims=True) with a mask; " + MASKED_ROWS,
     _masked_global(L.GlobalAveragePooling1D, True), options=["mask", "keepdims"])
case("global_max_pool1d_masked",
     "Masking(5.0) -> GlobalMaxPooling1D on inputs in [-1.5, 0): Keras 3.15.1 GlobalMaxPooling1D does not support "
     "masking (it warns and drops the mask), and Masking has set the masked steps to 0, so they take part in the "
     "max (result 0 wherever a sample has a masked step); " + MASKED_ROWS,
     lambda: (G.seq(keras.Input((6, 3)), L.Masking(5.0), L.GlobalMaxPooling1D()),
              [[masked_seq((3, 6, 3), value=5.0, hi=0.0)]]), options=["mask"])

# --------------------------------------------------------------------------
# Convolutions
# --------------------------------------------------------------------------
_CONV = [
    ("conv1d_groups", L.Conv1D, (7, 4), dict(filters=6, kernel_size=3, groups=2)),
    ("conv1d_cf", L.Conv1D, (3, 8), dict(filters=4, kernel_size=3, strides=2, padding="same", data_format=CF)),
    ("conv2d_valid", L.Conv2D, (6, 5, 3), dict(filters=4, kernel_size=3)),
    ("conv2d_same_strides", L.Conv2D, (6, 6, 3), dict(filters=4, kernel_size=(3, 2), strides=(2, 2),
                                                      padding="same", activation="relu")),
    ("conv2d_same_strides_odd", L.Conv2D, (5, 7, 2), dict(filters=3, kernel_size=3, strides=(2, 3),
                                                          padding="same")),
    ("conv2d_dilation", L.Conv2D, (7, 7, 2), dict(filters=3, kernel_size=3, dilation_rate=(2, 1))),
    ("conv2d_dilation_same", L.Conv2D, (6, 6, 2), dict(filters=3, kernel_size=3, dilation_rate=2,
                                                       padding="same")),
    ("conv2d_groups", L.Conv2D, (5, 5, 4), dict(filters=6, kernel_size=3, groups=2)),
    ("conv2d_no_bias_tanh", L.Conv2D, (5, 5, 2), dict(filters=3, kernel_size=2, use_bias=False,
                                                      activation="tanh")),
    ("conv2d_cf", L.Conv2D, (3, 6, 5), dict(filters=4, kernel_size=3)),
    ("conv2d_same_strides_cf", L.Conv2D, (2, 6, 6), dict(filters=4, kernel_size=3, strides=2, padding="same",
                                                         data_format=CF)),
    ("conv2d_groups_dilation_cf", L.Conv2D, (4, 7, 7), dict(filters=4, kernel_size=3, groups=2,
                                                            dilation_rate=2, data_format=CF)),
    ("conv3d_valid", L.Conv3D, (4, 5, 4, 2), dict(filters=3, kernel_size=2)),
    ("conv3d_same_strides", L.Conv3D, (4, 5, 5, 2), dict(filters=3, kernel_size=(2, 3, 3), strides=(1, 2, 2),
                                                         padding="same")),
    ("conv3d_dilation", L.Conv3D, (5, 5, 5, 2), dict(filters=2, kernel_size=2, dilation_rate=2)),
    ("conv3d_groups", L.Conv3D, (3, 4, 4, 4), dict(filters=4, kernel_size=2, groups=2)),
    ("conv3d_cf", L.Conv3D, (2, 4, 5, 4), dict(filters=3, kernel_size=2, padding="same", data_format=CF)),
    ("separable_conv1d_valid", L.SeparableConv1D, (8, 3), dict(filters=4, kernel_size=3)),
    ("separable_conv1d_same_strides_mult2", L.SeparableConv1D, (8, 3), dict(
        filters=4, kernel_size=3, strides=2, padding="same", depth_multiplier=2, activation="relu")),
    ("separable_conv1d_dilation", L.SeparableConv1D, (9, 2), dict(filters=3, kernel_size=3, dilation_rate=2)),
    ("separable_conv1d_cf", L.SeparableConv1D, (3, 8), dict(filters=4, kernel_size=3, data_format=CF)),
    ("separable_conv2d_valid", L.SeparableConv2D, (5, 6, 3), dict(filters=4, kernel_size=3)),
    ("separable_conv2d_same_strides_mult2", L.SeparableConv2D, (6, 6, 2), dict(
        filters=3, kernel_size=3, strides=2, padding="same", depth_multiplier=2)),
    ("separable_conv2d_dilation_no_bias", L.SeparableConv2D, (7, 7, 2), dict(
        filters=3, kernel_size=3, dilation_rate=2, use_bias=False)),
    ("separable_conv2d_cf", L.SeparableConv2D, (3, 5, 6), dict(filters=4, kernel_size=3, data_format=CF)),
    ("depthwise_conv1d_valid", L.DepthwiseConv1D, (8, 3), dict(kernel_size=3)),
    ("depthwise_conv1d_same_strides_mult2", L.DepthwiseConv1D, (8, 3), dict(
        kernel_size=3, strides=2, padding="same", depth_multiplier=2)),
    ("depthwise_conv1d_dilation", L.DepthwiseConv1D, (9, 2), dict(kernel_size=3, dilation_rate=2,
                                                                  activation="tanh")),
    ("depthwise_conv1d_cf", L.DepthwiseConv1D, (3, 8), dict(kernel_size=3, depth_multiplier=2,
                                                            data_format=CF)),
    ("depthwise_conv2d_valid", L.DepthwiseConv2D, (5, 6, 3), dict(kernel_size=3)),
    ("depthwise_conv2d_same_strides_mult2", L.DepthwiseConv2D, (6, 6, 2), dict(
        kernel_size=3, strides=2, padding="same", depth_multiplier=2)),
    ("depthwise_conv2d_dilation_no_bias", L.DepthwiseConv2D, (7, 7, 2), dict(
        kernel_size=3, dilation_rate=2, use_bias=False)),
    ("depthwise_conv2d_cf", L.DepthwiseConv2D, (3, 5, 6), dict(kernel_size=3, data_format=CF)),
    ("conv1d_transpose_valid_strides2", L.Conv1DTranspose, (5, 3), dict(filters=4, kernel_size=3, strides=2)),
    ("conv1d_transpose_same_strides2", L.Conv1DTranspose, (5, 3), dict(filters=4, kernel_size=3, strides=2,
                                                                      padding="same")),
    ("conv1d_transpose_valid_k2_strides3", L.Conv1DTranspose, (4, 2), dict(filters=3, kernel_size=2,
                                                                          strides=3)),
    ("conv1d_transpose_dilation", L.Conv1DTranspose, (5, 2), dict(filters=3, kernel_size=3, dilation_rate=2)),
    ("conv1d_transpose_output_padding", L.Conv1DTranspose, (5, 2), dict(
        filters=3, kernel_size=3, strides=2, output_padding=1)),
    ("conv1d_transpose_cf", L.Conv1DTranspose, (3, 5), dict(filters=2, kernel_size=3, strides=2,
                                                            padding="same", data_format=CF)),
    ("conv2d_transpose_valid_strides2", L.Conv2DTranspose, (4, 3, 2), dict(filters=3, kernel_size=3,
                                                                          strides=2)),
    ("conv2d_transpose_same_strides", L.Conv2DTranspose, (3, 4, 2), dict(filters=3, kernel_size=(3, 2),
                                                                        strides=(2, 3), padding="same")),
    ("conv2d_transpose_dilation", L.Conv2DTranspose, (4, 4, 2), dict(filters=2, kernel_size=3,
                                                                    dilation_rate=2, activation="relu")),
    ("conv2d_transpose_output_padding", L.Conv2DTranspose, (3, 3, 2), dict(
        filters=2, kernel_size=3, strides=2, padding="same", output_padding=1)),
    ("conv2d_transpose_cf", L.Conv2DTranspose, (2, 3, 4), dict(filters=3, kernel_size=3, strides=2,
                                                               data_format=CF)),
    ("conv3d_transpose_valid_strides2", L.Conv3DTranspose, (3, 2, 3, 2), dict(filters=2, kernel_size=2, strides=2)),
    ("conv3d_transpose_same_strides", L.Conv3DTranspose, (2, 3, 3, 2), dict(filters=3, kernel_size=(2, 3, 2),
                                                                            strides=(1, 2, 1), padding="same",
                                                                            activation="tanh")),
]
for _name, _cls, _shape, _kw in _CONV:
    if _name.endswith("_cf") and "data_format" not in _kw:
        _kw = dict(_kw, data_format=CF)
    layer_case(_name, "%s(%s) on Input(%s)" % (_cls.__name__, ", ".join(
        "%s=%r" % kv for kv in _kw.items()), _shape), _shape,
        (lambda c=_cls, k=_kw: c(**k)), options=sorted(k for k in _kw if k not in ("filters", "kernel_size"))
        or ["defaults"])

# --------------------------------------------------------------------------
# Shape layers
# --------------------------------------------------------------------------
_SHAPE = [
    ("zero_padding1d_int", L.ZeroPadding1D, (5, 3), dict(padding=2)),
    ("zero_padding1d_tuple", L.ZeroPadding1D, (5, 3), dict(padding=(1, 3))),
    ("zero_padding1d_cf", L.ZeroPadding1D, (3, 5), dict(padding=(2, 1), data_format=CF)),
    ("zero_padding2d_int", L.ZeroPadding2D, (3, 4, 2), dict(padding=1)),
    ("zero_padding2d_tuples", L.ZeroPadding2D, (3, 4, 2), dict(padding=((1, 2), (0, 3)))),
    ("zero_padding2d_cf", L.ZeroPadding2D, (2, 3, 4), dict(padding=(2, 1), data_format=CF)),
    ("cropping1d", L.Cropping1D, (7, 3), dict(cropping=(1, 2))),
    ("cropping2d_int", L.Cropping2D, (6, 6, 2), dict(cropping=1)),
    ("cropping2d_tuples", L.Cropping2D, (6, 7, 2), dict(cropping=((2, 0), (1, 3)))),
    ("cropping2d_cf", L.Cropping2D, (2, 6, 7), dict(cropping=((0, 1), (2, 2)), data_format=CF)),
    ("upsampling1d", L.UpSampling1D, (4, 3), dict(size=3)),
    ("upsampling2d_nearest", L.UpSampling2D, (3, 2, 2), dict(size=(2, 3))),
    ("upsampling2d_bilinear", L.UpSampling2D, (3, 4, 2), dict(size=2, interpolation="bilinear")),
    ("upsampling2d_cf", L.UpSampling2D, (2, 3, 2), dict(size=2, data_format=CF)),
]
for _name, _cls, _shape, _kw in _SHAPE:
    layer_case(_name, "%s(%s) on Input(%s)" % (_cls.__name__, ", ".join(
        "%s=%r" % kv for kv in _kw.items()), _shape), _shape, (lambda c=_cls, k=_kw: c(**k)),
        options=sorted(_kw))

case("spatial_dropout1d_cnn_lstm",
     "Conv1D(4, 3) -> SpatialDropout1D(0.4) (identity at inference) -> LSTM(3)",
     lambda: (G.seq(keras.Input((8, 3)), L.Conv1D(4, 3), L.SpatialDropout1D(0.4), L.LSTM(3)),
              G.one((2, 8, 3))), options=["rate"])
case("spatial_dropout2d", "Conv2D(3, 2) -> SpatialDropout2D(0.5) (identity at inference)",
     lambda: (G.seq(keras.Input((4, 4, 2)), L.Conv2D(3, 2), L.SpatialDropout2D(0.5)), G.one((2, 4, 4, 2))),
     options=["rate"])
case("spatial_dropout2d_cf", "SpatialDropout2D(0.5, data_format='channels_first') (identity at inference)",
     lambda: (G.seq(keras.Input((2, 3, 3)), L.SpatialDropout2D(0.5, data_format=CF)), G.one((2, 2, 3, 3))),
     options=["rate", "data_format"])
case("spatial_dropout3d", "SpatialDropout3D(0.3) (identity at inference) -> Conv3D(2, 2)",
     lambda: (G.seq(keras.Input((3, 3, 3, 2)), L.SpatialDropout3D(0.3), L.Conv3D(2, 2)),
              G.one((2, 3, 3, 3, 2))), options=["rate"])

# --------------------------------------------------------------------------
# ConvLSTM1D / 2D / 3D
# --------------------------------------------------------------------------
_CLSTM = [
    ("convlstm1d_default", L.ConvLSTM1D, (4, 6, 2), dict(filters=3, kernel_size=3)),
    ("convlstm1d_seq_same_strides", L.ConvLSTM1D, (4, 7, 2), dict(filters=3, kernel_size=3, strides=2,
                                                                  padding="same", return_sequences=True)),
    ("convlstm1d_go_backwards_dilation", L.ConvLSTM1D, (4, 8, 2), dict(filters=2, kernel_size=3,
                                                                       dilation_rate=2, go_backwards=True)),
    ("convlstm1d_cf", L.ConvLSTM1D, (4, 2, 6), dict(filters=3, kernel_size=3, return_sequences=True,
                                                    data_format=CF)),
    ("convlstm2d_default", L.ConvLSTM2D, (3, 5, 5, 2), dict(filters=2, kernel_size=3)),
    ("convlstm2d_seq_same", L.ConvLSTM2D, (3, 4, 4, 2), dict(filters=2, kernel_size=3, padding="same",
                                                             return_sequences=True)),
    ("convlstm2d_go_backwards_seq", L.ConvLSTM2D, (4, 4, 4, 1), dict(filters=2, kernel_size=(2, 3),
                                                                     go_backwards=True, return_sequences=True)),
    ("convlstm2d_go_backwards_last", L.ConvLSTM2D, (4, 4, 4, 1), dict(filters=2, kernel_size=2,
                                                                      go_backwards=True)),
    ("convlstm2d_strides_same", L.ConvLSTM2D, (3, 5, 6, 2), dict(filters=2, kernel_size=3, strides=2,
                                                                 padding="same", return_sequences=True)),
    ("convlstm2d_dilation", L.ConvLSTM2D, (3, 6, 6, 1), dict(filters=2, kernel_size=2, dilation_rate=2)),
    ("convlstm2d_hard_sigmoid_relu", L.ConvLSTM2D, (3, 4, 4, 2), dict(
        filters=2, kernel_size=2, recurrent_activation="hard_sigmoid", activation="relu",
        return_sequences=True)),
    ("convlstm2d_no_bias", L.ConvLSTM2D, (3, 4, 4, 2), dict(filters=2, kernel_size=2, use_bias=False,
                                                            dropout=0.3, recurrent_dropout=0.3)),
    ("convlstm2d_cf", L.ConvLSTM2D, (3, 2, 4, 5), dict(filters=2, kernel_size=3, padding="same",
                                                       return_sequences=True, data_format=CF)),
    ("convlstm3d_default", L.ConvLSTM3D, (3, 3, 4, 4, 1), dict(filters=2, kernel_size=2)),
    ("convlstm3d_seq_same", L.ConvLSTM3D, (3, 3, 3, 3, 2), dict(filters=2, kernel_size=(2, 3, 3),
                                                                padding="same", return_sequences=True)),
    ("convlstm3d_cf", L.ConvLSTM3D, (2, 2, 3, 3, 3), dict(filters=2, kernel_size=2, data_format=CF)),
]
for _name, _cls, _shape, _kw in _CLSTM:
    _in = 4.0 if "hard_sigmoid" in _name else 1.5
    layer_case(_name, "%s(%s) on Input(%s)" % (_cls.__name__, ", ".join(
        "%s=%r" % kv for kv in _kw.items()), _shape), _shape, (lambda c=_cls, k=_kw: c(**k)),
        options=sorted(k for k in _kw if k not in ("filters", "kernel_size")) or ["defaults"],
        in_range=_in)


def _convlstm_return_state(seq_out):
    def build():
        inp = keras.Input((3, 4, 4, 2), name="frames")
        out, h, c = L.ConvLSTM2D(2, 3, padding="same", return_state=True, return_sequences=seq_out,
                                 name="conv_lstm2d")(inp)
        return keras.Model(inp, [out, h, c], name="convlstm_state"), G.one((2, 3, 4, 4, 2))
    return build


case("convlstm2d_return_state", "Functional ConvLSTM2D(2, 3, padding='same', return_state=True); "
     "outputs [output, h, c]", _convlstm_return_state(False), options=["return_state"])
case("convlstm2d_return_state_seq", "Functional ConvLSTM2D(2, 3, padding='same', return_state=True, "
     "return_sequences=True); outputs [sequence, h, c]", _convlstm_return_state(True),
     options=["return_state", "return_sequences"])
case("convlstm2d_stateful",
     "ConvLSTM2D(2, 3, padding='same', stateful=True, return_sequences=True), Input(batch_shape=(2, 3, 4, 4, 1)); "
     "3 consecutive batches, state reset once before batch 0 and carried across batches",
     lambda: (G.seq(keras.Input(batch_shape=(2, 3, 4, 4, 1)),
                    L.ConvLSTM2D(2, 3, padding="same", stateful=True, return_sequences=True)),
              [[(2, 3, 4, 4, 1)]] * 3), stateful=True, options=["stateful"])
case("convlstm1d_stateful",
     "ConvLSTM1D(2, 2, stateful=True), Input(batch_shape=(2, 3, 5, 2)); 3 consecutive batches carried",
     lambda: (G.seq(keras.Input(batch_shape=(2, 3, 5, 2)), L.ConvLSTM1D(2, 2, stateful=True)),
              [[(2, 3, 5, 2)]] * 3), stateful=True, options=["stateful"])
case("convlstm2d_after_td_conv2d",
     "TimeDistributed(Conv2D(2, 2)) -> ConvLSTM2D(2, 2, go_backwards=True) -> Flatten -> Dense(2)",
     lambda: (G.seq(keras.Input((4, 5, 5, 1)), L.TimeDistributed(L.Conv2D(2, 2)),
                    L.ConvLSTM2D(2, 2, go_backwards=True), L.Flatten(), L.Dense(2)), G.one((2, 4, 5, 5, 1))),
     options=["TimeDistributed(Conv2D) before", "go_backwards"])

# --------------------------------------------------------------------------
# Normalization
# --------------------------------------------------------------------------
_NORM = [  # (name, input shape, layer expression, options)
    ("layer_norm_default", (5, 4), "L.LayerNormalization()", ["defaults (axis=-1, epsilon=1e-3)"]),
    ("layer_norm_epsilon", (5, 4), "L.LayerNormalization(epsilon=0.5)", ["epsilon"]),
    ("layer_norm_no_center", (5, 4), "L.LayerNormalization(center=False)", ["center"]),
    ("layer_norm_no_scale", (5, 4), "L.LayerNormalization(scale=False)", ["scale"]),
    ("layer_norm_no_center_no_scale", (5, 4), "L.LayerNormalization(center=False, scale=False)",
     ["center", "scale"]),
    ("layer_norm_axis1", (5, 4), "L.LayerNormalization(axis=1)", ["axis"]),
    ("layer_norm_axes_1_2", (5, 4), "L.LayerNormalization(axis=[1, 2])", ["axis (list)"]),
    ("layer_norm_axis_m2_4d", (3, 4, 2), "L.LayerNormalization(axis=-2)", ["axis", "4D input"]),
    ("layer_norm_rms_scaling", (5, 4), "L.LayerNormalization(rms_scaling=True)", ["rms_scaling"]),
    ("layer_norm_rms_scaling_axes", (3, 4, 2), "L.LayerNormalization(axis=[2, 3], rms_scaling=True, epsilon=0.01)",
     ["rms_scaling", "axis (list)", "epsilon"]),
    ("rms_norm_default", (5, 4), "L.RMSNormalization()", ["RMSNormalization (defaults axis=-1, epsilon=1e-6)"]),
    ("rms_norm_axes_epsilon", (3, 4, 2), "L.RMSNormalization(axis=[2, 3], epsilon=0.1)",
     ["RMSNormalization", "axis (list)", "epsilon"]),
    ("unit_norm_default", (5, 4), "L.UnitNormalization()", ["defaults (axis=-1)"]),
    ("unit_norm_axis1", (5, 4), "L.UnitNormalization(axis=1)", ["axis"]),
    ("unit_norm_axes_1_2", (3, 4, 2), "L.UnitNormalization(axis=[1, 2])", ["axis (list)"]),
    ("layer_norm_axes_1_3", (3, 4, 2), "L.LayerNormalization(axis=[1, 3])", ["axis (non-adjacent)"]),
    ("layer_norm_rms_scaling_axes_3_1", (3, 4, 2), "L.LayerNormalization(axis=[3, 1], rms_scaling=True)",
     ["axis (non-adjacent, unsorted)", "rms_scaling"]),
    # RMSNormalization(axis=[1, 3]) is not a case: Keras 3.15.1 itself fails on it (its scale of shape (3, 2) is
    # multiplied with the (batch, 3, 4, 2) input without a broadcast shape)
    ("unit_norm_axes_1_3", (3, 4, 2), "L.UnitNormalization(axis=[1, 3])", ["axis (non-adjacent)"]),
    ("group_norm_groups2", (5, 4), "L.GroupNormalization(groups=2)", ["groups"]),
    ("group_norm_groups1", (5, 6), "L.GroupNormalization(groups=1, epsilon=0.01)",
     ["groups=1 (layer-norm like)", "epsilon"]),
    ("group_norm_instance", (5, 3), "L.GroupNormalization(groups=3)", ["groups=channels"]),
    ("group_norm_4d_no_center_no_scale", (3, 3, 4), "L.GroupNormalization(groups=2, center=False, scale=False)",
     ["center", "scale", "4D input"]),
    ("group_norm_axis1_cf", (4, 3, 3), "L.GroupNormalization(groups=2, axis=1)", ["axis (channels first)"]),
]
for _name, _shape, _expr, _opts in _NORM:
    layer_case(_name, "%s on Input(%s), batch 3" % (_expr[2:], _shape), _shape,
               (lambda e=_expr: eval(e)), options=_opts, batch=3)  # noqa: S307 - the fixed expressions above

case("lstm_layer_norm_seq",
     "LSTM(4, return_sequences) -> LayerNormalization() -> LSTM(3) (LayerNorm between recurrent layers)",
     lambda: (G.seq(keras.Input((5, 3)), L.LSTM(4, return_sequences=True), L.LayerNormalization(),
                    L.LSTM(3)), G.one((2, 5, 3))), options=["between LSTMs"])

# --------------------------------------------------------------------------
# Attention, AdditiveAttention, MultiHeadAttention, Dot
# --------------------------------------------------------------------------
TQ, TV, D = 4, 5, 3
VOCAB = 7
TOKENS_DESC = "token rows: sample 0 ends in two 0 (padding) ids, sample 1 starts with one, sample 2 has none"


def tokens(shape):
    def make(rng):
        t = rng.integers(1, VOCAB, size=shape).astype(np.int32)
        t[0, -2:] = 0
        t[1, 0] = 0
        return t
    return make


def _attention(cls, n_inputs=2, call_kw=None, layer_kw=None, scores=False, name="attention", shapes=None):
    sq, sv, sk = shapes or ((TQ, D), (TV, D), (TV, D))

    def build():
        q = keras.Input(sq, name="query")
        v = keras.Input(sv, name="value")
        ins = [q, v]
        if n_inputs == 3:
            ins.append(keras.Input(sk, name="key"))
        kw = dict(call_kw or {})
        if scores:
            kw["return_attention_scores"] = True
        out = cls(name=name, **(layer_kw or {}))(ins, **kw)
        outs = list(out) if scores else [out]
        return keras.Model(ins, outs), [[(3,) + sq, (3,) + sv] + ([(3,) + sk] if n_inputs == 3 else [])]
    return build


def _self_attention(cls, call_kw=None, layer_kw=None, scores=False, name="attention"):
    def build():
        x = keras.Input((TV, D), name="x")
        kw = dict(call_kw or {})
        if scores:
            kw["return_attention_scores"] = True
        out = cls(name=name, **(layer_kw or {}))([x, x], **kw)
        outs = list(out) if scores else [out]
        return keras.Model(x, outs), G.one((3, TV, D))
    return build


def _masked_attention(cls, scores=False, causal=False, name="attention"):
    """Embedding(mask_zero) for query and value: the Functional graph passes both masks."""
    def build():
        qt = keras.Input((TQ,), dtype="int32", name="query_tokens")
        vt = keras.Input((TV,), dtype="int32", name="value_tokens")
        q = L.Embedding(VOCAB, D, mask_zero=True, name="query_embedding")(qt)
        v = L.Embedding(VOCAB, D, mask_zero=True, name="value_embedding")(vt)
        kw = {"return_attention_scores": True} if scores else {}
        if causal:
            kw["use_causal_mask"] = True
        out = cls(name=name)([q, v], **kw)
        outs = list(out) if scores else [out]
        return keras.Model([qt, vt], outs), [[tokens((3, TQ)), tokens((3, TV))]]
    return build


case("attention_dot", "Functional Attention()([query (3,4,3), value (3,5,3)]) (Luong dot score, value used as key)",
     _attention(L.Attention), options=["score_mode='dot'", "defaults"])
case("attention_key", "Attention()([query, value, key]): a separate key input", _attention(L.Attention, 3),
     options=["key input"])
case("attention_use_scale", "Attention(use_scale=True) (trainable scalar scale)",
     _attention(L.Attention, layer_kw=dict(use_scale=True)), options=["use_scale"])
case("attention_concat", "Attention(score_mode='concat') (tanh(q + k) summed over features)",
     _attention(L.Attention, layer_kw=dict(score_mode="concat")), options=["score_mode='concat'"])
case("attention_concat_use_scale", "Attention(score_mode='concat', use_scale=True): scale and concat_score_weight",
     _attention(L.Attention, layer_kw=dict(score_mode="concat", use_scale=True)),
     options=["score_mode='concat'", "use_scale"])
case("attention_causal_self", "self-attention Attention()([x, x], use_causal_mask=True)",
     _self_attention(L.Attention, call_kw=dict(use_causal_mask=True)), options=["use_causal_mask"])
case("attention_scores", "Attention()([q, v], return_attention_scores=True): outputs [result, scores (3,4,5)]",
     _attention(L.Attention, scores=True), options=["return_attention_scores"])
case("attention_causal_scores_dropout",
     "self-attention Attention(dropout=0.5) (inactive at inference)([x, x], use_causal_mask=True, "
     "return_attention_scores=True)",
     _self_attention(L.Attention, call_kw=dict(use_causal_mask=True), layer_kw=dict(dropout=0.5), scores=True),
     options=["use_causal_mask", "return_attention_scores", "dropout"])
case("attention_masked", "Embedding(mask_zero) query and value tokens -> Attention: value mask hides padded "
     "keys, query mask zeroes padded query rows; " + TOKENS_DESC, _masked_attention(L.Attention),
     options=["query mask", "value mask"])
case("attention_masked_causal_scores", "masked Attention(use_causal_mask=True, return_attention_scores=True) on "
     "Embedding(mask_zero) inputs; " + TOKENS_DESC, _masked_attention(L.Attention, scores=True, causal=True),
     options=["query mask", "value mask", "use_causal_mask", "return_attention_scores"])
def _masking_lstm_attention():
    x = keras.Input((6, 3), name="series")
    h = L.LSTM(4, return_sequences=True, name="lstm")(L.Masking(5.0, name="masking")(x))
    ctx = L.Attention(name="attention")([h, h])
    return keras.Model(x, L.Dense(2, name="out")(L.GlobalAveragePooling1D(name="pool")(ctx))), \
        [[masked_seq((3, 6, 3), value=5.0)]]


case("attention_masking_lstm_functional",
     "Functional Masking(5.0) -> LSTM(4, seq) -> Attention()([h, h]) -> GlobalAveragePooling1D -> Dense(2): the "
     "Masking mask reaches the Attention (query and value) and the pooling; Keras writes the mask computation as "
     "keras.ops nodes into the config (config_op_nodes); " + MASKED_ROWS, _masking_lstm_attention,
     options=["mask from Masking", "op nodes in the config"])
case("additive_attention_default", "AdditiveAttention() (use_scale=True: trainable scale vector)",
     _attention(L.AdditiveAttention, name="additive_attention"), options=["defaults (use_scale=True)"])
case("additive_attention_no_scale", "AdditiveAttention(use_scale=False)([q, v, key])",
     _attention(L.AdditiveAttention, 3, layer_kw=dict(use_scale=False), name="additive_attention"),
     options=["use_scale=False", "key input"])
case("additive_attention_causal_scores", "self-attention AdditiveAttention()([x, x], use_causal_mask=True, "
     "return_attention_scores=True)",
     _self_attention(L.AdditiveAttention, call_kw=dict(use_causal_mask=True), scores=True,
                     name="additive_attention"), options=["use_causal_mask", "return_attention_scores"])
case("additive_attention_masked", "AdditiveAttention on Embedding(mask_zero) query/value; " + TOKENS_DESC,
     _masked_attention(L.AdditiveAttention, name="additive_attention"), options=["query mask", "value mask"])


def _mha(num_heads=2, key_dim=2, shape_q=(TQ, D), shape_v=(TV, D), key=False, scores=False, call_kw=None,
         attention_mask=False, **kw):
    def build():
        q = keras.Input(shape_q, name="query")
        v = keras.Input(shape_v, name="value")
        ins = [q, v]
        ckw = dict(call_kw or {})
        if key:
            k = keras.Input(shape_v, name="key")
            ins.append(k)
            ckw["key"] = k
        if attention_mask:
            m = keras.Input((shape_q[0], shape_v[0]), dtype="int32", name="attention_mask")
            ins.append(m)
            ckw["attention_mask"] = m
        if scores:
            ckw["return_attention_scores"] = True
        out = L.MultiHeadAttention(num_heads, key_dim, name="mha", **kw)(q, v, **ckw)
        outs = list(out) if scores else [out]
        batch = [(3,) + shape_q, (3,) + shape_v]
        if key:
            batch.append((3,) + shape_v)
        if attention_mask:
            def mask(rng):
                m = rng.integers(0, 2, size=(3, shape_q[0], shape_v[0])).astype(np.int32)
                m[:, :, 0] = 1  # every query row sees at least one key
                m[2] = 0        # sample 2: every key hidden (see the case descriptions)
                return m
            batch.append(mask)
        return keras.Model(ins, outs), [batch]
    return build


case("mha_cross", "MultiHeadAttention(num_heads=2, key_dim=2)(query (4,3), value (5,3)) (value used as key)",
     _mha(), options=["num_heads", "key_dim"])
case("mha_one_head", "MultiHeadAttention(num_heads=1, key_dim=3)(query (4,3), value (4,3))",
     _mha(1, 3, shape_v=(TQ, D)), options=["num_heads=1"])
case("mha_key_value_dim_output_shape", "MultiHeadAttention(2, key_dim=2, value_dim=3, output_shape=5)"
     "(query, value, key=key)", _mha(value_dim=3, output_shape=5, key=True),
     options=["value_dim", "output_shape", "key input"])
case("mha_output_shape_tuple_no_bias", "MultiHeadAttention(3, 2, use_bias=False, output_shape=(2, 2)) "
     "(output_shape as a tuple: the last axis becomes (2, 2))", _mha(3, 2, use_bias=False, output_shape=(2, 2)),
     options=["use_bias=False", "output_shape (tuple)"])
case("mha_causal", "MultiHeadAttention(2, 2)(x, x, use_causal_mask=True)",
     _mha(shape_v=(TQ, D), call_kw=dict(use_causal_mask=True)), options=["use_causal_mask"])
case("mha_scores", "MultiHeadAttention(2, 2, dropout=0.3)(q, v, return_attention_scores=True): outputs "
     "[result (3,4,3), scores (3,2,4,5)]", _mha(dropout=0.3, scores=True),
     options=["return_attention_scores", "dropout (inactive)"])
case("mha_attention_mask", "MultiHeadAttention(2, 2)(q, v, attention_mask=int32 input (3,4,5)); sample 2 "
     "has every key hidden: without return_attention_scores Keras 3.15.1 (TF) takes the fused "
     "dot_product_attention path, where a fully masked row gets UNIFORM weights over all keys",
     _mha(attention_mask=True), options=["attention_mask"])
case("mha_attention_mask_causal_scores", "MultiHeadAttention(2, 2)(x, x, attention_mask=m, use_causal_mask=True, "
     "return_attention_scores=True): explicit mask AND causal mask; sample 2 has every key hidden: on this "
     "return_attention_scores path (_masked_softmax) a fully masked row gets all-ZERO weights, so its output "
     "is the output-projection bias",
     _mha(shape_v=(TQ, D), attention_mask=True, scores=True, call_kw=dict(use_causal_mask=True)),
     options=["attention_mask", "use_causal_mask", "return_attention_scores"])
case("mha_attention_axes_2d", "MultiHeadAttention(2, 2, attention_axes=(1, 2)) on 4D query (3,2,3) and value "
     "(2,2,3): attention over both inner axes", _mha(shape_q=(3, 2, 3), shape_v=(2, 2, 3), attention_axes=(1, 2)),
     options=["attention_axes (two axes)"])
case("mha_attention_axes_1_of_2", "MultiHeadAttention(2, 2, attention_axes=2) on 4D query (3,2,3) and value "
     "(3,4,3): attention over axis 2 only, axis 1 is a batch-like axis",
     _mha(shape_q=(3, 2, 3), shape_v=(3, 4, 3), attention_axes=2), options=["attention_axes (one axis)"])

case("mha_use_gate", "MultiHeadAttention(2, 2, value_dim=3, use_gate=True)(q, v, key=k): the attention output "
     "is multiplied by sigmoid(gate projection of the query) (weights gate/kernel (3,2,3), gate/bias (2,3))",
     _mha(value_dim=3, use_gate=True, key=True), options=["use_gate"])
case("mha_sliding_window", "MultiHeadAttention(2, 2, sliding_window=2)(q, v): query i attends to keys j with "
     "|i - j| < 2 (a symmetric band)", _mha(sliding_window=2), options=["sliding_window"])
case("mha_use_gate_sliding_window_causal", "MultiHeadAttention(2, 2, use_gate=True, sliding_window=2, use_bias=False)"
     "(x, x, use_causal_mask=True, return_attention_scores=True): band AND causal mask, gated output",
     _mha(shape_v=(TQ, D), use_gate=True, sliding_window=2, use_bias=False, scores=True,
          call_kw=dict(use_causal_mask=True)),
     options=["use_gate", "sliding_window", "use_causal_mask", "use_bias=False"])


def _mha_masked(causal):
    def build():
        qt = keras.Input((TQ,), dtype="int32", name="query_tokens")
        vt = keras.Input((TV,), dtype="int32", name="value_tokens")
        q = L.Embedding(VOCAB, 4, mask_zero=True, name="query_embedding")(qt)
        v = L.Embedding(VOCAB, 4, mask_zero=True, name="value_embedding")(vt)
        out = L.MultiHeadAttention(2, 2, name="mha")(q, v, use_causal_mask=causal)
        return keras.Model([qt, vt], out), [[tokens((3, TQ)), tokens((3, TV))]]
    return build


case("mha_masked", "Embedding(mask_zero) query/value -> MultiHeadAttention(2, 2): query and value masks "
     "from the inputs; " + TOKENS_DESC, _mha_masked(False), options=["query mask", "value mask"])
case("mha_masked_causal", "Embedding(mask_zero) query/value -> MultiHeadAttention(2, 2, ...use_causal_mask=True); "
     + TOKENS_DESC, _mha_masked(True), options=["query mask", "value mask", "use_causal_mask"])


# Causal attention that a streaming Session feeds one timestep at a time (a key/value cache): no returned scores,
# no padding masks; sequences of 8 steps so that a sliding window drops keys.
TS = 8
case("causal_attention_concat_scale", "self-attention Attention(score_mode='concat', use_scale=True)([x, x], "
     "use_causal_mask=True) on 8 steps", lambda: (lambda m: (m, G.one((3, TS, D))))(
         (lambda x: keras.Model(x, L.Attention(score_mode="concat", use_scale=True, name="attention")(
             [x, x], use_causal_mask=True)))(keras.Input((TS, D), name="x"))),
     options=["use_causal_mask", "score_mode='concat'", "use_scale", "streaming"])
case("causal_additive_attention_key", "AdditiveAttention()([query (8,3), value (8,2), key (8,3)], "
     "use_causal_mask=True): a separate key input", _attention(L.AdditiveAttention, 3, call_kw=dict(
         use_causal_mask=True), name="additive_attention", shapes=((TS, D), (TS, 2), (TS, D))),
     options=["use_causal_mask", "key input", "streaming"])
case("causal_mha_gate_window", "MultiHeadAttention(2, 2, value_dim=3, use_gate=True, sliding_window=3)(q, v, "
     "use_causal_mask=True), q and v of 8 steps: band AND causal mask, gated output",
     _mha(value_dim=3, use_gate=True, sliding_window=3, shape_q=(TS, D), shape_v=(TS, D),
          call_kw=dict(use_causal_mask=True)),
     options=["use_causal_mask", "sliding_window", "use_gate", "streaming"])
case("causal_mha_key_output_shape", "MultiHeadAttention(2, 2, output_shape=5)(q (8,3), v (8,3), key=k, "
     "use_causal_mask=True)", _mha(output_shape=5, key=True, shape_q=(TS, D), shape_v=(TS, D),
                                   call_kw=dict(use_causal_mask=True)),
     options=["use_causal_mask", "key input", "output_shape", "streaming"])


def _lstm_causal_mha_block():
    x = keras.Input((TS, 4), name="series")
    h = L.LSTM(4, return_sequences=True, name="lstm")(x)
    a = L.MultiHeadAttention(2, 2, name="mha")(h, h, use_causal_mask=True)
    n = L.LayerNormalization(name="norm")(L.Add(name="residual")([h, a]))
    return keras.Model(x, L.Dense(2, name="out")(n), name="lstm_causal_mha"), G.one((2, TS, 4))


case("composite_lstm_causal_mha_block",
     "Decoder-style block on an LSTM: LSTM(4, seq) h -> MultiHeadAttention(2, 2)(h, h, use_causal_mask=True) -> "
     "Add([h, a]) -> LayerNormalization -> Dense(2) per step", _lstm_causal_mha_block,
     options=["composite", "use_causal_mask", "streaming"])

def _dot(axes, normalize, shape_a, shape_b):
    def build():
        a = keras.Input(shape_a, name="a")
        b = keras.Input(shape_b, name="b")
        y = L.Dot(axes=axes, normalize=normalize, name="dot")([a, b])
        return keras.Model([a, b], y), [[(3,) + shape_a, (3,) + shape_b]]
    return build


case("dot_vectors", "Dot(axes=1)([a (3,4), b (3,4)]) -> (3,1)", _dot(1, False, (4,), (4,)), options=["axes"])
case("dot_axes2", "Dot(axes=2)([a (3,4,3), b (3,5,3)]) -> (3,4,5) (attention-score style)",
     _dot(2, False, (4, 3), (5, 3)), options=["axes"])
case("dot_axes_1_1_normalize", "Dot(axes=(1, 1), normalize=True)([a (3,4,3), b (3,4,2)]) -> (3,3,2) "
     "(cosine proximity: l2-normalized along the dot axes first)", _dot((1, 1), True, (4, 3), (4, 2)),
     options=["axes (tuple)", "normalize"])
case("dot_axes_neg", "Dot(axes=(-1, -2))([a (3,4,3), b (3,3,5)]) -> (3,4,5) (matrix product)",
     _dot((-1, -2), False, (4, 3), (3, 5)), options=["axes (negative)"])


def _lstm_dot_attention():
    inp = keras.Input((6, 3), name="series")
    h = L.LSTM(4, return_sequences=True, name="lstm")(inp)
    last = L.LSTM(4, name="lstm_last")(h)
    score = L.Dot(axes=(2, 1), name="score")([h, last])           # (B, 6)
    weights = L.Softmax(name="weights")(score)
    context = L.Dot(axes=(1, 1), name="context")([h, weights])    # (B, 4)
    y = L.Dense(2, name="out")(L.Concatenate(name="concat")([context, last]))
    return keras.Model(inp, y, name="dot_attention"), G.one((2, 6, 3))


case("lstm_dot_attention", "Functional: LSTM(4, seq) h and LSTM(4) last -> Dot(axes=(2,1)) scores -> Softmax -> "
     "Dot(axes=(1,1)) context -> Concatenate([context, last]) -> Dense(2) (the Dot-attention pattern of "
     "zoo files)", _lstm_dot_attention, options=["axes (tuple)", "in an attention graph"])

# --------------------------------------------------------------------------
# Nested models
# --------------------------------------------------------------------------
case("nested_sequential_in_sequential",
     "Sequential[Input, LSTM(4, seq), Sequential(name='head')[Dense(3, relu), Dense(2)]] (a Sequential used "
     "as a layer)",
     lambda: (G.seq(keras.Input((5, 3)), L.LSTM(4, return_sequences=True),
                    G.seq(L.Dense(3, activation="relu"), L.Dense(2), name="head")), G.one((2, 5, 3))),
     options=["Sequential as a layer"])


def _functional_in_functional():
    inner_in = keras.Input((5, 4), name="inner_in")
    a = L.LSTM(3, return_sequences=True, name="inner_lstm")(inner_in)
    b = L.Dense(3, name="inner_dense")(inner_in)
    inner = keras.Model(inner_in, L.Add(name="inner_add")([a, b]), name="encoder")
    x = keras.Input((5, 4), name="x")
    y = L.Dense(2, name="out")(L.GRU(3, name="gru")(inner(x)))
    return keras.Model(x, y, name="outer"), G.one((2, 5, 4))


case("nested_functional_in_functional",
     "Functional outer model calling a Functional 'encoder' (LSTM(3, seq) + Dense(3) -> Add) -> GRU(3) -> Dense(2)",
     _functional_in_functional, options=["Functional as a layer"])


def _nested_two_levels():
    innermost = G.seq(L.Dense(4, activation="tanh"), L.Dense(3), name="innermost")
    middle_in = keras.Input((5, 3), name="middle_in")
    middle = keras.Model(middle_in, L.LSTM(3, return_sequences=True, name="middle_lstm")(innermost(middle_in)),
                         name="middle")
    return G.seq(keras.Input((5, 3)), middle, L.LSTM(2)), G.one((2, 5, 3))


case("nested_two_levels",
     "Sequential[Functional 'middle'[Sequential 'innermost'[Dense(4, tanh), Dense(3)] -> LSTM(3, seq)] -> LSTM(2)] "
     "(two levels of nesting)", _nested_two_levels, options=["nesting depth 2"])
case("td_sequential_crnn",
     "CRNN: Input((4, 6, 6, 1)) -> TimeDistributed(Sequential 'frame_cnn'[Conv2D(2, 3, relu), MaxPooling2D(2), "
     "Flatten]) -> LSTM(3) -> Dense(2)",
     lambda: (G.seq(keras.Input((4, 6, 6, 1)),
                    L.TimeDistributed(G.seq(L.Conv2D(2, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(),
                                            name="frame_cnn")),
                    L.LSTM(3), L.Dense(2)), G.one((2, 4, 6, 6, 1))),
     options=["Sequential inside TimeDistributed"])


def _td_functional():
    f_in = keras.Input((3, 2), name="step_in")
    f = keras.Model(f_in, L.Flatten(name="flat")(L.Conv1D(2, 2, name="step_conv")(f_in)), name="step_net")
    x = keras.Input((4, 3, 2), name="x")
    y = L.LSTM(3, name="lstm")(L.TimeDistributed(f, name="td")(x))
    return keras.Model(x, y, name="td_functional"), G.one((2, 4, 3, 2))


case("td_functional", "Functional: TimeDistributed(Functional 'step_net'[Conv1D(2, 2) -> Flatten]) on (4, 3, 2) "
     "-> LSTM(3)", _td_functional, options=["Functional inside TimeDistributed"])
case("td_nested_two_levels",
     "TimeDistributed(Sequential 'outer_block'[Sequential 'inner_block'[Dense(4, relu), Dense(3)], Dense(2)]) "
     "-> LSTM(3) (two levels inside TimeDistributed)",
     lambda: (G.seq(keras.Input((5, 3)),
                    L.TimeDistributed(G.seq(G.seq(L.Dense(4, activation="relu"), L.Dense(3), name="inner_block"),
                                            L.Dense(2), name="outer_block")),
                    L.LSTM(3)), G.one((2, 5, 3))),
     options=["nesting depth 2 inside TimeDistributed"])
case("td_td_dense",
     "TimeDistributed(TimeDistributed(Dense(3))) on (4, 2, 3) -> Reshape((4, 6)) -> LSTM(2)",
     lambda: (G.seq(keras.Input((4, 2, 3)), L.TimeDistributed(L.TimeDistributed(L.Dense(3))),
                    L.Reshape((4, 6)), L.LSTM(2)), G.one((2, 4, 2, 3))),
     options=["TimeDistributed inside TimeDistributed"])


# --------------------------------------------------------------------------
# Custom layer (registered, attention-like, with weights)
# --------------------------------------------------------------------------
@keras.saving.register_keras_serializable(package="jkeras_fixtures")
class TemporalAttention(L.Layer):
    """Additive attention pooling over time (the "attention" layer of many LSTM projects).

    e = tanh(x W + b) u  (B, T); a = softmax(e over T); output = sum_t a_t x_t  (B, F).
    Weights: W (F, units), b (units,), u (units,).
    """

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        f = input_shape[-1]
        self.w = self.add_weight(shape=(f, self.units), initializer="glorot_uniform", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")
        self.u = self.add_weight(shape=(self.units,), initializer="glorot_uniform", name="u")

    def call(self, x):
        e = ops.tensordot(ops.tanh(ops.matmul(x, self.w) + self.b), self.u, axes=1)
        a = ops.softmax(e, axis=1)
        return ops.sum(x * ops.expand_dims(a, -1), axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


CUSTOM_SOURCE = inspect.getsource(TemporalAttention)
TemporalAttention.__module__ = "jkeras_fixtures"  # saved config: independent of how the script is run
CUSTOM_DOC = ("registered with keras.saving.register_keras_serializable(package='jkeras_fixtures'): "
              "registered name 'jkeras_fixtures>TemporalAttention', config key 'units'; "
              "weights in layer.weights order w (F, units), b (units,), u (units,). "
              "The source is in custom_layer.py and case.json custom_layer.source.")
CUSTOM_FILES = {"custom_layer.py": (
    "# Source of the custom layer of this case (tools/gen_layer_fixtures.py).\n"
    "# Saved configs name it 'jkeras_fixtures>TemporalAttention'.\n"
    "import keras\nfrom keras import layers as L\nfrom keras import ops\n\n\n"
    "@keras.saving.register_keras_serializable(package=\"jkeras_fixtures\")\n" + CUSTOM_SOURCE)}
CUSTOM_EXTRA = {"custom_layer": {"class_name": "TemporalAttention",
                                 "registered_name": "jkeras_fixtures>TemporalAttention",
                                 "module": "jkeras_fixtures", "doc": CUSTOM_DOC, "source": CUSTOM_SOURCE}}
case("custom_attention_lstm",
     "LSTM(5, seq) -> TemporalAttention(units=4) (custom registered layer: tanh(xW+b)u, softmax over time, "
     "weighted sum) -> Dense(2)",
     lambda: (G.seq(keras.Input((6, 3)), L.LSTM(5, return_sequences=True),
                    TemporalAttention(4, name="temporal_attention"), L.Dense(2)), G.one((3, 6, 3))),
     options=["register_keras_serializable", "custom weights"], files=CUSTOM_FILES, extra=CUSTOM_EXTRA)


def _custom_functional():
    x = keras.Input((6, 3), name="series")
    h = L.Bidirectional(L.LSTM(3, return_sequences=True), name="bilstm")(x)
    y = L.Dense(1, name="out")(TemporalAttention(2, name="temporal_attention")(h))
    return keras.Model(x, y, name="bilstm_attention"), G.one((2, 6, 3))


case("custom_attention_bilstm_functional",
     "Functional Bidirectional(LSTM(3, seq)) -> TemporalAttention(units=2) (custom) -> Dense(1)",
     _custom_functional, options=["register_keras_serializable", "in a Functional model"],
     files=CUSTOM_FILES, extra=CUSTOM_EXTRA)

# --------------------------------------------------------------------------
# Realistic composites
# --------------------------------------------------------------------------
case("composite_cnn_lstm",
     "CNN-LSTM: Input((12, 3)) -> Conv1D(6, 3, relu) -> MaxPooling1D(2) -> LSTM(5) -> Dense(1)",
     lambda: (G.seq(keras.Input((12, 3)), L.Conv1D(6, 3, activation="relu"), L.MaxPooling1D(2), L.LSTM(5),
                    L.Dense(1)), G.one((3, 12, 3))), options=["composite"])
case("composite_cnn_bilstm_spatial_dropout",
     "CNN-BiLSTM: Conv1D(4, 3, same, relu) -> SpatialDropout1D(0.2) -> MaxPooling1D(2) -> Bidirectional(LSTM(3)) "
     "-> Dense(2, softmax)",
     lambda: (G.seq(keras.Input((10, 3)), L.Conv1D(4, 3, padding="same", activation="relu"),
                    L.SpatialDropout1D(0.2), L.MaxPooling1D(2), L.Bidirectional(L.LSTM(3)),
                    L.Dense(2, activation="softmax")), G.one((2, 10, 3))), options=["composite"])
case("composite_lrcn",
     "LRCN: Input((4, 8, 8, 1)) -> TimeDistributed(Conv2D(3, 3, relu)) -> TimeDistributed(MaxPooling2D(2)) -> "
     "TimeDistributed(Flatten) -> LSTM(4) -> Dense(3, softmax)",
     lambda: (G.seq(keras.Input((4, 8, 8, 1)), L.TimeDistributed(L.Conv2D(3, 3, activation="relu")),
                    L.TimeDistributed(L.MaxPooling2D(2)), L.TimeDistributed(L.Flatten()), L.LSTM(4),
                    L.Dense(3, activation="softmax")), G.one((2, 4, 8, 8, 1))), options=["composite"])
case("composite_lrcn_batchnorm",
     "LRCN with TimeDistributed(BatchNormalization) and TimeDistributed(GlobalAveragePooling2D): "
     "TD(Conv2D(3, 3, same)) -> TD(BatchNormalization) -> TD(MaxPooling2D(2)) -> TD(GlobalAveragePooling2D) -> "
     "GRU(3)",
     lambda: (G.seq(keras.Input((3, 6, 6, 2)), L.TimeDistributed(L.Conv2D(3, 3, padding="same")),
                    L.TimeDistributed(L.BatchNormalization()), L.TimeDistributed(L.MaxPooling2D(2)),
                    L.TimeDistributed(L.GlobalAveragePooling2D()), L.GRU(3)), G.one((2, 3, 6, 6, 2))),
     options=["composite"])
case("composite_convlstm2d_forecaster",
     "ConvLSTM2D forecaster: Input((4, 6, 6, 1)) -> ConvLSTM2D(3, 3, same, seq) -> BatchNormalization -> "
     "ConvLSTM2D(2, 3, same) -> Conv2D(1, 3, same, sigmoid) (next frame)",
     lambda: (G.seq(keras.Input((4, 6, 6, 1)), L.ConvLSTM2D(3, 3, padding="same", return_sequences=True),
                    L.BatchNormalization(), L.ConvLSTM2D(2, 3, padding="same"),
                    L.Conv2D(1, 3, padding="same", activation="sigmoid")), G.one((2, 4, 6, 6, 1))),
     options=["composite"])
case("composite_convlstm2d_seq_conv3d",
     "ConvLSTM2D(2, 3, same, seq) -> Conv3D(1, 3, same, sigmoid) (sequence-to-sequence frame forecaster)",
     lambda: (G.seq(keras.Input((3, 5, 5, 1)), L.ConvLSTM2D(2, 3, padding="same", return_sequences=True),
                    L.Conv3D(1, 3, padding="same", activation="sigmoid")), G.one((2, 3, 5, 5, 1))),
     options=["composite"])


def _lstm_attention():
    x = keras.Input((6, 3), name="series")
    h = L.LSTM(4, return_sequences=True, name="lstm")(x)
    ctx = L.Attention(name="attention")([h, h])
    pooled = L.GlobalAveragePooling1D(name="pool")(ctx)
    return keras.Model(x, L.Dense(1, name="out")(pooled), name="lstm_attention"), G.one((3, 6, 3))


def _lstm_additive_attention():
    x = keras.Input((6, 3), name="series")
    h, state_h, _ = L.LSTM(4, return_sequences=True, return_state=True, name="lstm")(x)
    q = L.Reshape((1, 4), name="query")(state_h)
    ctx = L.AdditiveAttention(name="additive_attention")([q, h])
    y = L.Dense(1, name="out")(L.Flatten(name="flat")(ctx))
    return keras.Model(x, y, name="lstm_additive_attention"), G.one((3, 6, 3))


def _lstm_mha_layernorm():
    x = keras.Input((6, 4), name="series")
    h = L.LSTM(4, return_sequences=True, name="lstm")(x)
    a = L.MultiHeadAttention(2, 2, name="mha")(h, h)
    n = L.LayerNormalization(name="norm")(L.Add(name="residual")([h, a]))
    return keras.Model(x, L.Dense(2, name="out")(L.GlobalMaxPooling1D(name="pool")(n)),
                       name="lstm_mha"), G.one((2, 6, 4))


case("composite_lstm_attention", "LSTM(4, seq) -> Attention()([h, h]) -> GlobalAveragePooling1D -> Dense(1)",
     _lstm_attention, options=["composite"])
case("composite_lstm_additive_attention",
     "LSTM(4, seq, return_state) -> Reshape(state_h to (1, 4)) as query -> AdditiveAttention([q, h]) -> Flatten -> "
     "Dense(1) (the stock-model pattern)", _lstm_additive_attention, options=["composite"])
case("composite_lstm_mha_layernorm",
     "Transformer-style block on an LSTM: LSTM(4, seq) h -> MultiHeadAttention(2, 2)(h, h) -> Add([h, a]) -> "
     "LayerNormalization -> GlobalMaxPooling1D -> Dense(2)", _lstm_mha_layernorm, options=["composite"])
case("composite_layernorm_lstm",
     "LayerNorm+LSTM: LayerNormalization -> LSTM(5, seq) -> LayerNormalization -> LSTM(4) -> Dense(2)",
     lambda: (G.seq(keras.Input((6, 3)), L.LayerNormalization(), L.LSTM(5, return_sequences=True),
                    L.LayerNormalization(), L.LSTM(4), L.Dense(2)), G.one((3, 6, 3))), options=["composite"])


# --------------------------------------------------------------------------
# Fit parity (a few SGD/Adam steps; gen_train_fixtures.py's driver)
# --------------------------------------------------------------------------
def fit_case(name, description, build, data, loss, optimizer, **kw):
    if name in FIT_CASES:
        raise ValueError("duplicate fit case " + name)
    FIT_CASES[name] = GT.TrainCase(name, description, build, data, loss, optimizer, **kw)


def _fit_attention():
    x = keras.Input((5, 3), name="series")
    h = L.LSTM(4, return_sequences=True, name="lstm")(x)
    ctx = L.Attention(use_scale=True, name="attention")([h, h])
    return keras.Model(x, L.Dense(2, name="out")(L.GlobalAveragePooling1D(name="pool")(ctx)))


_FIT = "20 samples, batch 8 (8, 8, 4), 2 epochs = 6 steps, mse; "
fit_case("fit_cnn_lstm", "CNN-LSTM Conv1D(4, 3, relu) -> MaxPooling1D(2) -> LSTM(4) -> Dense(2); " + _FIT
         + "SGD(0.1)",
         lambda: G.seq(keras.Input((8, 3)), L.Conv1D(4, 3, activation="relu"), L.MaxPooling1D(2), L.LSTM(4),
                       L.Dense(2)),
         GT.regression(t=8), lambda: "mse", GT.sgd(0.1), epochs=2)
fit_case("fit_cnn_lstm_adam", "CNN-LSTM Conv1D(4, 3, same) -> MaxPooling1D(2) -> LSTM(4) -> Dense(2); " + _FIT
         + "Adam(0.02)",
         lambda: G.seq(keras.Input((8, 3)), L.Conv1D(4, 3, padding="same"), L.MaxPooling1D(2), L.LSTM(4),
                       L.Dense(2)),
         GT.regression(t=8), lambda: "mse", lambda: GT.O.Adam(learning_rate=0.02), epochs=2)
fit_case("fit_attention", "LSTM(4, seq) -> Attention(use_scale=True)([h, h]) -> GlobalAveragePooling1D -> "
         "Dense(2); " + _FIT + "Adam(0.02)", _fit_attention, GT.regression(),
         lambda: "mse", lambda: GT.O.Adam(learning_rate=0.02), epochs=2)
fit_case("fit_layer_norm", "LSTM(4, seq) -> LayerNormalization -> LSTM(4) -> Dense(2); " + _FIT + "SGD(0.1)",
         lambda: G.seq(keras.Input((5, 3)), L.LSTM(4, return_sequences=True), L.LayerNormalization(), L.LSTM(4),
                       L.Dense(2)),
         GT.regression(), lambda: "mse", GT.sgd(0.1), epochs=2)
fit_case("fit_layer_norm_adam", "LayerNormalization(rms_scaling=True) -> LSTM(4) -> Dense(2); " + _FIT
         + "Adam(0.02)",
         lambda: G.seq(keras.Input((5, 3)), L.LayerNormalization(rms_scaling=True), L.LSTM(4), L.Dense(2)),
         GT.regression(), lambda: "mse", lambda: GT.O.Adam(learning_rate=0.02), epochs=2)


def stable(message):
    """An error message without the Python object addresses it may quote (they change between runs)."""
    return re.sub(r" at 0x[0-9a-f]+", "", message)


def h5_weights(path):
    """Every weight of a legacy .h5 model file, in layer_names / weight_names order (= model.weights)."""
    out = []
    with h5py.File(path, "r") as f:
        mw = f["model_weights"]
        for ln in mw.attrs["layer_names"]:
            g = mw[ln.decode() if isinstance(ln, bytes) else ln]
            for wn in g.attrs["weight_names"]:
                out.append(np.asarray(g[wn.decode() if isinstance(wn, bytes) else wn]))
    return out


class StepWeights(keras.callbacks.Callback):
    """Copies of model.weights after every training step (batch end)."""

    def __init__(self):
        super().__init__()
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append([np.asarray(v.numpy()).copy() for v in self.model.weights])


def run_fit_case(c, out_dir, command):
    made = []

    def callbacks():
        cb = StepWeights()
        made.append(cb)
        return [cb]
    c.callbacks = callbacks
    d, info = GT.run_case(c, out_dir, command, with_float64=True)
    rec = made[0]  # the float32 run (the float64 re-run makes the second one)
    final = h5_weights(os.path.join(d, "final.h5"))
    last_diff = max(float(np.max(np.abs(a - b))) if a.size else 0.0 for a, b in zip(final, rec.steps[-1]))
    with h5py.File(os.path.join(d, "step_weights.h5"), "w") as f:
        f.attrs["what"] = ("model.weights after each training step: group step_<k> = after k optimizer "
                           "iterations (k = 1..iterations); dataset <i> = model.weights[i], attribute 'path'")
        for k, ws in enumerate(rec.steps, start=1):
            g = f.create_group("step_%d" % k)
            for i, (w, meta) in enumerate(zip(ws, info["weights"])):
                ds = g.create_dataset(str(i), data=w)
                ds.attrs["path"] = meta["path"]
    info["provenance"]["generator"] = GENERATOR
    err = G.keras_load_error(os.path.join(d, "final.h5"))
    if err:
        info["keras_h5_reload_error"] = stable(err)
    info["callbacks"] = [n for n in info["callbacks"] if n != "StepWeights"]
    info["step_weights"] = {"file": "step_weights.h5", "steps": len(rec.steps),
                            "layout": "step_<k>/<i>: model.weights[i] after k steps (attribute 'path')",
                            "last_step_minus_final_h5_max_abs": last_diff}
    info["files"] = sorted(os.listdir(d)) + ["case.json"]
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(GT.jsonable(info), f, indent=1)
        f.write("\n")
    return d, info


# --------------------------------------------------------------------------
# Independent NumPy reference (channels_last internally; channels_first transposed in and out)
# --------------------------------------------------------------------------
def _tup(v, n):
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * n


def _same_pads(size, k, s, d=1):
    keff = (k - 1) * d + 1
    out = -(-size // s)
    total = max((out - 1) * s + keff - size, 0)
    return total // 2, total - total // 2


def _pad_spatial(x, pads, value=0.0):
    return np.pad(x, [(0, 0)] + list(pads) + [(0, 0)], constant_values=value)


def np_pool(x, pool, strides, padding, kind):
    n = x.ndim - 2
    pool, strides = _tup(pool, n), _tup(strides if strides is not None else pool, n)
    if padding == "same":
        pads = [_same_pads(x.shape[1 + i], pool[i], strides[i]) for i in range(n)]
        xv = _pad_spatial(x, pads, -np.inf if kind == "max" else 0.0)
        cnt = _pad_spatial(np.ones(x.shape[:-1] + (1,)), pads)
    else:
        xv, cnt = x, np.ones(x.shape[:-1] + (1,))
    outs = [(xv.shape[1 + i] - pool[i]) // strides[i] + 1 for i in range(n)]
    y = np.zeros((x.shape[0],) + tuple(outs) + (x.shape[-1],))
    for idx in np.ndindex(*outs):
        sl = (slice(None),) + tuple(slice(idx[i] * strides[i], idx[i] * strides[i] + pool[i]) for i in range(n))
        win = xv[sl].reshape(x.shape[0], -1, x.shape[-1])
        if kind == "max":
            y[(slice(None),) + idx] = win.max(axis=1)
        else:  # TF's 'SAME' average counts only the real (unpadded) elements
            y[(slice(None),) + idx] = win.sum(axis=1) / cnt[sl].reshape(x.shape[0], -1, 1).sum(axis=1)
    return y


def np_conv(x, kernel, bias, strides, padding, dilation, groups=1):
    """x (B, *S, Cin), kernel (*K, Cin/groups, Cout)."""
    n = x.ndim - 2
    ks = kernel.shape[:n]
    strides, dilation = _tup(strides, n), _tup(dilation, n)
    if padding == "same":
        x = _pad_spatial(x, [_same_pads(x.shape[1 + i], ks[i], strides[i], dilation[i]) for i in range(n)])
    elif padding == "causal":
        x = _pad_spatial(x, [((ks[0] - 1) * dilation[0], 0)])
    outs = [(x.shape[1 + i] - ((ks[i] - 1) * dilation[i] + 1)) // strides[i] + 1 for i in range(n)]
    cin, cout = kernel.shape[-2], kernel.shape[-1]
    per = cout // groups
    y = np.zeros((x.shape[0],) + tuple(outs) + (cout,))
    for kidx in np.ndindex(*ks):
        sl = (slice(None),) + tuple(
            slice(kidx[i] * dilation[i], kidx[i] * dilation[i] + (outs[i] - 1) * strides[i] + 1, strides[i])
            for i in range(n))
        patch = x[sl]
        for g in range(groups):
            y[..., g * per:(g + 1) * per] += patch[..., g * cin:(g + 1) * cin] @ kernel[kidx][:, g * per:(g + 1) * per]
    if bias is not None:
        y = y + bias
    return y


def np_depthwise(x, dw, strides, padding, dilation):
    """dw (*K, Cin, mult) -> a grouped convolution with groups = Cin."""
    n = x.ndim - 2
    cin, mult = dw.shape[-2], dw.shape[-1]
    kernel = dw.reshape(dw.shape[:n] + (1, cin * mult))
    return np_conv(x, kernel, None, strides, padding, dilation, groups=cin)


def np_conv_transpose(x, kernel, bias, strides, padding, dilation, output_padding):
    """x (B, *S, Cin), kernel (*K, Cout, Cin); TF conv_transpose = gradient of conv."""
    n = x.ndim - 2
    ks = kernel.shape[:n]
    strides, dilation = _tup(strides, n), _tup(dilation, n)
    op = _tup(output_padding, n) if output_padding is not None else (None,) * n
    outs, pads = [], []
    for i in range(n):
        size, k, s, d = x.shape[1 + i], ks[i], strides[i], dilation[i]
        keff = (k - 1) * d + 1
        # keras/src/backend/common/backend_utils.py compute_conv_transpose_padding_args_for_jax logic
        if op[i] is None:
            length = size * s + max(keff - s, 0) if padding == "valid" else size * s
        else:
            pad = 0 if padding == "valid" else keff // 2
            length = (size - 1) * s + keff - 2 * pad + op[i]
        total = max((size - 1) * s + keff - length, 0)
        outs.append(length)
        pads.append(total // 2 if padding == "same" else 0)
    full = [(x.shape[1 + i] - 1) * strides[i] + (ks[i] - 1) * dilation[i] + 1 for i in range(n)]
    y = np.zeros((x.shape[0],) + tuple(max(full[i], pads[i] + outs[i]) for i in range(n)) + (kernel.shape[-2],))
    for kidx in np.ndindex(*ks):
        sl = (slice(None),) + tuple(
            slice(kidx[i] * dilation[i], kidx[i] * dilation[i] + (x.shape[1 + i] - 1) * strides[i] + 1, strides[i])
            for i in range(n))
        y[sl] += x @ kernel[kidx].T
    y = y[(slice(None),) + tuple(slice(pads[i], pads[i] + outs[i]) for i in range(n))]
    if bias is not None:
        y = y + bias
    return y


def np_activation(name, x):
    return {"linear": lambda v: v, "relu": lambda v: np.maximum(v, 0), "tanh": np.tanh,
            "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
            "hard_sigmoid": lambda v: np.clip(v / 6 + 0.5, 0, 1)}[name](x)


def _to_last(x):
    return np.moveaxis(x, 1, -1)


def _to_first(x):
    return np.moveaxis(x, -1, 1)


def np_convlstm(cfg, w, x):
    """x (B, T, *S, C) channels_last; Keras ConvLSTMCell.call (gates i, f, c, o)."""
    kernel, rec = w[0], w[1]
    bias = w[2] if cfg["use_bias"] else None
    f = cfg["filters"]
    steps = list(range(x.shape[1]))
    if cfg["go_backwards"]:
        steps.reverse()
    h = c = None
    seq = []
    act = lambda v: np_activation(cfg["activation"], v)  # noqa: E731
    ract = lambda v: np_activation(cfg["recurrent_activation"], v)  # noqa: E731
    for t in steps:
        z = np_conv(x[:, t], kernel, bias, cfg["strides"], cfg["padding"], cfg["dilation_rate"])
        if h is None:
            h = np.zeros(z.shape[:-1] + (f,))
            c = np.zeros_like(h)
        z = z + np_conv(h, rec, None, 1, "same", 1)
        i, fg, cc, o = (z[..., k * f:(k + 1) * f] for k in range(4))
        c = ract(fg) * c + ract(i) * act(cc)
        h = ract(o) * act(c)
        seq.append(h)
    return np.stack(seq, axis=1) if cfg["return_sequences"] else h


def np_layer(layer, x):
    """One layer's inference in NumPy (float64), or raise KeyError when not implemented here."""
    name = layer.__class__.__name__
    cfg = layer.get_config()
    w = [np.asarray(v, np.float64) for v in layer.get_weights()]
    cf = cfg.get("data_format") == CF
    if name in ("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "Dropout"):
        return x
    if name.startswith("ConvLSTM"):
        xx = np.moveaxis(x, 2, -1) if cf else x
        y = np_convlstm(cfg, w, xx)
        return np.moveaxis(y, -1, 2 if cfg["return_sequences"] else 1) if cf else y
    if name == "Flatten":
        return x.reshape(x.shape[0], -1)
    if name == "Dense":
        return np_activation(cfg["activation"], x @ w[0] + (w[1] if cfg["use_bias"] else 0))
    if name == "LayerNormalization":
        axes = tuple(a % x.ndim for a in _tup(cfg["axis"], 1))
        shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
        if cfg.get("rms_scaling"):
            # keras/src/ops/nn.py _layer_normalization: x * rsqrt(var(x) + epsilon) * gamma (the variance,
            # not the mean square, and no centering; Keras 3.15.1 warns that this option is deprecated)
            return x / np.sqrt(x.var(axis=axes, keepdims=True) + cfg["epsilon"]) * w[0].reshape(shape)
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True)
        y = (x - mean) / np.sqrt(var + cfg["epsilon"])
        k = 0
        if cfg["scale"]:
            y, k = y * w[0].reshape(shape), 1
        if cfg["center"]:
            y = y + w[k].reshape(shape)
        return y
    if name == "RMSNormalization":
        axes = tuple(a % x.ndim for a in _tup(cfg["axis"], 1))
        shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
        return x / np.sqrt(np.mean(x * x, axis=axes, keepdims=True) + cfg["epsilon"]) * w[0].reshape(shape)
    if name == "UnitNormalization":
        axes = tuple(a % x.ndim for a in _tup(cfg["axis"], 1))
        return x / np.sqrt(np.maximum(np.sum(x * x, axis=axes, keepdims=True), 1e-12))
    if name == "GroupNormalization":
        ax = cfg["axis"] % x.ndim
        xx = np.moveaxis(x, ax, -1)
        ch, g = xx.shape[-1], cfg["groups"]
        r = xx.reshape(xx.shape[0], -1, g, ch // g)
        red = tuple(a for a in range(1, r.ndim) if a != 2)
        mean, var = r.mean(axis=red, keepdims=True), r.var(axis=red, keepdims=True)
        y = ((r - mean) / np.sqrt(var + cfg["epsilon"])).reshape(xx.shape)
        k = 0
        if cfg["scale"]:
            y, k = y * w[0], 1
        if cfg["center"]:
            y = y + w[k]
        return np.moveaxis(y, -1, ax)
    xx = _to_last(x) if cf else x
    if name in ("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
                "AveragePooling3D"):
        y = np_pool(xx, cfg["pool_size"], cfg["strides"], cfg["padding"], "max" if name.startswith("Max") else "avg")
    elif name.startswith("Global"):
        axes = tuple(range(1, xx.ndim - 1))
        y = xx.max(axis=axes, keepdims=True) if "Max" in name else xx.mean(axis=axes, keepdims=True)
        if not cfg["keepdims"]:
            y = y.reshape(y.shape[0], -1)
            return y
    elif name in ("Conv1D", "Conv2D", "Conv3D"):
        y = np_activation(cfg["activation"], np_conv(xx, w[0], w[1] if cfg["use_bias"] else None, cfg["strides"],
                                                     cfg["padding"], cfg["dilation_rate"], cfg["groups"]))
    elif name in ("DepthwiseConv1D", "DepthwiseConv2D"):
        y = np_depthwise(xx, w[0], cfg["strides"], cfg["padding"], cfg["dilation_rate"])
        y = np_activation(cfg["activation"], y + (w[1] if cfg["use_bias"] else 0))
    elif name in ("SeparableConv1D", "SeparableConv2D"):
        y = np_depthwise(xx, w[0], cfg["strides"], cfg["padding"], cfg["dilation_rate"])
        y = np_conv(y, w[1], w[2] if cfg["use_bias"] else None, 1, "valid", 1)
        y = np_activation(cfg["activation"], y)
    elif name in ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"):
        y = np_conv_transpose(xx, w[0], w[1] if cfg["use_bias"] else None, cfg["strides"], cfg["padding"],
                              cfg["dilation_rate"], cfg["output_padding"])
        y = np_activation(cfg["activation"], y)
    elif name in ("ZeroPadding1D", "ZeroPadding2D"):
        n = xx.ndim - 2
        p = cfg["padding"]
        pads = [_tup(p, 2)] if n == 1 else [_tup(q, 2) for q in p]
        y = _pad_spatial(xx, pads)
    elif name in ("Cropping1D", "Cropping2D"):
        n = xx.ndim - 2
        c = [_tup(cfg["cropping"], 2)] if n == 1 else [_tup(q, 2) for q in cfg["cropping"]]
        y = xx[(slice(None),) + tuple(slice(a, xx.shape[1 + i] - b) for i, (a, b) in enumerate(c))]
    elif name in ("UpSampling1D", "UpSampling2D"):
        if cfg.get("interpolation", "nearest") != "nearest":
            raise KeyError(name + " " + cfg["interpolation"])
        size = _tup(cfg["size"], xx.ndim - 2)
        y = xx
        for i, s in enumerate(size):
            y = np.repeat(y, s, axis=1 + i)
    else:
        raise KeyError(name)
    return _to_first(y) if cf else y


def numpy_reference(model, xs):
    """Outputs of a Sequential model through np_layer (None when a layer has no NumPy implementation)."""
    if not isinstance(model, keras.Sequential) or len(xs) != 1:
        return None
    y = xs[0].astype(np.float64)
    try:
        for layer in model.layers:
            y = np_layer(layer, y)
    except KeyError:
        return None
    return y


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------
def load_inputs(d, info, batch):
    n = info["n_inputs"]
    return [np.load(os.path.join(d, "x%d.npy" % (batch * n + i))) for i in range(n)]


def post_process(c, d):
    """Provenance, extra files and the checks that reload what was written."""
    path = os.path.join(d, "case.json")
    with open(path) as f:
        info = json.load(f)
    info["provenance"]["generator"] = GENERATOR
    info["options"] = c.options
    if "keras_h5_reload_error" in info:
        info["keras_h5_reload_error"] = stable(info["keras_h5_reload_error"])
    for name, text in c.files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
        info["files"].insert(len(info["files"]) - 1, name)
    info.update(c.extra)
    n_out = info["n_outputs"]
    ys = [[np.load(os.path.join(d, "y%d.npy" % (b * n_out + i))) for i in range(n_out)]
          for b in range(info["batches"])]
    # Keras' own reload of both files must reproduce the outputs (stateful cases: outputs of batch 0).
    reload = {}
    for fname in ("model.keras", "model.h5"):
        try:
            m = keras.models.load_model(os.path.join(d, fname), compile=False)
        except Exception as e:  # noqa: BLE001 - record whatever Keras raises
            reload[fname] = stable("%s: %s" % (type(e).__name__, str(e).splitlines()[0][:300]))
            continue
        diffs = []
        for b in range(1 if c.stateful else info["batches"]):
            xs = load_inputs(d, info, b)
            got = G.as_list(m(xs if len(xs) > 1 else xs[0], training=False))
            diffs += [float(np.max(np.abs(np.asarray(g) - y))) for g, y in zip(got, ys[b])]
        reload[fname] = max(diffs)
        if fname == "model.keras" and not c.stateful:
            ref = numpy_reference(m, load_inputs(d, info, 0))
            if ref is not None:
                info["numpy_reference"] = {
                    "what": "independent float64 NumPy forward pass of this generator (np_layer), "
                            "run on the weights of the reloaded model.keras and x0.npy",
                    "max_abs_diff_to_y0": float(np.max(np.abs(ref - ys[0][0]))),
                }
                if "data_format" in c.options and info["numpy_reference"]["max_abs_diff_to_y0"] > G.ATOL:
                    replace_with_numpy(d, info, m, ref, ys[0][0])
    info["keras_reload_max_abs_diff"] = reload
    # keep the file's key order stable: summary last
    summary = info.pop("summary")
    info["summary"] = summary
    with open(path, "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    return info


TF_BIAS_ADD_BUG = (
    "Keras 3.15.1's TensorFlow backend computes a wrong result for this channels_first model: the layer adds "
    "its bias as ops.add(outputs, reshape(bias, (1, C, 1...))), and keras/src/backend/tensorflow/numpy.py add() "
    "turns such an add into tf.nn.bias_add with data_format NHWC whenever the output's LAST axis has the bias "
    "length, which it has here (the last spatial size equals the channel count), so the bias is added along a "
    "spatial axis. y0.npy therefore holds the independent NumPy reference (float32 of the float64 result); "
    "Keras' own (wrong) TensorFlow output is kept in keras_tf_y0.npy, and the same layer built with "
    "channels_last by Keras (input and output transposed) agrees with the NumPy reference "
    "(channels_last_keras_max_abs_diff).")


def channels_last_twin(layer, x):
    """The same layer with data_format='channels_last', same weights, run by Keras on the transposed input."""
    cfg = dict(layer.get_config(), data_format="channels_last")
    cfg.pop("name")
    twin = layer.__class__.from_config(cfg)
    xl = np.moveaxis(x, 1, -1)
    twin.build(xl.shape)
    twin.set_weights(layer.get_weights())
    return np.moveaxis(np.asarray(twin(xl)), -1, 1)


def replace_with_numpy(d, info, model, ref, keras_y):
    assert len(model.layers) == 1 and info["n_outputs"] == 1 and info["batches"] == 1
    x = np.load(os.path.join(d, "x0.npy"))
    twin = channels_last_twin(model.layers[0], x)
    np.save(os.path.join(d, "keras_tf_y0.npy"), keras_y)
    np.save(os.path.join(d, "y0.npy"), np.ascontiguousarray(ref.astype(np.float32)))
    info["files"].insert(len(info["files"]) - 1, "keras_tf_y0.npy")
    info["expected_output"] = "numpy_reference"
    info["expected_output_note"] = TF_BIAS_ADD_BUG
    info["numpy_reference"]["max_abs_diff_to_y0"] = float(np.max(np.abs(ref - ref.astype(np.float32))))
    info["numpy_reference"]["keras_tf_max_abs_diff"] = float(np.max(np.abs(ref - keras_y)))
    info["numpy_reference"]["channels_last_keras_max_abs_diff"] = float(np.max(np.abs(ref - twin)))


def _table(out, header, row):
    """A Markdown table with one row per case directory of out (row: (name, case.json) -> cells)."""
    rows = ["| " + " | ".join(header) + " |", "|" + "|".join("-" * (len(h) + 2) for h in header) + "|"]
    for n in sorted(os.listdir(out)):
        p = os.path.join(out, n, "case.json")
        if os.path.isfile(p):
            rows.append("| " + " | ".join(row(n, json.load(open(p)))) + " |")
    return "\n".join(rows)


def _case_row(n, c):
    ref = c.get("numpy_reference", {}).get("max_abs_diff_to_y0")
    return ["`%s`" % n, str(c["n_inputs"]), str(c["n_outputs"]),
            "%d%s" % (c["batches"], " stateful" if c["stateful"] else ""), ", ".join(c.get("options", [])),
            "%.0e" % ref if ref is not None else "", c["description"].replace("|", "\\|")]


def _fit_row(n, c):
    return ["`%s`" % n, str(c["iterations"]), "%.5f -> %.5f" % (c["history"]["loss"][0], c["history"]["loss"][-1]),
            c["description"]]


def readme_table(out):
    return _table(out, ["case", "inputs", "outputs", "batches", "options", "NumPy ref", "description"], _case_row)


def fit_table(out):
    return _table(out, ["case", "steps", "loss first -> last epoch", "description"], _fit_row)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="fixtures/keras3/layers14")
    ap.add_argument("--only", nargs="+", metavar="NAME")
    ap.add_argument("--list", action="store_true", help="list case names and exit")
    ap.add_argument("--table", action="store_true", help="print the README case tables and exit")
    args = ap.parse_args(argv)
    if args.list:
        for n in list(CASES) + list(FIT_CASES):
            print(n + ("  (fit)" if n in FIT_CASES else ""))
        return 0
    fit_out = os.path.join(args.out, "fit")
    if args.table:
        print(readme_table(args.out))
        print()
        print(fit_table(fit_out))
        return 0
    if keras.backend.backend() != "tensorflow":
        ap.error("run with KERAS_BACKEND=tensorflow")
    names = list(CASES) + list(FIT_CASES)
    if args.only:
        unknown = [n for n in args.only if n not in names]
        if unknown:
            ap.error("unknown case(s): " + ", ".join(unknown))
        names = [n for n in names if n in args.only]
    command = "KERAS_BACKEND=tensorflow python " + shlex.join(sys.argv)
    os.makedirs(args.out, exist_ok=True)
    bad = []
    for n in names:
        if n in FIT_CASES:
            os.makedirs(fit_out, exist_ok=True)
            d, info = run_fit_case(FIT_CASES[n], fit_out, command)
            sw = info["step_weights"]["last_step_minus_final_h5_max_abs"]
            print("%-44s fit: %d steps, loss %.5f -> %.5f, last step vs final.h5 %.1e" % (
                n, info["iterations"], info["history"]["loss"][0], info["history"]["loss"][-1], sw))
            ch = info["checks"]  # gen_train_fixtures.py's self-checks of Keras' training semantics
            if (sw != 0.0 or ch["epoch_loss_minus_batch_size_weighted_mean_of_step_losses_max_abs"] > 1e-5
                    or ch["logs_loss_minus_running_weighted_mean_max_abs"] > 1e-5
                    or not ch["iterations_equals_number_of_steps"] or not ch["non_trainable_weights_unchanged"]):
                bad.append(n)
            continue
        c = CASES[n]
        d, max_abs = G.run_case(c, args.out, command)
        info = post_process(c, d)
        rel = info["keras_reload_max_abs_diff"]
        ref = info.get("numpy_reference", {}).get("max_abs_diff_to_y0")
        size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
        print("%-44s max|y|=%7.3f reload %s numpy %s %5.1f KB%s" % (
            n, max_abs, {k: (("%.0e" % v) if isinstance(v, float) else "ERR") for k, v in rel.items()},
            "-" if ref is None else "%.1e" % ref, size / 1024,
            "  y0 = NumPy reference (TF bias_add bug)" if "expected_output" in info else ""))
        twin = info.get("numpy_reference", {}).get("channels_last_keras_max_abs_diff", 0.0)
        if (isinstance(rel.get("model.keras"), str) or rel.get("model.keras", 0) > 1e-6
                or (ref is not None and ref > G.ATOL) or twin > G.ATOL):
            bad.append(n)
    if bad:
        print("checks failed:", ", ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
