#!/usr/bin/env bash
# Regenerates src/main/java/io/jkeras/kernels/GemmVector.java from the templates in this folder.
#   tools/gemm/generate.sh [MR NV DIRECT_MAX_ROWS]     (defaults: 10 2 64, the measured best tile)
# MR rows × NV vectors per tile; products with at most DIRECT_MAX_ROWS rows read B in place.
# The Vector API needs every accumulator as a separate local, and Java has no macros, so the tile
# methods are written out by tiles.py rather than by hand.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
MR=${1:-10}; NV=${2:-2}; DIRECT=${3:-64}
OUT="$HERE/../../src/main/java/io/jkeras/kernels/GemmVector.java"
{
  cat "$HERE/head.java.in"
  echo "    /** Rows of a tile. */"
  echo "    static final int MR = $MR;"
  echo "    /** Vectors of columns of a tile. */"
  echo "    static final int NV = $NV;"
  sed "s/DIRECT;/$DIRECT;/" "$HERE/body.java.in"
  python3 "$HERE/tiles.py" "$MR" "$NV" | sed "s/kernel$NV(/kernel(/"
  echo "}"
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT (MR=$MR NV=$NV DIRECT_MAX_ROWS=$DIRECT)"
