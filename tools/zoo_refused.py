#!/usr/bin/env python3
"""List the keras-zoo files whose layers include ConvLSTM2D, Conv2D/Conv3D, Dot or an attention layer and
record what `./jkeras summary FILE` says about each (exit code and first line), as a Markdown table.

Usage (from the repository root; python3 only, no Keras):
    python3 tools/zoo_refused.py --zoo ../shared/keras-zoo > fixtures/keras3/layers14/zoo-refused.md
"""

import argparse
import json
import os
import re
import subprocess
import sys

PATTERN = re.compile(r"ConvLSTM|Conv2D|Conv3D|Convolution2D|\bDot\b|attention", re.I)


NOTES = {
    "dl4j-test-resources/": "written by DL4J's tf.keras test generator; half use Bidirectional(ConvLSTM2D); "
                            "hard_sigmoid here is Keras 2's 0.2-slope formula",
    "dot-res-lstm/": "Functional residual-attention graph: five Dot layers after two LSTM (or CuDNNLSTM) "
                     "layers, Concatenate, Activation",
    "electricity-forecasting/": "custom Python layer class 'attention' (config: return_sequences=True; weights "
                                "att_weight, att_bias): needs the custom-layer extension point",
    "textgenrnn/": "weights-only file (save_weights); the model (with the custom AttentionWeightedAverage layer, "
                   "weight attention_W) is built in Python and no architecture JSON is in the zoo",
}


def note(path):
    return next((v for k, v in NOTES.items() if path.startswith(k)), "")


def first_error_line(text):
    for line in text.splitlines():
        if line.startswith("jkeras: error:"):
            # the list of supported classes after "; supported:" is the same for every file
            return line.split("; supported:")[0] + ("; supported: ..." if "; supported:" in line else "")
    return text.strip().splitlines()[-1] if text.strip() else ""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zoo", default="../shared/keras-zoo")
    ap.add_argument("--jkeras", default="./jkeras")
    args = ap.parse_args(argv)
    manifest = json.load(open(os.path.join(args.zoo, "manifest.json")))
    rows = []
    for f in manifest["files"]:
        hits = sorted({m.group(0) for layer in (f.get("layers") or []) for m in PATTERN.finditer(layer)})
        if not hits:
            continue
        p = subprocess.run([args.jkeras, "summary", os.path.join(args.zoo, f["file"])], capture_output=True,
                           text=True, timeout=300)
        out = "\n".join(line for line in (p.stdout + p.stderr).splitlines() if "incubator" not in line)
        rows.append((f, hits, p.returncode, first_error_line(out) if p.returncode else "loads"))
    refused = sum(1 for r in rows if r[2] != 0)
    print("# keras-zoo files with ConvLSTM2D / Conv2D / Dot / attention layers: what jkeras says today\n")
    print("Written by `python3 tools/zoo_refused.py --zoo ../shared/keras-zoo` (runs `./jkeras summary FILE` on")
    print("every file of `manifest.json` whose layer list mentions ConvLSTM, Conv2D/Conv3D, Dot or attention).")
    print("%d files match, %d are refused (exit 2). The error lines end with the list of supported classes,"
          % (len(rows), refused))
    print("shortened here to `supported: ...`. No zoo file has a Conv2D or Conv3D layer; the LRCN / CNN files of")
    print("issue 14 are not part of the zoo. `refs` is the reference data the zoo has for the file")
    print("(manifest `references`; none = no stored outputs to match).\n")
    print("| file | Keras | layers | refs | Keras 3.15.1 load_model | exit | jkeras summary says |")
    print("|------|-------|--------|------|-------------------------|------|---------------------|")
    for f, hits, rc, msg in rows:
        refs = "; ".join(r.split(":")[0] for r in f.get("references", [])) or "none"
        msg = msg.replace(os.path.join(args.zoo, f["file"]) + ": ", "FILE: ").replace("|", "\\|")
        k3 = (f.get("keras_3_15_1_load_model") or "?")[:60].replace("|", "\\|")
        print("| `%s` | %s | %s | %s | %s | %d | %s |" % (f["file"], f.get("keras_version", "?"), ", ".join(hits),
                                                        refs, k3, rc, msg))
    print("\n## Notes\n")
    for k, v in NOTES.items():
        print("* `%s`: %s." % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
