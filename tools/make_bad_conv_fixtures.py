#!/usr/bin/env python3
"""Convolution models with configs jkeras must refuse (fixtures/bad/conv/), for fixtures/bad/cli/conv.json.

Each file is fixtures/keras3/layers14/conv2d_valid/model.h5 (real Keras 3.15.1) with one config value changed:

* conv2d_padding_causal.h5: padding "causal", which Keras only allows for Conv1D;
* conv2d_strides_and_dilation.h5: strides (2, 2) with dilation_rate (2, 2), which Keras refuses too;
* conv2d_kernel_size_huge.h5: kernel_size (2147483647, 3), refused by LoadOptions.maxDimension before any
  allocation.

Run from the repository root: /work/venv/bin/python tools/make_bad_conv_fixtures.py  (needs h5py).
"""
import json
import os
import shutil

import h5py
import numpy as np

SRC = "fixtures/keras3/layers14/conv2d_valid/model.h5"
OUT = "fixtures/bad/conv"

CASES = {
    "conv2d_padding_causal.h5": {"padding": "causal"},
    "conv2d_strides_and_dilation.h5": {"strides": [2, 2], "dilation_rate": [2, 2]},
    "conv2d_kernel_size_huge.h5": {"kernel_size": [2147483647, 3]},
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, change in CASES.items():
        path = os.path.join(OUT, name)
        shutil.copyfile(SRC, path)
        with h5py.File(path, "r+") as f:
            cfg = json.loads(f.attrs["model_config"])
            for layer in cfg["config"]["layers"]:
                if layer["class_name"] == "Conv2D":
                    layer["config"].update(change)
            f.attrs["model_config"] = np.bytes_(json.dumps(cfg))


if __name__ == "__main__":
    main()
