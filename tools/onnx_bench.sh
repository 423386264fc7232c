#!/bin/sh
# The exported W1, W3s, W3g and W2 against the kit's PyTorch-exported ONNX files, both in ONNX Runtime in one JVM
# (io.jkeras.onnx.OnnxBenchmark, a main in the ONNX module's test sources). Results go to docs/performance.md by hand.
#   tools/onnx_bench.sh [threads] [seconds per round] [rounds] [workloads...]
# Defaults: 2 threads (the kit's PEERS_THREADS), 3 s, 5 rounds, w1 w3s w3g w2.
set -eu
cd "$(dirname "$0")/.."
threads=${1:-2}; seconds=${2:-3}; rounds=${3:-5}
[ $# -gt 3 ] && shift 3 || set --
[ $# -gt 0 ] || set -- w1 w3s w3g w2
# one reactor run: the sibling modules resolve to their target/ directories (nothing is installed in ~/.m2)
mvn -q -B -o -Dstyle.color=never test-compile dependency:build-classpath -pl src/onnx -am -Dmdep.includeScope=test \
    -Dmdep.outputFile="$PWD/target/onnx-bench.cp" >/dev/null
exec java -cp "src/onnx/target/test-classes:src/onnx/target/classes:$(cat target/onnx-bench.cp)" \
    io.jkeras.onnx.OnnxBenchmark ../shared/bench/artifacts "$threads" "$seconds" "$rounds" "$@"
