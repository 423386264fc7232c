#!/usr/bin/env python3
"""Hand-converted Keras 1 spellings of real Keras 3 ConvLSTM2D fixtures (no real Keras 1 ConvLSTM2D file is
in ../shared/keras-zoo; its 16 ConvLSTM2D files are tf.keras 2.2.4 and use Keras 2 spellings).

For each source case of fixtures/keras3/layers14 below, copies its model.h5 (same weights, same Keras
3.15.1 writer attributes) to fixtures/convlstm_keras1/<case>/model.h5 with the ConvLSTM2D config
rewritten to Keras 1.2's key names (keras/layers/convolutional_recurrent.py of Keras 1.2.2):
filters -> nb_filter, kernel_size -> nb_row/nb_col, strides -> subsample, padding -> border_mode,
data_format -> dim_ordering ('channels_first' -> 'th', 'channels_last' -> 'tf'),
recurrent_activation -> inner_activation; dilation_rate (absent in Keras 1) is dropped (it is 1 in
these cases). The outputs must be the source case's y*.npy. source.json names the source case.

Usage: python3 tools/make_convlstm_keras1_spellings.py   (from the repository root; needs h5py)
"""

import json
import os
import shutil

import h5py

SOURCES = ["convlstm2d_cf", "convlstm2d_strides_same"]
OUT = "fixtures/convlstm_keras1"


def keras1(cfg):
    c = dict(cfg)
    c["nb_filter"] = c.pop("filters")
    c["nb_row"], c["nb_col"] = c.pop("kernel_size")
    c["subsample"] = c.pop("strides")
    c["border_mode"] = c.pop("padding")
    c["dim_ordering"] = {"channels_first": "th", "channels_last": "tf"}[c.pop("data_format")]
    c["inner_activation"] = c.pop("recurrent_activation")
    assert c.pop("dilation_rate") == [1, 1]
    return c


def main():
    for name in SOURCES:
        src = os.path.join("fixtures/keras3/layers14", name)
        dst = os.path.join(OUT, name)
        os.makedirs(dst, exist_ok=True)
        shutil.copyfile(os.path.join(src, "model.h5"), os.path.join(dst, "model.h5"))
        with h5py.File(os.path.join(dst, "model.h5"), "r+") as f:
            mc = json.loads(f.attrs["model_config"])
            for layer in mc["config"]["layers"]:
                if layer["class_name"] == "ConvLSTM2D":
                    layer["config"] = keras1(layer["config"])
            f.attrs["model_config"] = json.dumps(mc)
        with open(os.path.join(dst, "source.json"), "w") as f:
            json.dump({"source_case": "keras3/layers14/" + name,
                       "command": "python3 tools/make_convlstm_keras1_spellings.py",
                       "converted": "ConvLSTM2D config keys to Keras 1.2.2 spellings; weights unchanged"}, f,
                      indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
