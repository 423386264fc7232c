#!/usr/bin/env bash
# Runs jkeras' JMH benchmarks (bench/) on the shared workloads W1–W4.
#   tools/bench.sh [JMH ARGS...]        e.g. tools/bench.sh LoadBenchmark -p workload=w2
# Results go to bench-results/<name>.json (JMH JSON). Needs ../shared/bench/artifacts
# (or -Djkeras.bench.artifacts=DIR via JKERAS_BENCH_OPTS).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -Dstyle.color=never -Dmaven.test.skip=true install
mvn -q -B -Dstyle.color=never -f bench/pom.xml package
mkdir -p bench-results
name="$(date +%Y%m%d-%H%M%S)"
# forks inherit this directory; JKERAS_BENCH_OPTS (e.g. -Djkeras.bench.artifacts=DIR) reaches them too
exec java -jar bench/target/benchmarks.jar -rf json -rff "bench-results/$name.json" \
    ${JKERAS_BENCH_OPTS:+-jvmArgsAppend "$JKERAS_BENCH_OPTS"} "$@"
