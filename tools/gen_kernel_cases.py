#!/usr/bin/env python3
"""Reference cases for the convolution, pooling, shape and normalization kernels of io.jkeras.kernels.

Each case runs one real Keras 3 layer (TensorFlow backend) on a small seeded random input, with every
weight set to seeded random values, and records the layer's config, the input (and mask), the weights
in Keras' order and Keras' output (attention layers: query, value, key, masks, output and scores; and
Keras' two other softmax mask rules).  The Java tests (ConvolutionKernelsTest, PoolingKernelsTest,
ShapeKernelsTest, NormalizationKernelsTest, AttentionKernelsTest) run the kernels on the same input and weights and compare
with Keras' output; they never run Python.

Usage:
    KERAS_BACKEND=tensorflow /work/venv/bin/python tools/gen_kernel_cases.py --out fixtures/kernels/cases.json

Deterministic: seeds come from the case name (CRC32) and TF op determinism is on. Floats are written as
the float32 value's exact double (read back as the same float32); NaN and infinities as strings.
"""

import argparse
import inspect
import json
import os
import sys
import zlib

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

tf.config.experimental.enable_op_determinism()

CASES = []


def case(name, layer, shape, mask=None):
    """layer: a Keras layer; shape: input shape with batch; mask: callable rng -> bool array or None."""
    CASES.append((name, layer, shape, mask))


def f32(a):
    """Floats as JSON numbers; NaN and infinities, which JSON lacks, as the strings "NaN", "Infinity"."""
    return [float(v) if np.isfinite(v) else str(float(v)).replace("nan", "NaN").replace("inf", "Infinity")
            for v in np.asarray(a, dtype=np.float32).ravel()]


def tensor(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": f32(a)}


# ---------------------------------------------------------------- convolutions
case("conv1d_valid", L.Conv1D(4, 3), (2, 7, 3))
case("conv1d_same_stride2", L.Conv1D(5, 3, strides=2, padding="same"), (1, 17, 3))
case("conv1d_same_dilation2", L.Conv1D(3, 3, dilation_rate=2, padding="same"), (2, 7, 2))
case("conv1d_causal", L.Conv1D(2, 4, padding="causal", dilation_rate=2), (1, 9, 3))
case("conv1d_groups", L.Conv1D(6, 3, groups=3, padding="same"), (2, 7, 3))
case("conv1d_stride3_valid", L.Conv1D(3, 2, strides=3, use_bias=False), (1, 17, 1))
case("conv2d_same_strides", L.Conv2D(3, (3, 2), strides=(2, 1), padding="same"), (2, 7, 5, 2))
case("conv2d_valid_dilation", L.Conv2D(2, (2, 3), dilation_rate=(2, 1)), (1, 7, 6, 3))
case("conv2d_pointwise", L.Conv2D(4, 1), (2, 3, 5, 3))
case("conv2d_groups", L.Conv2D(4, 3, groups=2, padding="same", strides=2), (1, 5, 6, 4))
case("conv3d_same", L.Conv3D(2, (2, 3, 2), strides=(1, 2, 1), padding="same"), (1, 3, 7, 4, 2))
case("conv3d_valid", L.Conv3D(3, 2, strides=2), (2, 3, 4, 5, 1))
case("depthwise2d_mult2_same", L.DepthwiseConv2D((3, 3), depth_multiplier=2, strides=2, padding="same"),
     (2, 7, 6, 3))
case("depthwise1d_dilation2", L.DepthwiseConv1D(3, dilation_rate=2), (1, 17, 4))
case("depthwise1d_mult3", L.DepthwiseConv1D(2, depth_multiplier=3, padding="same"), (2, 5, 2))
case("separable2d_mult2_same", L.SeparableConv2D(5, (3, 3), depth_multiplier=2, padding="same"), (1, 6, 7, 3))
case("separable1d_stride2", L.SeparableConv1D(4, 3, strides=2), (2, 9, 3))
case("conv1d_transpose_valid_stride2", L.Conv1DTranspose(3, 3, strides=2), (2, 5, 4))
case("conv1d_transpose_valid_stride3_k2", L.Conv1DTranspose(2, 2, strides=3), (1, 4, 2))
case("conv1d_transpose_same_outpad", L.Conv1DTranspose(2, 4, strides=3, padding="same", output_padding=1),
     (1, 4, 3))
case("conv1d_transpose_valid_outpad", L.Conv1DTranspose(2, 3, strides=2, output_padding=1), (1, 3, 2))
case("conv2d_transpose_same", L.Conv2DTranspose(3, (3, 2), strides=(2, 3), padding="same"), (1, 4, 3, 2))
case("conv2d_transpose_valid_dilation", L.Conv2DTranspose(2, 3, dilation_rate=2), (2, 3, 4, 2))
case("conv2d_transpose_same_odd", L.Conv2DTranspose(2, 3, strides=2, padding="same"), (1, 3, 3, 1))
case("conv3d_transpose_same", L.Conv3DTranspose(2, 2, strides=2, padding="same"), (1, 2, 3, 2, 2))

# ---------------------------------------------------------------- pooling
case("maxpool1d_same_stride2", L.MaxPooling1D(3, strides=2, padding="same"), (2, 7, 3))
case("maxpool1d_default", L.MaxPooling1D(2), (1, 17, 2))
case("avgpool1d_same_stride2", L.AveragePooling1D(3, strides=2, padding="same"), (2, 7, 3))
case("avgpool1d_same_stride1", L.AveragePooling1D(4, strides=1, padding="same"), (1, 5, 2))
case("avgpool1d_valid", L.AveragePooling1D(2), (1, 7, 3))
case("maxpool2d_same", L.MaxPooling2D((3, 2), strides=(2, 2), padding="same"), (2, 7, 5, 3))
case("avgpool2d_same", L.AveragePooling2D((3, 3), strides=2, padding="same"), (1, 7, 6, 2))
case("avgpool2d_valid", L.AveragePooling2D((2, 3), strides=(1, 2)), (1, 4, 7, 1))
case("maxpool3d_valid", L.MaxPooling3D((2, 2, 2)), (1, 4, 5, 3, 2))
case("avgpool3d_same", L.AveragePooling3D((3, 2, 2), strides=1, padding="same"), (1, 3, 4, 3, 2))


def steps_mask(shape):
    def make(rng):
        m = rng.uniform(size=shape[:2]) > 0.4
        m[:, 0] = True
        return m
    return make


def with_fully_masked_sample(shape):
    def make(rng):
        m = rng.uniform(size=shape[:2]) > 0.4
        m[0, 0] = True
        m[-1, :] = False
        return m
    return make


case("global_avgpool1d", L.GlobalAveragePooling1D(), (2, 7, 3))
case("global_avgpool1d_mask", L.GlobalAveragePooling1D(), (3, 7, 4), mask=steps_mask((3, 7)))
case("global_avgpool1d_all_masked", L.GlobalAveragePooling1D(), (2, 5, 3), mask=with_fully_masked_sample((2, 5)))
case("global_maxpool1d_mask_ignored", L.GlobalMaxPooling1D(), (3, 7, 4), mask=steps_mask((3, 7)))
case("global_avgpool2d", L.GlobalAveragePooling2D(), (2, 3, 5, 3))
case("global_maxpool2d", L.GlobalMaxPooling2D(), (2, 3, 5, 3))
case("global_maxpool3d", L.GlobalMaxPooling3D(), (1, 2, 3, 4, 2))
case("global_avgpool3d", L.GlobalAveragePooling3D(), (2, 2, 3, 2, 3))

# ---------------------------------------------------------------- padding, cropping, upsampling
case("zeropad1d", L.ZeroPadding1D((1, 2)), (2, 5, 3))
case("zeropad2d", L.ZeroPadding2D(((1, 0), (2, 1))), (1, 3, 4, 2))
case("zeropad3d", L.ZeroPadding3D(((0, 1), (1, 1), (2, 0))), (1, 2, 3, 2, 2))
case("crop1d", L.Cropping1D((1, 2)), (2, 7, 3))
case("crop2d", L.Cropping2D(((1, 0), (0, 2))), (1, 4, 5, 2))
case("crop3d", L.Cropping3D(((1, 0), (0, 1), (1, 1))), (1, 3, 3, 4, 2))
case("upsample1d", L.UpSampling1D(3), (2, 4, 3))
case("upsample2d_nearest", L.UpSampling2D((2, 3)), (1, 3, 2, 2))
case("upsample3d", L.UpSampling3D((1, 2, 2)), (1, 2, 2, 3, 2))
case("upsample2d_bilinear", L.UpSampling2D((2, 3), interpolation="bilinear"), (2, 3, 4, 2))
case("upsample2d_bilinear_3x2", L.UpSampling2D((3, 2), interpolation="bilinear"), (1, 4, 3, 1))

# ---------------------------------------------------------------- normalization
case("layernorm_last", L.LayerNormalization(), (2, 3, 7))
case("layernorm_axis1", L.LayerNormalization(axis=1, epsilon=1e-5), (2, 5, 3))
case("layernorm_last2", L.LayerNormalization(axis=[-2, -1]), (2, 3, 4, 5))
case("layernorm_no_center_scale", L.LayerNormalization(center=False, scale=False), (3, 17))
case("layernorm_rms_scaling", L.LayerNormalization(rms_scaling=True), (2, 4, 9))
case("groupnorm_2", L.GroupNormalization(groups=2), (2, 5, 6))
case("groupnorm_3_2d", L.GroupNormalization(groups=3, epsilon=1e-5), (1, 3, 4, 6))
case("groupnorm_no_center", L.GroupNormalization(groups=1, center=False), (2, 4, 3))
case("unitnorm", L.UnitNormalization(), (2, 3, 7))
case("unitnorm_axis1", L.UnitNormalization(axis=1), (2, 4, 3))


# ---------------------------------------------------------------- attention
# (name, layer, {input: shape}, {mask: shape of (B, T)}, call kwargs): the layer is called on [q, v(, k)]
ATTENTION = [
    ("attention_dot_masks", L.Attention(), {"q": (2, 3, 4), "v": (2, 5, 4)}, {"q_mask": (2, 3), "v_mask": (2, 5)},
     {}),
    ("attention_scale_causal", L.Attention(use_scale=True), {"q": (1, 4, 3), "v": (1, 4, 3), "k": (1, 4, 3)}, {},
     {"use_causal_mask": True}),
    ("attention_causal_rectangular", L.Attention(), {"q": (2, 3, 2), "v": (2, 5, 2)}, {"v_mask": (2, 5)},
     {"use_causal_mask": True}),
    ("attention_concat_all_masked", L.Attention(use_scale=True, score_mode="concat"),
     {"q": (2, 3, 4), "v": (2, 4, 4), "k": (2, 4, 4)}, {"v_mask": (2, 4)}, {}),
    ("additive_attention_scale_masks", L.AdditiveAttention(), {"q": (2, 3, 4), "v": (2, 5, 4)},
     {"q_mask": (2, 3), "v_mask": (2, 5)}, {}),
    ("additive_attention_no_scale", L.AdditiveAttention(use_scale=False), {"q": (1, 2, 3), "v": (1, 3, 3)}, {}, {}),
]


def run_attention(name, layer, shapes, masks, kwargs):
    rng = np.random.default_rng(zlib.crc32(name.encode("utf-8")))
    inputs = {k: rng.uniform(-1.5, 1.5, size=s).astype(np.float32) for k, s in shapes.items()}
    ms = {}
    for k, s in masks.items():
        m = rng.uniform(size=s) > 0.35
        m[:, 0] = True
        if name.endswith("all_masked"):
            m[-1, :] = False
        ms[k] = m
    args = [inputs["q"], inputs["v"]] + ([inputs["k"]] if "k" in inputs else [])
    layer.build([a.shape for a in args])
    weights = [rng.uniform(0.3, 1.5, size=w.shape).astype(np.float32) for w in layer.get_weights()]
    layer.set_weights(weights)
    mask = [ms.get("q_mask"), ms.get("v_mask")] if ms else None
    out, scores = layer(args, mask=mask, return_attention_scores=True, **kwargs)
    cfg = {k: v for k, v in layer.get_config().items() if k in ("use_scale", "score_mode")}
    cfg.update(kwargs)
    case = {"name": name, "layer": type(layer).__name__, "config": cfg,
            "x": tensor(inputs["q"]), "weights": [dict(tensor(w), name=v.path.split("/")[-1])
                                                  for w, v in zip(weights, layer.weights)],
            "y": tensor(keras.ops.convert_to_numpy(out)), "scores": tensor(keras.ops.convert_to_numpy(scores))}
    for k, a in inputs.items():
        case[k] = tensor(a)
    for k, m in ms.items():
        case[k] = [bool(v) for v in m.ravel()]
    return case


def run_softmax_rules():
    """The two other mask rules: the Softmax layer's (MultiHeadAttention when it returns its scores) and
    ops.dot_product_attention's (MultiHeadAttention otherwise), each with a fully masked row."""
    rng = np.random.default_rng(zlib.crc32(b"softmax_rules"))
    x = rng.uniform(-3, 3, size=(2, 3, 5)).astype(np.float32)
    m = rng.uniform(size=(2, 3, 5)) > 0.4
    m[:, :, 0] = True
    m[1, 2, :] = False
    layer = L.Softmax()
    y = layer(x, mask=m)
    softmax_case = {"name": "softmax_layer_mask", "layer": "Softmax", "config": {}, "x": tensor(x), "weights": [],
                    "y": tensor(keras.ops.convert_to_numpy(y)), "mask": [bool(v) for v in m.ravel()]}
    # (B, T, N, H) = (2, 3, 1, 4) query, (2, 5, 1, 4) key and value, mask (B, N, T, S)
    q = rng.uniform(-1.5, 1.5, size=(2, 3, 1, 4)).astype(np.float32)
    k = rng.uniform(-1.5, 1.5, size=(2, 5, 1, 4)).astype(np.float32)
    v = rng.uniform(-1.5, 1.5, size=(2, 5, 1, 4)).astype(np.float32)
    am = rng.uniform(size=(2, 1, 3, 5)) > 0.4
    am[:, :, :, 0] = True
    am[1, 0, 2, :] = False
    o = keras.ops.dot_product_attention(q, k, v, mask=am, scale=0.5)
    dpa_case = {"name": "dot_product_attention_mask", "layer": "dot_product_attention", "config": {"scale": 0.5},
                "x": tensor(q), "k": tensor(k), "v": tensor(v), "weights": [],
                "y": tensor(keras.ops.convert_to_numpy(o)), "mask": [bool(v) for v in am.ravel()]}
    return [softmax_case, dpa_case]


def config_of(layer):
    keep = ("kernel_size", "strides", "padding", "dilation_rate", "groups", "filters", "depth_multiplier",
            "output_padding", "pool_size", "cropping", "size", "interpolation", "axis", "epsilon", "center",
            "scale", "rms_scaling", "use_bias")
    cfg = layer.get_config()
    return {k: cfg[k] for k in keep if k in cfg}


def run(name, layer, shape, mask):
    rng = np.random.default_rng(zlib.crc32(name.encode("utf-8")))
    x = rng.uniform(-1.5, 1.5, size=shape).astype(np.float32)
    if name.startswith("unitnorm"):
        x[0, 1] = 0.0  # a group of zeros stays zero
    m = mask(rng) if mask else None
    layer.build(shape)
    weights = [rng.uniform(-0.8, 0.8, size=w.shape).astype(np.float32) for w in layer.get_weights()]
    if name.startswith(("layernorm", "groupnorm")):
        weights = [w + 1.0 if "gamma" in v.path else w for w, v in zip(weights, layer.weights)]
    layer.set_weights(weights)
    # Keras passes a mask only to a call that takes one: GlobalMaxPooling1D's does not, so Keras ignores it
    takes_mask = "mask" in inspect.signature(layer.call).parameters
    y = layer(x, mask=m) if m is not None and takes_mask else layer(x)
    out = {"name": name, "layer": type(layer).__name__, "config": config_of(layer), "x": tensor(x),
           "weights": [dict(tensor(w), name=v.path.split("/")[-1]) for w, v in zip(weights, layer.weights)],
           "y": tensor(keras.ops.convert_to_numpy(y))}
    if m is not None:
        out["mask"] = [bool(v) for v in m.ravel()]
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True)
    args = p.parse_args()
    cases = [run(*c) for c in CASES] + [run_attention(*c) for c in ATTENTION] + run_softmax_rules()
    doc = {"generator": "tools/gen_kernel_cases.py",
           "command": "KERAS_BACKEND=tensorflow python tools/gen_kernel_cases.py --out " + args.out,
           "keras": keras.__version__, "tensorflow": tf.__version__, "numpy": np.__version__,
           "python": sys.version.split()[0], "cases": cases}
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"{len(cases)} cases -> {args.out}")


if __name__ == "__main__":
    main()
