#!/usr/bin/env bash
# Converts the workloads' Keras files to the native format for LoadBenchmark, in a JVM of its own:
#   tools/bench_jkm.sh ARTIFACTS_DIR OUT_DIR     (needs src/cli/target/jkeras-cli.jar)
# Run before JMH (tools/bench.sh and tools/perf.sh do), so that the forks that measure a first load
# do nothing before it but start, whichever the format: converting inside a fork, even in a child
# process, left that fork's JIT compiling the conversion's launcher code while the load was timed.
set -euo pipefail
shopt -s nullglob
art=$1; out=$2
mkdir -p "$out"
for h5 in "$art"/w*.h5; do
  w=$(basename "$h5" .h5)
  "${JKERAS_JAVA:-java}" -cp src/cli/target/jkeras-cli.jar io.jkeras.cli.Main convert --force "$h5" "$out/$w.jkm" >/dev/null
done
