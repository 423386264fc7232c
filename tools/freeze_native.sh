#!/usr/bin/env bash
# Writes the frozen back-compat files of the native format version this jkeras writes:
#   tools/freeze_native.sh [CASE_DIR ...]   -> fixtures/native/v<MAJOR.MINOR>/ (refuses if it exists)
# The models are those of the newest existing version directory (its manifest.json), converted
# again with `jkeras convert SOURCE FILE`, plus the model.h5 of each CASE_DIR given (a fixture case
# directory under fixtures/, e.g. fixtures/keras3/layers14/conv2d_valid, for the layer types a new
# version adds); a manifest entry with "embedded_check" is converted with
# --embed-check-golden on its golden case. Run once per released format version; never regenerate
# an existing directory (NativeBackCompatTest requires every later jkeras to load it unchanged).
set -euo pipefail
cd "$(dirname "$0")/.."
jkm=src/core/src/main/java/io/jkeras/format/Jkm.java
ver=$(grep -o ' MAJOR = [0-9]*;' $jkm | grep -o '[0-9]*').$(grep -o ' MINOR = [0-9]*;' $jkm | grep -o '[0-9]*')
out="fixtures/native/v$ver"
prev=$(ls -d fixtures/native/v*/ | sort -V | grep -v "v$ver/" | tail -1)
if [ -e "$out" ]; then echo "$out exists: frozen files are never regenerated" >&2; exit 1; fi
mkdir -p "$out"
python3 - "$prev/manifest.json" "$out" "$ver" "$@" <<'PY'
import hashlib, json, os, subprocess, sys
prev, out, ver, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
files = []
entries = json.load(open(prev))["files"]
for d in extra:
    case = os.path.relpath(os.path.abspath(d), os.path.abspath("fixtures"))
    entries.append({"file": os.path.basename(case) + ".jkm", "source": case + "/model.h5", "golden": case})
for e in entries:
    src = "fixtures/" + e["source"]
    cmd = ["./jkeras", "convert", src, out + "/" + e["file"]]
    if "embedded_check" in e:
        cmd[2:2] = ["--embed-check-golden", "fixtures/" + e["golden"]]
    subprocess.run(cmd, check=True)
    entry = {k: e[k] for k in ("file", "source", "golden")}
    entry["source_sha256"] = hashlib.sha256(open(src, "rb").read()).hexdigest()
    if "embedded_check" in e:
        entry["embedded_check"] = e["embedded_check"]
    files.append(entry)
json.dump({"format_version": ver,
           "written_by": "jkeras (development build), `jkeras convert SOURCE FILE` by tools/freeze_native.sh",
           "note": "frozen: never regenerate; a newer jkeras must load these files unchanged",
           "files": files}, open(out + "/manifest.json", "w"), indent=1)
print("wrote", out, len(files), "files")
PY
