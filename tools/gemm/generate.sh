#!/usr/bin/env bash
# Regenerates src/main/java/io/jkeras/kernels/GemmVector.java from the templates in this folder.
#   tools/gemm/generate.sh [MR NV DIRECT_MAX_ROWS MR_16]     (defaults: 10 2 64 6, the measured best tiles)
# MR rows × NV vectors per tile with 32 vector registers (AVX-512, NEON), MR_16 rows with 16 (AVX2, SSE);
# tiles of 1..MR rows are written out. Products with at most DIRECT_MAX_ROWS rows read B in place.
# The Vector API needs every accumulator as a separate local, and Java has no macros, so the tile
# methods are written out by tiles.py rather than by hand.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
MR=${1:-10}; NV=${2:-2}; DIRECT=${3:-64}; MR16=${4:-6}
OUT="$HERE/../../src/core/src/main/java/io/jkeras/kernels/GemmVector.java"
{
  cat "$HERE/head.java.in"
  echo "    /** Rows of a tile with 32 vector registers, the tallest tile below. */"
  echo "    static final int MR = $MR;"
  echo "    /** Rows of a tile with 16 vector registers. */"
  echo "    static final int MR_16 = $MR16;"
  echo "    /** Vectors of columns of a tile. */"
  echo "    static final int NV = $NV;"
  sed "s/DIRECT;/$DIRECT;/" "$HERE/body.java.in"
  python3 "$HERE/tiles.py" "$MR" "$NV" | sed "s/kernel$NV(/kernel(/"
  echo "}"
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT (MR=$MR MR_16=$MR16 NV=$NV DIRECT_MAX_ROWS=$DIRECT)"
