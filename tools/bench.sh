#!/usr/bin/env bash
# Runs jkeras' JMH benchmarks (bench/) on the shared workloads W1–W4.
#   tools/bench.sh [JMH ARGS...]        e.g. tools/bench.sh LoadBenchmark -p workload=w2
#                                            tools/bench.sh InferenceBenchmark -p workload=w1 -p kernel=best,scalar -prof gc
# Benchmarks: InferenceBenchmark (W1/W3s/W3g latency), ThroughputBenchmark (W2), TrainBenchmark (W4 epoch),
# LoadBenchmark (.h5 vs .jkm). `kernel` = best | scalar picks the recurrent kernel path per forked JVM.
# Results go to bench-results/<name>.json (JMH JSON). Needs ../shared/bench/artifacts
# (or -Djkeras.bench.artifacts=DIR via JKERAS_BENCH_OPTS). JKERAS_JAVA picks the JVM (default: java).
# tools/perf.sh runs the whole suite together with the peers and writes docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -Dstyle.color=never -DskipTests -pl src/cli -am package     # src/cli/target/jkeras-cli.jar, the library under test
mvn -q -B -Dstyle.color=never -f src/bench/pom.xml package
mkdir -p bench-results
name="$(date +%Y%m%d-%H%M%S)"
# LoadBenchmark's .jkm files, converted beforehand by another JVM (see tools/bench_jkm.sh)
# (only when LoadBenchmark may run: named, or no benchmark named at all)
case " $* " in *Load*) need_jkm=1 ;; *Inference*|*Throughput*|*Train*) need_jkm=0 ;; *) need_jkm=1 ;; esac
art=$(echo " ${JKERAS_BENCH_OPTS:-}" | sed -n 's/.* -Djkeras.bench.artifacts=\([^ ]*\).*/\1/p')
if [ "$need_jkm" = 1 ]; then tools/bench_jkm.sh "${art:-../shared/bench/artifacts}" bench-results/jkm; fi
# forks inherit this directory; JKERAS_BENCH_OPTS (e.g. -Djkeras.bench.artifacts=DIR) reaches them too
exec "${JKERAS_JAVA:-java}" -cp src/bench/target/benchmarks.jar:src/cli/target/jkeras-cli.jar org.openjdk.jmh.Main \
    -rf json -rff "bench-results/$name.json" \
    -jvmArgsAppend "--add-modules=jdk.incubator.vector -Djkeras.bench.jkm=bench-results/jkm ${JKERAS_BENCH_OPTS:-}" "$@"
