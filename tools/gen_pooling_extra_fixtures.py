#!/usr/bin/env python3
"""Real-Keras cases for the pooling and shape layers that fixtures/keras3/layers14 does not hold.

ZeroPadding3D, Cropping3D and UpSampling3D (channels_last and channels_first), and an LRCN-style
TimeDistributed(MaxPooling2D) -> TimeDistributed(Flatten) -> LSTM -> Dense model that needs no convolution.
Each case is built, written and checked exactly as tools/gen_layer_fixtures.py does (its Case, G.run_case and
post_process: model.h5, model.keras, x0.npy, y0.npy, case.json with provenance, Keras' reload check and, where
the generator has one, the independent NumPy reference), into fixtures/keras3/layers14-pooling-extra/<case>/.

    KERAS_BACKEND=tensorflow .venv/bin/python tools/gen_pooling_extra_fixtures.py \\
        [--out fixtures/keras3/layers14-pooling-extra]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_layer_fixtures as GL  # noqa: E402  (imports Keras, sets determinism)

G, L, keras = GL.G, GL.L, GL.keras
CF = GL.CF
CASES = {}


def extra(name, shape, make, options):
    def build():
        return G.seq(keras.Input(shape), *make()), G.one((2,) + tuple(shape))
    desc = " -> ".join(type(x).__name__ for x in make()) + " on Input(%s)" % (shape,)
    CASES[name] = GL.Case(name, desc, build, options=options)


extra("zero_padding3d_tuples", (2, 3, 2, 2), lambda: [L.ZeroPadding3D(((1, 0), (0, 2), (1, 1)))], ["padding"])
extra("zero_padding3d_cf", (2, 2, 3, 2), lambda: [L.ZeroPadding3D(1, data_format=CF)], ["padding", "data_format"])
extra("cropping3d_tuples", (3, 4, 4, 2), lambda: [L.Cropping3D(((1, 0), (0, 1), (1, 1)))], ["cropping"])
extra("cropping3d_cf", (2, 3, 4, 4), lambda: [L.Cropping3D(1, data_format=CF)], ["cropping", "data_format"])
extra("upsampling3d", (2, 3, 2, 2), lambda: [L.UpSampling3D((2, 1, 3))], ["size"])
extra("upsampling3d_cf", (2, 2, 3, 2), lambda: [L.UpSampling3D(2, data_format=CF)], ["size", "data_format"])
extra("td_max_pool2d_lstm", (3, 4, 4, 2),
      lambda: [L.TimeDistributed(L.MaxPooling2D(2)), L.TimeDistributed(L.Flatten()), L.LSTM(4), L.Dense(2)],
      ["composite"])
extra("td_global_avg_pool2d_gru", (3, 4, 5, 2),
      lambda: [L.TimeDistributed(L.ZeroPadding2D(1)), L.TimeDistributed(L.GlobalAveragePooling2D()), L.GRU(3)],
      ["composite"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="fixtures/keras3/layers14-pooling-extra")
    args = ap.parse_args()
    # gen_layer_fixtures.py's own driver (writing, Keras reload and NumPy checks), run on these cases only
    GL.CASES.clear()
    GL.CASES.update(CASES)
    GL.FIT_CASES.clear()
    return GL.main(["--out", args.out])


if __name__ == "__main__":
    sys.exit(main())
